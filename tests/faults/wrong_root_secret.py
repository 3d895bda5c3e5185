"""RustFS deployed with a new root secret instead of MinIO's (clients and IAM would break)."""

from pydantic import SecretStr


def pytest_cutover_target_prepare(plan, rehearsal):
    env = {**plan.spec.environment, "RUSTFS_SECRET_KEY": SecretStr("a-brand-new-secret-key-0001")}
    plan.spec = plan.spec.with_changes(environment=env)

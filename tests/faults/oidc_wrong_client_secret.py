"""The app was given another client secret than the one the IdP issued to its client."""

from pydantic import SecretStr


def pytest_cutover_sso_prepare(plan, rehearsal):
    plan.engine_env["RUSTFS_IDENTITY_OPENID_CLIENT_SECRET"] = SecretStr("not-the-issued-secret-0")

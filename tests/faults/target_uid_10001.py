"""The RustFS image default: the target runs as UID 10001 on data owned by 473."""


def pytest_cutover_target_prepare(plan, rehearsal):
    plan.spec = plan.spec.with_changes(user="10001:10001")

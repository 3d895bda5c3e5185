"""The Custom App turned the console off (or bound it elsewhere): nobody can log in to check."""


def pytest_cutover_target_prepare(plan, rehearsal):
    env = {**plan.spec.environment, "RUSTFS_CONSOLE_ENABLE": "false"}
    plan.spec = plan.spec.with_changes(environment=env)

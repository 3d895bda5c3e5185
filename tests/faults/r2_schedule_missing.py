"""The profile's r2.schedule removed: nothing says when the sync runs again."""


def pytest_cutover_r2_prepare(plan, rehearsal):
    plan.schedule = None

"""The IdP puts no groups in the test users' tokens (the groups were not attached to the app)."""


def pytest_cutover_sso_prepare(plan, rehearsal):
    for claims in plan.idp_users.values():
        claims.pop("groups", None)

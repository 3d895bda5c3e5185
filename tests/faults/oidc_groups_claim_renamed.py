"""The app reads groups from a claim the IdP does not emit (`memberOf`; the IdP says `groups`)."""


def pytest_cutover_sso_prepare(plan, rehearsal):
    for key in ("RUSTFS_IDENTITY_OPENID_GROUPS_CLAIM", "RUSTFS_IDENTITY_OPENID_CLAIM_NAME"):
        plan.engine_env[key] = "memberOf"

"""The app's issuer differs from the IdP's by a trailing slash (rustfs#2349, #2049)."""

ISSUER = "RUSTFS_IDENTITY_OPENID_ISSUER"


def pytest_cutover_sso_prepare(plan, rehearsal):
    issuer = plan.settings.issuer or ""
    plan.engine_env[ISSUER] = issuer.rstrip("/") if issuer.endswith("/") else issuer + "/"

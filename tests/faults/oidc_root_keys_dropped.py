"""The SSO change drops the static root keys from the app's YAML (an edit that kept only the
OIDC settings): RustFS then starts on its built-in default credentials, and the break-glass
admin the runbook asks to keep is gone."""


def pytest_cutover_sso_prepare(plan, rehearsal):
    plan.engine_env["RUSTFS_ACCESS_KEY"] = None
    plan.engine_env["RUSTFS_SECRET_KEY"] = None

"""Unit tests for the optional `oidc:` profile section (runbook Step 8) and its client secret."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cutover.errors import ConfigError
from cutover.profile import (
    REPO_ROOT,
    TARGETS_DIR,
    OidcSpec,
    load_profile,
    resolve_client_secret,
)

EXAMPLE = TARGETS_DIR / "truenas.example.yml"


def _example_with(tmp_path: Path, **oidc_changes) -> Path:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["manifest"] = str(REPO_ROOT / "data-plane" / "datasets.yml")
    data["oidc"].update(oidc_changes)
    data["oidc"] = {k: v for k, v in data["oidc"].items() if v is not None}
    path = tmp_path / "production.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as exc_info:
        load_profile(str(path))
    return str(exc_info.value)


def test_rehearsal_leaves_the_idp_values_to_the_stand_in():
    oidc = load_profile("rehearsal").oidc
    assert oidc is not None
    assert oidc.auto_fields() == ["config_url", "issuer", "client_id", "redirect_uri"]
    assert oidc.policies == {"data-admins": "admin", "data-viewers": "readonly"}
    alice, bob = oidc.test_users
    assert oidc.access_of(alice) == "admin" and oidc.access_of(bob) == "readonly"


def test_example_names_jumpcloud_and_takes_the_secret_from_the_environment():
    oidc = load_profile("truenas.example").oidc
    assert oidc is not None and not oidc.auto_fields()
    assert oidc.config_url == "https://oauth.id.jumpcloud.com/.well-known/openid-configuration"
    assert oidc.client_secret_env == "CUTOVER_OIDC_CLIENT_SECRET"
    assert oidc.policies == {"data-admins": "admin", "data-readers": "readonly"}
    assert all(u.id_token_env for u in oidc.test_users)


def test_production_refuses_auto_values(tmp_path):
    message = _error(_example_with(tmp_path, client_id="auto"))
    assert "oidc.client_id is 'auto'" in message and "name the JumpCloud value" in message


def test_production_needs_a_client_secret_source(tmp_path):
    message = _error(_example_with(tmp_path, client_secret_env=None))
    assert "client_secret_env or client_secret_file" in message


def test_inline_client_secret_is_refused(tmp_path):
    message = _error(_example_with(tmp_path, client_secret="hunter2"))
    assert "oidc.client_secret holds a secret inline" in message
    assert "hunter2" not in message


def test_scopes_must_include_openid(tmp_path):
    assert "scopes must include openid" in _error(_example_with(tmp_path, scopes=["profile"]))


def _spec(**changes) -> OidcSpec:
    values = {
        "config_url": "https://idp/.well-known/openid-configuration",
        "client_id": "c",
        "redirect_uri": "http://nas:9000/cb",
        "policies": {"g": "readonly"},
        "test_users": [{"username": "u", "groups": ["g"]}],
    }
    return OidcSpec(**{**values, **changes})


def test_client_secret_from_environment_then_file(tmp_path):
    spec = _spec(client_secret_env="OIDC_SECRET")
    assert resolve_client_secret(spec, {"OIDC_SECRET": "abc"}).get_secret_value() == "abc"
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-file\n")
    spec = _spec(client_secret_file=str(secret_file))
    assert resolve_client_secret(spec, {}).get_secret_value() == "from-file"


def test_missing_client_secret_says_where_to_put_it():
    with pytest.raises(ConfigError, match="set environment variable OIDC_SECRET"):
        resolve_client_secret(_spec(client_secret_env="OIDC_SECRET"), {})


def test_unmapped_user_has_no_access():
    spec = _spec(test_users=[{"username": "u", "groups": ["other"]}])
    assert spec.access_of(spec.test_users[0]) is None


def test_plan_updates_the_app_with_the_provider_and_hides_the_client_secret():
    import json
    import shlex

    from cutover.plan import cutover_plan, planned_app

    profile = load_profile("truenas.example")
    step = cutover_plan(profile, planned_app(profile))[-1]
    assert step.phase == "80 sso" and "data-readers (readonly)" in step.action
    argv = shlex.split(step.command)
    assert argv[:5] == ["/usr/bin/midclt", "call", "-job", "app.update", "rustfs"]
    text = json.loads(argv[-1])["custom_compose_config_string"]
    service = yaml.safe_load(text)["services"]["rustfs"]
    env = service["environment"]
    assert env["RUSTFS_IDENTITY_OPENID_ISSUER"] == "https://oauth.id.jumpcloud.com/"
    # The secrets go to a new env file, written first; the YAML says where they come from.
    assert "RUSTFS_IDENTITY_OPENID_CLIENT_SECRET" not in env and "RUSTFS_SECRET_KEY" not in env
    assert service["env_file"] == ["/root/rustfs-cutover/rustfs-<UTC time>.env"]
    assert (
        "# RUSTFS_IDENTITY_OPENID_CLIENT_SECRET: client secret from $CUTOVER_OIDC_CLIENT_SECRET, "
        "read from env_file /root/rustfs-cutover/rustfs-<UTC time>.env"
    ) in text
    assert "# RUSTFS_SECRET_KEY: secret from $CUTOVER_ROOT_SECRET, read from env_file" in text
    assert step.notes[0].startswith("first writes /root/rustfs-cutover/rustfs-<UTC time>.env")

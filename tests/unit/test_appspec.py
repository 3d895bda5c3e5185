"""Unit tests for the RustFS Custom App spec: render, lint, stand-in, docker inspect (cutover/appspec.py)."""

from __future__ import annotations

import pytest
import yaml
from pydantic import SecretStr

from cutover.appspec import (
    AppSpec,
    EnvFileError,
    Listen,
    Volume,
    lint_app_spec,
    minio_standin_for,
    render_minio_app,
    render_rustfs_app,
    spec_from_container,
)
from cutover.profile import load_profile

OWNER = "473:473"
HOST_PATH = "/mnt/marathon/minio-dataset"
SECRET = "s3cr3t-value"
LISTEN = Listen("0.0.0.0", 9000, 9001)
PROFILE = load_profile("rehearsal")


@pytest.fixture
def spec() -> AppSpec:
    return render_rustfs_app(
        PROFILE, data_owner=OWNER, host_path=HOST_PATH, secret=SecretStr(SECRET), listen=LISTEN
    )


def lint(spec: AppSpec):
    return lint_app_spec(spec, data_owner=OWNER, host_path=HOST_PATH)


def messages(spec: AppSpec, rule: str) -> str:
    """Every finding of `rule`, joined; fails when the rule did not fire."""
    found = [f.message for f in lint(spec).findings if f.rule == rule]
    assert found, f"rule {rule!r} did not fire; findings: {lint(spec).findings}"
    return "\n".join(found)


def with_env(spec: AppSpec, **env: str | SecretStr) -> AppSpec:
    return spec.with_changes(environment={**spec.environment, **env})


# --- render_rustfs_app: runbook Step 3 -----------------------------------------------------


def test_rendered_spec_matches_runbook_step_3(spec):
    assert spec.user == OWNER
    assert spec.image == "rustfs/rustfs:1.0.1"
    assert spec.volumes == (Volume(HOST_PATH, "/data", "rw"),)
    env = spec.container_env()
    assert env["RUSTFS_VOLUMES"] == "/data"
    assert env["RUSTFS_ADDRESS"] == "0.0.0.0:9000"
    assert env["RUSTFS_CONSOLE_ENABLE"] == "true"
    assert env["RUSTFS_CONSOLE_ADDRESS"] == "0.0.0.0:9001"
    assert env["RUSTFS_CORS_ALLOWED_ORIGINS"] == "*"
    assert env["RUSTFS_CONSOLE_CORS_ALLOWED_ORIGINS"] == "*"
    assert env["RUSTFS_ACCESS_KEY"] == PROFILE.credentials.access_key


def test_rendered_compose_document_has_the_step_3_service(spec):
    service = yaml.safe_load(spec.to_yaml())["services"]["rustfs"]
    assert service["user"] == OWNER
    assert service["image"] == "rustfs/rustfs:1.0.1"
    assert service["volumes"] == [f"{HOST_PATH}:/data"]
    assert service["environment"]["RUSTFS_VOLUMES"] == "/data"


def test_yaml_hides_the_secret_but_names_its_source(spec):
    text = spec.to_yaml()
    assert SECRET not in text
    assert "$CUTOVER_ROOT_SECRET" in text
    env = yaml.safe_load(text)["services"]["rustfs"]["environment"]
    assert "$CUTOVER_ROOT_SECRET" in env["RUSTFS_SECRET_KEY"]


def test_container_env_reveals_the_secret_for_the_engine(spec):
    assert isinstance(spec.environment["RUSTFS_SECRET_KEY"], SecretStr)
    assert spec.container_env()["RUSTFS_SECRET_KEY"] == SECRET


def test_rendered_spec_lints_clean(spec):
    assert lint(spec).findings == []


# --- lint_app_spec: one test per rule ------------------------------------------------------


def test_lint_image_default_user_10001(spec):
    msg = messages(spec.with_changes(user="10001:10001"), "user")
    assert "10001" in msg and "image default" in msg
    assert 'set user: "473:473"' in msg


def test_lint_catalog_user_568_on_473_data(spec):
    msg = messages(spec.with_changes(user="568:568"), "user")
    assert "568" in msg and "catalog app" in msg
    assert 'set user: "473:473"' in msg


def test_lint_missing_user(spec):
    msg = messages(spec.with_changes(user=""), "user")
    assert "no user" in msg and "10001" in msg
    assert 'set user: "473:473"' in msg


def test_lint_catalog_default_volumes_env(spec):
    msg = messages(with_env(spec, RUSTFS_VOLUMES="/rustfs/data0"), "volumes-env")
    assert "'/rustfs/data0'" in msg
    assert 'set RUSTFS_VOLUMES: "/data"' in msg


def test_lint_catalog_app_mount(spec):
    spec = spec.with_changes(volumes=(Volume("/mnt/pool/ix-apps/rustfs", "/rustfs/data0"),))
    msg = messages(spec, "catalog-app")
    assert "/rustfs/data0" in msg and "catalog app" in msg
    assert "Custom App" in msg


def test_lint_nothing_mounted_at_data(spec):
    msg = messages(spec.with_changes(volumes=()), "host-path")
    assert "nothing is mounted at /data" in msg
    assert f"- {HOST_PATH}:/data" in msg


def test_lint_export_mounted_at_data(spec):
    msg = messages(spec.with_changes(volumes=(Volume("/export", "/data"),)), "host-path")
    assert "/export" in msg and "in-container mount point" in msg
    assert f"mount - {HOST_PATH}:/data" in msg


def test_lint_another_host_path(spec):
    msg = messages(spec.with_changes(volumes=(Volume("/mnt/tank/other", "/data"),)), "host-path")
    assert "/mnt/tank/other" in msg and HOST_PATH in msg
    assert f"mount - {HOST_PATH}:/data" in msg
    assert "in-container" not in msg


def test_lint_host_path_trailing_slash_is_the_same_path(spec):
    spec = spec.with_changes(volumes=(Volume(HOST_PATH + "/", "/data"),))
    assert "host-path" not in lint(spec).rules()


def test_lint_read_only_mount(spec):
    msg = messages(spec.with_changes(volumes=(Volume(HOST_PATH, "/data", "ro"),)), "host-path")
    assert "ro" in msg and "needs it rw" in msg


@pytest.mark.parametrize(
    "image",
    [
        "rustfs/rustfs:latest",
        "rustfs/rustfs",
        "registry:5000/rustfs",
        "registry:5000/rustfs:latest",
    ],
)
def test_lint_unpinned_image(spec, image):
    msg = messages(spec.with_changes(image=image), "image-pin")
    assert image in msg and "not pinned" in msg
    assert "release tag" in msg


@pytest.mark.parametrize("image", ["rustfs/rustfs:1.0.1", "registry:5000/rustfs:1.0.1"])
def test_lint_pinned_image_passes(spec, image):
    assert "image-pin" not in lint(spec.with_changes(image=image)).rules()


def test_lint_inline_secret_string(spec):
    msg = messages(with_env(spec, RUSTFS_SECRET_KEY=SECRET), "inline-secret")
    assert "RUSTFS_SECRET_KEY" in msg and "inline" in msg
    assert SECRET not in msg
    assert "rotate" in msg


@pytest.mark.parametrize(
    "value", [SecretStr(SECRET), "${CUTOVER_ROOT_SECRET}"], ids=["SecretStr", "env-reference"]
)
def test_lint_secret_kept_out_of_the_spec_passes(spec, value):
    assert "inline-secret" not in lint(with_env(spec, RUSTFS_SECRET_KEY=value)).rules()


# --- minio_standin_for ---------------------------------------------------------------------


def test_standin_maps_rustfs_keys_to_minio_root_credentials(spec):
    standin = minio_standin_for(spec, minio_image="minio/minio:RELEASE.x")
    assert standin.environment["MINIO_ROOT_USER"] == PROFILE.credentials.access_key
    password = standin.environment["MINIO_ROOT_PASSWORD"]
    assert isinstance(password, SecretStr)
    assert password.get_secret_value() == SECRET
    assert SECRET not in standin.to_yaml()


def test_standin_command_serves_rustfs_volumes_on_rustfs_addresses(spec):
    standin = minio_standin_for(spec, minio_image="minio/minio:RELEASE.x")
    assert standin.image == "minio/minio:RELEASE.x"
    assert standin.command == (
        "server",
        "/data",
        "--address",
        "0.0.0.0:9000",
        "--console-address",
        "0.0.0.0:9001",
    )


def test_standin_keeps_what_the_deploy_checks_look_at(spec):
    standin = minio_standin_for(spec, minio_image="minio/minio:RELEASE.x")
    assert standin.user == spec.user
    assert standin.volumes == spec.volumes
    for key, value in spec.environment.items():
        assert standin.environment[key] == value


# --- spec_from_container -------------------------------------------------------------------


def inspect_attrs(**config) -> dict:
    """A docker-inspect-shaped dict of a container deployed the wrong way."""
    base = {
        "Image": "rustfs/rustfs:latest",
        "User": "",
        "Env": [
            "RUSTFS_VOLUMES=/rustfs/data0",
            "RUSTFS_ACCESS_KEY=IJDY6D4LMF3Z34F1BY7S",
            f"RUSTFS_SECRET_KEY={SECRET}",
            "PATH=/usr/bin:/bin",
        ],
        "Cmd": ["rustfs"],
    }
    return {
        "Name": "/rustfs",
        "Config": {**base, **config},
        "Mounts": [
            {"Source": "/mnt/pool/ix-apps/rustfs", "Destination": "/rustfs/data0", "RW": True},
            {"Source": HOST_PATH, "Destination": "/data", "RW": False},
        ],
    }


def test_spec_from_container_reads_inspect_fields():
    spec = spec_from_container(inspect_attrs(User="10001"))
    assert spec.service == "rustfs"
    assert spec.image == "rustfs/rustfs:latest"
    assert spec.user == "10001"
    assert spec.command == ("rustfs",)
    assert spec.env_value("RUSTFS_VOLUMES") == "/rustfs/data0"
    assert spec.env_value("PATH") == "/usr/bin:/bin"
    assert spec.volumes == (
        Volume("/mnt/pool/ix-apps/rustfs", "/rustfs/data0", "rw"),
        Volume(HOST_PATH, "/data", "ro"),
    )


def test_spec_from_container_wraps_secret_env_values():
    attrs = inspect_attrs()
    attrs["Config"]["Env"].append("MINIO_ROOT_PASSWORD=other-secret")
    spec = spec_from_container(attrs)
    assert isinstance(spec.environment["RUSTFS_SECRET_KEY"], SecretStr)
    assert isinstance(spec.environment["MINIO_ROOT_PASSWORD"], SecretStr)
    assert spec.env_value("RUSTFS_SECRET_KEY") == SECRET
    assert isinstance(spec.environment["RUSTFS_ACCESS_KEY"], str)
    assert SECRET not in spec.to_yaml()


def test_spec_from_container_round_trips_through_lint():
    found = lint(spec_from_container(inspect_attrs()))
    assert found.rules() == {"user", "volumes-env", "catalog-app", "host-path", "image-pin"}
    assert any("mounted ro" in f.message for f in found.findings)


def test_spec_from_a_correct_container_lints_clean():
    attrs = inspect_attrs(
        Image="rustfs/rustfs:1.0.1",
        User=OWNER,
        Env=["RUSTFS_VOLUMES=/data", f"RUSTFS_SECRET_KEY={SECRET}"],
    )
    attrs["Mounts"] = [{"Source": HOST_PATH, "Destination": "/data", "RW": True}]
    assert lint(spec_from_container(attrs)).findings == []


def test_spec_from_container_tolerates_missing_sections():
    spec = spec_from_container({})
    assert (spec.service, spec.image, spec.user) == ("", "", "")
    assert spec.environment == {} and spec.volumes == () and spec.command == ()


# --- render_minio_app ----------------------------------------------------------------------


def minio_app(**kw) -> AppSpec:
    return render_minio_app(
        PROFILE,
        data_owner=OWNER,
        host_path=HOST_PATH,
        secret=SecretStr(SECRET),
        listen=LISTEN,
        image="quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z",
        **kw,
    )


def test_minio_app_mounts_host_path_at_export():
    spec = minio_app()
    assert spec.volumes == (Volume(HOST_PATH, "/export"),)
    assert spec.command[:2] == ("server", "/export")
    assert spec.command[2:] == ("--address", "0.0.0.0:9000", "--console-address", "0.0.0.0:9001")
    assert spec.env_value("MINIO_ROOT_USER") == PROFILE.credentials.access_key
    assert isinstance(spec.environment["MINIO_ROOT_PASSWORD"], SecretStr)
    assert SECRET not in spec.to_yaml()


def test_minio_app_serves_the_data_subdir():
    spec = minio_app(data_subdir="data")
    assert spec.volumes == (Volume(HOST_PATH, "/export"),)
    assert spec.command[:2] == ("server", "/export/data")


def test_no_yaml_ever_holds_the_secret_only_the_engine_gets_it(spec):
    """The YAML is what app.create/app.update carry on the NAS's command line: no way exists to
    render it with the secret (there used to be reveal=True)."""
    assert SECRET not in spec.to_yaml()
    with pytest.raises(TypeError):
        spec.to_yaml(reveal=True)  # type: ignore[call-arg]
    assert spec.container_env()["RUSTFS_SECRET_KEY"] == SECRET


# --- env_file: the secrets in a root-only file the app reads, the YAML names it ------------

ENV_FILE = "/root/rustfs-cutover/rustfs.env"


@pytest.fixture
def env_spec() -> AppSpec:
    return render_rustfs_app(
        PROFILE,
        data_owner=OWNER,
        host_path=HOST_PATH,
        secret=SecretStr(SECRET),
        listen=LISTEN,
        env_file=ENV_FILE,
    )


def test_env_file_yaml_names_the_file_and_holds_no_secret(env_spec):
    text = env_spec.to_yaml()
    assert SECRET not in text
    service = yaml.safe_load(text)["services"]["rustfs"]
    assert service["env_file"] == [ENV_FILE]
    assert "RUSTFS_SECRET_KEY" not in service["environment"]  # environment would win over it
    assert service["environment"]["RUSTFS_ACCESS_KEY"] == PROFILE.credentials.access_key
    # Where the secret comes from, said in the YAML itself (a comment compose ignores).
    assert text.startswith(
        "# RUSTFS_SECRET_KEY: secret from $CUTOVER_ROOT_SECRET, read from env_file "
        f"{ENV_FILE} (root-only, mode 0600)\n"
    )


def test_env_file_text_holds_every_secret_single_quoted(env_spec):
    oidc = SecretStr("client $ecret #1 with spaces")
    spec = with_env(env_spec, RUSTFS_IDENTITY_OPENID_CLIENT_SECRET=oidc)
    assert spec.env_file_text().get_secret_value() == (
        f"RUSTFS_SECRET_KEY='{SECRET}'\n"
        "RUSTFS_IDENTITY_OPENID_CLIENT_SECRET='client $ecret #1 with spaces'\n"
    )
    assert "client" not in spec.to_yaml()


@pytest.mark.parametrize("bad", ["it's", "two\nlines", "cr\r", "ends-in\\"])
def test_env_file_refuses_what_compose_would_not_read_back(env_spec, bad):
    spec = with_env(env_spec, RUSTFS_SECRET_KEY=SecretStr(bad))
    with pytest.raises(EnvFileError) as raised:
        spec.env_file_text()
    message = str(raised.value)
    assert bad not in message
    assert message.startswith("RUSTFS_SECRET_KEY (secret from $CUTOVER_ROOT_SECRET) holds a")
    assert "env-file" in lint(spec).rules()


def test_lint_accepts_the_env_file_form_and_still_flags_an_inline_secret(env_spec):
    assert lint(env_spec).findings == []
    inline = with_env(env_spec, RUSTFS_SECRET_KEY="plain-text-secret")
    assert "inline-secret" in lint(inline).rules()

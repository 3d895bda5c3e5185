"""Unit tests for the production profile (targets/truenas.example.yml) and HostSpec."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from cutover.errors import ConfigError
from cutover.profile import REPO_ROOT, TARGETS_DIR, HostSpec, Mode, ToolsSpec, load_profile

EXAMPLE = TARGETS_DIR / "truenas.example.yml"


@pytest.fixture
def write_profile(tmp_path: Path) -> Callable[[Callable[[dict], None]], Path]:
    """Copy the example into tmp_path after applying `edit`, its manifest made absolute."""

    def _write(edit: Callable[[dict], None]) -> Path:
        data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
        data["manifest"] = str(REPO_ROOT / "data-plane" / "datasets.yml")
        edit(data)
        path = tmp_path / "production.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return _write


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as exc_info:
        load_profile(str(path))
    return str(exc_info.value)


def test_example_production_profile_loads():
    profile = load_profile("truenas.example")
    assert profile.mode is Mode.PRODUCTION
    assert profile.host is not None
    assert profile.host.ssh == "admin@truenas.lan"
    assert profile.dataset.zfs == "marathon/minio-dataset"
    assert profile.dataset.snapshot == "pre-rustfs"
    assert (profile.network.api_port, profile.network.console_port) == (9000, 9001)
    assert profile.target.image.official == "rustfs/rustfs:1.0.1"
    assert profile.target.image.pinned_tag not in {"", "latest"}
    assert profile.credentials.generate_if_missing is False
    assert profile.manifest_path() == REPO_ROOT / "data-plane" / "datasets.yml"


def test_modified_copy_loads_unchanged(write_profile):
    profile = load_profile(str(write_profile(lambda data: None)))
    assert profile.mode is Mode.PRODUCTION


@pytest.mark.parametrize(
    ("fields", "url"),
    [
        ({}, "ssh://admin@truenas.lan:22?sudo=true"),
        ({"sudo": False, "port": 2222}, "ssh://admin@truenas.lan:2222?sudo=false"),
        (
            {"identity_file": "/keys/truenas_ed25519"},
            "ssh://admin@truenas.lan:22?sudo=true&ssh_identity_file=/keys/truenas_ed25519",
        ),
        (
            {"ssh_config": "/etc/cutover/ssh_config"},
            "ssh://admin@truenas.lan:22?sudo=true&ssh_config=/etc/cutover/ssh_config",
        ),
    ],
    ids=["default", "no-sudo-port", "identity-file", "ssh-config"],
)
def test_testinfra_url(fields, url):
    assert HostSpec(ssh="admin@truenas.lan", **fields).testinfra_url() == url


def _drop_host(data: dict) -> None:
    del data["host"]


def _generate(data: dict) -> None:
    data["credentials"]["generate_if_missing"] = True


def _bad_ssh(data: dict) -> None:
    data["host"]["ssh"] = "truenas.lan"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_drop_host, "host.ssh"),
        (_generate, "generate_if_missing"),
        (_bad_ssh, "user@host"),
    ],
    ids=["no-host", "generate-secret", "ssh-without-user"],
)
def test_unsafe_production_profile_is_refused(write_profile, edit, expected):
    path = write_profile(edit)
    message = _error(path)
    assert str(path) in message
    assert expected in message


def test_ssh_without_at_names_the_field(write_profile):
    assert "field 'host.ssh'" in _error(write_profile(_bad_ssh))


def test_inline_secret_in_production_profile_is_refused(write_profile):
    def inline(data: dict) -> None:
        data["credentials"]["secret_key"] = "hunter2-not-a-real-secret"

    message = _error(write_profile(inline))
    assert "secret_env" in message
    assert "hunter2" not in message


def test_tool_paths_default_to_truenas_and_must_be_absolute(tmp_path):
    profile = load_profile("truenas.example")
    assert (profile.host.tools.zfs, profile.host.tools.midclt) == (
        "/usr/sbin/zfs",
        "/usr/bin/midclt",
    )
    with pytest.raises(ValueError, match="absolute"):
        ToolsSpec(zfs="zfs")


# --- host.secrets_dir: where the secret files live on the NAS ------------------------------


def test_secrets_dir_default_and_setting(write_profile):
    assert load_profile("truenas.example").host.secrets_dir == "/root/rustfs-cutover"

    def edit(data: dict) -> None:
        data["host"]["secrets_dir"] = "/mnt/tank/cutover-secrets/"

    assert load_profile(str(write_profile(edit))).host.secrets_dir == "/mnt/tank/cutover-secrets"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("relative/dir", "secrets_dir must be an absolute path"),
        ("/", "other than /, got '/'"),
        ("/root/my secrets", "secrets_dir must be an absolute path"),
        ("/root/$(id)", "secrets_dir must be an absolute path"),
        ("/root/../etc", "(no '..')"),
        ("/mnt/marathon/minio-dataset/.secrets", "is on the migrated dataset"),
        ("/mnt/marathon/minio-dataset", "is on the migrated dataset"),
    ],
)
def test_secrets_dir_refused(write_profile, value, said):
    def edit(data: dict) -> None:
        data["host"]["secrets_dir"] = value

    assert said in _error(write_profile(edit))


def test_secrets_dir_next_to_the_dataset_is_fine(write_profile):
    def edit(data: dict) -> None:
        data["host"]["secrets_dir"] = "/mnt/marathon/minio-dataset-secrets"

    assert load_profile(str(write_profile(edit))).host.secrets_dir.endswith("-secrets")

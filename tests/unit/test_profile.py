"""Unit tests for target profiles and root-secret resolution (cutover/profile.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from cutover.errors import ConfigError
from cutover.profile import (
    REPO_ROOT,
    TARGETS_DIR,
    CredentialsSpec,
    EngineKind,
    Mode,
    load_profile,
    resolve_root_secret,
)

SHIPPED = TARGETS_DIR / "rehearsal.yml"
ENV_VAR = "CUTOVER_ROOT_SECRET"


@pytest.fixture
def write_profile(tmp_path: Path) -> Callable[[Callable[[dict], None] | None], Path]:
    """Copy targets/rehearsal.yml into tmp_path/targets/, after applying `edit` to its data."""

    def _write(edit: Callable[[dict], None] | None = None) -> Path:
        data = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
        if edit:
            edit(data)
        path = tmp_path / "targets" / "copy.yml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path

    return _write


def _error(target: str | Path) -> str:
    with pytest.raises(ConfigError) as exc_info:
        load_profile(str(target))
    return str(exc_info.value)


# --- loading profiles -------------------------------------------------------------------


def test_rehearsal_profile_loads_by_name():
    profile = load_profile("rehearsal")
    assert profile.name == "rehearsal"
    assert profile.mode is Mode.REHEARSAL
    assert profile.path == SHIPPED
    assert profile.source.engine is EngineKind.MINIO
    assert profile.target.engine is EngineKind.RUSTFS
    assert profile.dataset.owner == "473:473"
    assert profile.network.bind == "127.0.0.1"
    assert profile.credentials.secret_env == ENV_VAR


def test_rehearsal_manifest_path_points_at_datasets_yml():
    assert load_profile("rehearsal").manifest_path() == REPO_ROOT / "data-plane" / "datasets.yml"


def test_missing_profile_lists_available_profiles():
    message = _error("no-such-target")
    assert "'no-such-target' not found" in message
    assert str(TARGETS_DIR / "no-such-target.yml") in message
    assert "rehearsal" in message.rpartition(":")[2]


def test_profile_given_as_file_path(write_profile, tmp_path):
    path = write_profile()
    profile = load_profile(str(path))
    assert profile.path == path
    assert profile.name == "rehearsal"
    assert profile.manifest_path() == (tmp_path / "data-plane" / "datasets.yml").resolve()


def test_missing_profile_file_path(tmp_path):
    path = tmp_path / "absent.yml"
    message = _error(path)
    assert "not found" in message
    assert str(path) in message


# --- rejected profiles ------------------------------------------------------------------


def _set(section: str, key: str, value) -> Callable[[dict], None]:
    return lambda data: data[section].__setitem__(key, value)


@pytest.mark.parametrize(
    ("edit", "field", "expected"),
    [
        (_set("network", "bnd", "0.0.0.0"), "network.bnd", "unknown key"),
        (_set("dataset", "owner", "473"), "dataset.owner", "numeric UID:GID"),
        (_set("dataset", "host_path", "mnt/marathon"), "dataset.host_path", "must be absolute"),
    ],
    ids=["unknown-key", "bad-owner", "relative-host-path"],
)
def test_invalid_profile_names_the_field(write_profile, edit, field, expected):
    path = write_profile(edit)
    message = _error(path)
    assert str(path) in message
    assert f"field {field!r}" in message
    assert expected in message


def test_inline_secret_is_refused_without_echoing_it(write_profile):
    path = write_profile(_set("credentials", "secret_key", "hunter2-not-a-real-secret"))
    message = _error(path)
    assert str(path) in message
    assert "credentials.secret_key" in message
    assert "secret_env" in message
    assert "secret_file" in message
    assert "hunter2" not in message


def test_host_path_trailing_slash_is_stripped(write_profile):
    profile = load_profile(str(write_profile(_set("dataset", "host_path", "/mnt/data/"))))
    assert profile.dataset.host_path == "/mnt/data"


# --- resolve_root_secret ----------------------------------------------------------------


def _creds(**fields) -> CredentialsSpec:
    return CredentialsSpec(access_key="rootuser", **fields)


def test_secret_from_environment():
    secret = resolve_root_secret(_creds(secret_env=ENV_VAR), environ={ENV_VAR: "from-env-123"})
    assert secret.get_secret_value() == "from-env-123"


def test_secret_from_file_is_stripped(tmp_path):
    secret_file = tmp_path / "root.secret"
    secret_file.write_text("from-file-456\n", encoding="utf-8")
    secret = resolve_root_secret(
        _creds(secret_env=ENV_VAR, secret_file=str(secret_file)), environ={}
    )
    assert secret.get_secret_value() == "from-file-456"


def test_environment_wins_over_file(tmp_path):
    secret_file = tmp_path / "root.secret"
    secret_file.write_text("from-file", encoding="utf-8")
    creds = _creds(secret_env=ENV_VAR, secret_file=str(secret_file))
    assert resolve_root_secret(creds, environ={ENV_VAR: "from-env"}).get_secret_value() == (
        "from-env"
    )


def test_empty_secret_file_refused(tmp_path):
    secret_file = tmp_path / "root.secret"
    secret_file.write_text("  \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is empty") as exc_info:
        resolve_root_secret(_creds(secret_file=str(secret_file)), environ={})
    assert str(secret_file) in str(exc_info.value)


def test_missing_secret_file_refused(tmp_path):
    secret_file = tmp_path / "absent.secret"
    with pytest.raises(ConfigError, match="does not exist") as exc_info:
        resolve_root_secret(_creds(secret_file=str(secret_file)), environ={})
    assert str(secret_file) in str(exc_info.value)


def test_secret_generated_when_allowed():
    creds = _creds(secret_env=ENV_VAR, generate_if_missing=True)
    first = resolve_root_secret(creds, environ={}).get_secret_value()
    second = resolve_root_secret(creds, environ={}).get_secret_value()
    assert len(first) >= 8
    assert len(second) >= 8
    assert first != second


def test_no_secret_available_names_the_env_var():
    with pytest.raises(ConfigError, match=ENV_VAR):
        resolve_root_secret(_creds(secret_env=ENV_VAR), environ={ENV_VAR: ""})


def test_secret_is_not_revealed_by_repr_or_str():
    secret = resolve_root_secret(_creds(secret_env=ENV_VAR), environ={ENV_VAR: "top-secret-789"})
    assert "top-secret-789" not in repr(secret)
    assert "top-secret-789" not in str(secret)

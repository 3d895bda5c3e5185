"""The dress rehearsal's names, plan and input checks (cutover/dress.py) and the zfs commands it
builds: what an operator reads in the plan is exactly what runs."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cutover import dress, zfs
from cutover.errors import ConfigError
from cutover.profile import Mode, load_profile


@pytest.fixture
def production():
    return load_profile("truenas.example")


def test_clone_is_a_fixed_sibling_of_the_dataset(production):
    assert dress.clone_name(production) == f"{production.dataset.zfs}-dress-rehearsal"


def test_snapshot_name_is_fresh_and_valid():
    when = datetime(2026, 12, 5, 13, 0, 7, tzinfo=UTC)
    assert dress.snapshot_name(when) == "dress-rehearsal-20261205T130007Z"


def test_zfs_commands_are_exact_and_never_recursive():
    assert zfs.clone_command("tank/a", "s1", "tank/a-dress-rehearsal", zfs="/usr/sbin/zfs") == (
        "/usr/sbin/zfs clone tank/a@s1 tank/a-dress-rehearsal"
    )
    assert zfs.destroy_dataset_command("tank/a-x") == "zfs destroy tank/a-x"
    assert zfs.destroy_snapshot_command("tank/a", "s1") == "zfs destroy tank/a@s1"
    assert zfs.dataset_info_command("tank/a") == "zfs list -H -p -o name,mountpoint,origin tank/a"
    with pytest.raises(ValueError):
        zfs.destroy_dataset_command("tank/a; rm -rf /")


def test_dataset_info_parses_clone_and_plain_dataset():
    clone = zfs.parse_dataset_info("tank/a-x\t/mnt/tank/a-x\ttank/a@s1\n")
    assert (clone.mountpoint, clone.origin) == ("/mnt/tank/a-x", "tank/a@s1")
    assert zfs.parse_dataset_info("tank/a\t/mnt/tank/a\t-\n").origin == ""
    with pytest.raises(ValueError):
        zfs.parse_dataset_info("garbage")


def test_nas_plan_names_everything_it_creates_and_destroys(production):
    plan = dress.nas_plan(production, "dress-rehearsal-1", "admin@nas:22")
    text = "\n".join(plan)
    ds, clone = production.dataset.zfs, dress.clone_name(production)
    assert plan[0].startswith(f"Dress rehearsal plan for {production.name} on admin@nas:22")
    for step in (
        f"zfs snapshot {ds}@dress-rehearsal-1",
        f"zfs clone {ds}@dress-rehearsal-1 {clone}",
        f"zfs destroy {clone}",
        f"zfs destroy {ds}@dress-rehearsal-1",
        "keeps serving",
        "test_60_r2_sync",
    ):
        assert step in text, step
    assert "app.stop" not in text and "app.create" not in text and "rollback -r" not in text


def test_local_profile_runs_on_loopback_with_the_real_keys(production, tmp_path):
    local = dress.local_profile(production, tmp_path)
    assert local.mode is Mode.REHEARSAL and local.host is None
    assert (local.network.bind, local.network.api_port) == ("127.0.0.1", "auto")
    assert local.dataset.host_path == str(tmp_path)
    assert local.dataset.owner == production.dataset.owner
    assert local.credentials.access_key == production.credentials.access_key
    assert not local.credentials.generate_if_missing
    assert (local.r2, local.rotation, local.oidc, local.public) == (None, None, None, None)
    assert local.ondisk is not None and local.ondisk.local_path is None


def test_source_dir_checks(tmp_path):
    store = tmp_path / "store"
    (store / ".minio.sys").mkdir(parents=True)
    assert dress.check_source_dir(str(store)) == store
    with pytest.raises(ConfigError, match="does not exist"):
        dress.check_source_dir(str(tmp_path / "nosuch"))
    with pytest.raises(ConfigError, match="nested one level down"):
        dress.check_source_dir(str(tmp_path))
    with pytest.raises(ConfigError, match="holds the report directory"):
        dress.check_source_dir(str(store), report_root=store / "reports")
    with pytest.raises(ConfigError, match="whole filesystem"):
        dress.check_source_dir("/")
    assert dress.check_source_dir(str(store), report_root=Path("/elsewhere")) == store

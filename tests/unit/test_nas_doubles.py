"""The NAS test doubles (tests/doubles/bin/zfs, midclt) against the production builders/parsers.

Every command is the exact string cutover/zfs.py or cutover/truenas.py builds, run through
`bash -c` with the doubles first on PATH, the way the loopback SSH "NAS" runs them in CI.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from cutover import truenas, zfs
from cutover.profile import REPO_ROOT

BIN = Path(__file__).resolve().parents[1] / "doubles" / "bin"
DATASET = "marathon/minio-dataset"
CHILD = f"{DATASET}/nested"

CRONJOBS = [
    {
        "id": 3,
        "user": "root",
        "command": "mc mirror --overwrite minio/curated /mnt/backup/curated",
        "description": "mirror curated bucket",
        "enabled": True,
        "stdout": True,
        "stderr": False,
        "schedule": {"minute": "0", "hour": "*/6", "dom": "*", "month": "*", "dow": "*"},
    }
]


@pytest.fixture
def nas(tmp_path):
    """A state file, a mountpoint with a few files, and a logging fake `docker` on PATH."""
    mnt = tmp_path / "mnt" / "minio-dataset"
    (mnt / "bucket" / "obj").mkdir(parents=True)
    (mnt / ".minio.sys").mkdir()
    (mnt / ".minio.sys" / "format.json").write_text('{"format": "xl-single"}\n')
    (mnt / "bucket" / "obj" / "xl.meta").write_bytes(b"XL2 original")
    (mnt / "bucket" / "link").symlink_to("obj/xl.meta")
    child = mnt / "nested"
    child.mkdir()
    (child / "keep.txt").write_text("child\n")

    state = tmp_path / "nas" / "state.json"
    state.parent.mkdir()
    state.write_text(
        json.dumps(
            {
                "datasets": {DATASET: str(mnt), CHILD: str(child), "marathon/other": "/nope"},
                "snapshots": [],
                "apps": {
                    "minio": {"state": "RUNNING", "custom_app": False, "container": "ix-minio-1"}
                },
                "cronjobs": CRONJOBS,
            }
        )
    )

    fakebin = tmp_path / "fakebin"
    fakebin.mkdir()
    docker_log = tmp_path / "docker.log"
    docker = fakebin / "docker"
    docker.write_text(f'#!/bin/sh\necho "docker $*" >> {docker_log}\n')
    docker.chmod(0o755)

    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{fakebin}{os.pathsep}{os.environ['PATH']}",
        "NAS_DOUBLE_STATE": str(state),
    }
    env.pop("NAS_DOUBLE_RUN_APPS", None)
    env.pop("NAS_DOUBLE_APP_RUNNER", None)

    def run(command: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command],
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    return SimpleNamespace(
        mnt=mnt,
        state=state,
        env=env,
        docker_log=docker_log,
        tmp=tmp_path,
        run=run,
        read=lambda: json.loads(state.read_text()),
    )


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# --- zfs --------------------------------------------------------------------------------


def test_doubles_are_executable_scripts_that_say_so():
    for name in ("zfs", "midclt"):
        script = BIN / name
        assert os.access(script, os.X_OK)
        text = script.read_text()
        assert text.startswith("#!/usr/bin/env python3\n")
        assert "TEST DOUBLE" in text.split('"""')[1]


def test_zfs_lists_parse_after_a_snapshot(nas):
    assert zfs.parse_snapshots(ok(nas.run(zfs.list_snapshots_command(DATASET)))) == []
    ok(nas.run(zfs.snapshot_command(DATASET, "pre-rustfs")))

    snaps = zfs.parse_snapshots(ok(nas.run(zfs.list_snapshots_command(DATASET))))
    assert [(s.dataset, s.name) for s in snaps] == [(DATASET, "pre-rustfs")]
    assert snaps[0].creation == nas.read()["snapshots"][0]["creation"]
    assert zfs.find_snapshot(snaps, DATASET, "pre-rustfs") is not None
    # -d 1: the child dataset's snapshots are not listed, and there are none (not recursive).
    assert zfs.parse_snapshots(ok(nas.run(zfs.list_snapshots_command(CHILD)))) == []

    children = ok(nas.run(zfs.list_children_command(DATASET)))
    assert children.splitlines() == [DATASET, CHILD]
    assert zfs.parse_children(children, DATASET) == [CHILD]


def test_zfs_snapshot_saves_a_full_copy_keeping_symlinks(nas):
    ok(nas.run(zfs.snapshot_command(DATASET, "pre-rustfs")))
    copy = Path(nas.read()["snapshots"][0]["copy"])
    assert copy == nas.state.parent / "snapshots" / "marathon_minio-dataset@pre-rustfs"
    assert (copy / "bucket" / "obj" / "xl.meta").read_bytes() == b"XL2 original"
    assert (copy / "bucket" / "link").is_symlink()
    assert (copy / "nested" / "keep.txt").is_file()


def test_zfs_recursive_snapshot_covers_children(nas):
    ok(nas.run(zfs.snapshot_command(DATASET, "pre-rustfs", recursive=True)))
    snaps = zfs.parse_snapshots(ok(nas.run(zfs.list_snapshots_command(CHILD))))
    assert [s.full_name for s in snaps] == [f"{CHILD}@pre-rustfs"]


def test_zfs_duplicate_snapshot_is_refused_like_zfs(nas):
    ok(nas.run(zfs.snapshot_command(DATASET, "pre-rustfs")))
    proc = nas.run(zfs.snapshot_command(DATASET, "pre-rustfs"))
    assert proc.returncode == 1
    assert proc.stderr == f"cannot create snapshot '{DATASET}@pre-rustfs': dataset already exists\n"
    assert len(nas.read()["snapshots"]) == 1


def test_zfs_unknown_dataset(nas):
    proc = nas.run(zfs.list_snapshots_command("marathon/missing"))
    assert (proc.returncode, proc.stderr) == (
        1,
        "cannot open 'marathon/missing': dataset does not exist\n",
    )
    proc = nas.run(zfs.rollback_command(DATASET, "never-taken"))
    assert (proc.returncode, proc.stderr) == (
        1,
        f"cannot open '{DATASET}@never-taken': dataset does not exist\n",
    )


def test_zfs_rollback_restores_files_and_drops_later_snapshots(nas):
    ok(nas.run(zfs.snapshot_command(DATASET, "pre-rustfs")))
    meta = nas.mnt / "bucket" / "obj" / "xl.meta"
    fmt = nas.mnt / ".minio.sys" / "format.json"
    meta.write_bytes(b"rewritten by rustfs")
    fmt.unlink()
    (nas.mnt / ".rustfs.sys").mkdir()
    ok(nas.run(zfs.snapshot_command(DATASET, "after-deploy")))
    later_copy = Path(nas.read()["snapshots"][1]["copy"])
    assert later_copy.is_dir()

    ok(nas.run(zfs.rollback_command(DATASET, "pre-rustfs")))

    assert meta.read_bytes() == b"XL2 original"
    assert fmt.read_text() == '{"format": "xl-single"}\n'
    assert not (nas.mnt / ".rustfs.sys").exists()
    assert (nas.mnt / "bucket" / "link").is_symlink()
    snaps = zfs.parse_snapshots(ok(nas.run(zfs.list_snapshots_command(DATASET))))
    assert [s.name for s in snaps] == ["pre-rustfs"]
    assert not later_copy.exists()


@pytest.mark.parametrize(
    "command",
    [
        "zfs destroy marathon/minio-dataset@pre-rustfs",
        "zfs rollback marathon/minio-dataset@pre-rustfs",
        "zfs list",
        "zfs list -H -o name marathon/minio-dataset",
        "zfs snapshot marathon/minio-dataset",
        "zfs",
    ],
)
def test_zfs_unsupported_exits_2(nas, command):
    proc = nas.run(command)
    assert proc.returncode == 2
    assert proc.stderr.startswith("zfs double: unsupported: ")


def test_state_env_or_pointer_is_required(nas):
    env = {k: v for k, v in nas.env.items() if k != "NAS_DOUBLE_STATE"}
    for command in (zfs.list_snapshots_command(DATASET), truenas.cronjob_query_command()):
        proc = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True)
        assert proc.returncode == 2
        assert "NAS_DOUBLE_STATE is not set" in proc.stderr


def test_state_pointer_file_serves_when_sudo_drops_the_environment(nas):
    env = {k: v for k, v in nas.env.items() if k != "NAS_DOUBLE_STATE"}
    pointer = REPO_ROOT / "tests" / "doubles" / "state-path"
    pointer.write_text(nas.env["NAS_DOUBLE_STATE"] + "\n")
    try:
        proc = subprocess.run(
            ["bash", "-c", zfs.list_snapshots_command(DATASET)],
            env=env,
            capture_output=True,
            text=True,
        )
    finally:
        pointer.unlink()
    assert proc.returncode == 0, proc.stderr


# --- midclt -----------------------------------------------------------------------------


def test_app_query_parses(nas):
    apps = truenas.parse_apps(ok(nas.run(truenas.app_query_command("minio"))))
    assert apps == [truenas.App("minio", "RUNNING", False)]
    assert truenas.parse_apps(ok(nas.run(truenas.app_query_command("rustfs")))) == []
    assert [a.name for a in truenas.parse_apps(ok(nas.run("midclt call app.query")))] == ["minio"]
    item = json.loads(ok(nas.run(truenas.app_query_command("minio"))))[0]
    assert item["active_workloads"]["containers"] == 1
    assert {"id", "version", "human_version", "metadata", "notes", "portals"} <= set(item)


def test_app_stop_and_start_drive_docker(nas):
    assert ok(nas.run(truenas.app_stop_command("minio"))) == "null\n"
    assert truenas.parse_apps(ok(nas.run(truenas.app_query_command("minio"))))[0].stopped
    assert ok(nas.run(truenas.app_start_command("minio"))) == "null\n"
    assert truenas.parse_apps(ok(nas.run(truenas.app_query_command("minio"))))[0].state == "RUNNING"
    assert nas.docker_log.read_text().splitlines() == [
        "docker stop ix-minio-1",
        "docker start ix-minio-1",
    ]


def test_app_stop_unknown_app(nas):
    proc = nas.run(truenas.app_stop_command("nextcloud"))
    assert proc.returncode == 1
    assert "[ENOENT]" in proc.stderr and "nextcloud" in proc.stderr
    assert not nas.docker_log.exists()


COMPOSE = "services:\n  rustfs:\n    image: rustfs/rustfs:1.0.0\n    user: '568:568'\n"


def test_app_create_records_custom_app_and_stores_yaml(nas):
    created = json.loads(ok(nas.run(truenas.app_create_command("rustfs", COMPOSE))))
    assert truenas.parse_apps(json.dumps([created])) == [truenas.App("rustfs", "RUNNING", True)]
    stored = nas.state.parent / "apps" / "rustfs" / "docker-compose.yaml"
    assert stored.read_text() == COMPOSE
    assert nas.read()["apps"]["rustfs"] == {
        "state": "RUNNING",
        "custom_app": True,
        "container": None,
    }
    queried = truenas.parse_apps(ok(nas.run(truenas.app_query_command("rustfs"))))
    assert queried == [truenas.App("rustfs", "RUNNING", True)]
    config = json.loads(ok(nas.run(truenas.app_config_command("rustfs"))))
    assert config == {"custom_compose_config_string": COMPOSE}
    # No container recorded: stop changes the state without calling docker.
    ok(nas.run(truenas.app_stop_command("rustfs")))
    assert not nas.docker_log.exists()

    again = nas.run(truenas.app_create_command("rustfs", COMPOSE))
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_app_create_hands_yaml_to_runner_when_asked(nas):
    runner = nas.tmp / "runner"
    log = nas.tmp / "runner.log"
    runner.write_text(f'#!/bin/sh\necho "$1 $2" >> {log}\necho "creating..."\necho "ix-$1-1"\n')
    runner.chmod(0o755)
    env = {"NAS_DOUBLE_RUN_APPS": "1", "NAS_DOUBLE_APP_RUNNER": str(runner)}

    created = json.loads(ok(nas.run(truenas.app_create_command("rustfs", COMPOSE), **env)))
    assert created["state"] == "RUNNING"
    assert created["active_workloads"]["containers"] == 1
    stored = nas.state.parent / "apps" / "rustfs" / "docker-compose.yaml"
    assert log.read_text() == f"rustfs {stored}\n"
    assert nas.read()["apps"]["rustfs"]["container"] == "ix-rustfs-1"
    ok(nas.run(truenas.app_stop_command("rustfs")))
    assert nas.docker_log.read_text() == "docker stop ix-rustfs-1\n"


def test_cronjob_query_parses(nas):
    jobs = truenas.parse_cronjobs(ok(nas.run(truenas.cronjob_query_command())))
    assert jobs == [
        truenas.CronJob(
            id=3,
            command="mc mirror --overwrite minio/curated /mnt/backup/curated",
            schedule="0 */6 * * *",
            enabled=True,
            user="root",
            description="mirror curated bucket",
        )
    ]


@pytest.mark.parametrize(
    "command",
    [
        "midclt call app.delete minio",
        "midclt call app.stop minio",  # a job without -job
        "midclt call -job app.query",
        """midclt call app.query '[["name", "~", "min"]]'""",
        """midclt call -job app.create '{"app_name": "x", "catalog_app": "minio"}'""",
        "midclt call",
        "midclt ping",
        "midclt",
    ],
)
def test_midclt_unsupported_exits_2(nas, command):
    proc = nas.run(command)
    assert proc.returncode == 2
    assert proc.stderr.startswith("midclt double: unsupported")

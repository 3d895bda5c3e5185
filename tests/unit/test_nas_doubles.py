"""The NAS test doubles (tests/doubles/bin/zfs, midclt, app_runner.py) against the production
builders/parsers.

Every command is the exact string cutover/zfs.py or cutover/truenas.py builds, run through
`bash -c` with the doubles first on PATH, the way the loopback SSH "NAS" runs them in CI. A fake
`docker` (below) stands in for the engine, except in the one end-to-end test at the bottom.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import docker.errors
import pytest
import yaml

from cutover import truenas, zfs
from cutover.profile import REPO_ROOT
from tests.prereq import require

DOUBLES = Path(__file__).resolve().parents[1] / "doubles"
BIN = DOUBLES / "bin"
RUNNER = DOUBLES / "app_runner.py"
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


# A fake `docker`: logs every call to $FAKE_DOCKER_LOG and plays the engine for `inspect --type
# container`, `stop` and `start` from $FAKE_DOCKER_CONTAINERS, a JSON map of container name ->
# `docker inspect` document that the tests write and stop/start update (as the engine would).
# FAKE_DOCKER_DOWN=1 answers like a docker CLI whose daemon is not running.
FAKE_DOCKER = """
import json, os, sys
from pathlib import Path

args = sys.argv[1:]
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(" ".join(["docker", *args]) + "\\n")
if os.environ.get("FAKE_DOCKER_DOWN") == "1":
    sys.exit(print("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. "
                   "Is the docker daemon running?", file=sys.stderr) or 1)
db = Path(os.environ["FAKE_DOCKER_CONTAINERS"])
containers = json.loads(db.read_text()) if db.exists() else {}
verb, rest = (args[0], args[1:]) if args else ("", [])
if verb == "inspect":
    if rest[:2] != ["--type", "container"] or len(rest) != 3:
        sys.exit(print(f"fake docker: unexpected {args}", file=sys.stderr) or 2)
    rest = rest[2:]
if verb in {"inspect", "stop", "start"}:
    name = rest[0]
    if name not in containers:
        if verb == "inspect":
            print("[]")
        sys.exit(print(f"Error response from daemon: No such container: {name}",
                       file=sys.stderr) or 1)
    if verb == "inspect":
        sys.exit(print(json.dumps([containers[name]])) or 0)
    running = verb == "start"
    containers[name]["State"].update(
        Status="running" if running else "exited", Running=running,
        ExitCode=0 if running else 137)
    db.write_text(json.dumps(containers))
    print(name)
"""


def inspect_doc(
    name: str,
    *,
    service: str = "minio",
    image: str = "minio/minio:RELEASE.2025-04-22T22-12-26Z",
    status: str = "running",
    exit_code: int = 0,
    mounts: tuple[tuple[str, str, str], ...] = (("/mnt/marathon/minio-dataset", "/export", "rw"),),
    ports: dict[str, Any] | None = None,
    health: str | None = None,
) -> dict[str, Any]:
    """The parts of a `docker inspect` container document the midclt double reads."""
    state: dict[str, Any] = {
        "Status": status,
        "Running": status == "running",
        "ExitCode": exit_code,
    }
    if health:
        state["Health"] = {"Status": health, "FailingStreak": 0, "Log": []}
    return {
        "Id": (name.encode().hex() * 8)[:64],
        "Name": f"/{name}",
        "State": state,
        "Config": {
            "Image": image,
            "User": "473:473",
            "Labels": {
                "com.docker.compose.project": f"ix-{service}",
                "com.docker.compose.service": service,
            },
        },
        "HostConfig": {"NetworkMode": "host"},
        "NetworkSettings": {"Ports": ports or {}},
        "Mounts": [
            {
                "Type": "bind",
                "Source": src,
                "Destination": dst,
                "Mode": mode,
                "RW": mode != "ro",
                "Propagation": "rprivate",
            }
            for src, dst, mode in mounts
        ],
    }


EMPTY_WORKLOADS = {
    "containers": 0,
    "used_ports": [],
    "container_details": [],
    "volumes": [],
    "images": [],
    "networks": [],
}


@pytest.fixture
def nas(tmp_path):
    """A state file, a mountpoint with a few files, and a logging fake `docker` on PATH that
    knows one running container, ix-minio-1 (the minio app's)."""
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
    containers = tmp_path / "docker-containers.json"
    containers.write_text(json.dumps({"ix-minio-1": inspect_doc("ix-minio-1")}))
    fake_docker = fakebin / "docker"
    fake_docker.write_text(f"#!{sys.executable}\n{FAKE_DOCKER}")
    fake_docker.chmod(0o755)

    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{fakebin}{os.pathsep}{os.environ['PATH']}",
        "NAS_DOUBLE_STATE": str(state),
        "FAKE_DOCKER_LOG": str(docker_log),
        "FAKE_DOCKER_CONTAINERS": str(containers),
    }
    env.pop("NAS_DOUBLE_RUN_APPS", None)
    env.pop("NAS_DOUBLE_APP_RUNNER", None)
    env.pop("FAKE_DOCKER_DOWN", None)

    def run(command: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", command],
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    def docker_calls() -> list[str]:
        """The docker commands that change something (every app.query also inspects)."""
        if not docker_log.exists():
            return []
        return [
            c for c in docker_log.read_text().splitlines() if not c.startswith("docker inspect")
        ]

    def set_container(name: str, doc: dict[str, Any] | None) -> None:
        """What the fake engine knows about a container (None: it does not exist)."""
        known = json.loads(containers.read_text())
        if doc is None:
            known.pop(name, None)
        else:
            known[name] = doc
        containers.write_text(json.dumps(known))

    def write(data: dict[str, Any]) -> None:
        state.write_text(json.dumps(data))

    def query(name: str, **extra_env: str) -> dict[str, Any]:
        items = json.loads(ok(run(truenas.app_query_command(name), **extra_env)))
        assert len(items) == 1, items
        return items[0]

    return SimpleNamespace(
        mnt=mnt,
        state=state,
        env=env,
        docker_log=docker_log,
        docker_calls=docker_calls,
        set_container=set_container,
        tmp=tmp_path,
        run=run,
        read=lambda: json.loads(state.read_text()),
        write=write,
        query=query,
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
    # The runner is started as `<venv python> app_runner.py`, not from PATH.
    assert "TEST DOUBLE" in RUNNER.read_text().split('"""')[1]


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


CLONE = f"{DATASET}-dress-rehearsal"


def test_zfs_clone_is_a_sibling_copy_of_the_snapshot_and_destroys_cleanly(nas):
    ok(nas.run(zfs.snapshot_command(DATASET, "dress")))
    origin = zfs.parse_dataset_info(ok(nas.run(zfs.dataset_info_command(DATASET))))
    assert origin.origin == "" and origin.name == DATASET
    (Path(origin.mountpoint) / "bucket" / "obj" / "xl.meta").write_bytes(b"XL2 after")
    ok(nas.run(zfs.clone_command(DATASET, "dress", CLONE)))
    info = zfs.parse_dataset_info(ok(nas.run(zfs.dataset_info_command(CLONE))))
    assert info.origin == f"{DATASET}@dress"
    assert info.mountpoint == str(Path(origin.mountpoint).parent / "minio-dataset-dress-rehearsal")
    assert (Path(info.mountpoint) / "bucket" / "obj" / "xl.meta").read_bytes() == b"XL2 original"
    assert (Path(info.mountpoint) / "bucket" / "link").is_symlink()
    again = nas.run(zfs.clone_command(DATASET, "dress", CLONE))
    assert (
        again.returncode == 1 and f"cannot create '{CLONE}': dataset already exists" in again.stderr
    )
    busy = nas.run(zfs.destroy_snapshot_command(DATASET, "dress"))
    assert busy.returncode == 1
    assert "snapshot has dependent clones" in busy.stderr and CLONE in busy.stderr
    ok(nas.run(zfs.destroy_dataset_command(CLONE)))
    assert not Path(info.mountpoint).exists()
    gone = nas.run(zfs.dataset_info_command(CLONE))
    assert gone.returncode == 1 and f"cannot open '{CLONE}': dataset does not exist" in gone.stderr
    ok(nas.run(zfs.destroy_snapshot_command(DATASET, "dress")))
    assert zfs.parse_snapshots(ok(nas.run(zfs.list_snapshots_command(DATASET)))) == []
    assert (Path(origin.mountpoint) / "bucket" / "obj" / "xl.meta").read_bytes() == b"XL2 after"


def test_zfs_destroy_refuses_a_dataset_with_snapshots(nas):
    ok(nas.run(zfs.snapshot_command(DATASET, "pre-rustfs")))
    proc = nas.run(zfs.destroy_dataset_command(DATASET))
    assert proc.returncode == 1
    assert f"cannot destroy '{DATASET}': filesystem has children" in proc.stderr


@pytest.mark.parametrize(
    "command",
    [
        "zfs destroy -r marathon/minio-dataset",
        "zfs destroy -R marathon/minio-dataset@pre-rustfs",
        "zfs clone -p marathon/minio-dataset@pre-rustfs marathon/x",
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
    assert [(a.name, a.state, a.custom_app) for a in apps] == [("minio", "RUNNING", False)]
    # What the production parser takes from active_workloads, which the double fills from docker.
    assert apps[0].container_ids == (inspect_doc("ix-minio-1")["Id"],)
    assert apps[0].mount_map() == {"/export": "/mnt/marathon/minio-dataset"}
    assert truenas.parse_apps(ok(nas.run(truenas.app_query_command("rustfs")))) == []
    assert [a.name for a in truenas.parse_apps(ok(nas.run("midclt call app.query")))] == ["minio"]
    item = nas.query("minio")
    assert item["active_workloads"]["containers"] == 1
    assert {"id", "version", "human_version", "metadata", "notes", "portals"} <= set(item)


def test_app_query_reports_the_running_container_like_the_middleware(nas):
    item = nas.query("minio")
    doc = inspect_doc("ix-minio-1")
    mount = {
        "source": "/mnt/marathon/minio-dataset",
        "destination": "/export",
        "mode": "rw",
        "type": "bind",
    }
    assert item["state"] == "RUNNING"
    assert item["active_workloads"] == {
        "containers": 1,
        "used_ports": [],
        "container_details": [
            {
                "service_name": "minio",
                "image": "minio/minio:RELEASE.2025-04-22T22-12-26Z",
                "port_config": [],
                "state": "running",
                "volume_mounts": [mount],
                "id": doc["Id"],
            }
        ],
        "volumes": [mount],
        "images": ["minio/minio:RELEASE.2025-04-22T22-12-26Z"],
        "networks": [],
    }
    assert nas.docker_log.read_text().splitlines() == ["docker inspect --type container ix-minio-1"]


def test_app_query_port_config_from_published_ports(nas):
    ports = {
        "9000/tcp": [{"HostIp": "0.0.0.0", "HostPort": "9000"}, {"HostIp": "::", "HostPort": ""}],
        "9001/tcp": None,  # exposed by the image, not published
    }
    nas.set_container("ix-minio-1", inspect_doc("ix-minio-1", ports=ports))
    workloads = nas.query("minio")["active_workloads"]
    expected = [
        {
            "container_port": 9000,
            "protocol": "tcp",
            "host_ports": [{"host_port": 9000, "host_ip": "0.0.0.0"}],
        }
    ]
    assert workloads["used_ports"] == expected
    assert workloads["container_details"][0]["port_config"] == expected


@pytest.mark.parametrize(("exit_code", "detail"), [(1, "crashed"), (0, "exited")])
def test_app_query_container_exited_without_app_stop_is_crashed(nas, exit_code, detail):
    doc = inspect_doc("ix-minio-1", status="exited", exit_code=exit_code)
    nas.set_container("ix-minio-1", doc)
    item = nas.query("minio")
    assert item["state"] == "CRASHED"
    assert item["active_workloads"]["containers"] == 1
    assert item["active_workloads"]["container_details"][0]["state"] == detail
    assert truenas.parse_apps(json.dumps([item]))[0].stopped
    assert nas.read()["apps"]["minio"]["state"] == "RUNNING"  # a query never rewrites state


def test_app_query_container_gone_is_stopped(nas):
    nas.set_container("ix-minio-1", None)
    item = nas.query("minio")
    assert (item["state"], item["active_workloads"]) == ("STOPPED", EMPTY_WORKLOADS)


def test_app_query_unhealthy_healthcheck_is_deploying(nas):
    nas.set_container("ix-minio-1", inspect_doc("ix-minio-1", health="starting"))
    item = nas.query("minio")
    assert item["state"] == "DEPLOYING"
    assert item["active_workloads"]["container_details"][0]["state"] == "starting"
    nas.set_container("ix-minio-1", inspect_doc("ix-minio-1", health="healthy"))
    assert nas.query("minio")["state"] == "RUNNING"


def test_app_query_fails_when_docker_does(nas):
    before = nas.state.read_text()
    proc = nas.run(truenas.app_query_command("minio"), FAKE_DOCKER_DOWN="1")
    assert proc.returncode == 1
    assert proc.stderr.startswith("[EFAULT] docker inspect ix-minio-1 failed: Cannot connect")
    assert proc.stdout == ""
    assert nas.state.read_text() == before


def test_app_stop_and_start_drive_docker(nas):
    assert ok(nas.run(truenas.app_stop_command("minio"))) == "null\n"
    assert truenas.parse_apps(ok(nas.run(truenas.app_query_command("minio"))))[0].stopped
    assert ok(nas.run(truenas.app_start_command("minio"))) == "null\n"
    assert truenas.parse_apps(ok(nas.run(truenas.app_query_command("minio"))))[0].state == "RUNNING"
    assert nas.docker_calls() == [
        "docker stop ix-minio-1",
        "docker start ix-minio-1",
    ]


def test_app_stop_then_docker_start_behind_its_back_is_running(nas):
    ok(nas.run(truenas.app_stop_command("minio")))
    item = nas.query("minio")
    assert (item["state"], item["active_workloads"]) == ("STOPPED", EMPTY_WORKLOADS)
    # Someone starts the container by hand: the middleware reads docker, so does the double.
    ok(nas.run("docker start ix-minio-1"))
    item = nas.query("minio")
    assert item["state"] == "RUNNING"
    assert item["active_workloads"]["containers"] == 1
    assert nas.read()["apps"]["minio"]["state"] == "STOPPED"  # as recorded by app.stop


def test_app_stop_unknown_app(nas):
    proc = nas.run(truenas.app_stop_command("nextcloud"))
    assert proc.returncode == 1
    assert "[ENOENT]" in proc.stderr and "nextcloud" in proc.stderr
    assert not nas.docker_log.exists()


def test_app_stop_fails_when_docker_does(nas):
    nas.set_container("ix-minio-1", None)
    proc = nas.run(truenas.app_stop_command("minio"))
    assert proc.returncode == 1
    assert proc.stderr.startswith("[EFAULT] docker stop ix-minio-1 failed: ")
    assert nas.read()["apps"]["minio"]["state"] == "RUNNING"


COMPOSE = "services:\n  rustfs:\n    image: rustfs/rustfs:1.0.0\n    user: '568:568'\n"


def test_app_create_records_custom_app_and_stores_yaml(nas):
    created = json.loads(ok(nas.run(truenas.app_create_command("rustfs", COMPOSE))))
    assert truenas.parse_apps(json.dumps([created])) == [truenas.App("rustfs", "RUNNING", True)]
    assert created["active_workloads"] == EMPTY_WORKLOADS
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
    assert nas.docker_calls() == []

    again = nas.run(truenas.app_create_command("rustfs", COMPOSE))
    assert again.returncode == 1
    assert "already exists" in again.stderr


def fake_runner(nas, body: str) -> Path:
    """A shell script standing in for app_runner.py; $1 is the app, $2 the compose file."""
    runner = nas.tmp / "runner"
    runner.write_text(f"#!/bin/sh\n{body}")
    runner.chmod(0o755)
    return runner


def test_app_create_hands_yaml_to_runner_when_asked(nas):
    log = nas.tmp / "runner.log"
    runner = fake_runner(nas, f'echo "$1 $2" >> {log}\necho "creating..."\necho "ix-$1-1"\n')
    nas.set_container("ix-rustfs-1", inspect_doc("ix-rustfs-1", service="rustfs"))  # "created"
    env = {"NAS_DOUBLE_RUN_APPS": "1", "NAS_DOUBLE_APP_RUNNER": str(runner)}

    created = json.loads(ok(nas.run(truenas.app_create_command("rustfs", COMPOSE), **env)))
    assert created["state"] == "RUNNING"
    assert created["active_workloads"]["containers"] == 1
    stored = nas.state.parent / "apps" / "rustfs" / "docker-compose.yaml"
    assert log.read_text() == f"rustfs {stored}\n"
    assert nas.read()["apps"]["rustfs"]["container"] == "ix-rustfs-1"
    ok(nas.run(truenas.app_stop_command("rustfs")))
    assert nas.docker_calls() == ["docker stop ix-rustfs-1"]


def test_app_create_runs_the_state_files_runner_without_any_environment(nas):
    log = nas.tmp / "runner.log"
    runner = fake_runner(nas, f'echo "$*" >> {log}\necho "ix-$3-1"\n')  # $1 $2: --label
    state = nas.read()
    state["app_runner"] = f"{runner} --label from-state"
    nas.write(state)
    nas.set_container("ix-rustfs-1", inspect_doc("ix-rustfs-1", service="rustfs"))

    created = json.loads(ok(nas.run(truenas.app_create_command("rustfs", COMPOSE))))
    assert created["state"] == "RUNNING"
    stored = nas.state.parent / "apps" / "rustfs" / "docker-compose.yaml"
    assert log.read_text() == f"--label from-state rustfs {stored}\n"
    assert nas.read()["apps"]["rustfs"]["container"] == "ix-rustfs-1"
    assert nas.read()["app_runner"] == f"{runner} --label from-state"  # kept on write


def test_app_update_stores_the_new_yaml_and_runs_the_runner_again(nas):
    log = nas.tmp / "runner.log"
    runner = fake_runner(nas, f'cat "$2" >> {log}\necho "ix-$1-1"\n')
    state = nas.read()
    state["app_runner"] = str(runner)
    nas.write(state)
    nas.set_container("ix-rustfs-1", inspect_doc("ix-rustfs-1", service="rustfs"))
    ok(nas.run(truenas.app_create_command("rustfs", COMPOSE)))

    updated = COMPOSE.replace("rustfs/rustfs:1.0.0", "rustfs/rustfs:1.0.2")
    assert updated != COMPOSE
    result = json.loads(ok(nas.run(truenas.app_update_command("rustfs", updated))))
    assert result["name"] == "rustfs" and result["state"] == "RUNNING"
    stored = nas.state.parent / "apps" / "rustfs" / "docker-compose.yaml"
    assert stored.read_text() == updated
    assert log.read_text() == COMPOSE + updated  # brought up twice, from each YAML


def test_app_update_refuses_unknown_and_catalog_apps(nas):
    unknown = nas.run(truenas.app_update_command("nope", COMPOSE))
    assert unknown.returncode == 1 and "[ENOENT]" in unknown.stderr
    catalog = nas.run(truenas.app_update_command("minio", COMPOSE))
    assert catalog.returncode == 1 and "is not a custom app" in catalog.stderr


def test_app_create_environment_wins_over_the_state_files_runner(nas):
    state_log, env_log = nas.tmp / "state.log", nas.tmp / "env.log"
    state_runner = fake_runner(nas, f'echo "$1" >> {state_log}\necho "ix-$1-1"\n')
    env_runner = nas.tmp / "env-runner"
    env_runner.write_text(f'#!/bin/sh\necho "$1" >> {env_log}\necho "ix-$1-1"\n')
    env_runner.chmod(0o755)
    state = nas.read()
    state["app_runner"] = str(state_runner)
    nas.write(state)

    env = {"NAS_DOUBLE_RUN_APPS": "1", "NAS_DOUBLE_APP_RUNNER": str(env_runner)}
    ok(nas.run(truenas.app_create_command("one", COMPOSE), **env))
    # NAS_DOUBLE_RUN_APPS=1 without a runner of its own falls back to the state's.
    ok(nas.run(truenas.app_create_command("two", COMPOSE), NAS_DOUBLE_RUN_APPS="1"))
    # Any other value switches running off.
    ok(nas.run(truenas.app_create_command("three", COMPOSE), NAS_DOUBLE_RUN_APPS="0"))

    assert env_log.read_text() == "one\n"
    assert state_log.read_text() == "two\n"
    apps = nas.read()["apps"]
    assert [apps[n]["container"] for n in ("one", "two", "three")] == ["ix-one-1", "ix-two-1", None]


def test_app_create_is_deploying_while_the_runner_works(nas):
    seen = nas.tmp / "seen.json"
    runner = fake_runner(nas, f'midclt call app.query > {seen}\necho "ix-$1-1"\n')
    env = {"NAS_DOUBLE_RUN_APPS": "1", "NAS_DOUBLE_APP_RUNNER": str(runner)}
    ok(nas.run(truenas.app_create_command("rustfs", COMPOSE), **env))
    during = {a["name"]: a for a in json.loads(seen.read_text())}
    assert during["rustfs"]["state"] == "DEPLOYING"
    assert during["rustfs"]["active_workloads"] == EMPTY_WORKLOADS


def test_app_create_runner_failure_is_crashed(nas):
    runner = fake_runner(nas, 'echo "image x is not in the local Docker engine" >&2\nexit 1\n')
    state = nas.read()
    state["app_runner"] = str(runner)
    nas.write(state)
    proc = nas.run(truenas.app_create_command("rustfs", COMPOSE))
    assert proc.returncode == 1
    assert proc.stderr == (
        "[EFAULT] Failed 'up' action for 'rustfs' app: image x is not in the local Docker engine\n"
    )
    assert nas.read()["apps"]["rustfs"] == {
        "state": "CRASHED",
        "custom_app": True,
        "container": None,
    }
    assert nas.query("rustfs")["state"] == "CRASHED"


@pytest.mark.parametrize("value", ["", "  ", 5])
def test_app_create_refuses_a_malformed_state_runner(nas, value):
    state = nas.read()
    state["app_runner"] = value
    nas.write(state)
    proc = nas.run(truenas.app_create_command("rustfs", COMPOSE))
    assert proc.returncode == 2
    assert 'state "app_runner" must be a non-empty command line' in proc.stderr
    assert "rustfs" not in nas.read()["apps"]


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


# --- app_runner.py (with a fake docker SDK client) ---------------------------------------


def load_runner() -> ModuleType:
    """tests/doubles is not a package (its scripts run on the "NAS" side): load it by path."""
    spec = importlib.util.spec_from_file_location("nas_double_app_runner", RUNNER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeContainers:
    """`client.containers` of the docker SDK: records calls; knows some names and images."""

    def __init__(self, existing: set[str] = frozenset(), images: set[str] = frozenset()) -> None:
        self.existing, self.images = set(existing), set(images)
        self.calls: list[tuple[str, Any]] = []

    def _container(self, name: str) -> SimpleNamespace:
        return SimpleNamespace(
            name=name,
            start=lambda: self.calls.append(("start", name)),
            remove=lambda force=False: self.calls.append(("remove", (name, force))),
        )

    def get(self, name: str) -> SimpleNamespace:
        if name not in self.existing:
            raise docker.errors.NotFound(f"No such container: {name}")
        return self._container(name)

    def create(self, **kwargs: Any) -> SimpleNamespace:
        self.calls.append(("create", kwargs))
        if kwargs["image"] not in self.images:
            raise docker.errors.ImageNotFound(f"No such image: {kwargs['image']}")
        return self._container(kwargs["name"])

    def run(self, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("containers.run pulls missing images; the runner must not use it")


def run_runner(
    tmp_path: Path, compose: str, containers: FakeContainers, *extra: str
) -> tuple[int, str, str]:
    path = tmp_path / "docker-compose.yaml"
    path.write_text(compose)
    runner = load_runner()
    client = SimpleNamespace(containers=containers)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = runner.main([*extra, "rustfs", str(path)], client_factory=lambda: client)
    return code, out.getvalue(), err.getvalue()


RUSTFS_COMPOSE = """\
services:
  rustfs:
    image: rustfs/rustfs:1.0.1
    restart: unless-stopped
    user: "473:473"
    environment:
      RUSTFS_VOLUMES: /data
      RUSTFS_ADDRESS: 127.0.0.1:9000
      RUSTFS_CONSOLE_ENABLE: true
      RUSTFS_PORT_HINT: 9000
    ports:
      - "9000:9000"
    volumes:
      - /mnt/marathon/minio-dataset:/data
      - /mnt/marathon/certs:/certs:ro
    command: ["--console-enable"]
"""


def test_runner_creates_and_starts_one_container_like_compose(tmp_path):
    containers = FakeContainers(existing={"ix-rustfs-rustfs-1"}, images={"rustfs/rustfs:1.0.1"})
    code, out, err = run_runner(tmp_path, RUSTFS_COMPOSE, containers, "--label", "run-42")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == "ix-rustfs-rustfs-1"
    assert containers.calls == [
        ("remove", ("ix-rustfs-rustfs-1", True)),  # a leftover of that name goes first
        (
            "create",
            {
                "image": "rustfs/rustfs:1.0.1",
                "name": "ix-rustfs-rustfs-1",
                "user": "473:473",
                "environment": {
                    "RUSTFS_VOLUMES": "/data",
                    "RUSTFS_ADDRESS": "127.0.0.1:9000",
                    "RUSTFS_CONSOLE_ENABLE": "true",
                    "RUSTFS_PORT_HINT": "9000",
                },
                "volumes": [
                    "/mnt/marathon/minio-dataset:/data:rw",
                    "/mnt/marathon/certs:/certs:ro",
                ],
                "command": ["--console-enable"],
                "network_mode": "host",  # no port publishing: dockerd runs --bridge=none
                "restart_policy": {"Name": "no"},
                "labels": {
                    "com.docker.compose.project": "ix-rustfs",
                    "com.docker.compose.service": "rustfs",
                    "io.rustfs-cutover.nas-double": "run-42",
                },
            },
        ),
        ("start", "ix-rustfs-rustfs-1"),
    ]


def test_runner_takes_list_environment_and_string_command(tmp_path):
    compose = (
        "services:\n  minio:\n    image: minio/minio:x\n"
        "    environment: [MINIO_ROOT_USER=admin, 'EMPTY=']\n"
        "    command: server /export --address ':9000'\n"
    )
    containers = FakeContainers(images={"minio/minio:x"})
    code, out, _ = run_runner(tmp_path, compose, containers)
    assert (code, out) == (0, "ix-rustfs-minio-1\n")
    created = containers.calls[0][1]
    assert created["environment"] == {"MINIO_ROOT_USER": "admin", "EMPTY": ""}
    assert created["command"] == ["server", "/export", "--address", ":9000"]
    assert created["labels"]["io.rustfs-cutover.nas-double"] == "1"
    assert "user" not in created


def test_runner_never_pulls_a_missing_image(tmp_path):
    containers = FakeContainers()
    code, out, err = run_runner(tmp_path, RUSTFS_COMPOSE, containers)
    assert (code, out) == (1, "")
    assert err == (
        "image rustfs/rustfs:1.0.1 is not in the local Docker engine; build or load it "
        "(scripts/setup.sh); the NAS double never pulls\n"
    )
    assert [c[0] for c in containers.calls] == ["create"]


@pytest.mark.parametrize(
    ("compose", "why"),
    [
        (
            "services:\n  a:\n    image: x\n  b:\n    image: y\n",
            "must define exactly one service under `services` (found 2)",
        ),
        ("services: {}\n", "must define exactly one service under `services` (found 0)"),
        ("services:\n  a:\n    image: x\nvolumes:\n  v: {}\n", "must hold only a `services`"),
        ("services:\n  a:\n    user: '1:1'\n", "service 'a' needs an `image`"),
        ("services:\n  a:\n    image: x\n    healthcheck: {}\n", "service 'a' uses healthcheck"),
        ("services:\n  a:\n    image: x\n    volumes: [data:/data]\n", "volume 'data:/data'"),
        ("services:\n  a:\n    image: x\n    volumes: ['/d:/data:z']\n", "mode must be ro or rw"),
        ("services:\n  a:\n    image: x\n    environment: [NOVALUE]\n", "is not K=V"),
    ],
)
def test_runner_refuses_what_it_does_not_model(tmp_path, compose, why):
    containers = FakeContainers(images={"x"})
    code, out, err = run_runner(tmp_path, compose, containers)
    assert (code, out) == (2, "")
    assert err.startswith("app runner double: unsupported: ")
    assert why in err
    assert containers.calls == []


def test_runner_reads_env_file_like_compose_and_environment_wins(tmp_path):
    """The app's secrets come from its env_file (root-only on the NAS), read at every `up`."""
    env = tmp_path / "secrets" / "rustfs.env"
    env.parent.mkdir()
    env.write_text(
        "# written by rustfs-cutover\n"
        "RUSTFS_SECRET_KEY='s3cr3t $not-a-var #not-a-comment'\n\n"
        "RUSTFS_VOLUMES=/from-env-file\n"
    )
    compose = (
        "services:\n  rustfs:\n    image: rustfs/rustfs:1.0.1\n"
        "    environment:\n      RUSTFS_VOLUMES: /data\n"
        f"    env_file:\n      - {env}\n"
    )
    containers = FakeContainers(images={"rustfs/rustfs:1.0.1"})
    code, _, err = run_runner(tmp_path, compose, containers)
    assert (code, err) == (0, "")
    created = containers.calls[0][1]
    assert created["environment"] == {
        "RUSTFS_SECRET_KEY": "s3cr3t $not-a-var #not-a-comment",
        "RUSTFS_VOLUMES": "/data",  # environment: wins over env_file:, as in compose
    }
    # A rotation writes a new file and names it: the next `up` reads the new secret.
    rotated = env.with_name("rustfs-2.env")
    rotated.write_text("RUSTFS_SECRET_KEY='rotated'\n")
    containers = FakeContainers(existing={"ix-rustfs-rustfs-1"}, images={"rustfs/rustfs:1.0.1"})
    code, _, _ = run_runner(tmp_path, compose.replace(str(env), str(rotated)), containers)
    assert code == 0 and containers.calls[0] == ("remove", ("ix-rustfs-rustfs-1", True))
    assert containers.calls[1][1]["environment"]["RUSTFS_SECRET_KEY"] == "rotated"


def test_runner_missing_env_file_fails_like_compose(tmp_path):
    compose = "services:\n  a:\n    image: x\n    env_file: /nowhere/a.env\n"
    containers = FakeContainers(images={"x"})
    code, out, err = run_runner(tmp_path, compose, containers)
    assert (code, out) == (1, "")
    assert (
        err == "env file /nowhere/a.env not found: stat /nowhere/a.env: no such file or directory\n"
    )
    assert containers.calls == []


@pytest.mark.parametrize(
    "line", ['K="double quoted"', "K=$interpolated", "K=a # comment", "export K=v", "NOEQUALS"]
)
def test_runner_refuses_env_file_forms_it_does_not_model(tmp_path, line):
    env = tmp_path / "a.env"
    env.write_text(f"{line}\n")
    compose = f"services:\n  a:\n    image: x\n    env_file: [{env}]\n"
    code, _, err = run_runner(tmp_path, compose, FakeContainers(images={"x"}))
    assert code == 2 and err.startswith("app runner double: unsupported: ")
    assert f"{env} line 1" in err


# --- end to end: midclt + app_runner.py + the real Docker engine ---------------------------

BASE_IMAGE = "rustfs-cutover/debian-base:bookworm-minbase"


def real_docker_or_skip() -> None:
    """Skip (locally) or fail (in CI), naming the reason, unless the local engine answers and
    has the base image."""
    require(shutil.which("docker") is not None, "no docker CLI on PATH (run scripts/setup.sh)")
    info = subprocess.run(["docker", "info"], capture_output=True, text=True, timeout=60)
    reason = (info.stderr.strip().splitlines() or ["no output"])[-1]
    require(
        info.returncode == 0,
        f"`docker info` failed: {reason} (start dockerd: bash scripts/setup.sh)",
    )
    image = subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True)
    require(
        image.returncode == 0,
        f"image {BASE_IMAGE} is not in the local engine (run scripts/setup.sh)",
    )


def docker_cli(*args: str) -> str:
    proc = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_custom_app_lifecycle_against_the_real_engine(nas):
    real_docker_or_skip()
    label = f"unit-{uuid.uuid4().hex[:12]}"
    app = f"probe{uuid.uuid4().hex[:6]}"
    container = f"ix-{app}-probe-1"
    data = nas.tmp / "data"
    data.mkdir()
    # Over SSH + sudo only the state file reaches midclt: the runner is configured there.
    state = nas.read()
    state["app_runner"] = shlex.join([sys.executable, str(RUNNER), "--label", label])
    nas.write(state)
    compose = yaml.safe_dump(
        {
            "services": {
                "probe": {
                    "image": BASE_IMAGE,
                    "restart": "unless-stopped",
                    "user": "473:473",
                    "command": ["sleep", "300"],
                    "ports": ["9000:9000"],
                    "volumes": [f"{data}:/data"],
                }
            }
        }
    )
    real = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # the real docker, no fake

    def query() -> dict[str, Any]:
        return nas.query(app, **real)

    try:
        created = json.loads(ok(nas.run(truenas.app_create_command(app, compose), **real)))
        assert created["state"] == "RUNNING"
        assert nas.read()["apps"][app]["container"] == container
        attrs = json.loads(docker_cli("inspect", "--type", "container", container))[0]
        assert attrs["Config"]["User"] == "473:473"
        assert attrs["HostConfig"]["NetworkMode"] == "host"
        assert attrs["HostConfig"]["RestartPolicy"]["Name"] == "no"
        assert attrs["Config"]["Labels"]["io.rustfs-cutover.nas-double"] == label

        item = query()
        mount = {"source": str(data), "destination": "/data", "mode": "rw", "type": "bind"}
        assert item["state"] == "RUNNING"
        assert item["active_workloads"] == {
            "containers": 1,
            "used_ports": [],
            "container_details": [
                {
                    "service_name": "probe",
                    "image": BASE_IMAGE,
                    "port_config": [],
                    "state": "running",
                    "volume_mounts": [mount],
                    "id": attrs["Id"],
                }
            ],
            "volumes": [mount],
            "images": [BASE_IMAGE],
            "networks": [],
        }
        parsed = truenas.parse_apps(json.dumps([item]))[0]
        assert parsed.container_ids == (attrs["Id"],)

        ok(nas.run(truenas.app_stop_command(app), **real))  # sleep ignores SIGTERM: ~10 s
        item = query()
        assert (item["state"], item["active_workloads"]) == ("STOPPED", EMPTY_WORKLOADS)

        docker_cli("start", container)  # behind midclt's back
        assert query()["state"] == "RUNNING"
    finally:
        ids = docker_cli("ps", "-aq", "--filter", f"label=io.rustfs-cutover.nas-double={label}")
        if ids:
            docker_cli("rm", "-f", *ids.split())

"""The production code path end to end: `pytest suites -m cutover --target <profile>` over real SSH
with sudo, against the zfs/midclt doubles that drive real MinIO and RustFS containers.

The tests run in file order on one NAS site: the refusals first (nothing may change), then the
cutover, its resumption, a fault, and the rollback.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from cutover.runbook import performed, planned
from tests.argv_sampler import ArgvSampler
from tests.nas.site import DATASET, NasSite, start_site
from tests.rehearsal.harness import (
    KNOWN_NEW_SECRET,
    KNOWN_R2_SECRET,
    KNOWN_SECRET,
    RehearsalRun,
    rehearse,
)

pytestmark = pytest.mark.cutover


@pytest.fixture(scope="module")
def site(tmp_path_factory, docker_engine) -> NasSite:
    site = start_site(tmp_path_factory.mktemp("nas-site"))
    yield site
    site.close()


@pytest.fixture(scope="module")
def docker_engine():
    import docker

    try:
        docker.from_env(timeout=10).ping()
    except Exception as exc:  # CI must not skip: scripts/test starts the engine first
        pytest.fail(f"no Docker engine ({type(exc).__name__}): run scripts/setup.sh", pytrace=False)


def run(site: NasSite, tmp_path, *args: str, profile=None, faults=(), env=None) -> RehearsalRun:
    return rehearse(
        tmp_path / "reports",
        faults=faults,
        args=(
            "-m",
            "cutover",
            "--target",
            str(profile or site.profile),
            "--state-dir",
            str(site.work / "state"),
            *args,
        ),
        env=env,
    )


def unchanged(site: NasSite, before: dict) -> None:
    assert site.read_state() == before, "the NAS double's state changed"
    assert site.app_state("minio") == "RUNNING"
    assert not (site.root / ".rustfs.sys").exists()


def test_plan_only_without_confirm_changes_nothing(site, tmp_path):
    before = site.read_state()
    result = run(site, tmp_path)
    assert result.returncode == 0, result.output[-4000:]
    out = result.output
    assert "Plan for nas-double (production) on root@127.0.0.1" in out
    for command in (
        "zfs snapshot marathon/minio-dataset@pre-rustfs",
        "app.stop minio",
        "app.create",
    ):
        assert command in out, command
    assert "Nothing was changed: this was a read-only run" in out
    preflight = [t for t in result.summary["tests"] if t["phase"] == "test_00_preflight"]
    assert preflight and all(t["outcome"] == "passed" for t in preflight), preflight
    # The rendered Custom App spec is linted read-only; everything after it needs the actions.
    read_only = {"test_00_preflight"}
    result.passed("test_rendered_app_spec_follows_the_runbook")
    acting = [
        t
        for t in result.summary["tests"]
        if t["phase"] not in read_only and not t["test"].startswith("test_rendered_app_spec")
    ]
    assert acting and all(t["outcome"] == "skipped" for t in acting)
    # Without --confirm every action is skipped as read-only; phases this profile has no
    # section for (R2, SSO) or no local dataset path for (on disk) say that instead.
    for t in acting:
        reasons = ("read-only run", "oidc", "local_path", "has no r2: section")
        assert any(w in t["message"] for w in reasons), t
    unchanged(site, before)
    assert "NOT confirmed: nothing was changed" in (result.run_dir / "report.html").read_text()


def test_confirm_for_another_dataset_is_refused(site, tmp_path):
    before = site.read_state()
    result = run(site, tmp_path, "--confirm", "tank/other-dataset")
    assert result.returncode == 4, result.output[-3000:]
    assert "--confirm tank/other-dataset does not name this profile's dataset" in result.output
    assert "nothing was changed" in result.output and "Traceback" not in result.output
    unchanged(site, before)


def test_rollback_without_confirm_is_refused(site, tmp_path):
    before = site.read_state()
    result = run(site, tmp_path, "--rollback")
    assert result.returncode == 4 and "runs only with --confirm" in result.output
    unchanged(site, before)


def test_unreachable_host_is_one_sentence(site, tmp_path):
    from cutover.ports import free_port

    closed = free_port("127.0.0.1")
    result = run(site, tmp_path, profile=site.profile_variant("unreachable", port=closed))
    assert result.returncode == 4
    assert f"cannot reach the NAS over SSH at root@127.0.0.1:{closed}" in result.output
    assert "Connection refused" in result.output and "Traceback" not in result.output


def test_wrong_ssh_key_is_one_sentence(site, tmp_path):
    import subprocess

    stranger = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
    result = run(
        site, tmp_path, profile=site.profile_variant("wrong-key", identity_file=str(stranger))
    )
    assert result.returncode == 4
    assert "Permission denied (publickey)" in result.output
    assert "the NAS refused the SSH key" in result.output and "Traceback" not in result.output


def test_rollback_with_no_snapshot_changes_nothing(site, tmp_path):
    before = site.read_state()
    result = run(site, tmp_path, "--confirm", DATASET, "--rollback")
    assert result.returncode == 1
    message = result.failed("test_target_app_stopped")
    assert f"{DATASET}@pre-rustfs does not exist" in message
    assert "nothing to roll back to" in message and "Nothing was changed" in message
    unchanged(site, before)


def test_snapshot_that_did_not_happen_stops_the_cutover(site, tmp_path):
    lying = site.profile_with_lying_tools("zfs-snapshot-lies", zfs=("snapshot ",))
    before = site.read_state()
    result = run(site, tmp_path, "--confirm", DATASET, profile=lying)
    assert result.returncode == 1
    message = result.failed("test_snapshot_exists")
    assert (
        f"{DATASET}@pre-rustfs is not in `zfs list -t snapshot` after the snapshot step" in message
    )
    assert "there is no rollback" in message and "before anything is stopped" in message
    refused = result.failed("test_minio_is_stopped")
    assert "not going to stop minio" in refused and "test_snapshot_exists" in refused
    assert site.read_state()["snapshots"] == before["snapshots"] == []
    assert site.app_state("minio") == "RUNNING" and "rustfs" not in site.read_state()["apps"]


def test_minio_started_again_after_the_stop_blocks_the_deploy(site, tmp_path):
    result = run(
        site,
        tmp_path,
        "--confirm",
        DATASET,
        faults=("nas_app_restarted",),
        env={"NAS_DOUBLE_MINIO_CONTAINER": site.minio.get_wrapped_container().name},
    )
    assert result.returncode == 1
    assert "still RUNNING" in result.failed("test_minio_is_stopped")
    deploy = [t for t in result.summary["tests"] if t["phase"] == "test_30_deploy"]
    refused = [t for t in deploy if t["outcome"] in {"failed", "error"}]
    assert refused, deploy
    assert any("not going to deploy rustfs" in t["message"] for t in refused) or any(
        "refusing to deploy rustfs: the minio app is RUNNING again" in t["message"] for t in refused
    ), refused
    state = site.read_state()
    assert "rustfs" not in state["apps"], "RustFS was deployed next to a running MinIO"
    assert [s["name"] for s in state["snapshots"]] == ["pre-rustfs"]


SECRETS = (KNOWN_SECRET, KNOWN_NEW_SECRET, KNOWN_R2_SECRET)
# Command lines a confirmed run is known to produce, in this test's process tree: seeing them
# proves the sampler watched while the secrets were being handed over.
MARKERS = ("call -job app.create", "call -job app.update", "umask 077", "docker run -d", "lsjson")


@dataclass
class ConfirmedRun:
    result: RehearsalRun
    argv: ArgvSampler
    debug_log: Path


@pytest.fixture(scope="module")
def confirmed(site, tmp_path_factory) -> ConfirmedRun:
    """The confirmed cutover, once, with the R2 sync (phase 60) and the key rotation (phase 70),
    while every process's command line is sampled and testinfra's DEBUG log is kept."""
    tmp = tmp_path_factory.mktemp("confirmed")
    debug_log = tmp / "debug.log"
    with ArgvSampler(SECRETS, markers=MARKERS, interval=0.005) as argv:
        result = run(
            site,
            tmp,
            "--confirm",
            DATASET,
            "-p",
            "tests.nas.debug_log",
            profile=site.profile_with_r2(),
            env={"CUTOVER_DEBUG_LOG": str(debug_log)},
        )
    return ConfirmedRun(result, argv, debug_log)


def test_confirmed_cutover_passes_end_to_end(site, confirmed):
    result = confirmed.result
    assert result.returncode == 0, result.output[-6000:]
    outcomes = result.outcomes()
    assert "failed" not in outcomes.values() and "error" not in outcomes.values(), outcomes
    phases = {t["phase"] for t in result.summary["tests"] if t["outcome"] == "passed"}
    assert phases == {
        "test_00_preflight",
        "test_10_snapshot",
        "test_20_stop",
        "test_30_deploy",
        "test_40_verify",
        "test_60_r2_sync",
        "test_70_rotate_root_key",
        "test_75_public_exposure",
    }
    assert "call -job app.update" in "\n".join(result.summary["run"]["actions"])
    assert site.app_state("minio") == "STOPPED" and site.app_state("rustfs") == "RUNNING"
    actions = "\n".join(result.summary["run"]["actions"])
    assert "snapshot marathon/minio-dataset@pre-rustfs already there" in actions
    # Taken by the previous (refused) run while MinIO kept running afterwards: said in red.
    assert any("KEPT AN EXISTING" in n for n in result.summary["run"]["notices"])
    assert "#1 enabled '15 * * * *' docker start -a r2-sync" in actions
    assert "stopped the minio app: sudo " in actions and "app.stop minio" in actions
    assert "created the rustfs Custom App" in actions
    assert result.summary["run"]["downtime_seconds"] is not None
    assert (site.root / ".rustfs.sys" / "format.json").is_file()
    # The secret went to the NAS on stdin; it is in no file this run wrote.
    written = [*result.run_dir.iterdir(), *(site.work / "state").iterdir()]
    for path in written:
        assert KNOWN_SECRET not in path.read_text(errors="replace"), path


def test_the_cutover_did_what_its_plan_said(confirmed):
    """The plan is printed from the same step objects that act (10-30; 60 and 70 tag their
    record lines with the plan's step): every acting step is in the record, performed or
    found done, in plan order, and nothing else acted."""
    run = confirmed.result.summary["run"]
    acting = planned(run["plan"])
    assert [phase for phase, _ in acting] == [
        "10 snapshot",
        "20 stop",
        "30 deploy",
        "60 R2 sync",
        "70 rotate key",
    ], run["plan"]
    assert performed(run["actions"]) == acting


def test_no_secret_on_any_command_line(confirmed):
    """Every process of the run (ssh, the NAS's sshd session, sudo, sh, docker, the midclt
    double, the app runner...) sampled every few ms: the root secret, the rotated one and R2's
    were on none of their command lines, nor in testinfra's DEBUG log."""
    argv = confirmed.argv
    assert argv.seen == set(MARKERS), f"never saw {set(MARKERS) - argv.seen} run ({argv.sweeps})"
    assert not argv.hits, "secrets on command lines:\n" + argv.report()
    log = confirmed.debug_log.read_text(encoding="utf-8")
    assert "testinfra DEBUG RUN CommandResult(" in log and "call -job app.update" in log
    leaked = [line[:200] for line in log.splitlines() if any(s in line for s in SECRETS)]
    assert not leaked, "secrets in the DEBUG log:\n" + "\n".join(
        line.replace(KNOWN_SECRET, "<root>").replace(KNOWN_NEW_SECRET, "<new>") for line in leaked
    )


def test_docker_inspect_shows_no_secret_but_the_apps_environment(site, confirmed):
    """The r2-sync container (kept for the cron job) reads its secrets from a file: `docker
    inspect` shows none. The app's container does have RUSTFS_SECRET_KEY in Config.Env: compose
    hands env_file values to docker as the environment, as TrueNAS does; that one place is
    accepted (only root reaches docker inspect on the NAS)."""
    import docker

    client = docker.from_env()
    sync = client.containers.get(site.r2_container).attrs
    text = json.dumps(sync)
    assert not [s for s in SECRETS if s in text]
    mounts = {m["Destination"]: m for m in sync["Mounts"]}
    conf = mounts["/config/rclone/rclone.conf"]
    assert (
        conf["RW"] is False
        and conf["Source"] == f"{site.secrets_dir}/{site.r2_container}.rclone.conf"
    )
    app = client.containers.get("ix-rustfs-rustfs-1").attrs
    env = app["Config"].pop("Env")
    assert f"RUSTFS_SECRET_KEY={KNOWN_NEW_SECRET}" in env  # from the rotated env_file
    assert not [s for s in SECRETS if s in json.dumps(app)]


def test_secret_files_are_root_only_and_the_yaml_holds_none(site, confirmed):
    files = {p.name: p for p in site.secrets_dir.iterdir()}
    # The app's first env file is gone with the rotation; the rotated one and the sync's stay;
    # no attached rclone run left its file behind.
    rotated = [n for n in files if n.startswith("rustfs-") and n.endswith(".env")]
    assert sorted(files) == sorted([*rotated, f"{site.r2_container}.rclone.conf"]), files
    assert len(rotated) == 1
    assert files[rotated[0]].read_text() == f"RUSTFS_SECRET_KEY='{KNOWN_NEW_SECRET}'\n"
    for path in [site.secrets_dir, *files.values()]:
        info = path.stat()
        mode = 0o700 if path.is_dir() else 0o600
        assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, mode), path
    # What the middleware stored (on TrueNAS: the apps dataset) names the file, holds no secret.
    stored = (site.state.parent / "apps" / "rustfs" / "docker-compose.yaml").read_text()
    assert f"env_file:\n    - {site.secrets_dir}/{rotated[0]}\n" in stored
    assert stored.startswith(
        "# RUSTFS_SECRET_KEY: new secret from $CUTOVER_NEW_ROOT_SECRET, read from env_file "
        f"{site.secrets_dir}/{rotated[0]} (root-only, mode 0600)\n"
    )
    assert not [s for s in SECRETS if s in stored]
    actions = "\n".join(confirmed.result.summary["run"]["actions"])
    assert f"wrote {site.secrets_dir}/rustfs.env on " in actions
    assert f"removed {site.secrets_dir}/rustfs.env on " in actions


def test_resumed_cutover_keeps_what_is_done(site, tmp_path):
    result = run(site, tmp_path, "--confirm", DATASET)
    assert result.returncode == 0, result.output[-6000:]
    actions = "\n".join(result.summary["run"]["actions"])
    assert "baseline read back from" in actions
    assert "minio already STOPPED: kept (resumed run)" in actions
    assert "rustfs already deployed and RUNNING: kept (resumed run)" in actions
    assert [s["name"] for s in site.read_state()["snapshots"]] == ["pre-rustfs"]


def test_child_dataset_without_the_snapshot_fails(site, tmp_path):
    state = site.read_state()
    child = site.work / "child-dataset"
    child.mkdir()
    state["datasets"][f"{DATASET}/delta-lake"] = str(child)
    site.write_state(state)
    try:
        result = run(site, tmp_path, "--confirm", DATASET)
    finally:
        state = site.read_state()
        del state["datasets"][f"{DATASET}/delta-lake"]
        site.write_state(state)
    message = result.failed("test_snapshot_covers_child_datasets")
    assert f"{DATASET}/delta-lake" in message and "A rollback would not restore them" in message
    assert f"sudo zfs snapshot {DATASET}/delta-lake@pre-rustfs" in message


def test_rollback_that_did_not_happen_fails_every_check(site, tmp_path):
    lying = site.profile_with_lying_tools(
        "rollback-lies", zfs=("rollback ",), midclt=("app.stop rustfs", "app.start minio")
    )
    result = run(site, tmp_path, "--confirm", DATASET, "--rollback", profile=lying)
    assert result.returncode == 1
    assert "is RUNNING after the rollback" in result.failed("test_target_app_stopped")
    assert ".rustfs.sys is still there after `zfs rollback`" in result.failed(
        "test_dataset_is_back_at_the_snapshot"
    )
    assert "the minio app is STOPPED" in result.failed("test_minio_running_again")
    served = result.failed("test_minio_serves_the_baseline")
    assert "does not serve MinIO's data to MinIO's root keys" in served
    # Nothing really happened: the cutover's state is still there for the real rollback.
    assert site.app_state("minio") == "STOPPED" and site.app_state("rustfs") == "RUNNING"
    assert (site.root / ".rustfs.sys").exists()


def test_rollback_restores_minio_and_reports_lost_writes(site, tmp_path):
    s3 = site.endpoint(KNOWN_NEW_SECRET).client()  # phase 70 rotated the root secret
    s3.put_object(Bucket="raw", Key="written-after-cutover.txt", Body=b"lost on rollback")
    result = run(site, tmp_path, "--confirm", DATASET, "--rollback")
    assert result.returncode == 0, result.output[-6000:]
    assert {t["phase"] for t in result.summary["tests"]} == {"test_50_rollback"}
    assert site.app_state("minio") == "RUNNING" and site.app_state("rustfs") == "STOPPED"
    assert not (site.root / ".rustfs.sys").exists()
    notices = result.summary["run"]["notices"]
    assert any("every write made after the snapshot is gone" in n for n in notices), notices
    actions = "\n".join(result.summary["run"]["actions"])
    assert (
        "lost by the rollback: written after the cutover: raw/written-after-cutover.txt" in actions
    )
    assert "zfs rollback -r marathon/minio-dataset@pre-rustfs" in actions
    assert any("MinIO is back with its own root secret" in n for n in notices), notices
    with pytest.raises(ClientError):
        site.endpoint().client().head_object(Bucket="raw", Key="written-after-cutover.txt")
    assert "ROLLED BACK" in (result.run_dir / "report.html").read_text()
    # The rollback did what its plan said, step for step (the child step found nothing to do).
    assert performed(result.summary["run"]["actions"]) == planned(result.summary["run"]["plan"])
    assert "[50 rollback] roll back each child dataset" in actions


def test_second_rollback_does_not_roll_back_again(site, tmp_path):
    result = run(site, tmp_path, "--confirm", DATASET, "--rollback")
    assert result.returncode == 0, result.output[-6000:]
    actions = "\n".join(result.summary["run"]["actions"])
    assert "already rolled back" in actions and "zfs rollback" not in actions


def test_minio_missing_an_object_after_the_rollback_is_named(site, tmp_path):
    result = run(
        site,
        tmp_path,
        "--confirm",
        DATASET,
        "--rollback",
        faults=("nas_object_lost_after_rollback",),
    )
    assert result.returncode == 1
    message = result.failed("test_minio_serves_the_baseline")
    assert "after the rollback MinIO does not serve the baseline" in message
    assert "raw/README.txt" in message and "compare with baseline.json" in message

"""The dress rehearsal on the NAS end to end: `pytest suites --target <production profile>
--dress-rehearsal` over real SSH with sudo, against the zfs/midclt doubles and real MinIO and
RustFS containers. The production MinIO app keeps running throughout; the snapshot, the clone,
the containers and their env files are gone afterwards, also after a failure; a clone name
already taken stops the run before anything is created.
"""

from __future__ import annotations

import pytest
import yaml

import docker
from tests.nas.site import DATASET, NasSite, start_site
from tests.rehearsal.harness import KNOWN_SECRET, RehearsalRun, rehearse

pytestmark = pytest.mark.cutover
CLONE = f"{DATASET}-dress-rehearsal"
RUN_PHASES = {
    "test_00_preflight",
    "test_10_snapshot",
    "test_20_stop",
    "test_25_ondisk",
    "test_30_deploy",
    "test_40_verify",
    "test_45_target_vs_disk",
}
LABEL = "io.rustfs-cutover.dress-rehearsal"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> NasSite:
    try:
        docker.from_env(timeout=10).ping()
    except Exception as exc:  # CI must not skip: scripts/test starts the engine first
        pytest.fail(f"no Docker engine ({type(exc).__name__}): run scripts/setup.sh", pytrace=False)
    site = start_site(tmp_path_factory.mktemp("nas-dress"))
    yield site
    site.close()


def dress_profile(site: NasSite, name: str = "dress", **changes) -> str:
    """The site's production profile, reading the clone as a local path (pytest on the NAS)."""
    data = yaml.safe_load(site.profile.read_text())
    data["ondisk"] = {"local_path": str(site.root), "workers": 1}
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        data[section][key] = value
    path = site.work / f"{name}.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def dress(site: NasSite, tmp_path, profile: str, watch: tuple[str, ...] = ()) -> RehearsalRun:
    return rehearse(
        tmp_path / "reports",
        args=("-m", "cutover", "--target", profile, "--dress-rehearsal"),
        watch_argv=watch,
    )


def left_on_the_nas(site: NasSite, run_id: str) -> list[str]:
    client = docker.from_env()
    found = [
        c.name for c in client.containers.list(all=True, filters={"label": f"{LABEL}={run_id}"})
    ]
    found += (
        [str(p) for p in site.secrets_dir.glob(f"{run_id}-dress-*")]
        if site.secrets_dir.is_dir()
        else []
    )
    return found


def production_untouched(site: NasSite, before: dict) -> None:
    assert site.read_state() == before, "the NAS double's state changed (snapshot, clone, app)"
    assert site.app_state("minio") == "RUNNING"
    assert not (site.root / ".rustfs.sys").exists()
    assert not (site.root.parent / "minio-dataset-dress-rehearsal").exists()
    assert "raw" in {b["Name"] for b in site.endpoint().client().list_buckets()["Buckets"]}


def test_dress_rehearsal_on_a_clone_leaves_production_untouched(site, tmp_path):
    before = site.read_state()
    markers = ("umask 077", "docker run -d", " clone ", "ExitOnForwardFailure=yes")
    run = dress(site, tmp_path, dress_profile(site), watch=markers)
    assert run.returncode == 0, run.output[-6000:]
    # Every process's command line sampled: the secret went over stdin into the env files only.
    assert run.argv is not None and run.argv.seen == set(markers), run.argv.seen
    assert not run.argv.hits, "secrets on command lines:\n" + run.argv.report()
    outcomes = run.outcomes()
    assert "failed" not in outcomes.values() and "error" not in outcomes.values(), outcomes
    assert {t["phase"] for t in run.summary["tests"]} == RUN_PHASES
    for check in (
        "test_snapshot_exists",
        "test_dataset_is_the_host_path_not_minios_export",
        "test_on_disk_versions_match_baseline",
        "test_minio_is_stopped",
        "test_deployed_app",
        "test_object_inventory_matches_baseline",
        "test_iam_carried_over",
        "test_minio_metadata_untouched",
        "test_target_lists_what_is_on_disk",
    ):
        run.passed(check)
    record = run.summary["run"]
    assert record["mode"] == "dress-rehearsal"
    assert record["dress"].startswith(f"a ZFS clone of {DATASET} ({CLONE})")
    assert any(n.startswith("DRESS REHEARSAL on a ZFS clone") for n in record["notices"])
    plan = "\n".join(record["plan"])
    assert f"zfs clone {DATASET}@dress-rehearsal-" in plan and f"zfs destroy {CLONE}" in plan
    assert "no --confirm: production untouched" in plan
    actions = "\n".join(record["actions"])
    assert "production minio app is RUNNING (app.query, read only)" in actions
    assert f"clone {DATASET}@dress-rehearsal-" in actions
    assert "--env-file" in actions and KNOWN_SECRET not in actions
    assert "SSH forwards" in actions
    for cleanup in ("docker rm -f", f"zfs destroy {CLONE}", f"zfs destroy {DATASET}@dress-"):
        assert f"dress rehearsal clean-up: {cleanup}" in actions, cleanup
    assert "app.stop" not in actions and "app.create" not in actions
    assert "DRESS REHEARSAL (production untouched)" in (run.run_dir / "report.html").read_text()
    assert "Nothing was changed: this was a read-only run" not in run.output
    production_untouched(site, before)
    assert not left_on_the_nas(site, record["run_id"])


def test_taken_clone_name_is_refused_and_nothing_created(site, tmp_path):
    """A clone of the same name (an interrupted run's, or someone's dataset) stops the run."""
    theirs = site.work / "someone-elses"
    theirs.mkdir()
    (theirs / "keep.txt").write_text("mine\n")
    state = site.read_state()
    state["datasets"][CLONE] = str(theirs)
    stale = {"dataset": DATASET, "name": "dress-rehearsal-20200101T000000Z", "creation": 1577836800}
    state["snapshots"].append(stale)
    site.write_state(state)
    try:
        run = dress(site, tmp_path, dress_profile(site))
        assert run.returncode == 1, run.output[-4000:]
        message = run.failed("test_dataset_is_the_host_path_not_minios_export")
        assert f"refusing the dress rehearsal: {CLONE} already exists" in message
        assert "nothing was created" in message
        assert site.read_state() == state and (theirs / "keep.txt").read_text() == "mine\n"
        assert not left_on_the_nas(site, run.summary["run"]["run_id"])
        notices = run.summary["run"]["notices"]
        assert any(f"{DATASET}@dress-rehearsal-20200101T000000Z" in n for n in notices), notices
    finally:
        state["datasets"].pop(CLONE)
        state["snapshots"].remove(stale)
        site.write_state(state)


def test_failed_dress_rehearsal_still_destroys_clone_and_containers(site, tmp_path):
    """The target image is not on the NAS: the run fails after the snapshot, the clone and
    MinIO on it exist, and all of them are removed all the same."""
    before = site.read_state()
    profile = dress_profile(
        site, "dress-no-image", target__image={"official": "rustfs-cutover/rustfs:not-pulled"}
    )
    run = dress(site, tmp_path, profile)
    assert run.returncode == 1, run.output[-4000:]
    message = run.failed("test_deployed_app")
    assert "rustfs-cutover/rustfs:not-pulled is not in the NAS's Docker" in message
    assert "a dress rehearsal does not pull" in message
    actions = "\n".join(run.summary["run"]["actions"])
    assert f"dress rehearsal clean-up: zfs destroy {CLONE}" in actions
    production_untouched(site, before)
    assert not left_on_the_nas(site, run.summary["run"]["run_id"])

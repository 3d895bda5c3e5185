"""The dress rehearsal on this machine (`--source-dir`): real MinIO and real RustFS on a copy of
a real MinIO data directory; the directory itself is only read, and the copy and containers are
gone afterwards, also when a check fails."""

from __future__ import annotations

import pytest

import docker
from tests.rehearsal.harness import rehearse
from tests.rehearsal.minio_store import tree_fingerprint, write_minio_store

RUN_PHASES = {
    "test_00_preflight",
    "test_10_snapshot",
    "test_20_stop",
    "test_25_ondisk",
    "test_30_deploy",
    "test_40_verify",
    "test_45_target_vs_disk",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A MinIO data directory written by real MinIO (the 'production' data of these tests)."""
    import subprocess

    root = tmp_path_factory.mktemp("production")
    yield write_minio_store(root / "minio-dataset")
    subprocess.run(["rm", "-rf", str(root)], check=False)  # written as 473


def leftovers(run_id: str) -> list[str]:
    client = docker.from_env()
    return [c.name for c in client.containers.list(all=True) if c.name.startswith(run_id)]


def test_dress_rehearsal_on_a_local_copy(store, tmp_path):
    before = tree_fingerprint(store)
    run = rehearse(tmp_path / "reports", args=("--source-dir", str(store)))
    assert run.returncode == 0, run.output[-5000:]
    phases = {t["phase"] for t in run.summary["tests"]}
    assert phases <= RUN_PHASES, phases
    for check in (
        "test_buckets_match_manifest",
        "test_on_disk_versions_match_baseline",
        "test_object_inventory_matches_baseline",
        "test_iam_carried_over",
        "test_rustfs_wrote_its_own_format",
        "test_target_lists_what_is_on_disk",
    ):
        run.passed(check)
    record = run.summary["run"]
    assert record["mode"] == "dress-rehearsal"
    assert record["dress"] == f"a copy of {store} on this machine"
    assert any(n.startswith(f"DRESS REHEARSAL on a copy of {store}") for n in record["notices"])
    assert "DRESS REHEARSAL on a copy of" in run.output
    html = (run.run_dir / "report.html").read_text()
    assert "DRESS REHEARSAL (production untouched)" in html
    actions = "\n".join(record["actions"])
    assert "nothing seeded" in actions and "removed the copy" in actions
    assert "test_60_r2_sync.py not run (the R2 sync would write to the real R2 bucket)" in actions
    assert tree_fingerprint(store) == before, "the source directory was written"
    assert not leftovers(record["run_id"])


def test_failed_dress_rehearsal_still_cleans_up(store, tmp_path):
    """A check that fails (an object lost on the copy's disk) fails the run; the copy and the
    containers are removed all the same and the source is untouched."""
    before = tree_fingerprint(store)
    run = rehearse(
        tmp_path / "reports",
        "stop",
        "ondisk",
        faults=("object_deleted_on_disk",),
        args=("--source-dir", str(store)),
    )
    assert run.returncode == 1, run.output[-4000:]
    assert "raw/README.txt (version null)" in run.failed("test_on_disk_versions_match_baseline")
    assert "removed the copy" in "\n".join(run.summary["run"]["actions"])
    assert tree_fingerprint(store) == before
    assert not leftovers(run.summary["run"]["run_id"])


def test_production_profile_with_source_dir_never_reaches_the_nas(store, tmp_path):
    """`--source-dir` with the production profile: its owner, keys and images, on this
    machine; the NAS (here an SSH port nobody listens on) is not contacted."""
    import yaml

    from cutover.ports import free_port
    from cutover.profile import REPO_ROOT, load_profile

    rehearsal = load_profile("rehearsal")
    data = yaml.safe_load((REPO_ROOT / "targets" / "truenas.example.yml").read_text())
    data["manifest"] = str(REPO_ROOT / "data-plane" / "datasets.yml")
    data["host"]["ssh"] = "admin@127.0.0.1"
    data["host"]["port"] = free_port("127.0.0.1")
    data["source"]["image"] = {"official": rehearsal.source.image.local}
    data["target"]["image"] = {"official": rehearsal.target.image.local}
    path = tmp_path / "production.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    run = rehearse(
        tmp_path / "reports",
        "preflight",
        "stop",
        "ondisk",
        args=("--target", str(path), "--source-dir", str(store)),
    )
    assert run.returncode == 0, run.output[-4000:]
    run.passed("test_on_disk_versions_match_baseline")
    assert run.summary["run"]["mode"] == "dress-rehearsal"
    assert "cannot reach the NAS" not in run.output

"""Phase 10 — the snapshot, the only rollback.

Runbook Step 1: "RustFS's docs provide no rollback guidance and it may rewrite metadata in
place, so snapshot first: zfs snapshot marathon/minio-dataset@pre-rustfs". A snapshot of the
dataset alone does not cover datasets nested below it.
"""

import pytest

pytestmark = pytest.mark.cutover


def test_snapshot_exists(pre_cutover_snapshot, profile):
    snap = f"{pre_cutover_snapshot.dataset}@{pre_cutover_snapshot.name}"
    assert pre_cutover_snapshot.snapshot is not None, (
        f"{snap} is not in `zfs list -t snapshot` after the snapshot step: there is no rollback. "
        f"Take it by hand (sudo zfs snapshot {snap}) and rerun before anything is stopped"
    )


def test_snapshot_covers_child_datasets(pre_cutover_snapshot):
    missing = pre_cutover_snapshot.uncovered_children
    name = pre_cutover_snapshot.name
    assert not missing, (
        f"child dataset(s) below {pre_cutover_snapshot.dataset} have no @{name}: "
        + ", ".join(missing)
        + ". A rollback would not restore them. Snapshot them too (sudo zfs snapshot "
        + " ".join(f"{c}@{name}" for c in missing)
        + f"), or destroy @{name} and let this run take it with -r"
    )

"""Phase 50 — roll back (only with `--rollback --confirm <dataset>`).

Runbook Step 5: "zfs rollback marathon/minio-dataset@pre-rustfs", then start MinIO again.
Every write made after the snapshot is gone; MinIO must serve exactly the baseline again.
"""

import pytest

from cutover.diff import diff_bucket_config, diff_iam, diff_names, diff_objects
from cutover.inventory import CONFIG_KINDS
from cutover.layout import RUSTFS_META

pytestmark = pytest.mark.cutover


def test_target_app_stopped(rolled_back, profile):
    assert rolled_back.target_state in {"STOPPED", "CRASHED", "absent"}, (
        f"the {profile.target.app} app is {rolled_back.target_state} after the rollback: stop it "
        f"(Apps -> {profile.target.app} -> Stop); two engines must never own one data directory"
    )


def test_dataset_is_back_at_the_snapshot(rolled_back, profile):
    assert not rolled_back.rustfs_meta_left, (
        f"{profile.dataset.host_path}/{RUSTFS_META} is still there after `zfs rollback`: the "
        f"dataset is not at @{profile.dataset.snapshot}. Check `zfs list -t snapshot "
        f"{profile.dataset.zfs}` and roll back by hand before starting MinIO"
    )


def test_minio_running_again(rolled_back, profile):
    assert rolled_back.source_state == "RUNNING" and rolled_back.source_ready, (
        f"the {profile.source.app} app is {rolled_back.source_state} "
        f"({'ready' if rolled_back.source_ready else 'not answering ready'}) after the rollback: "
        f"see Apps -> {profile.source.app} -> Logs"
    )


def test_minio_serves_the_baseline(source_after_rollback, baseline_inventory):
    lost, extra = diff_names(baseline_inventory.buckets, set(source_after_rollback.buckets))
    diff = diff_objects(baseline_inventory.objects, source_after_rollback.objects)
    problems = [f"bucket missing: {b}" for b in lost] + [
        f"bucket not in baseline: {b}" for b in extra
    ]
    problems += diff.lines(limit=30)
    for kind in CONFIG_KINDS:
        problems += diff_bucket_config(
            baseline_inventory.buckets, source_after_rollback.buckets, kind
        )
    problems += diff_iam(baseline_inventory.iam, source_after_rollback.iam)
    assert not problems, (
        "after the rollback MinIO does not serve the baseline:\n"
        + "\n".join(problems)
        + "\nKeep the store closed; compare with baseline.json and the snapshot"
    )

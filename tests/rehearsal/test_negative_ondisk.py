"""Negative rehearsals for the on-disk inventory (phase 25) and the target-vs-disk check (45):
each fault is injected into the real dataset while MinIO is down (or into the target once it
runs), and the check must name what is wrong and say what to do.
"""

import pytest

from tests.rehearsal.harness import rehearse


@pytest.fixture
def reports(tmp_path):
    return tmp_path / "reports"


def test_deleted_part_file_is_named(reports):
    run = rehearse(reports, "stop", "ondisk", faults=("part_file_deleted",))
    message = run.failed("test_no_damaged_objects_on_disk")
    assert "1 damaged object(s) on disk" in message
    assert "missing part file: raw/exports/events-2026-06.parquet/" in message
    assert "/part.2: version null: part 2 of 3" in message
    assert "Restore them from the @pre-rustfs snapshot" in message
    run.passed("test_on_disk_versions_match_baseline")  # the metadata itself is intact


def test_truncated_xl_meta_is_named_and_its_versions_missing(reports):
    run = rehearse(reports, "stop", "ondisk", faults=("xl_meta_truncated",))
    damage = run.failed("test_no_damaged_objects_on_disk")
    assert "unreadable xl.meta: ml-models/models/churn/model.bin/xl.meta" in damage
    assert "(file truncated)" in damage
    versions = run.failed("test_on_disk_versions_match_baseline")
    assert "3 missing from disk" in versions
    assert "in baseline, missing from disk: ml-models/models/churn/model.bin (version" in versions
    assert "MinIO did not flush before it stopped" in versions and "do not deploy" in versions


def test_removed_object_directory_is_missing_from_disk(reports):
    run = rehearse(reports, "stop", "ondisk", faults=("object_deleted_on_disk",))
    message = run.failed("test_on_disk_versions_match_baseline")
    assert "1 missing from disk" in message
    assert "in baseline, missing from disk: raw/README.txt (version null)" in message
    run.passed("test_no_damaged_objects_on_disk")  # nothing left behind to call damaged


def test_data_left_without_xl_meta_is_named(reports):
    run = rehearse(reports, "stop", "ondisk", faults=("xl_meta_deleted",))
    damage = run.failed("test_no_damaged_objects_on_disk")
    assert (
        "object directory without xl.meta: curated/dt=2026-06-01/part-00001.parquet: holds "
        "data directory" in damage
    )
    assert "(part.1) but no xl.meta" in damage
    versions = run.failed("test_on_disk_versions_match_baseline")
    assert "curated/dt=2026-06-01/part-00001.parquet (version null)" in versions


def test_target_listing_a_version_the_disk_lacks(reports):
    run = rehearse(
        reports, "stop", "ondisk", "deploy", "target_vs_disk", faults=("written_after_scan",)
    )
    run.passed("test_on_disk_versions_match_baseline")
    message = run.failed("test_target_lists_what_is_on_disk")
    assert "1 not in disk" in message
    assert "in target, not in disk: raw/late/written-after-the-scan.txt (version null)" in message
    assert "Keep the store closed to clients" in message


def test_fs_format_on_disk_is_refused(reports):
    run = rehearse(reports, "stop", "ondisk", faults=("ondisk_format_fs",))
    message = run.failed("test_on_disk_format_is_readable")
    assert "is MinIO's legacy FS layout" in message and "format 'fs'" in message
    assert "copy the data over the S3 API instead" in message
    assert "During handling" not in message


def test_bucket_directory_minio_did_not_serve_is_named(reports):
    run = rehearse(reports, "stop", "ondisk", faults=("bucket_dir_added_on_disk",))
    message = run.failed("test_on_disk_buckets_match_baseline")
    assert "bucket directories on disk MinIO did not serve: stray-restore" in message
    assert "Fix the path before deploying" in message

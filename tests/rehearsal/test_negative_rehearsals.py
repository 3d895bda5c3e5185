"""Negative rehearsals: each injects the fault one check exists for, against real engines,
and proves the check fails with a message that says what is wrong and what to do.
"""

import pytest

from tests.rehearsal.harness import KNOWN_SECRET, profile_copy, rehearse


@pytest.fixture
def reports(tmp_path):
    return tmp_path / "reports"


# --- phase 00: preflight -------------------------------------------------------------------


def test_nested_dataset_names_the_subdirectory_to_mount(reports):
    run = rehearse(reports, "preflight", faults=("nested_dataset",))
    message = run.failed("test_minio_metadata_and_buckets_at_top_level")
    nested = run.summary["run"]["dataset_path"] + "/data"
    assert f"nested one level down in {nested}" in message
    assert f"Mount that subdirectory instead: - {nested}:/data" in message


def test_profile_host_path_not_mounted_by_the_minio_app(reports):
    run = rehearse(reports, "preflight", faults=("wrong_host_path",))
    message = run.failed("test_dataset_is_the_host_path_not_minios_export")
    assert "the MinIO app mounts" in message and "other-minio-dataset-" in message
    assert "point the profile's dataset.host_path at the app's real Host Path" in message
    assert "holds no .minio.sys" in run.failed("test_minio_metadata_and_buckets_at_top_level")


def test_owner_differs_from_profile(reports):
    run = rehearse(reports, "preflight", faults=("owner_changed",))
    message = run.failed("test_dataset_owner_is_the_expected_uid")
    assert "is owned by 568:568, the profile expects 473:473" in message
    assert 'deploy with user: "568:568"' in message


def test_legacy_fs_format_refused(reports):
    run = rehearse(reports, "preflight", faults=("legacy_fs_format",))
    message = run.failed("test_format_is_erasure_not_legacy_fs")
    assert "format 'fs'" in message and "copied over the S3 API" in message


def test_manifest_bucket_missing_on_server(reports):
    run = rehearse(reports, "preflight", "verify", faults=("bucket_missing_on_server",))
    message = run.failed("test_buckets_match_manifest")
    assert "datasets.yml lists bucket(s) MinIO does not have: finance-archive" in message
    parity = run.failed("test_buckets_match_manifest_and_baseline")
    assert "datasets.yml lists bucket(s) the target lacks: finance-archive" in parity


def test_multipart_upload_in_progress_is_listed(reports):
    run = rehearse(reports, "preflight", faults=("upload_in_progress",))
    message = run.failed("test_no_multipart_uploads_in_progress")
    assert "raw/exports/half-written-2026-06.parquet" in message
    assert "will NOT carry over" in message and "abort the uploads" in message


def test_unacknowledged_sse_objects_fail_preflight(reports, tmp_path):
    profile = profile_copy(
        tmp_path, preflight={"acknowledged_sse": ["curated/finance/payroll-2026-05.csv"]}
    )
    run = rehearse(reports, "preflight", args=("--target", str(profile)))
    message = run.failed("test_sse_objects_acknowledged")
    assert "2 object version(s) are stored encrypted (2 SSE-S3)" in message
    assert "Not acknowledged: 1" in message
    assert "curated/finance/payroll-2026-06.csv (version null): SSE-S3 (AES256)" in message
    assert "payroll-2026-05.csv" not in message.split("Not acknowledged", 1)[1].split("Re-write")[0]
    assert "preflight.acknowledged_sse" in message


def test_iam_sealed_with_kms_is_named(reports):
    run = rehearse(reports, "preflight", "verify", faults=("iam_sealed_with_kms",))
    message = run.failed("test_iam_store_not_sealed_with_kms")
    assert (
        "users/etl-reader/identity.json" in message
        and "policies/lakehouse-read/policy.json" in message
    )
    assert "1.0.1 refuses to start on it" in message and "recreate them on RustFS" in message
    ready = run.failed("test_health_ready")
    assert "incompatible legacy metadata: config/iam/" in ready


# --- phase 20: stop ------------------------------------------------------------------------


def test_minio_still_running_after_stop(reports):
    run = rehearse(reports, "stop", faults=("source_still_running",))
    assert "minio app is still running: stop it (Apps → minio → Stop)" in run.failed(
        "test_minio_is_stopped"
    )
    assert "still listens on" in run.failed("test_api_port_is_free")


def test_api_port_still_taken(reports):
    run = rehearse(reports, "stop", faults=("port_still_taken",))
    run.passed("test_minio_is_stopped")
    message = run.failed("test_api_port_is_free")
    assert "still listens on 127.0.0.1:" in message and "ss -ltnp" in message


# --- phase 30: deploy ----------------------------------------------------------------------


def test_target_as_uid_10001_dies_and_shows_its_own_log(reports):
    run = rehearse(reports, "deploy", "verify", faults=("target_uid_10001",))
    owner = run.failed("test_deployed_app[runs-as-data-owner]")
    assert "container runs as 10001:10001 (UID 10001 is the RustFS image default)" in owner
    assert 'but the data is owned by 473:473: set user: "473:473"' in owner
    ready = run.failed("test_health_ready")
    assert "exited with code" in ready and "The engine's own last log lines:" in ready
    log = ready.split("The engine's own last log lines:", 1)[1]
    assert "[FATAL] Server runtime failed" in log and "os error 13" in log
    assert 'container runs as 10001:10001, the data is owned by 473:473: set user: "473:473"' in log
    assert (run.run_dir / "report.html").is_file(), "the report must be written when a phase fails"
    assert KNOWN_SECRET not in run.report_text()


def test_catalog_app_store_misses_every_bucket(reports):
    run = rehearse(reports, "deploy", "verify", faults=("catalog_app_store",))
    parity = run.failed("test_buckets_match_manifest_and_baseline")
    for bucket in (
        "audit-logs",
        "curated",
        "ml-models",
        "raw",
        "rerun-recordings",
        "website-assets",
    ):
        assert bucket in parity
    assert "missing 6 bucket(s) MinIO served" in parity and "/rustfs/data0" in parity
    assert "RUSTFS_VOLUMES is '/rustfs/data0'" in run.failed(
        "test_deployed_app[rustfs-volumes-is-data]"
    )
    assert "nothing is mounted at /data" in run.failed("test_deployed_app[host-path-at-data]")
    assert "deploy a Custom App instead" in run.failed("test_deployed_app[not-catalog-app]")


def test_unpinned_image_is_refused(reports):
    run = rehearse(reports, "deploy", faults=("image_latest",))
    assert "rustfs/rustfs:latest is not pinned" in run.failed(
        "test_rendered_app_spec_follows_the_runbook"
    )
    assert "rustfs-cutover/unpinned:latest is not pinned" in run.failed(
        "test_deployed_app[image-pinned]"
    )


# --- phase 40: verify ----------------------------------------------------------------------


def test_new_root_secret_is_refused(reports):
    run = rehearse(reports, "verify", faults=("wrong_root_secret",))
    message = run.failed("test_s3_round_trip_with_minio_root_keys")
    assert "refuses MinIO's root keys (SignatureDoesNotMatch)" in message
    assert "must be MinIO's root user and password" in message
    # Observed on RustFS 1.0.1: MinIO's plaintext (non-KMS) IAM is imported whatever the root
    # secret, so IAM itself survives a key change; only unchanged clients break.
    run.passed("test_iam_carried_over")


def test_object_deleted_on_disk_is_named(reports):
    run = rehearse(reports, "verify", faults=("object_deleted_on_disk",))
    message = run.failed("test_object_inventory_matches_baseline")
    assert "missing on target: raw/README.txt (version null)" in message
    assert "roll back from the snapshot" in message
    run.passed("test_buckets_match_manifest_and_baseline")


def test_versioning_suspended_after_baseline(reports):
    run = rehearse(reports, "verify", faults=("versioning_suspended",))
    message = run.failed("test_bucket_config_matches_baseline[versioning]")
    assert "ml-models: versioning was 'Enabled', now 'Suspended'" in message
    for kind in ("object_lock", "lifecycle", "policy", "tags"):
        run.passed(f"test_bucket_config_matches_baseline[{kind}]")


def test_other_bucket_settings_changed(reports):
    run = rehearse(reports, "verify", faults=("bucket_settings_changed",))
    assert "raw: lifecycle was" in run.failed("test_bucket_config_matches_baseline[lifecycle]")
    assert "rerun-recordings: policy was" in run.failed(
        "test_bucket_config_matches_baseline[policy]"
    )
    assert "curated: tags was" in run.failed("test_bucket_config_matches_baseline[tags]")
    assert "audit-logs: object_lock was" in run.failed(
        "test_bucket_config_matches_baseline[object_lock]"
    )
    run.passed("test_bucket_config_matches_baseline[versioning]")


def test_lost_iam_user_and_group_are_named(reports):
    run = rehearse(reports, "verify", faults=("iam_user_and_group_removed",))
    message = run.failed("test_iam_carried_over")
    assert (
        "user 'etl-reader' is missing" in message and "group 'data-readers' is missing" in message
    )
    assert "root access/secret key must equal MinIO's" in message


def test_empty_iam_group_is_caught_before_rustfs_refuses_it(reports):
    run = rehearse(reports, "preflight", "verify", faults=("iam_group_emptied",))
    message = run.failed("test_no_empty_iam_groups")
    assert "IAM group(s) with no members: data-readers" in message
    assert "add a member or delete the group on MinIO first" in message
    ready = run.failed("test_health_ready")
    assert "incompatible legacy metadata: config/iam/groups/data-readers/members.json" in ready


def test_corrupted_part_file_fails_the_content_sample(reports):
    run = rehearse(reports, "verify", faults=("part_file_corrupted",))
    message = run.failed("test_sampled_content_checksums_match")
    assert "raw exports/events-2026-06.parquet" in message
    run.passed("test_object_inventory_matches_baseline")


# --- RustFS adoption -----------------------------------------------------------------------


def test_console_disabled_is_caught(reports):
    run = rehearse(reports, "verify", faults=("console_disabled",))
    message = run.failed("test_console_reachable")
    assert "/rustfs/console/" in message and 'set RUSTFS_CONSOLE_ENABLE: "true"' in message


def test_minio_metadata_rewritten_is_caught(reports):
    run = rehearse(reports, "verify", faults=("minio_meta_rewritten",))
    message = run.failed("test_minio_metadata_untouched")
    assert "rewritten: config/config.json/xl.meta" in message and "keep the snapshot" in message


def test_missing_rustfs_format_is_caught(reports):
    run = rehearse(reports, "verify", faults=("rustfs_format_missing",))
    message = run.failed("test_rustfs_wrote_its_own_format")
    assert ".rustfs.sys/format.json is missing" in message and "roll back" in message

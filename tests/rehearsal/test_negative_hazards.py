"""Negative rehearsals for what RustFS 1.0.1 cannot take over from MinIO data: each hazard is
made real on the staged MinIO (compression on, an xl.json object, SSE-KMS and a bucket's
default encryption, notifications/replication/OpenID, a service account lost on the target),
and the check must name it and say what to do.
"""

import pytest

from tests.rehearsal.harness import rehearse


@pytest.fixture
def reports(tmp_path):
    return tmp_path / "reports"


def test_objects_minio_stored_compressed_fail_preflight_and_phase_25(reports):
    run = rehearse(reports, "preflight", "stop", "ondisk", faults=("compressed_objects",))
    message = run.failed("test_no_objects_stored_compressed")
    assert "are stored compressed by MinIO (MINIO_COMPRESSION_ENABLE" in message
    assert "  raw/logs/app-2026-06-01.log\n" in message
    assert "compression enable=off" in message and "mc cp ALIAS/BUCKET/KEY" in message
    on_disk = run.failed("test_no_compressed_objects_on_disk")
    assert "raw/logs/app-2026-06-01.log: version null (98000 bytes" in on_disk
    assert "is compressed with klauspost/compress/s2" in on_disk
    assert "Do not deploy" in on_disk
    # The inventory reads compressed objects right: sizes are what clients wrote.
    run.passed("test_on_disk_versions_match_baseline")
    run.passed("test_no_damaged_objects_on_disk")


def test_legacy_xl_json_object_fails_preflight_and_phase_25(reports):
    run = rehearse(reports, "preflight", "stop", "ondisk", faults=("legacy_xl_json_object",))
    message = run.failed("test_no_legacy_xl_json_objects")
    assert "1 object(s) are still in MinIO's pre-2021 xl.json format in raw: 1:" in message
    assert "  raw/archive/2019/export.csv" in message
    assert "would simply be missing" in message and "mc admin heal -r ALIAS/BUCKET" in message
    damage = run.failed("test_no_damaged_objects_on_disk")
    assert "legacy xl.json object: raw/archive/2019/export.csv/xl.json" in damage


def test_sse_kms_object_and_bucket_default_encryption_fail_preflight_and_phase_25(reports):
    run = rehearse(reports, "preflight", "stop", "ondisk", faults=("encrypted_by_kms_and_default",))
    sse = run.failed("test_sse_objects_acknowledged")
    assert "stored encrypted (2 SSE-S3, 1 SSE-KMS)" in sse
    assert "Not acknowledged: 1 (1 SSE-KMS)" in sse
    assert "raw/exports/kms-sealed-2026-06.csv (version null): SSE-KMS (aws:kms)" in sse
    assert "SSE-KMS: read each with MinIO (its KMS key)" in sse
    default = run.failed("test_no_bucket_default_encryption")
    assert "1 bucket(s) have a default encryption on MinIO: audit-logs (SSE-S3)" in default
    assert "mc encrypt clear ALIAS/BUCKET" in default
    on_disk = run.failed("test_no_bucket_default_encryption_on_disk")
    assert "1 bucket(s) encrypt new objects by default" in on_disk
    assert ".metadata.bin: audit-logs (SSE-S3)" in on_disk and "Do not deploy" in on_disk
    run.passed("test_on_disk_versions_match_baseline")  # the SSE-KMS version is read too


def test_features_rustfs_does_not_adopt_are_red_notices_not_failures(reports):
    run = rehearse(reports, "preflight", faults=("source_features_not_migrated",))
    run.passed("test_features_not_migrated_are_recorded")
    notices = "\n".join(run.summary["run"]["notices"])
    assert (
        "NOT MIGRATED: bucket event notifications on raw: 1 configured: "
        "arn:minio:sqs::CUTOVER:webhook s3:ObjectCreated:*. RustFS does not read" in notices
    )
    assert "NOT MIGRATED: bucket replication rules on ml-models: 1 configured: to-audit-logs" in (
        notices
    )
    assert "NOT MIGRATED: replication remote targets on ml-models: 1 configured:" in notices
    assert "NOT MIGRATED: OpenID provider on server: 1 configured:" in notices
    assert "RUSTFS_IDENTITY_OPENID_" in notices
    assert "NOT MIGRATED: bucket event notifications on raw" in run.report_text()
    assert run.summary["outcomes"].get("failed", 0) == 0


def test_service_account_lost_on_target_is_named(reports):
    run = rehearse(reports, "verify", faults=("service_account_lost_on_target",))
    message = run.failed("test_service_accounts_survive_restarts")
    assert "gone or refused on the target: after the deploy: svc-noexpiry-etl (" in message
    assert "mc admin user svcacct add ALIAS USER --access-key K" in message


def test_dated_service_account_fails_preflight_and_is_lost_on_real_rustfs(reports):
    """What real RustFS 1.0.1 does with an account MinIO created with an expiry date."""
    run = rehearse(reports, "preflight", "verify", faults=("dated_service_account",), timeout=900)
    message = run.failed("test_no_dated_service_accounts")
    assert "1 service account(s) carry an expiry date: svc-dated-etl (expires 20" in message
    assert "re-create each without --expiry and with the same keys" in message
    lost = run.failed("test_service_accounts_survive_restarts")
    for moment in ("after the deploy", "after restart 1", "after restart 2"):
        assert f"{moment}: svc-dated-etl (" in lost
    assert "svc-noexpiry-etl (" not in lost  # the never-expiring one survives all three
    actions = "\n".join(run.summary["run"]["actions"])
    assert "1 never expiring (1970-01-01), svc-noexpiry-etl; 1 with an expiry date" in actions


def test_rustfs_does_not_serve_what_minio_compressed(reports):
    """Through the deploy: what real RustFS 1.0.1 does with MinIO's S2-compressed object."""
    run = rehearse(
        reports,
        "stop",
        "ondisk",
        "deploy",
        "verify",
        "target_vs_disk",
        faults=("compressed_objects",),
        timeout=900,
    )
    message = run.failed("test_compressed_objects_read_back_whole")
    assert "1 of the 1 object(s) MinIO stored compressed do not read back whole" in message
    assert "raw/logs/app-2026-06-01.log (version null): " in message
    assert "roll back, re-write them uncompressed" in message

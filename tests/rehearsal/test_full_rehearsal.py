"""The positive rehearsal: the default `pytest` run passes end to end and leaves a change record."""

import json

import pytest

from tests.rehearsal.harness import KNOWN_NEW_SECRET, KNOWN_R2_SECRET, KNOWN_SECRET, rehearse


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    return rehearse(tmp_path_factory.mktemp("reports"))


def test_every_check_passes(full_run):
    assert full_run.returncode == 0, full_run.output[-5000:]
    outcomes = full_run.summary["outcomes"]
    assert outcomes.get("passed", 0) >= 20 and set(outcomes) <= {"passed", "skipped"}, outcomes
    skipped = [t for t in full_run.summary["tests"] if t["outcome"] == "skipped"]
    # Only the ZFS snapshot checks, which a rehearsal cannot have, and they say why.
    assert {t["phase"] for t in skipped} <= {"test_10_snapshot"}, skipped
    assert all("a rehearsal has no ZFS" in t["message"] for t in skipped), skipped


def test_every_phase_ran(full_run):
    phases = {t["phase"] for t in full_run.summary["tests"] if t["outcome"] == "passed"}
    assert phases == {
        "test_00_preflight",
        "test_20_stop",
        "test_25_ondisk",
        "test_30_deploy",
        "test_40_verify",
        "test_45_target_vs_disk",
        "test_60_r2_sync",
        "test_70_rotate_root_key",
        "test_75_public_exposure",
        "test_80_oidc_sso",
    }


def test_report_and_summary_are_written(full_run):
    report = full_run.run_dir / "report.html"
    assert report.is_file() and full_run.run_dir.name.startswith("rehearsal-")
    html = report.read_text(encoding="utf-8")
    for field in (
        "AURA-667",
        "Dataset owner",
        "Downtime (MinIO stop -&gt; target ready)",
        "Operator",
    ):
        assert field in html, field
    assert "report:" in full_run.output and str(report) in full_run.output


def test_seeded_data_covers_the_on_disk_layouts(full_run):
    run = full_run.summary["run"]
    seeded = run["seeded"]
    assert seeded["buckets"] == 6
    assert seeded["delete_markers"] >= 1 and seeded["versions"] > seeded["objects"]
    assert len(seeded["multipart_objects"]) >= 3
    assert any(m.startswith("rerun-recordings/") for m in seeded["multipart_objects"])
    assert run["baseline"]["versions"] == seeded["versions"]
    assert run["baseline"]["objects"] == seeded["objects"]
    assert run["downtime_seconds"] is not None and run["downtime_seconds"] > 0


def test_target_is_real_rustfs(full_run):
    run = full_run.summary["run"]
    assert run["target_standin"] is False and "STAND-IN" not in full_run.output
    target = run["images"]["target"]
    assert target["engine"] == "rustfs" and target["image_id"].startswith("sha256:")
    assert target["digest"] or target["binary_sha256"], "the record must pin what ran"
    assert "rustfs" in target["version"].lower()
    source = run["images"]["source"]
    assert source["digest"] or source["binary_sha256"], "the record must pin the MinIO that ran"


def test_root_secret_never_reaches_the_record(full_run):
    for path in full_run.run_dir.iterdir():
        text = path.read_text(encoding="utf-8", errors="replace")
        assert KNOWN_SECRET not in text, path.name
        assert KNOWN_NEW_SECRET not in text, path.name  # the rotated one neither
        assert KNOWN_R2_SECRET not in text, path.name
    baseline = json.loads((full_run.run_dir / "baseline.json").read_text())
    assert baseline["buckets"]


def test_r2_tier_synced_through_a_detached_rclone_container(full_run):
    """Phase 60 against the R2 stand-in: the record names it, the image and every step."""
    run = full_run.summary["run"]
    assert any(n.startswith("R2 stand-in: a real MinIO") for n in run["notices"])
    assert "R2 stand-in: a real MinIO" in (full_run.run_dir / "report.html").read_text()
    image = run["images"]["r2-sync"]
    assert image["engine"] == "rclone" and "v1.60.1" in image["version"]
    assert image["digest"] or image["binary_sha256"]
    actions = "\n".join(run["actions"])
    assert "started the R2 sync detached on this machine" in actions
    assert "docker run -d --name rehearsal-" in actions and "-r2-sync --network host" in actions
    assert "SECRET_ACCESS_KEY" not in actions  # not a variable: in the config file
    assert (
        "-r2-sync.rclone.conf (root-only, 0600, mounted read-only) holds the secret of " in actions
    )
    assert "the secret of R2 (secret from $CUTOVER_R2_SECRET)" in actions
    assert "rclone sync LOCAL:rerun-recordings R2:rerun-recordings --checksum" in actions
    assert "exited 0; rerun-recordings: exit 0, " in actions
    # The seeded multipart object has no MD5: it was compared by downloading it.
    assert "rclone check rerun-recordings: " in actions
    assert "--download pass over 1 object(s): 1 identical, 0 differing" in actions
    assert "15 * * * * docker start -a r2-sync" in actions


def test_explicit_minio_standin_is_said_in_plain_words(tmp_path):
    run = rehearse(tmp_path / "reports", args=("--target-engine", "minio"))
    assert run.returncode == 0, run.output[-4000:]
    assert run.summary["run"]["target_standin"] is True
    notice = "TARGET WAS A MINIO STAND-IN (--target-engine minio)"
    assert notice in run.output and notice in (run.run_dir / "report.html").read_text()
    skipped = [
        t
        for t in run.summary["tests"]
        if t["outcome"] == "skipped" and t["phase"] not in {"test_10_snapshot", "test_80_oidc_sso"}
    ]
    assert {t["test"] for t in skipped} == {
        "test_rustfs_wrote_its_own_format",
        "test_minio_metadata_untouched",
        "test_sse_objects_unreadable_as_acknowledged",
    }
    sso = [t for t in run.summary["tests"] if t["phase"] == "test_80_oidc_sso"]
    assert sso and all(
        t["outcome"] == "skipped" and "MinIO stand-in" in t["message"] for t in sso
    ), sso


def test_sso_identity_provider_is_named_a_stand_in(full_run):
    html = (full_run.run_dir / "report.html").read_text(encoding="utf-8")
    assert "Identity provider (SSO)" in html
    assert "oidc-provider-mock (stand-in for JumpCloud)" in html and "NOT JumpCloud" in html
    actions = "\n".join(full_run.summary["run"]["actions"])
    assert "started oidc-provider-mock (stand-in for JumpCloud)" in actions
    assert "redeployed the target app with OIDC SSO settings" in actions


def test_hazards_clean_and_service_account_through_two_restarts(full_run):
    """The seeded store has none of the hazards RustFS cannot take over, nothing it will not
    adopt, and its never-expiring service account outlives two target restarts."""
    run = full_run.summary["run"]
    assert not [n for n in run["notices"] if n.startswith("NOT MIGRATED")], run["notices"]
    actions = "\n".join(run["actions"])
    assert "created service account svc-noexpiry-etl without an expiry" in actions
    assert (
        "service accounts on the target: after the deploy: svc-noexpiry-etl ok; "
        "after restart 1: svc-noexpiry-etl ok; after restart 2: svc-noexpiry-etl ok"
    ) in actions
    for check in (
        "test_service_accounts_survive_restarts",
        "test_no_dated_service_accounts",
        "test_no_objects_stored_compressed",
        "test_no_compressed_objects_on_disk",
        "test_bucket_config_matches_baseline[policy]",  # the public policy carries an Id
    ):
        full_run.passed(check)

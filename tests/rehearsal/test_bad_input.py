"""Bad input gets one clear sentence, never a traceback, and nothing is staged."""

import yaml

from cutover.profile import TARGETS_DIR
from tests.rehearsal.harness import profile_copy, rehearse


def assert_clean_error(run, *fragments):
    assert run.returncode != 0
    assert "Traceback" not in run.output, run.output[-3000:]
    for fragment in fragments:
        assert fragment in run.output, run.output[-3000:]


def test_missing_target_profile(tmp_path):
    run = rehearse(tmp_path / "reports", "preflight", args=("--target", "nosuch"))
    assert_clean_error(run, "target profile 'nosuch' not found", "rehearsal")
    assert run.run_dir is None


def test_malformed_manifest(tmp_path):
    bad = tmp_path / "datasets.yml"
    bad.write_text("version: 1\nbuckets:\n  - name: raw\n    tier: [local\n")
    run = rehearse(tmp_path / "reports", "preflight", args=("--datasets", str(bad)))
    assert_clean_error(run, f"{bad}: not valid YAML at line")


def test_invalid_manifest_names_bucket_and_field(tmp_path):
    bad = tmp_path / "datasets.yml"
    bad.write_text(
        yaml.safe_dump(
            {"buckets": [{"name": "Raw_Data", "tier": "s3", "owner": "x", "purpose": "y"}]}
        )
    )
    run = rehearse(tmp_path / "reports", "preflight", args=("--datasets", str(bad)))
    assert_clean_error(run, "bucket 'Raw_Data' (buckets[0]) field 'name'", "field 'tier'")


def test_no_secret_for_a_profile_that_may_not_generate_one(tmp_path):
    credentials = yaml.safe_load((TARGETS_DIR / "rehearsal.yml").read_text())["credentials"]
    profile = profile_copy(tmp_path, credentials={**credentials, "generate_if_missing": False})
    run = rehearse(
        tmp_path / "reports",
        "preflight",
        args=("--target", str(profile)),
        env={"CUTOVER_ROOT_SECRET": ""},
    )
    assert_clean_error(run, "no root secret key: set environment variable CUTOVER_ROOT_SECRET")


def test_no_docker_engine(tmp_path):
    run = rehearse(
        tmp_path / "reports", "preflight", env={"DOCKER_HOST": f"unix://{tmp_path}/no.sock"}
    )
    assert_clean_error(
        run, f"No Docker engine answers at unix://{tmp_path}/no.sock", "scripts/setup.sh"
    )
    assert all(t["outcome"] == "error" for t in run.summary["tests"])

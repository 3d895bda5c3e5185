"""Unit tests for the change record of a run (cutover/record.py)."""

from __future__ import annotations

import json
import re
import time

from cutover.record import (
    REDACTED,
    ImageRecord,
    RunRecord,
    scrub,
    scrub_file,
    write_summary,
)

SECRET = "s3cr3t-value"


def record(**kw) -> RunRecord:
    fields = {
        "run_id": "run-1",
        "mode": "rehearsal",
        "target_profile": "rehearsal",
        "ticket": "AURA-667",
        "operator": "ops",
        "dataset_path": "/mnt/marathon/minio-dataset",
        "dataset_owner": "473:473",
        "target_engine": "rustfs",
        **kw,
    }
    return RunRecord(**fields)


# --- metadata ------------------------------------------------------------------------------------


def test_metadata_has_the_reviewer_rows():
    rows = record().metadata()
    assert rows["Ticket"] == "AURA-667"
    assert rows["Mode"] == "rehearsal"
    assert rows["Operator"] == "ops"
    assert rows["Dataset path"] == "/mnt/marathon/minio-dataset"
    assert rows["Dataset owner"] == "473:473"
    assert rows["Target engine"] == "rustfs"
    assert rows["Ended (UTC)"] == "(running)"
    assert "NOTICE" not in rows


def test_downtime_not_reached_before_the_cutover():
    rec = record()
    assert rec.metadata()["Downtime (MinIO stop -> target ready)"] == "(not reached)"
    rec.target_ready(time.monotonic())  # ready without a stop: still not measured
    assert rec.downtime_seconds is None


def test_downtime_measured_from_source_stop_to_target_ready():
    rec = record()
    rec.source_stopped()
    rec.target_ready(time.monotonic() + 1.5)
    downtime = rec.metadata()["Downtime (MinIO stop -> target ready)"]
    assert re.fullmatch(r"\d+\.\d{2} s", downtime)
    assert 1.5 <= rec.downtime_seconds < 3


def test_image_rows_name_ref_origin_id_and_version():
    rec = record(
        images={
            "source": ImageRecord(
                "source", "quay.io/minio/minio:RELEASE.x", "sha256:" + "a" * 64, "pulled", "minio"
            ),
            "target": ImageRecord(
                "target", "rustfs/rustfs:1.0.1", "sha256:" + "b" * 64, "built", "rustfs", "1.0.1"
            ),
        }
    )
    rows = rec.metadata()
    assert rows["Image (source)"] == "quay.io/minio/minio:RELEASE.x [pulled] sha256:" + "a" * 64
    assert rows["Image (target)"] == "rustfs/rustfs:1.0.1 [built] sha256:" + "b" * 64 + " 1.0.1"


def test_image_rows_pin_registry_digest_or_binary_hash():
    official = ImageRecord(
        "t",
        "rustfs/rustfs:1.0.1",
        "sha256:1",
        "official",
        "rustfs",
        digest="rustfs/rustfs@sha256:d",
    )
    built = ImageRecord(
        "s", "local/minio:x", "sha256:2", "local-build", "minio", binary_sha256="beef"
    )
    rows = record(images={"target": official, "source": built}).metadata()
    assert "rustfs/rustfs@sha256:d" in rows["Image (target)"]
    assert "binary sha256:beef" in rows["Image (source)"]


def test_standin_adds_a_notice_row():
    rec = record(target_standin=True)
    rows = rec.metadata()
    assert rows["Target engine"] == "rustfs (MinIO stand-in)"
    assert rows["NOTICE"] == rec.standin_notice
    assert "MINIO STAND-IN" in rec.standin_notice
    assert "NOT" in rec.standin_notice
    assert "rustfs" in rec.standin_notice


def test_no_standin_no_notice():
    assert record().standin_notice is None
    assert record().to_dict()["standin_notice"] is None


def test_to_dict_drops_the_clock_and_carries_the_notice():
    rec = record(target_standin=True)
    rec.source_stopped()
    data = rec.to_dict()
    assert "_stop_clock" not in data
    assert data["standin_notice"] == rec.standin_notice


def test_action_is_timestamped():
    rec = record()
    rec.action("stopped minio")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ stopped minio", rec.actions[0])


def test_operator_comes_from_cutover_operator(monkeypatch):
    monkeypatch.setenv("CUTOVER_OPERATOR", "jane.doe")
    rec = RunRecord(run_id="r", mode="rehearsal", target_profile="rehearsal", ticket="T-1")
    assert rec.operator == "jane.doe"
    assert rec.metadata()["Operator"] == "jane.doe"


def test_operator_falls_back_to_the_login_name(monkeypatch):
    monkeypatch.delenv("CUTOVER_OPERATOR", raising=False)
    monkeypatch.setattr("getpass.getuser", lambda: "root-login")
    rec = RunRecord(run_id="r", mode="rehearsal", target_profile="rehearsal", ticket="T-1")
    assert rec.operator == "root-login"


# --- scrub ---------------------------------------------------------------------------------------


def test_scrub_redacts_every_occurrence_of_every_secret():
    text = f"key={SECRET} again {SECRET}; other=hunter2"
    assert (
        scrub(text, [SECRET, "hunter2", ""]) == f"key={REDACTED} again {REDACTED}; other={REDACTED}"
    )


def test_scrub_without_secrets_leaves_text_alone():
    assert scrub("nothing here", []) == "nothing here"
    assert scrub("nothing here", [""]) == "nothing here"


def test_scrub_file_redacts_in_place_and_reports_it(tmp_path):
    path = tmp_path / "report.html"
    path.write_text(f"<td>{SECRET}</td><td>{SECRET}</td>", encoding="utf-8")
    assert scrub_file(path, [SECRET]) is True
    assert path.read_text(encoding="utf-8") == f"<td>{REDACTED}</td><td>{REDACTED}</td>"
    assert scrub_file(path, [SECRET]) is False


def test_scrub_file_on_a_clean_or_missing_file(tmp_path):
    clean = tmp_path / "clean.html"
    clean.write_text("all good", encoding="utf-8")
    assert scrub_file(clean, [SECRET]) is False
    assert clean.read_text(encoding="utf-8") == "all good"
    assert scrub_file(tmp_path / "missing.html", [SECRET]) is False


# --- write_summary -------------------------------------------------------------------------------


def results_with(secret: str) -> list[dict]:
    return [
        {"nodeid": "suites/test_a.py::ok", "outcome": "passed"},
        {"nodeid": "suites/test_b.py::ok", "outcome": "passed"},
        {"nodeid": "suites/test_c.py::bad", "outcome": "failed", "message": f"secret={secret}"},
        {"nodeid": "suites/test_d.py::skip", "outcome": "skipped"},
    ]


def test_summary_counts_outcomes_and_hides_the_secret(tmp_path):
    path = tmp_path / "summary.json"
    write_summary(path, record(), results_with(SECRET), [SECRET])
    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    data = json.loads(text)
    assert data["outcomes"] == {"passed": 2, "failed": 1, "skipped": 1}
    assert data["tests"][2]["message"] == f"secret={REDACTED}"
    assert data["run"]["ticket"] == "AURA-667"


def test_summary_hides_a_secret_with_json_special_characters(tmp_path):
    secret = 'pa"ss\\word'
    path = tmp_path / "summary.json"
    write_summary(path, record(), results_with(secret), [secret])
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["tests"][2]["message"] == f"secret={REDACTED}"

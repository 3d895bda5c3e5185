"""Negative rehearsals of the on-disk checks (phase 25) on a real single-node multi-drive
MinIO: the seeded lakehouse on four drives (tests/faults/multi_drive_set.py), each fault
injected after the stop. A drive short of one object is "readable, needs healing", three
drives short is "lost", a blank drive in the set refuses the scan; every message names the
drive and says what to do.
"""

import pytest

from tests.rehearsal.harness import rehearse

OBJECT = "raw/exports/events-2026-06.parquet"


@pytest.fixture
def reports(tmp_path):
    return tmp_path / "reports"


def test_a_whole_four_drive_set_reads_as_the_baseline(reports):
    run = rehearse(reports, "stop", "ondisk", faults=("multi_drive_set",))
    for check in (
        "test_on_disk_format_is_readable",
        "test_on_disk_versions_match_baseline",
        "test_no_damaged_objects_on_disk",
        "test_no_drive_of_the_set_needs_healing",
    ):
        run.passed(check)
    assert "/export4" in run.report_text()  # MinIO really served four drives


def test_one_drive_short_is_readable_but_needs_healing(reports):
    run = rehearse(reports, "stop", "ondisk", faults=("set_drive_shards_lost",))
    message = run.failed("test_no_drive_of_the_set_needs_healing")
    assert f"readable, needs healing: {OBJECT}: version null is whole on 3 of 4 drives" in message
    assert "reading it needs 2 (its data blocks, EcM)" in message
    assert "/drive2: its xl.meta does not list this version" in message
    assert "heal the set (mc admin heal -r ALIAS)" in message
    run.passed("test_no_damaged_objects_on_disk")  # still readable: not damage
    run.passed("test_on_disk_versions_match_baseline")


def test_beyond_parity_is_lost_naming_every_drive(reports):
    run = rehearse(reports, "stop", "ondisk", faults=("set_beyond_parity_lost",))
    message = run.failed("test_no_damaged_objects_on_disk")
    assert f"lost: version below read quorum: {OBJECT}: version null is whole on 1 of 4" in message
    assert "/minio-dataset: its xl.meta does not list this version" in message
    assert "/drive2: its xl.meta" in message and "/drive3: its xl.meta" in message
    assert "Restore them from the @pre-rustfs snapshot" in message
    assert f"in baseline, missing from disk: {OBJECT}" in run.failed(
        "test_on_disk_versions_match_baseline"
    )


def test_a_blank_drive_in_the_set_is_refused(reports):
    run = rehearse(reports, "stop", "ondisk", faults=("set_drive_replaced_blank",))
    message = run.failed("test_on_disk_format_is_readable")
    assert "the drives given are not one whole MinIO set" in message
    assert "/drive4: .minio.sys/format.json is missing: not a MinIO drive" in message
    assert "let it heal the new drive before the cutover" in message
    assert "Traceback" not in message and "During handling" not in message

"""Negative rehearsal of phase 45's metadata parity: after the deploy, a website asset's
Content-Type is replaced and another object's tags are deleted on the target (the faults act on
disjoint objects, so one rehearsal carries both), and test_object_metadata_matches_disk must name
each object, version and field, with the on-disk value, what the target answers and what to do.
"""

import pytest

from tests.rehearsal.harness import rehearse

FAULTS = ("content_type_changed", "object_tags_removed")
PHASES = ("stop", "ondisk", "deploy", "target_vs_disk")


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    return rehearse(tmp_path_factory.mktemp("reports"), *PHASES, faults=FAULTS)


def test_replaced_content_type_is_named(changed):
    message = changed.failed("test_object_metadata_matches_disk")
    assert (
        "website-assets/site/index.html (version null): Content-Type: on disk "
        "'text/html; charset=utf-8', target answers 'application/octet-stream'"
    ) in message
    # REPLACE dropped every header stored with it: each one is named, not just the first
    assert (
        "website-assets/site/index.html (version null): Content-Encoding: on disk 'gzip'" in message
    )
    assert "x-amz-meta-build-id: on disk '2026.06.01-7', target answers '(absent)'" in message
    assert "a website asset served with another Content-Type" in message
    assert "Keep the store closed to clients" in message
    assert "copy-object onto itself with --metadata-directive REPLACE" in message


def test_deleted_tags_are_named(changed):
    message = changed.failed("test_object_metadata_matches_disk")
    assert (
        "website-assets/site/media/hero.mp4 (version null): tags: on disk 'team=video', "
        "target answers '(none)'"
    ) in message
    assert "put-object-tagging" in message


def test_only_the_changed_objects_are_reported(changed):
    message = changed.failed("test_object_metadata_matches_disk")
    named = {
        line.removeprefix("E").strip().split(" (version")[0]
        for line in message.splitlines()
        if " (version " in line and "[known difference:" not in line
    }
    assert named == {"website-assets/site/index.html", "website-assets/site/media/hero.mp4"}
    changed.passed("test_on_disk_versions_match_baseline")

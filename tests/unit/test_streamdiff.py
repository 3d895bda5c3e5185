"""The streaming inventory diff and the SQLite version store."""

from __future__ import annotations

import pytest

from cutover.diff import diff_objects
from cutover.inventory import ObjectVersion
from cutover.streamdiff import LISTED_FIELDS, diff_rows
from cutover.versionstore import VersionStore


def row(key: str, version: str = "null", **fields) -> ObjectVersion:
    base = dict(is_latest=True, delete_marker=False, size=1, etag="e", last_modified="t")
    return ObjectVersion("b", key, version, **{**base, **fields})


def test_missing_unexpected_and_changed_are_counted_and_named(tmp_path):
    expected = [row("a"), row("b"), row("c", size=3)]
    actual = [row("b"), row("c", size=4), row("d")]
    diff = diff_rows(
        expected, actual, expected_name="baseline", actual_name="disk", report=tmp_path / "d.txt"
    )
    assert (diff.compared, diff.seen, diff.missing, diff.unexpected, diff.changed) == (
        3,
        3,
        1,
        1,
        1,
    )
    assert diff.samples == [
        "in baseline, missing from disk: b/a (version null)",
        "changed: b/c (version null): size is 3 in baseline, 4 in disk",
        "in disk, not in baseline: b/d (version null)",
    ]
    assert "1 missing from disk, 1 not in baseline, 1 field change(s)" in diff.summary()
    assert (tmp_path / "d.txt").read_text().count("\n") == 4


def test_samples_are_bounded_but_counts_are_not():
    expected = [row(f"k{i:05d}") for i in range(10_000)]
    diff = diff_rows(expected, [], expected_name="x", actual_name="y", limit=10)
    assert diff.missing == 10_000 and len(diff.samples) == 10
    assert diff.lines(5)[-1] == "... and 9995 more"


def test_skip_names_fields_not_compared():
    diff = diff_rows(
        [row("a", etag="plain")],
        [row("a", etag="sealed", encryption="SSE-S3")],
        expected_name="x",
        actual_name="y",
        skip=lambda e, a: frozenset({"etag"}) if a.encryption else frozenset(),
    )
    assert diff.clean


def test_unsorted_input_is_refused():
    with pytest.raises(ValueError, match="not in \\(bucket, key, version\\) order"):
        diff_rows([row("b"), row("a")], [], expected_name="x", actual_name="y")


def test_store_streams_in_s3_key_order(tmp_path):
    keys = ["a/b", "a-c", "a", "été/x", "Z", "a/b/", "données"]
    with VersionStore(tmp_path / "s.sqlite") as store:
        store.BATCH = 2
        store.extend(row(k) for k in keys)
        assert [r.key for r in store.rows()] == sorted(keys)
        # S3 orders keys by their UTF-8 bytes: the same order.
        assert sorted(keys) == sorted(keys, key=lambda k: k.encode())
        assert store.object_count == len(keys) and store.version_count == len(keys)


def test_the_in_memory_and_the_streaming_diff_find_the_same_differences():
    expected = [row("a"), row("b", size=2), row("c", etag="x", last_modified="u"), row("e")]
    actual = [row("b", size=3), row("c"), row("d"), row("e")]
    streamed = diff_rows(expected, actual, expected_name="baseline", actual_name="target")
    kept = diff_objects(list(reversed(expected)), actual, fields=LISTED_FIELDS)
    assert (streamed.compared, streamed.seen) == (4, 4)
    assert (streamed.missing, streamed.unexpected, streamed.changed) == (
        len(kept.missing),
        len(kept.unexpected),
        len(kept.changed),
    )
    assert [c.field for c in kept.changed] == ["size", "etag", "last_modified"]


def test_an_unsorted_stream_still_leaves_the_counts_so_far_in_the_report(tmp_path):
    report = tmp_path / "d.txt"
    with pytest.raises(ValueError):
        diff_rows(
            [row("a"), row("c"), row("b")],
            [row("a")],
            expected_name="x",
            actual_name="y",
            report=report,
        )
    assert report.read_text().splitlines()[-1].startswith("2 x version(s) against 1 y version(s)")

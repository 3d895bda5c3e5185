"""Unit tests for inventory differences as the change record phrases them (cutover/diff.py)."""

from __future__ import annotations

import pytest

from cutover.diff import diff_bucket_config, diff_iam, diff_names, diff_objects
from cutover.inventory import COMPARED_FIELDS, BucketConfig, IamSnapshot, ObjectVersion

replace = ObjectVersion._replace


def version(bucket="photos", key="a.jpg", vid="v1", **kw) -> ObjectVersion:
    fields = {
        "is_latest": True,
        "delete_marker": False,
        "size": 10,
        "etag": "0cc175b9c0f1b6a831c399e269772661",
        "last_modified": "2025-01-01T00:00:00.000Z",
        **kw,
    }
    return ObjectVersion(bucket=bucket, key=key, version_id=vid, **fields)


A, B, C = version(key="a"), version(key="b"), version(key="c")


# --- diff_objects ----------------------------------------------------------------------------


def test_identical_inventories_are_clean():
    diff = diff_objects([A, B], [B, A])
    assert diff.clean
    assert diff.lines() == []
    assert diff.summary() == "0 version(s) missing, 0 unexpected, 0 field change(s)"


def test_missing_and_unexpected_versions():
    diff = diff_objects([A, B], [B, C])
    assert diff.missing == [A]
    assert diff.unexpected == [C]
    assert not diff.clean
    assert diff.lines() == [
        "missing on target: photos/a (version v1)",
        "not in baseline: photos/c (version v1)",
    ]


def test_versions_are_matched_by_version_id():
    old, new = version(vid="v1"), version(vid="v2")
    diff = diff_objects([old], [new])
    assert diff.missing == [old] and diff.unexpected == [new] and diff.changed == []


@pytest.mark.parametrize(
    ("field", "after"),
    [
        ("etag", "92eb5ffee6ae2fec3ad71c777531578f"),
        ("size", 11),
        ("last_modified", "2025-06-01T12:00:00.000Z"),
        ("delete_marker", True),
        ("is_latest", False),
        ("retention", "GOVERNANCE until 2026-12-01T00:00:00.000Z"),
        ("legal_hold", "ON"),
    ],
)
def test_each_compared_field_is_reported(field, after):
    changed = replace(A, **{field: after})
    diff = diff_objects([A], [changed])
    assert [(c.field, c.before, c.after) for c in diff.changed] == [
        (field, getattr(A, field), after)
    ]
    assert diff.lines() == [
        f"changed: photos/a (version v1): {field} was {getattr(A, field)!r}, now {after!r}"
    ]


def test_every_compared_field_is_covered_above():
    assert set(COMPARED_FIELDS) == {
        "etag",
        "size",
        "last_modified",
        "delete_marker",
        "is_latest",
        "retention",
        "legal_hold",
    }


def test_fields_argument_limits_the_comparison():
    changed = replace(A, last_modified="2030-01-01T00:00:00.000Z", size=99)
    diff = diff_objects([A], [changed], fields=("size",))
    assert [c.field for c in diff.changed] == ["size"]


def test_buckets_argument_limits_the_comparison():
    other = version(bucket="logs", key="x")
    diff = diff_objects([A, other], [A], buckets={"photos"})
    assert diff.clean


def test_lines_truncate_with_a_count_of_the_rest():
    baseline = [version(key=f"k{i:02d}") for i in range(12)]
    diff = diff_objects(baseline, [])
    lines = diff.lines(limit=5)
    assert len(lines) == 6
    assert lines[:5] == [f"missing on target: photos/k{i:02d} (version v1)" for i in range(5)]
    assert lines[-1].startswith("... and 7 more")
    assert len(diff.lines(limit=12)) == 12


def test_summary_counts_each_kind():
    diff = diff_objects([A, B, C], [replace(A, size=1), replace(B, size=2, etag="x"), version("z")])
    assert diff.summary() == "1 version(s) missing, 1 unexpected, 3 field change(s)"


def test_to_dict_names_the_version_and_field():
    diff = diff_objects([A], [replace(A, size=11)])
    (change,) = diff.to_dict()["changed"]
    assert change["version"]["key"] == "a"
    assert (change["field"], change["before"], change["after"]) == ("size", 10, 11)


# --- diff_bucket_config ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "before", "after"),
    [
        ("versioning", "Enabled", "Suspended"),
        ("object_lock", {"ObjectLockEnabled": "Enabled"}, None),
        ("lifecycle", [{"ID": "expire", "Status": "Enabled"}], None),
        ("policy", {"Version": "2012-10-17", "Statement": []}, None),
        ("tags", {"team": "media"}, {}),
    ],
)
def test_bucket_config_difference_names_bucket_and_values(kind, before, after):
    baseline = {"photos": BucketConfig(**{kind: before}), "logs": BucketConfig()}
    current = {"photos": BucketConfig(**{kind: after}), "logs": BucketConfig()}
    assert diff_bucket_config(baseline, current, kind) == [
        f"photos: {kind} was {before!r}, now {after!r}"
    ]


def test_bucket_config_same_setting_gives_no_lines():
    cfg = {"photos": BucketConfig(versioning="Enabled", tags={"a": "b"})}
    same = {"photos": BucketConfig(versioning="Enabled", tags={"a": "b"})}
    assert diff_bucket_config(cfg, same, "versioning") == []
    assert diff_bucket_config(cfg, same, "tags") == []


def test_bucket_config_ignores_buckets_absent_on_one_side():
    baseline = {"photos": BucketConfig(versioning="Enabled"), "gone": BucketConfig("Enabled")}
    current = {"photos": BucketConfig(versioning="Enabled"), "new": BucketConfig("Suspended")}
    assert diff_bucket_config(baseline, current, "versioning") == []


def test_bucket_config_rejects_an_unknown_kind():
    with pytest.raises(AssertionError):
        diff_bucket_config({}, {}, "replication")


# --- diff_iam ------------------------------------------------------------------------------------


USER = {"status": "enabled", "policies": ["readwrite"], "groups": []}
GROUP = {"members": ["alice"], "policies": ["readonly"], "status": "enabled"}
POLICY = {"Statement": [{"Action": ["s3:GetObject"], "Effect": "Allow"}], "Version": "2012-10-17"}


def test_iam_identical_gives_no_lines():
    snap = IamSnapshot(users={"alice": USER}, groups={"media": GROUP}, policies={"p": POLICY})
    same = IamSnapshot(users={"alice": USER}, groups={"media": GROUP}, policies={"p": POLICY})
    assert diff_iam(snap, same) == []


@pytest.mark.parametrize(
    ("kind", "noun", "value"),
    [("users", "user", USER), ("groups", "group", GROUP)],
)
def test_iam_missing_extra_and_differing_user_or_group(kind, noun, value):
    changed = {**value, "status": "disabled"}
    baseline = IamSnapshot(**{kind: {"gone": value, "same": value, "edited": value}})
    current = IamSnapshot(**{kind: {"new": value, "same": value, "edited": changed}})
    assert diff_iam(baseline, current) == [
        f"{noun} 'gone' is missing",
        f"{noun} 'new' was not there before",
        f"{noun} 'edited' differs: was {value!r}, now {changed!r}",
    ]


def test_iam_policy_lines_use_the_singular_noun():
    other = {**POLICY, "Version": "2008-10-17"}
    baseline = IamSnapshot(policies={"p": POLICY, "edited": POLICY})
    current = IamSnapshot(policies={"q": POLICY, "edited": other})
    assert diff_iam(baseline, current) == [
        "policy 'p' is missing",
        "policy 'q' was not there before",
        f"policy 'edited' differs: was {POLICY!r}, now {other!r}",
    ]


# --- diff_names ----------------------------------------------------------------------------------


def test_diff_names_returns_sorted_missing_and_extra():
    assert diff_names(["photos", "logs", "backups"], {"logs", "zeta", "alpha"}) == (
        ["backups", "photos"],
        ["alpha", "zeta"],
    )
    assert diff_names(["a", "a"], ["a"]) == ([], [])


def test_report_heads_with_the_count_and_lists_every_line_untruncated():
    assert diff_objects([A], [A]).report(1) == (
        f"1 baseline version(s) compared on {', '.join(COMPARED_FIELDS)}: "
        "0 version(s) missing, 0 unexpected, 0 field change(s)"
    )
    baseline = [version(key=f"k{i:03d}") for i in range(60)]
    lines = diff_objects(baseline, []).report(60).splitlines()
    assert lines[0].startswith("60 baseline version(s) compared on ")
    assert len(lines) == 61 and not any(line.startswith("...") for line in lines)

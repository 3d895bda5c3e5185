"""Unit tests for the inventory data model, without an engine (cutover/inventory.py)."""

from __future__ import annotations

import json

import pytest

from cutover.inventory import (
    BucketConfig,
    IamSnapshot,
    Inventory,
    ObjectVersion,
    content_key,
    content_sample,
    normalize_policy,
)


def version(bucket: str, key: str, vid: str = "null", *, etag: str = "e" * 32, **kw):
    fields = {
        "is_latest": True,
        "delete_marker": False,
        "size": 1,
        "last_modified": "2025-01-01T00:00:00.000Z",
        **kw,
    }
    return ObjectVersion(bucket=bucket, key=key, version_id=vid, etag=etag, **fields)


# --- normalize_policy --------------------------------------------------------------------------

READ = {
    "Effect": "Allow",
    "Action": ["s3:GetObject", "s3:ListBucket"],
    "Resource": ["arn:aws:s3:::photos/*", "arn:aws:s3:::photos"],
}
WRITE = {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": ["arn:aws:s3:::photos/*"]}


def test_policy_with_reordered_actions_is_equal():
    reordered = {**READ, "Action": ["s3:ListBucket", "s3:GetObject"]}
    assert normalize_policy(READ) == normalize_policy(reordered)


def test_policy_with_reordered_statements_and_keys_is_equal():
    a = {"Version": "2012-10-17", "Statement": [READ, WRITE]}
    b = {"Statement": [WRITE, dict(reversed(READ.items()))], "Version": "2012-10-17"}
    assert normalize_policy(a) == normalize_policy(b)


def test_policy_with_different_actions_is_not_equal():
    other = {**READ, "Action": ["s3:GetObject", "s3:DeleteObject"]}
    assert normalize_policy(READ) != normalize_policy(other)


def test_normalize_policy_leaves_scalars_alone():
    assert normalize_policy("s3:*") == "s3:*"
    assert normalize_policy(None) is None


# --- Inventory JSON round trip -----------------------------------------------------------------


@pytest.fixture
def inventory() -> Inventory:
    locked = version(
        "vault",
        "deed.pdf",
        "3f0e-11",
        retention="GOVERNANCE until 2026-12-01T00:00:00.000Z",
        legal_hold="ON",
    )
    marker = version("vault", "deed.pdf", "3f0e-12", etag="", size=0, delete_marker=True)
    return Inventory(
        engine="minio",
        captured_at="2025-01-01T00:00:00.000Z",
        buckets={
            "photos": BucketConfig(tags={"team": "media"}),
            "vault": BucketConfig(
                versioning="Enabled",
                object_lock={"ObjectLockEnabled": "Enabled"},
                lifecycle=[{"ID": "expire", "Status": "Enabled"}],
                policy=normalize_policy({"Version": "2012-10-17", "Statement": [READ]}),
            ),
        },
        objects=[version("photos", "café/ü.jpg", etag="abc-2", size=6266962), locked, marker],
        iam=IamSnapshot(
            users={"alice": {"status": "enabled", "policies": ["readwrite"], "groups": []}},
            groups={"media": {"members": ["alice"], "policies": [], "status": "enabled"}},
            policies={"readonly": normalize_policy({"Statement": [READ]})},
        ),
        content_sha256={content_key("photos", "café/ü.jpg", "null"): "ab" * 32},
    )


def test_json_round_trip_preserves_everything(inventory):
    again = Inventory.from_json(inventory.to_json())
    assert again == inventory
    assert again.objects[1].retention == "GOVERNANCE until 2026-12-01T00:00:00.000Z"
    assert again.buckets["vault"].object_lock == {"ObjectLockEnabled": "Enabled"}
    assert again.iam.users["alice"]["policies"] == ["readwrite"]
    assert again.content_sha256 == inventory.content_sha256


def test_save_and_load_round_trip(inventory, tmp_path):
    path = inventory.save(tmp_path / "baseline.json")
    assert path == tmp_path / "baseline.json"
    assert Inventory.load(path) == inventory
    assert "café/ü.jpg" in path.read_text(encoding="utf-8")


def test_from_json_without_content_hashes(inventory):
    data = json.loads(inventory.to_json())
    del data["content_sha256"]
    again = Inventory.from_json(json.dumps(data))
    assert again.content_sha256 == {}
    assert again.objects == inventory.objects


def test_object_and_version_counts(inventory):
    assert inventory.object_count == 2
    assert inventory.version_count == 3
    assert Inventory(engine="rustfs", captured_at="t").object_count == 0


def test_content_key_separates_parts_with_nul():
    assert content_key("b", "k", "v") == "b\0k\0v"


# --- content_sample ----------------------------------------------------------------------------


@pytest.fixture
def objects() -> list[ObjectVersion]:
    plain = [version(b, f"k{i:02d}") for b in ("alpha", "beta", "gamma") for i in range(10)]
    multipart = [version("alpha", "big1", etag="abc-2"), version("gamma", "big2", etag="def-9")]
    markers = [version("beta", f"gone{i}", etag="", delete_marker=True) for i in range(5)]
    return plain + multipart + markers


def test_sample_always_includes_multipart_objects(objects):
    picked = content_sample(objects, 4)
    assert {o.key for o in picked} >= {"big1", "big2"}


def test_sample_skips_delete_markers(objects):
    assert not any(o.delete_marker for o in content_sample(objects, 100))


def test_sample_spans_buckets(objects):
    assert {o.bucket for o in content_sample(objects, 5)} == {"alpha", "beta", "gamma"}


def test_sample_respects_size(objects):
    assert len(content_sample(objects, 7)) == 7
    data = [o for o in objects if not o.delete_marker]
    assert content_sample(objects, 1000) == sorted(data)


def test_sample_is_stable_across_calls(objects):
    first = content_sample(objects, 9)
    assert content_sample(list(reversed(objects)), 9) == first
    assert content_sample(objects, 9) == first

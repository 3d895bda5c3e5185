"""Per-object metadata from xl.meta against what MinIO itself answers (tests/unit/data/xlmeta).

The captures were written by the pinned MinIO (capture.py there): each object's xl.meta and
MinIO's own HEAD (checksum mode ENABLED) and GetObjectTagging answers. What the reader decodes
from the disk must be exactly what MinIO served, field by field; then the comparison must name
each field a target answers differently.
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

import pytest

from cutover.inventory import ObjectVersion
from cutover.objectmeta import (
    COMPOSITE,
    FULL_OBJECT,
    ChecksumUnreadable,
    MetaDiff,
    ObjectMeta,
    compare,
    crc32c_b64,
    decode_checksum,
    disk_meta_json,
    known_difference,
    pick_sample,
    stratum,
)
from cutover.versionstore import VersionStore
from cutover.xlmeta import parse_xl_meta

DATA = Path(__file__).parent / "data" / "xlmeta"
HEADS = json.loads((DATA / "heads.json").read_text(encoding="utf-8"))


def disk_rows(name: str) -> list[ObjectVersion]:
    """The inventory rows the on-disk scan writes for one captured object."""
    meta = parse_xl_meta((DATA / f"{name}.xl.meta").read_bytes())
    bucket, key = HEADS[name]["bucket"], HEADS[name]["key"]
    return [
        ObjectVersion(
            bucket,
            key,
            v.version_id,
            i == 0,
            False,
            v.size,
            v.etag,
            v.last_modified,
            content_type=v.content_type,
            storage="inline" if v.version_id in meta.inline_ids else "parts",
            object_meta=disk_meta_json(v),
        )
        for i, v in enumerate(meta.versions)
    ]


def minio_answer(name: str, version_id: str) -> ObjectMeta:
    (head,) = [h for h in HEADS[name]["versions"] if h["VersionId"] == version_id]
    return ObjectMeta.from_head(head, head["Tags"])


@pytest.mark.parametrize("name", sorted(HEADS))
def test_disk_metadata_is_what_minio_serves(name):
    rows = disk_rows(name)
    assert len(rows) == len(HEADS[name]["versions"])
    for row in rows:
        disk = ObjectMeta.from_row(row)
        served = minio_answer(name, row.version_id)
        assert compare(row, disk, served) == []
        assert disk == served


def test_every_field_of_the_website_object_is_read():
    (row,) = disk_rows("website-index")
    disk = ObjectMeta.from_row(row)
    assert disk.content_type == "text/html; charset=utf-8"
    assert disk.content_encoding == "gzip"
    assert disk.cache_control == "public, max-age=300"
    assert disk.content_disposition == 'inline; filename="index.html"'
    assert disk.user == {"build-id": "2026.06.01-7", "origin": "ci"}  # sent as Build-Id
    assert disk.tags == {"team": "web", "stage": "prod"}
    assert disk.storage_class == "REDUCED_REDUNDANCY"
    assert (disk.checksum_algorithm, disk.checksum_type) == ("CRC32C", FULL_OBJECT)


def test_checksum_encodings_minio_writes():
    checks = {}
    for name in HEADS:
        for v in parse_xl_meta((DATA / f"{name}.xl.meta").read_bytes()).versions:
            if v.checksum:
                checks[(name, v.version_id)] = decode_checksum(v.checksum)
    assert checks[("multipart-crc32c-composite", "null")] == ("CRC32C", "X3iQxg==-2", COMPOSITE)
    assert checks[("multipart-crc32-full-object", "null")] == ("CRC32", "DoZ34Q==", FULL_OBJECT)
    assert checks[("website-js-sha256", "null")][0] == "SHA256"
    assert checks[("sha1-language", "null")][0] == "SHA1"
    # boto3's default per-part CRC32 without an algorithm on the upload: MinIO stores none
    assert ("multipart-default", "null") not in checks


def test_crc32_checksum_is_the_crc_of_the_body():
    body = b"\x00" * 100  # capture.py's blob.bin
    (row,) = disk_rows("no-content-type")
    want = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    assert ObjectMeta.from_row(row).checksum == want
    assert ObjectMeta.from_row(row).content_type == "binary/octet-stream"  # MinIO's default


def test_damaged_checksum_is_unreadable_not_a_crash():
    with pytest.raises(ChecksumUnreadable):
        decode_checksum(b"\x10\xa2")  # CRC32C cut short
    with pytest.raises(ChecksumUnreadable):
        decode_checksum(b"\x20abcd")  # ChecksumInvalid only
    with pytest.raises(ChecksumUnreadable):
        decode_checksum(b"\xff")


def test_crc32c_known_value():
    assert base64.b64decode(crc32c_b64(b"123456789")).hex() == "e3069283"


def _diffs(name: str, **changed) -> list[MetaDiff]:
    (row, *_) = disk_rows(name)
    served = minio_answer(name, row.version_id)
    target = ObjectMeta(**{**served.__dict__, **changed})
    return compare(row, ObjectMeta.from_row(row), target)


def test_changed_content_type_is_named():
    (diff,) = _diffs("website-index", content_type="application/octet-stream")
    assert diff.describe() == (
        "site/index.html (version null): Content-Type: on disk 'text/html; charset=utf-8', "
        "target answers 'application/octet-stream'"
    )


def test_removed_tags_and_user_metadata_are_named():
    diffs = _diffs("website-index", tags={}, user={"origin": "ci", "extra": "x"})
    shown = {d.field: (d.expected, d.got) for d in diffs}
    assert shown["tags"] == ("stage=prod, team=web", "(none)")
    assert shown["x-amz-meta-build-id"] == ("2026.06.01-7", "(absent)")
    assert shown["x-amz-meta-extra"] == ("(absent)", "x")


def test_header_loss_storage_class_and_checksum_are_named():
    diffs = _diffs(
        "website-index",
        content_encoding="",
        cache_control="",
        storage_class="STANDARD",
        checksum_algorithm="",
        checksum="",
        checksum_type="",
    )
    assert {d.field for d in diffs} == {
        "Content-Encoding",
        "Cache-Control",
        "storage class",
        "checksum",
    }


def test_checksum_type_alone_is_its_own_field():
    (diff,) = _diffs("multipart-crc32c-composite", checksum_type="")
    assert (diff.field, diff.expected, diff.got) == ("checksum type", COMPOSITE, "(none)")


def test_standard_storage_class_matches_an_explicit_one():
    assert _diffs("website-js-sha256", storage_class="STANDARD") == []


def test_tags_not_read_are_not_compared():
    assert _diffs("website-index", tags=None) == []


def test_object_meta_survives_the_store(tmp_path):
    with VersionStore(tmp_path / "s.sqlite") as store:
        store.extend(disk_rows("website-index"))
        (row,) = store.rows()
    assert ObjectMeta.from_row(row) == minio_answer("website-index", "null")


def _row(bucket, key, size=10, etag="e", storage="inline", **kw) -> ObjectVersion:
    return ObjectVersion(bucket, key, "null", True, False, size, etag, "t", storage=storage, **kw)


def test_sample_takes_every_r2_version_and_some_of_each_stratum():
    rows = [_row("raw", f"k{i:03d}") for i in range(50)]
    rows += [_row("raw", f"big{i}", size=300_000, storage="parts") for i in range(4)]
    rows += [_row("raw", f"mp{i}", size=20 << 20, etag="x-3", storage="parts") for i in range(2)]
    rows += [_row("site", f"s{i}") for i in range(7)]
    rows += [
        _row("raw", "dm", storage="none")._replace(delete_marker=True),
        _row("raw", "sealed", encryption="SSE-S3"),
    ]
    sample = pick_sample(iter(rows), every={"site"}, per_stratum=3)
    picked = [r.key for r in sample.rows]
    assert [k for k in picked if k.startswith("s")] == [f"s{i}" for i in range(7)]
    assert len([k for k in picked if k.startswith("k")]) == 3
    assert len([k for k in picked if k.startswith("big")]) == 3
    assert sorted(k for k in picked if k.startswith("mp")) == ["mp0", "mp1"]
    assert "dm" not in picked and "sealed" not in picked
    assert sample.skipped == {"delete marker(s)": 1, "encrypted version(s)": 1}
    assert stratum(rows[55]) == ("raw", ">16MiB", "parts", "multipart")
    again = pick_sample(iter(reversed(rows)), every={"site"}, per_stratum=3)
    assert [r.ident for r in again.rows] == [r.ident for r in sample.rows]  # stable
    assert "every version of site" in sample.describe()
    assert [r.key for r in pick_sample(iter(rows), every=set(), per_stratum=0).rows] == []


def _known_for(name: str, engine: str, **changed) -> list[str]:
    (row, *_) = disk_rows(name)
    rule = known_difference(engine)
    return [rule(row, d) if rule else "" for d in _diffs(name, **changed)]


def test_rustfs_single_part_checksum_without_type_is_a_known_difference():
    (known,) = _known_for("website-js-sha256", "rustfs", checksum_type="")
    assert known.startswith("RustFS 1.0.1 sends x-amz-checksum-type only for multipart")
    assert _known_for("website-js-sha256", "minio", checksum_type="") == [""]


def test_rustfs_losing_a_multipart_checksum_type_or_a_value_still_fails():
    assert _known_for("multipart-crc32c-composite", "rustfs", checksum_type="") == [""]
    assert _known_for("multipart-crc32-full-object", "rustfs", checksum_type="") == [""]
    assert _known_for("website-js-sha256", "rustfs", checksum="AAAA") == [""]
    assert _known_for("website-index", "rustfs", content_type="x/y") == [""]

"""The xl.meta reader against bytes real MinIO servers wrote (../shared/fixtures/minio-real).

PROVENANCE.md there says what each sample holds; these tests hold the reader to it. No
xl.meta here is made by hand: damaged inputs are real files cut short or with a flipped bit.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import zipfile
from pathlib import Path

import pytest

from cutover.ondisk import bucket_info_from_xl_meta
from cutover.xlmeta import (
    DELETE_MARKER,
    NULL_VERSION,
    OBJECT,
    XlMetaError,
    expected_part_file_size,
    inline_payload,
    parse_xl_meta,
)
from tests.prereq import REAL_SAMPLES, require, require_real_samples

REAL = REAL_SAMPLES
TESTDATA = REAL / "minio__minio" / "cmd" / "testdata"
RUSTFS = REAL / "rustfs__rustfs" / "crates"
FASHION = REAL / "Pham-Thanh-Huy__fashion-cloud-minio"
SPARK = REAL / "BarbaraCerqueira__Spark-Docker" / "minio" / "data"


@pytest.fixture(autouse=True)
def _real_samples() -> None:
    require_real_samples()


def real(path: Path) -> bytes:
    return path.read_bytes()


def every_real_xl_meta() -> list[Path]:
    files = sorted(REAL.rglob("xl.meta")) + sorted(RUSTFS.rglob("*xlmeta*.bin"))
    return [f for f in files if f.is_file()]


@pytest.mark.parametrize("path", every_real_xl_meta(), ids=lambda p: str(p.relative_to(REAL)))
def test_every_real_xl_meta_parses(path):
    meta = parse_xl_meta(real(path))
    assert meta.versions, "every sample holds at least one version"
    for v in meta.versions:
        assert v.type in (OBJECT, DELETE_MARKER)
        assert v.mod_time_ns > 1_500_000_000 * 10**9
        if v.type == OBJECT:
            assert v.etag and v.size >= 0


def test_v1_0_layout_is_one_msgpack_map():
    meta = parse_xl_meta(real(TESTDATA / "xl.meta"))
    assert meta.format_version == "1.0"
    (v,) = meta.versions
    assert (v.version_id, v.size, v.content_type) == (NULL_VERSION, 6482, "application/json")


def test_many_parts_sse_object():
    meta = parse_xl_meta(real(TESTDATA / "xl-many-parts.meta"))
    assert (meta.format_version, meta.header_version, meta.meta_version) == ("1.3", 2, 2)
    assert len(meta.versions) == 7
    newest = meta.versions[0]
    assert len(newest.parts) == 9016 and newest.etag.endswith("-9016")
    assert newest.encryption == "SSE-S3"
    # The plaintext size from x-minio-internal-actual-size, not the stored (sealed) size.
    assert newest.size == 56_720_007_533 < newest.stored_size
    assert [v.mod_time_ns for v in meta.versions] == sorted(
        (v.mod_time_ns for v in meta.versions), reverse=True
    )


def test_v1_2_with_855_inline_versions():
    try:
        import zstandard
    except ImportError:
        require(False, "zstandard (a dev dependency: pip install -e .[dev]) is not installed")
    data = (
        zstandard.ZstdDecompressor().decompressobj().decompress(real(TESTDATA / "xl.meta-v1.2.zst"))
    )
    meta = parse_xl_meta(data)
    assert meta.format_version == "1.2"
    assert len(meta.versions) == 855
    # Every version claims inline data, but MinIO's test file ends right after the CRC: the
    # reader says so (no payload present) instead of trusting the flag; a scan reports it.
    assert all(v.inline for v in meta.versions)
    assert meta.inline_ids == frozenset()


def test_minio_corrupt_sample_is_refused_with_a_reason():
    with pytest.raises(XlMetaError, match="file truncated"):
        parse_xl_meta(gzip.decompress(real(TESTDATA / "xl.meta-corrupt.gz")))


def test_consist_zip_ten_drives_agree_across_1_2_and_1_3():
    with zipfile.ZipFile(TESTDATA / "xl-meta-consist.zip") as zf:
        metas = [parse_xl_meta(zf.read(n)) for n in zf.namelist() if n.endswith("xl.meta")]
    assert len(metas) == 10
    assert sorted(m.format_version for m in metas) == ["1.2"] * 9 + ["1.3"]
    assert (
        len({(m.versions[0].version_id, m.versions[0].etag, m.versions[0].size) for m in metas})
        == 1
    )
    assert sorted(m.versions[0].erasure[2] for m in metas) == list(range(1, 11))


def test_inline_and_not_inline_drives():
    with zipfile.ZipFile(TESTDATA / "xl-meta-inline-notinline.zip") as zf:
        inline = parse_xl_meta(zf.read("disk1/testbucket/file/xl.meta"))
        parts = parse_xl_meta(zf.read("disk2/testbucket/file/xl.meta"))
        names = zf.namelist()
    assert inline.inline_ids == {NULL_VERSION}
    assert parts.inline_ids == frozenset()
    assert any(n.startswith("disk2/testbucket/file/") and n.endswith("/part.1") for n in names)


def test_merge_zip_drives_with_one_and_two_versions():
    with zipfile.ZipFile(TESTDATA / "xl-meta-merge.zip") as zf:
        counts = sorted(
            len(parse_xl_meta(zf.read(n)).versions) for n in zf.namelist() if n.endswith("xl.meta")
        )
    assert counts == [1, 1, 1, 1, 2, 2, 2, 2]


def test_versioned_object_with_delete_marker_newest():
    meta = parse_xl_meta(
        real(RUSTFS / "filemeta/tests/fixtures/minio/object_versioned_txt.xlmeta.bin")
    )
    assert [v.type for v in meta.versions] == [DELETE_MARKER, OBJECT, OBJECT]
    assert all(v.etag.endswith("-1") and not v.inline for v in meta.versions[1:])


def test_multipart_objects_are_never_inline():
    meta = parse_xl_meta(real(RUSTFS / "filemeta/tests/fixtures/minio/object_small_txt.xlmeta.bin"))
    (v,) = meta.versions
    assert v.size == 19 and v.etag.endswith("-1") and v.data_dir and not meta.inline_ids


def test_inline_payload_unframes_to_the_object_bytes():
    raw = real(RUSTFS / "filemeta/tests/fixtures/issue_2288_legacy_xlmeta.bin")
    assert inline_payload(raw) == b"Hello from MinIO S3 via Middleware!"


def test_inline_jpegs_hash_to_their_etag():
    """Single-PUT inline objects: the unframed payload's MD5 is the ETag MinIO stored."""
    checked = 0
    for path in sorted((FASHION / "fashion").glob("*/xl.meta")):
        meta = parse_xl_meta(real(path))
        if meta.inline_ids:
            payload = inline_payload(real(path))
            assert len(payload) == meta.versions[0].size
            assert hashlib.md5(payload).hexdigest() == meta.versions[0].etag, path.parent.name
            checked += 1
    assert checked == 35  # PROVENANCE.md: 35 inline objects in `fashion`


def test_bucket_metadata_versioning_and_lock():
    info = bucket_info_from_xl_meta(
        "testes", real(SPARK / ".minio.sys/buckets/testes/.metadata.bin/xl.meta")
    )
    assert (info.versioning, info.object_lock, info.metadata) == ("Enabled", True, "ok")
    full = bucket_info_from_xl_meta(
        "b", real(RUSTFS / "ecstore/tests/fixtures/minio/bucket_metadata_full.xlmeta.bin")
    )
    assert full.metadata == "ok" and full.versioning == "Enabled" and full.object_lock
    plain = bucket_info_from_xl_meta(
        "fashion", real(FASHION / ".minio.sys/buckets/fashion/.metadata.bin/xl.meta")
    )
    assert (plain.versioning, plain.object_lock) == ("Off", False)


def test_part_files_have_the_size_minio_frames_them_to():
    for obj in ("post_1715180351422.jpg", "user_1715596117134.jpg", "post_1715225424084.jpg"):
        meta = parse_xl_meta(real(FASHION / "fashion" / obj / "xl.meta"))
        v = meta.versions[0]
        for part in v.parts:
            file = FASHION / "fashion" / obj / v.data_dir / f"part.{part.number}"
            if file.exists():  # post_1715225424084.jpg's part.1 was left out of the sample
                assert file.stat().st_size == expected_part_file_size(
                    part.size, v.block_size, v.erasure[0]
                )


@pytest.mark.parametrize(
    "path",
    [
        FASHION / "fashion/post_1715180351422.jpg/xl.meta",
        SPARK
        / "testes/exemplo1/_temporary/0/task_202506252257134371855459446933455_0002_m_000000/part-00000-ca4ac3d2-a342-480a-8ca7-abe0afe5275b-c000.snappy.parquet/xl.meta",
        TESTDATA / "xl.meta",
    ],
    ids=["1.3-parts", "1.3-versioned-inline", "1.0"],
)
def test_any_cut_or_flipped_real_file_raises_only_xl_meta_error(path):
    data = real(path)
    for length in range(len(data)):
        with contextlib.suppress(XlMetaError):
            parse_xl_meta(data[:length])
    for at in range(8, len(data), max(1, len(data) // 300)):
        flipped = data[:at] + bytes([data[at] ^ 0x41]) + data[at + 1 :]
        with contextlib.suppress(XlMetaError):
            parse_xl_meta(flipped)

"""The on-disk inventory over real MinIO data directories (../shared/fixtures/minio-real).

Damage is made by changing copies of real data directories (a file removed, cut short, a
directory renamed), never by writing an xl.meta by hand.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from cutover.driveset import DriveSetRefused
from cutover.ondisk import (
    BUCKET_METADATA,
    DAMAGE,
    MISSING_PART,
    NEEDS_HEALING,
    ORPHAN_DATA,
    PART_SIZE,
    UNDER_QUORUM,
    UNREADABLE_META,
    LegacyFsLayout,
    scan_dataset,
)
from cutover.versionstore import VersionStore
from tests.prereq import REAL_SAMPLES, require_real_samples

REAL = REAL_SAMPLES
FASHION = REAL / "Pham-Thanh-Huy__fashion-cloud-minio"
SPARK = REAL / "BarbaraCerqueira__Spark-Docker" / "minio" / "data"
CICD = REAL / "minio__minio" / "buildscripts" / "cicd-corpus"
SWIFT = REAL / "SwiftLaTeX__minio"


@pytest.fixture(autouse=True)
def _real_samples() -> None:
    require_real_samples()


@pytest.fixture
def store(tmp_path):
    with VersionStore(tmp_path / "inventory.sqlite") as s:
        yield s


def writable_copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    for root, dirs, files in os.walk(dst):
        for name in dirs + files:
            os.chmod(Path(root) / name, 0o755 if name in dirs else 0o644)
    os.chmod(dst, 0o755)
    return dst


def test_fashion_xl_single(store):
    summary = scan_dataset(FASHION, store)
    assert summary.format.kind == "xl-single"
    assert list(summary.buckets) == ["fashion"]  # .minio.sys is not a bucket
    rows = list(store.rows())
    # PROVENANCE.md: 38 objects, all null versions: 35 inline and 3 with part.N files.
    assert len(rows) == 38 and {r.version_id for r in rows} == {"null"}
    assert Counter(r.storage for r in rows) == {"inline": 35, "parts": 3}
    assert all(r.is_latest and not r.delete_marker for r in rows)
    multipart = next(r for r in rows if r.etag.endswith("-2"))
    assert (multipart.key, multipart.size) == ("post_1715225424084.jpg", 6_266_962)
    # Its part.1 was left out of the sample (4 MiB or more): the one finding, precisely.
    (finding,) = store.findings()
    assert finding.kind == MISSING_PART
    assert finding.path.startswith("fashion/post_1715225424084.jpg/") and finding.path.endswith(
        "/part.1"
    )
    assert "part 1 of 2" in finding.detail


def test_spark_versioned_bucket_with_object_lock(store):
    summary = scan_dataset(SPARK, store)
    info = summary.buckets["testes"]
    assert (info.versioning, info.object_lock) == ("Enabled", True)
    rows = list(store.rows())
    # PROVENANCE.md: 7 objects with 11 versions, 4 delete markers, 4 of them latest.
    assert len({r.key for r in rows}) == 7 and len(rows) == 11
    markers = [r for r in rows if r.delete_marker]
    assert len(markers) == 4 and all(m.is_latest for m in markers)
    assert all("/_temporary/" in m.key for m in markers)
    assert sum(r.is_latest for r in rows) == 7
    success = next(r for r in rows if r.key.endswith("_SUCCESS"))
    assert success.size == 0 and success.etag == "d41d8cd98f00b204e9800998ecf8427e"
    data = [r for r in rows if not r.delete_marker]
    assert all(r.retention and r.retention.startswith("GOVERNANCE until 2025-07-0") for r in data)
    assert all(r.legal_hold == "OFF" for r in data)
    assert {r.storage for r in data} == {"inline"}
    assert store.findings() == []  # .bkp files and tmp/ under .minio.sys are not objects


def test_parallel_scan_equals_serial(tmp_path):
    with VersionStore(tmp_path / "a.sqlite") as a, VersionStore(tmp_path / "b.sqlite") as b:
        scan_dataset(SPARK, a, workers=1)
        scan_dataset(SPARK, b, workers=2)
        assert list(a.rows()) == list(b.rows())
        assert a.findings() == b.findings()


def test_directory_object_and_missing_bucket_metadata(tmp_path, store):
    root = writable_copy(FASHION, tmp_path / "ds")
    (root / "fashion" / "post_1710996431848.jpg").rename(root / "fashion" / f"albums{'__XLDIR__'}")
    shutil.rmtree(root / ".minio.sys" / "buckets" / "fashion" / ".metadata.bin")
    summary = scan_dataset(root, store)
    keys = {r.key for r in store.rows()}
    assert "albums/" in keys and "post_1710996431848.jpg" not in keys
    assert summary.buckets["fashion"].metadata == "missing"
    assert [f.kind for f in store.findings() if f.kind == BUCKET_METADATA] == [BUCKET_METADATA]
    assert len(keys) == 38  # the bucket is still served, with default settings


def test_damage_is_reported_never_raised(tmp_path, store):
    root = writable_copy(FASHION, tmp_path / "ds")
    bucket = root / "fashion"
    # xl.meta gone, data directory left behind
    (bucket / "user_1715596117134.jpg" / "xl.meta").unlink()
    # xl.meta cut short
    cut = bucket / "product_1718856715830.jpg" / "xl.meta"
    cut.write_bytes(cut.read_bytes()[:100])
    # a part file cut short
    part = next((bucket / "post_1715180351422.jpg").glob("*/part.1"))
    part.write_bytes(part.read_bytes()[:1000])
    summary = scan_dataset(root, store)
    kinds = Counter(f.kind for f in store.findings())
    assert kinds == {ORPHAN_DATA: 1, UNREADABLE_META: 1, PART_SIZE: 1, MISSING_PART: 1}
    by_kind = {f.kind: f for f in store.findings()}
    assert by_kind[ORPHAN_DATA].path == "fashion/user_1715596117134.jpg"
    assert "file truncated" in by_kind[UNREADABLE_META].detail
    assert "1000 bytes on disk" in by_kind[PART_SIZE].detail
    assert summary.damage == 4
    assert len(list(store.rows())) == 36  # everything else still read


def test_drives_without_format_json_are_refused_one_by_one(store):
    drives = sorted(CICD.iterdir())
    with pytest.raises(DriveSetRefused) as refused:
        scan_dataset(drives, store)
    for drive in drives:
        assert f"drive {drive}: .minio.sys/format.json is missing: not a MinIO drive" in str(
            refused.value
        )


def give_set_format(drives: list[Path], deployment: str = "d0d0d0d0-0000-4000-8000-000000000000"):
    """MinIO's format.json on each drive of a generated set (cicd-corpus ships none)."""
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(len(drives))]
    for drive, this in zip(drives, ids, strict=True):
        (drive / ".minio.sys").mkdir(exist_ok=True)
        (drive / ".minio.sys" / "format.json").write_text(
            json.dumps(
                {
                    "version": "1",
                    "format": "xl",
                    "id": deployment,
                    "xl": {"version": "3", "this": this, "sets": [ids]},
                }
            )
        )


def test_multi_drive_quorum_is_the_data_blocks_and_every_finding_names_the_drive(tmp_path, store):
    drives = [writable_copy(d, tmp_path / d.name) for d in sorted(CICD.iterdir())]
    give_set_format(drives)
    scan_dataset(drives, store)
    rows = list(store.rows())
    # EcM=3, EcN=2 on 5 drives: 50051050 is whole on 3 (its read quorum), 163c7c9d on 2 only.
    assert [(r.key, r.version_id, r.is_latest) for r in rows] == [
        ("testobj", "50051050-62bc-4928-b0d3-65f4f828a0c7", True)
    ]
    findings = store.findings()
    lost = [f for f in findings if f.kind == UNDER_QUORUM]
    assert len(lost) == 1 and lost[0].kind in DAMAGE
    assert (
        "version 163c7c9d-e856-41ed-93ae-2adccecc8211 is whole on 2 of 5 drives" in lost[0].detail
    )
    assert "needs 3 (its data blocks, EcM): lost" in lost[0].detail
    assert f"drive {drives[0]}: its xl.meta does not list this version" in lost[0].detail
    healing = [f for f in findings if f.kind == NEEDS_HEALING]
    assert NEEDS_HEALING not in DAMAGE
    readable = next(f for f in healing if "50051050" in f.detail)
    assert (
        "whole on 3 of 5 drives" in readable.detail
        and "readable from the parity" in readable.detail
    )
    assert f"drive {drives[4]}: its xl.meta does not list this version" in readable.detail
    orphan = next(f for f in healing if f.path.startswith(str(drives[0])))
    assert "object directory without xl.meta on this drive, the others serve it" in orphan.detail


def test_legacy_fs_layout_is_refused_with_the_way_out(store):
    with pytest.raises(LegacyFsLayout, match="copy the data over the S3 API"):
        scan_dataset(SWIFT, store)


def test_progress_is_reported(store):
    seen = []
    scan_dataset(FASHION, store, progress=seen.append)
    assert seen == [] or seen[-1] <= 38

"""Unit tests for the on-disk dataset check (cutover/layout.py), run with real commands on this host."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import testinfra

from cutover.layout import format_kind, inspect_dataset
from tests.prereq import REAL_SAMPLES, require, require_real_samples

REAL = REAL_SAMPLES

XL_SINGLE = {"version": "1", "format": "xl-single", "id": "x", "xl": {"version": "3"}}


@pytest.fixture(scope="module")
def host():
    return testinfra.get_host("local://")


def make_dataset(root: Path, *buckets: str, fmt: dict | None = None) -> Path:
    """A MinIO data directory: `.minio.sys/format.json` and one directory per bucket."""
    meta = root / ".minio.sys"
    meta.mkdir(parents=True)
    (meta / "format.json").write_text(json.dumps(fmt or XL_SINGLE), encoding="utf-8")
    for bucket in buckets:
        (root / bucket).mkdir()
    return root


def real_sample(relative: str) -> Path:
    path = require_real_samples() / relative
    require(path.exists(), f"real MinIO sample not present: {path}")
    return path


# --- directories built here ----------------------------------------------------------------


def test_xl_single_dataset_with_buckets(host, tmp_path):
    root = make_dataset(tmp_path / "ds", "photos", "backups")
    layout = inspect_dataset(host, str(root))
    assert layout.exists and layout.is_directory
    assert layout.owner == f"{os.getuid()}:{os.getgid()}"
    assert layout.has_minio_meta
    assert layout.bucket_dirs == ["backups", "photos"]
    assert layout.nested_meta_dirs == []
    assert layout.format_kind == "xl-single"
    assert layout.legacy_fs_json is False


def test_owner_is_reported_as_uid_gid(host, tmp_path):
    require(os.geteuid() == 0, "chown to 473:473 needs root")
    root = make_dataset(tmp_path / "ds", "photos")
    os.chown(root, 473, 473)
    assert inspect_dataset(host, str(root)).owner == "473:473"


def test_meta_dirs_and_invalid_bucket_names_are_not_buckets(host, tmp_path):
    root = make_dataset(tmp_path / "ds", "photos", ".rustfs.sys", "Not_A_Bucket", "ab")
    (root / "notes.txt").write_text("a file, not a bucket", encoding="utf-8")
    layout = inspect_dataset(host, str(root))
    assert layout.bucket_dirs == ["photos"]
    assert {e.name for e in layout.entries} >= {".rustfs.sys", "Not_A_Bucket", "notes.txt"}


def test_data_nested_one_level_down(host, tmp_path):
    make_dataset(tmp_path / "ds" / "data", "photos")
    layout = inspect_dataset(host, str(tmp_path / "ds"))
    assert layout.exists and layout.is_directory
    assert not layout.has_minio_meta
    assert layout.nested_meta_dirs == [str(tmp_path / "ds" / "data")]
    assert layout.bucket_dirs == ["data"]
    assert layout.format_kind is None


def test_missing_path(host, tmp_path):
    layout = inspect_dataset(host, str(tmp_path / "nope"))
    assert not layout.exists
    assert not layout.is_directory
    assert layout.owner is None
    assert layout.bucket_dirs == [] and not layout.has_minio_meta


def test_file_instead_of_directory(host, tmp_path):
    path = tmp_path / "dataset.img"
    path.write_bytes(b"\0" * 16)
    layout = inspect_dataset(host, str(path))
    assert layout.exists
    assert not layout.is_directory
    assert layout.owner == f"{os.getuid()}:{os.getgid()}"
    assert layout.entries == [] and not layout.has_minio_meta


def test_path_with_spaces_and_quotes(host, tmp_path):
    root = make_dataset(tmp_path / "my 'minio' data", "photos")
    layout = inspect_dataset(host, str(root))
    assert layout.has_minio_meta and layout.bucket_dirs == ["photos"]


def test_empty_directory_is_not_a_minio_dataset(host, tmp_path):
    layout = inspect_dataset(host, str(tmp_path))
    assert layout.exists and layout.is_directory
    assert not layout.has_minio_meta and layout.bucket_dirs == []
    assert layout.format_kind is None


def test_unreadable_format_json(host, tmp_path):
    root = make_dataset(tmp_path / "ds", "photos")
    (root / ".minio.sys" / "format.json").write_text("{not json", encoding="utf-8")
    assert inspect_dataset(host, str(root)).format_kind == "unreadable"


def test_legacy_fs_object_metadata_is_found(host, tmp_path):
    root = make_dataset(tmp_path / "ds", "photos", fmt={"version": "1", "format": "fs"})
    fs_meta = root / ".minio.sys" / "buckets" / "photos" / "a.jpg"
    fs_meta.mkdir(parents=True)
    (fs_meta / "fs.json").write_text('{"version":"1.0.2"}', encoding="utf-8")
    layout = inspect_dataset(host, str(root))
    assert layout.format_kind == "fs"
    assert layout.legacy_fs_json is True


def test_legacy_fs_metadata_of_an_object_under_a_prefix_is_found(host, tmp_path):
    root = make_dataset(tmp_path / "ds", "photos", fmt={"version": "1", "format": "fs"})
    fs_meta = root / ".minio.sys" / "buckets" / "photos" / "2024" / "a.jpg"
    fs_meta.mkdir(parents=True)
    (fs_meta / "fs.json").write_text('{"version":"1.0.2"}', encoding="utf-8")
    assert inspect_dataset(host, str(root)).legacy_fs_json is True


# --- format_kind -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ('{"format": "xl-single"}', "xl-single"),
        ('{"format": "xl"}', "xl"),
        ('{"format": "fs"}', "fs"),
        ("{}", "unknown"),
        ('["xl"]', "unknown"),
        ("", "unreadable"),
        ("{truncated", "unreadable"),
    ],
)
def test_format_kind(text, kind):
    assert format_kind(text) == kind


# --- real MinIO-written samples (read only) ----------------------------------------------------


def test_real_fashion_cloud_minio_is_xl_single_with_bucket_fashion(host):
    layout = inspect_dataset(host, str(real_sample("Pham-Thanh-Huy__fashion-cloud-minio")))
    assert layout.has_minio_meta
    assert layout.bucket_dirs == ["fashion"]
    assert layout.format_kind == "xl-single"
    assert layout.nested_meta_dirs == []
    assert layout.legacy_fs_json is False


def test_real_spark_docker_data_is_xl_single_with_bucket_testes(host):
    layout = inspect_dataset(host, str(real_sample("BarbaraCerqueira__Spark-Docker/minio/data")))
    assert layout.has_minio_meta
    assert layout.bucket_dirs == ["testes"]
    assert layout.format_kind == "xl-single"
    assert layout.legacy_fs_json is False


def test_real_spark_docker_parent_is_nested_one_level_down(host):
    path = real_sample("BarbaraCerqueira__Spark-Docker/minio")
    layout = inspect_dataset(host, str(path))
    assert not layout.has_minio_meta
    assert layout.nested_meta_dirs == [str(path / "data")]
    assert layout.format_kind is None


def test_real_swiftlatex_is_legacy_fs_format(host):
    layout = inspect_dataset(host, str(real_sample("SwiftLaTeX__minio")))
    assert layout.has_minio_meta
    assert layout.format_kind == "fs"
    assert layout.bucket_dirs == []

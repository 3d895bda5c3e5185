"""Unit tests for the dataset manifest loader (cutover/manifest.py)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from cutover.errors import ConfigError
from cutover.manifest import Manifest, Tier, load_manifest
from cutover.profile import REPO_ROOT

SHIPPED = REPO_ROOT / "data-plane" / "datasets.yml"


def _bucket(name: str = "good-bucket", **fields) -> dict:
    return {"name": name, "tier": "local", "owner": "team", "purpose": "tests", **fields}


@pytest.fixture
def write(tmp_path: Path):
    """Write a manifest (dict: dumped as YAML; str: written verbatim) and return its path."""

    def _write(content: dict | str) -> Path:
        path = tmp_path / "datasets.yml"
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def shipped_data() -> dict:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def _error(path: Path) -> str:
    with pytest.raises(ConfigError) as exc_info:
        load_manifest(path)
    return str(exc_info.value)


# --- the shipped manifest ---------------------------------------------------------------


def test_shipped_manifest_loads_six_buckets():
    manifest = load_manifest(SHIPPED)
    assert isinstance(manifest, Manifest)
    assert manifest.version == 1
    assert manifest.names == sorted(
        ["raw", "curated", "ml-models", "audit-logs", "rerun-recordings", "website-assets"]
    )


def test_shipped_manifest_tiers():
    manifest = load_manifest(SHIPPED)
    assert {b.name for b in manifest.in_tier(Tier.LOCAL)} == {
        "raw",
        "curated",
        "ml-models",
        "audit-logs",
    }
    assert {b.name for b in manifest.in_tier(Tier.R2)} == {"rerun-recordings", "website-assets"}


def test_shipped_manifest_flags():
    manifest = load_manifest(SHIPPED)
    audit = manifest.bucket("audit-logs")
    assert audit.versioning and audit.object_lock and not audit.public
    assert manifest.bucket("ml-models").versioning
    assert not manifest.bucket("ml-models").object_lock
    assert manifest.bucket("rerun-recordings").public
    raw = manifest.bucket("raw")
    assert (raw.versioning, raw.object_lock, raw.public) == (False, False, False)
    assert raw.owner == "data-engineering"


def test_unknown_bucket_lookup_raises_key_error():
    with pytest.raises(KeyError):
        load_manifest(SHIPPED).bucket("nope")


# --- one problem per file ---------------------------------------------------------------


def test_unknown_key_names_file_bucket_and_field(write, shipped_data):
    shipped_data["buckets"][1]["tire"] = "local"
    path = write(shipped_data)
    message = _error(path)
    assert str(path) in message
    assert "bucket 'curated' (buckets[1])" in message
    assert "'tire'" in message
    assert "unknown key" in message


def test_duplicate_bucket_names_both_indexes(write, shipped_data):
    shipped_data["buckets"].append(copy.deepcopy(shipped_data["buckets"][2]))
    path = write(shipped_data)
    message = _error(path)
    assert str(path) in message
    assert "'ml-models'" in message
    assert "buckets[2]" in message
    assert "buckets[6]" in message


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Raw", "lowercase"),
        ("raw_data", "lowercase"),
        ("ab", "3 to 63 characters"),
        ("a" * 64, "3 to 63 characters"),
        ("192.168.1.1", "IP address"),
        ("raw..data", "'..'"),
        ("-raw", "start and end"),
    ],
    ids=[
        "uppercase",
        "underscore",
        "too-short",
        "too-long",
        "ip-like",
        "double-dot",
        "leading-dash",
    ],
)
def test_invalid_bucket_name(write, name, reason):
    path = write({"version": 1, "buckets": [_bucket(), _bucket(name)]})
    message = _error(path)
    assert str(path) in message
    assert f"bucket {name!r} (buckets[1])" in message
    assert "field 'name'" in message
    assert "not a valid S3 bucket name" in message
    assert reason in message


@pytest.mark.parametrize("name", ["abc", "a" * 63, "my.bucket-1", "1bucket"])
def test_valid_bucket_names_accepted(write, name):
    assert load_manifest(write({"buckets": [_bucket(name)]})).names == [name]


def test_bad_tier(write):
    path = write({"buckets": [_bucket("raw", tier="s3")]})
    message = _error(path)
    assert str(path) in message
    assert "bucket 'raw' (buckets[0])" in message
    assert "field 'tier'" in message
    assert "'local' or 'r2'" in message


def test_object_lock_without_versioning(write):
    path = write({"buckets": [_bucket(), _bucket("vault", object_lock=True)]})
    message = _error(path)
    assert str(path) in message
    assert "bucket 'vault' (buckets[1])" in message
    assert "object_lock" in message
    assert "versioning" in message


def test_object_lock_with_versioning_is_fine(write):
    manifest = load_manifest(write({"buckets": [_bucket(object_lock=True, versioning=True)]}))
    assert manifest.bucket("good-bucket").object_lock


@pytest.mark.parametrize("field", ["name", "tier", "owner", "purpose"])
def test_missing_required_field(write, field):
    bucket = _bucket("raw")
    del bucket[field]
    path = write({"buckets": [bucket]})
    message = _error(path)
    assert str(path) in message
    assert "(buckets[0])" in message
    assert f"field {field!r}" in message
    assert "required key is missing" in message


def test_empty_bucket_list(write):
    path = write({"version": 1, "buckets": []})
    message = _error(path)
    assert str(path) in message
    assert "field 'buckets'" in message
    assert "at least 1" in message


def test_malformed_yaml_gives_line_and_column_without_traceback(write):
    path = write("version: 1\nbuckets:\n  - name: raw\n   tier: local\n")
    with pytest.raises(ConfigError) as exc_info:
        load_manifest(path)
    message = str(exc_info.value)
    assert str(path) in message
    assert "not valid YAML at line 4, column 4" in message
    assert exc_info.value.__cause__ is None
    assert exc_info.value.__suppress_context__
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("text", "found"), [("- raw\n- curated\n", "list"), ("just a string\n", "str")]
)
def test_top_level_not_a_mapping(write, text, found):
    path = write(text)
    message = _error(path)
    assert str(path) in message
    assert "expected a YAML mapping" in message
    assert f"found {found}" in message


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.yml"
    message = _error(path)
    assert "not found" in message
    assert str(path) in message


def test_unsupported_version(write, shipped_data):
    shipped_data["version"] = 2
    path = write(shipped_data)
    message = _error(path)
    assert str(path) in message
    assert "field 'version'" in message
    assert "unsupported manifest version 2" in message


def test_unknown_top_level_key(write, shipped_data):
    shipped_data["bukets"] = []
    message = _error(write(shipped_data))
    assert "field 'bukets'" in message
    assert "unknown key" in message


# --- several problems at once -----------------------------------------------------------


def test_all_problems_reported_at_once(write, shipped_data):
    buckets = shipped_data["buckets"]
    buckets[0]["tire"] = "local"
    del buckets[1]["owner"]
    buckets[2]["tier"] = "s3"
    buckets[4]["name"] = "Bad_Name"
    path = write(shipped_data)
    message = _error(path)
    assert f"{path}: 4 problem(s):" in message
    assert "bucket 'raw' (buckets[0]) field 'tire'" in message
    assert "bucket 'curated' (buckets[1]) field 'owner'" in message
    assert "bucket 'ml-models' (buckets[2]) field 'tier'" in message
    assert "bucket 'Bad_Name' (buckets[4]) field 'name'" in message
    assert len(message.splitlines()) == 5


def test_duplicate_reported_alongside_other_problems(write, shipped_data):
    data = copy.deepcopy(shipped_data)
    data["buckets"].append(copy.deepcopy(data["buckets"][0]))
    data["buckets"][1]["tier"] = "s3"
    message = _error(write(data))
    assert "2 problem(s)" in message
    assert "bucket 'raw' is listed twice (buckets[0] and buckets[6])" in message
    assert "bucket 'curated' (buckets[1]) field 'tier'" in message


def test_empty_file_says_so(write):
    assert "the file is empty" in _error(write(""))

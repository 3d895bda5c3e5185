"""What RustFS cannot take over, found from bytes and command output alone (no server).

The xl.meta files here are built the way MinIO lays them out (1.3, indexed, CRC): a version
whose system metadata carries MinIO's compression marker, as cmd/object-api-utils.go writes it.
Real MinIO output is the negative rehearsal's job (tests/rehearsal/test_negative_hazards.py).
"""

from __future__ import annotations

import json
import struct
import subprocess
import uuid
from pathlib import Path
from types import SimpleNamespace

import msgpack
import xxhash
from botocore.exceptions import ClientError

from cutover import hazards
from cutover.ondisk import DAMAGE, STORED_COMPRESSED, bucket_info_from_payload, scan_dataset
from cutover.preflight import unacknowledged_sse
from cutover.service_accounts import dated, never_expiring, service_account_expirations
from cutover.versionstore import Finding, VersionStore
from cutover.xlmeta import MAGIC, parse_xl_meta

S2 = "klauspost/compress/s2"


def xl_meta(*, compressed: bool, size: int = 10_000, stored: int = 612) -> tuple[bytes, str]:
    """One object version in xl.meta 1.3, its data in part.1 of a data directory."""
    vid, ddir = uuid.uuid4().bytes, uuid.uuid4()
    sys_meta = {"X-Minio-Internal-actual-size": str(size).encode()}
    if compressed:
        sys_meta["X-Minio-Internal-compression"] = S2.encode()
    obj = {
        "ID": vid,
        "DDir": ddir.bytes,
        "EcAlgo": 1,
        "EcM": 1,
        "EcN": 0,
        "EcBSize": 1 << 20,
        "EcIndex": 1,
        "EcDist": [1],
        "CSumAlgo": 1,
        "PartNums": [1],
        "PartETags": None,
        "PartSizes": [stored if compressed else size],
        "PartASizes": [size],
        "Size": stored if compressed else size,
        "MTime": 1_780_000_000_000_000_000,
        "MetaSys": sys_meta,
        "MetaUsr": {"etag": "0" * 32, "content-type": "text/csv"},
    }
    meta = msgpack.packb({"Type": 1, "V2Obj": obj})
    header = msgpack.packb([vid, obj["MTime"], b"\0\0\0\0", 1, 2, 0])
    body = b"".join(msgpack.packb(x) for x in (3, 2, 1)) + msgpack.packb(header)
    body += msgpack.packb(meta)
    crc = struct.pack(">I", xxhash.xxh64_intdigest(body) & 0xFFFFFFFF)
    return MAGIC + struct.pack("<HH", 1, 3) + msgpack.packb(body) + b"\xce" + crc, str(ddir)


def test_compression_marker_is_read_from_system_metadata():
    raw, _ = xl_meta(compressed=True)
    (version,) = parse_xl_meta(raw).versions
    assert version.compression == S2
    assert (version.size, version.stored_size) == (10_000, 612)
    plain, _ = xl_meta(compressed=False)
    assert parse_xl_meta(plain).versions[0].compression == ""


def _dataset(root: Path, objects: dict[str, bool]) -> Path:
    (root / ".minio.sys").mkdir(parents=True)
    (root / ".minio.sys" / "format.json").write_text(
        json.dumps({"version": "1", "format": "xl-single", "id": str(uuid.uuid4())})
    )
    for key, compressed in objects.items():
        raw, ddir = xl_meta(compressed=compressed)
        directory = root / "raw" / key
        (directory / ddir).mkdir(parents=True)
        (directory / "xl.meta").write_bytes(raw)
        size = 612 if compressed else 10_000
        (directory / ddir / "part.1").write_bytes(b"\0" * (size + 32))
    return root


def test_disk_scan_names_compressed_objects_and_calls_them_no_damage(tmp_path):
    root = _dataset(tmp_path / "ds", {"logs/app.log": True, "img/cat.jpg": False})
    with VersionStore(tmp_path / "v.sqlite") as store:
        summary = scan_dataset(root, store)
        found = [f for f in store.findings() if f.kind == STORED_COMPRESSED]
    assert [f.path for f in found] == ["raw/logs/app.log"]
    assert f"is compressed with {S2}" in found[0].detail
    assert "(10000 bytes, 612 stored)" in found[0].detail
    assert STORED_COMPRESSED not in DAMAGE and summary.damage == 0


def test_one_finding_per_object_on_a_set_of_drives():
    one = Finding(STORED_COMPRESSED, "raw", "/d1/raw/a.log", "version null ...")
    two = one._replace(path="/d2/raw/a.log")
    other = one._replace(path="/d2/raw/b.log")
    assert [f.path for f in hazards.distinct_findings([one, two, other])] == [
        "raw/a.log",
        "raw/b.log",
    ]


class LocalHost:
    """testinfra's `host.run` on this machine, enough for the scans."""

    def run(self, command: str):
        proc = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=False)
        return SimpleNamespace(rc=proc.returncode, stdout=proc.stdout, stderr=proc.stderr)


def test_host_scan_finds_compressed_objects_but_not_minio_config(tmp_path):
    root = _dataset(tmp_path / "ds", {"logs/app.log": True, "dir/x.csv__XLDIR__": True})
    _dataset(tmp_path / "other", {"plain.bin": False})
    raw, _ = xl_meta(compressed=True)
    config = root / ".minio.sys" / "config" / "x"
    config.mkdir(parents=True)
    (config / "xl.meta").write_bytes(raw)  # MinIO's own files are never objects
    found = hazards.compressed_objects(LocalHost(), str(root))
    assert found == ["raw/dir/x.csv/", "raw/logs/app.log"]
    assert hazards.compressed_objects(LocalHost(), str(tmp_path / "other")) == []


def test_host_scan_that_cannot_run_is_an_error_not_a_pass(tmp_path):
    try:
        hazards.compressed_objects(LocalHost(), str(tmp_path / "missing"))
    except RuntimeError as exc:
        assert "grep exit 2" in str(exc)
    else:
        raise AssertionError("a failed scan passed as 'nothing compressed'")


def test_legacy_xl_json_objects_found_outside_minio_sys(tmp_path):
    root = _dataset(tmp_path / "ds", {"new.csv": False})
    for where in ("raw/old/report.csv", "raw/old/dir__XLDIR__", ".minio.sys/buckets/raw/x"):
        (root / where).mkdir(parents=True)
        (root / where / "xl.json").write_text("{}")
    (root / "raw" / "xl.json").write_text("{}")  # a file at the bucket's top is no object
    found = hazards.legacy_xl_json_objects(LocalHost(), str(root))
    assert found == ["raw/old/dir/", "raw/old/report.csv"]
    assert hazards.by_bucket(found) == "raw: 2"


class FakeS3:
    def __init__(self, rules: dict[str, dict | None], broken: set[str] = frozenset()):
        self.rules, self.broken = rules, broken

    def get_bucket_encryption(self, Bucket):
        if Bucket in self.broken:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "Get")
        rule = self.rules.get(Bucket)
        if rule is None:
            code = "ServerSideEncryptionConfigurationNotFoundError"
            raise ClientError({"Error": {"Code": code, "Message": "none"}}, "Get")
        return {"ServerSideEncryptionConfiguration": {"Rules": [rule]}}


def test_bucket_default_encryption_by_kind_and_unreadable_named():
    kms = {
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k1"}
    }
    s3 = FakeS3(
        {"a": {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}, "b": kms},
        broken={"c"},
    )
    found = hazards.bucket_default_encryption(s3, ["a", "b", "c", "d"])
    assert found.buckets == {"a": "SSE-S3", "b": "SSE-KMS (key k1)"}
    assert list(found.unreadable) == ["c"] and "AccessDenied" in found.unreadable["c"]


def test_sse_kinds_are_named_and_counted():
    encrypted = {
        "raw\0a\0null": "AES256",
        "raw\0b\0null": "aws:kms",
        "raw\0c\0null": "SSE-C",
        "raw\0d\0null": "AES256",
    }
    assert hazards.describe_sse_counts(encrypted) == "2 SSE-S3, 1 SSE-KMS, 1 SSE-C"
    lines = unacknowledged_sse(encrypted, ["raw/d"])
    assert lines == [
        "raw/a (version null): SSE-S3 (AES256)",
        "raw/b (version null): SSE-KMS (aws:kms)",
        "raw/c (version null): SSE-C",
    ]


def test_first_lines_say_how_many_more():
    assert hazards.first([f"k{i}" for i in range(5)], 2) == "  k0\n  k1\n  ... and 3 more"


def test_bucket_default_encryption_decoded_from_bucket_metadata():
    xml = (
        b'<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        b"<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>"
        b"<KMSMasterKeyID>k1</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule>"
        b"</ServerSideEncryptionConfiguration>"
    )
    head = struct.pack("<HH", 1, 1)
    encrypted = bucket_info_from_payload("b", head + msgpack.packb({"EncryptionConfigXML": xml}))
    assert encrypted.default_encryption == "aws:kms"
    plain = bucket_info_from_payload("b", head + msgpack.packb({"EncryptionConfigXML": b""}))
    assert plain.default_encryption == ""


def test_service_account_expirations_from_identity_json(tmp_path):
    iam = tmp_path / ".minio.sys" / "config" / "iam"
    assert service_account_expirations(LocalHost(), str(iam)) == {}  # no directory: none
    for key, expiry in (
        ("svc-never", "1970-01-01T00:00:00Z"),
        ("svc-dated", "2030-01-01T00:00:00Z"),
    ):
        meta = iam / "service-accounts" / key / "identity.json" / "xl.meta"
        meta.parent.mkdir(parents=True)
        body = f'{{"version":1,"credentials":{{"accessKey":"{key}","expiration":"{expiry}"}}}}'
        meta.write_bytes(b"XL2 \x01\x00\x03\x00\xff\x00" + body.encode())
    found = service_account_expirations(LocalHost(), str(iam))
    assert found == {"svc-dated": "2030-01-01T00:00:00Z", "svc-never": "1970-01-01T00:00:00Z"}
    assert never_expiring(found) == ["svc-never"]
    assert dated(found) == {"svc-dated": "2030-01-01T00:00:00Z"}


def test_read_back_names_refusals_short_reads_and_changed_content():
    import hashlib
    import io

    from cutover.inventory import ObjectVersion

    data = b"x" * 100

    class Target:
        def get_object(self, Bucket, Key, **extra):
            if Key == "refused":
                raise ClientError({"Error": {"Code": "InternalError", "Message": "s2"}}, "Get")
            body = {"short": data[:10], "garbled": b"y" * 100}.get(Key, data)
            return {"Body": io.BytesIO(body)}

    def version(key: str) -> ObjectVersion:
        md5 = hashlib.md5(data).hexdigest()
        return ObjectVersion("raw", key, "null", True, False, 100, md5, "")

    versions = [version(k) for k in ("ok", "refused", "short", "garbled")]
    assert hazards.read_back_problems(Target(), versions) == [
        "raw/refused (version null): GET refused (InternalError)",
        "raw/short (version null): 10 bytes read, 100 written",
        "raw/garbled (version null): content differs (MD5 is not the ETag)",
    ]

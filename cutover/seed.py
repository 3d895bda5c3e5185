"""Realistic lakehouse data for a rehearsal, written through MinIO's own S3 and admin APIs.

The mix is chosen to exercise every way MinIO lays data out on disk: objects small enough
to be inlined in xl.meta, objects in part.N files, multipart uploads, versions and delete
markers, retention and legal holds, and keys that are awkward on a filesystem.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from botocore.client import BaseClient
from pydantic import SecretStr

from cutover.manifest import BucketSpec, Manifest, Tier
from cutover.objectmeta import crc32c_b64
from cutover.redact import remember
from cutover.s3 import UserKey

PART_SIZE = 5 * 1024 * 1024
MULTIPART_PARTS = 3
READ_POLICY = "lakehouse-read"
READER_USER = "etl-reader"
READER_GROUP = "data-readers"

AWKWARD_KEYS = (
    "reports/Q2 summary (final).csv",  # spaces and parentheses
    "données/été-2026/naïve-ß.txt",  # unicode
    "a/b/c/d/e/f/g/h/i/j/deep.json",  # deep prefix
    "dt=2026-06-01/_SUCCESS",  # 0-byte marker
)


@dataclass
class SeedReport:
    """What was written, so the change record can say how much the rehearsal moved."""

    buckets: list[str] = field(default_factory=list)
    objects: set[tuple[str, str]] = field(default_factory=set)
    versions: int = 0
    delete_markers: int = 0
    multipart_objects: list[str] = field(default_factory=list)
    bytes_written: int = 0
    iam: dict[str, list[str]] = field(default_factory=dict)
    sse_objects: list[str] = field(default_factory=list)
    # The seeded users' own keys: never in as_dict(), so never in the change record.
    user_keys: list[UserKey] = field(default_factory=list)
    # A never-expiring service account (cutover.service_accounts); not in user_keys.
    service_account: UserKey | None = None

    def note(self, bucket: str, key: str, size: int) -> None:
        self.objects.add((bucket, key))
        self.versions += 1
        self.bytes_written += size

    def as_dict(self) -> dict:
        return {
            "buckets": len(self.buckets),
            "objects": len(self.objects),
            "versions": self.versions,
            "delete_markers": self.delete_markers,
            "multipart_objects": self.multipart_objects,
            "bytes_written": self.bytes_written,
            "iam": self.iam,
            "sse_objects": self.sse_objects,
        }


class Seeder:
    def __init__(self, s3: BaseClient, admin, *, seed: int = 473) -> None:
        self.s3 = s3
        self.admin = admin
        self.rng = random.Random(seed)
        self.report = SeedReport()

    def _bytes(self, size: int) -> bytes:
        return self.rng.randbytes(size)

    def put(self, bucket: str, key: str, body: bytes, **extra) -> dict:
        response = self.s3.put_object(Bucket=bucket, Key=key, Body=body, **extra)
        self.report.note(bucket, key, len(body))
        return response

    def create_bucket(self, spec: BucketSpec) -> None:
        self.s3.create_bucket(Bucket=spec.name, ObjectLockEnabledForBucket=spec.object_lock)
        if spec.versioning and not spec.object_lock:
            self.s3.put_bucket_versioning(
                Bucket=spec.name, VersioningConfiguration={"Status": "Enabled"}
            )
        self.s3.put_bucket_tagging(
            Bucket=spec.name,
            Tagging={
                "TagSet": [
                    {"Key": "owner", "Value": spec.owner},
                    {"Key": "tier", "Value": spec.tier.value},
                ]
            },
        )
        if spec.public:
            self.s3.put_bucket_policy(
                Bucket=spec.name, Policy=json.dumps(public_read_policy(spec.name))
            )
        self.report.buckets.append(spec.name)

    def common_objects(self, spec: BucketSpec) -> None:
        b = spec.name
        self.put(b, "README.txt", f"{spec.name}: {spec.purpose}\nowner: {spec.owner}\n".encode())
        self.put(b, "dt=2026-06-01/part-00000.parquet", self._bytes(12 * 1024))  # inlined
        self.put(b, "dt=2026-06-01/part-00001.parquet", self._bytes(300 * 1024))  # part.1 file
        for key in AWKWARD_KEYS:
            body = b"" if key.endswith("_SUCCESS") else self._bytes(self.rng.randint(200, 4000))
            self.put(b, key, body, ContentType="text/plain")

    def multipart(self, bucket: str, key: str, parts: int = MULTIPART_PARTS) -> None:
        upload = self.s3.create_multipart_upload(Bucket=bucket, Key=key)
        done = []
        size = 0
        for number in range(1, parts + 1):
            body = self._bytes(PART_SIZE if number < parts else PART_SIZE // 2)
            size += len(body)
            part = self.s3.upload_part(
                Bucket=bucket, Key=key, UploadId=upload["UploadId"], PartNumber=number, Body=body
            )
            done.append({"PartNumber": number, "ETag": part["ETag"]})
        self.s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload["UploadId"], MultipartUpload={"Parts": done}
        )
        self.report.note(bucket, key, size)
        self.report.multipart_objects.append(f"{bucket}/{key}")

    def object_metadata(self, bucket: str) -> None:
        """What a website's assets carry and its clients depend on (phase 45 compares it):
        Content-Type, Content-Encoding, Cache-Control, Content-Disposition, x-amz-meta-*,
        tags, a non-STANDARD storage class (MinIO accepts REDUCED_REDUNDANCY), and additional
        checksums: CRC32C and SHA256 on single uploads, CRC32C (COMPOSITE) and CRC32
        (FULL_OBJECT) on multipart ones. CRC32C is passed precomputed (botocore computes it
        only with awscrt)."""
        page = gzip.compress(b"<!doctype html><title>aegean.ai</title>\n" * 40, mtime=0)
        self.put(
            bucket,
            "site/index.html",
            page,
            ContentType="text/html; charset=utf-8",
            ContentEncoding="gzip",
            CacheControl="public, max-age=300",
            ContentDisposition='inline; filename="index.html"',
            Metadata={"Build-Id": "2026.06.01-7", "origin": "ci"},
            Tagging="team=web&stage=prod",
            StorageClass="REDUCED_REDUNDANCY",
            ChecksumCRC32C=crc32c_b64(page),
        )
        self.put(
            bucket,
            "site/assets/app.js",
            b"console.log('aegean');\n" * 14_000,  # 322 KB: part.1, not inline
            ContentType="application/javascript",
            CacheControl="public, max-age=31536000, immutable",
            Metadata={"Source-Map": "app.js.map"},
            ChecksumAlgorithm="SHA256",
        )
        self.checksummed_multipart(
            bucket,
            "site/media/hero.mp4",
            "CRC32C",
            ContentType="video/mp4",
            CacheControl="public, max-age=86400",
            Metadata={"duration": "12s"},
            Tagging="team=video",
        )
        self.checksummed_multipart(
            bucket, "site/media/outro.mp4", "CRC32", ContentType="video/mp4", full_object=True
        )

    def checksummed_multipart(
        self, bucket: str, key: str, algorithm: str, *, full_object: bool = False, **create
    ) -> None:
        """A 2-part upload (5 MiB + 64 KiB) with an additional checksum on every part."""
        if full_object:
            create["ChecksumType"] = "FULL_OBJECT"
        upload = self.s3.create_multipart_upload(
            Bucket=bucket, Key=key, ChecksumAlgorithm=algorithm, **create
        )
        done, size = [], 0
        for number, length in enumerate((PART_SIZE, 64 * 1024), 1):
            body = self._bytes(length)
            size += length
            checksum = (
                {"ChecksumCRC32C": crc32c_b64(body)}
                if algorithm == "CRC32C"
                else {"ChecksumAlgorithm": algorithm}
            )
            part = self.s3.upload_part(
                Bucket=bucket,
                Key=key,
                UploadId=upload["UploadId"],
                PartNumber=number,
                Body=body,
                **checksum,
            )
            done.append(
                {
                    "PartNumber": number,
                    "ETag": part["ETag"],
                    f"Checksum{algorithm}": part[f"Checksum{algorithm}"],
                }
            )
        self.s3.complete_multipart_upload(
            Bucket=bucket,
            Key=key,
            UploadId=upload["UploadId"],
            MultipartUpload={"Parts": done},
            **({"ChecksumType": "FULL_OBJECT"} if full_object else {}),
        )
        self.report.note(bucket, key, size)
        self.report.multipart_objects.append(f"{bucket}/{key}")

    def lifecycle(self, bucket: str) -> None:
        self.s3.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            LifecycleConfiguration={
                "Rules": [
                    {
                        "ID": "expire-scratch",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "tmp/"},
                        "Expiration": {"Days": 7},
                    }
                ]
            },
        )
        self.put(bucket, "tmp/scratch-0001.csv", b"a,b\n1,2\n")

    def versions(self, bucket: str) -> None:
        for generation in range(1, 4):
            self.put(bucket, "models/churn/model.bin", self._bytes(20 * 1024 + generation))
        self.put(bucket, "models/churn/metrics.json", b'{"auc": 0.91}')
        self.s3.delete_object(Bucket=bucket, Key="models/churn/metrics.json")
        self.report.delete_markers += 1
        self.report.versions += 1
        self.multipart(bucket, "models/llm/weights.safetensors")

    def retention(self, bucket: str) -> None:
        until = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
        self.put(
            bucket,
            "2026/06/05/audit-000.jsonl",
            b'{"event":"login"}\n' * 40,
            ObjectLockMode="GOVERNANCE",
            ObjectLockRetainUntilDate=until,
        )
        self.put(
            bucket,
            "2026/06/05/incident-42.jsonl",
            b'{"event":"incident"}\n',
            ObjectLockLegalHoldStatus="ON",
        )

    def iam(self, readable_bucket: str) -> None:
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
                    "Resource": [
                        f"arn:aws:s3:::{readable_bucket}",
                        f"arn:aws:s3:::{readable_bucket}/*",
                    ],
                }
            ],
        }
        self.admin.policy_add(READ_POLICY, policy=policy)
        secret = SecretStr(f"{READER_USER}-{self.rng.getrandbits(64):016x}")
        remember(secret, f"IAM user {READER_USER}'s secret key")
        self.admin.user_add(READER_USER, secret.get_secret_value())
        self.report.user_keys.append(UserKey(READER_USER, secret, readable_bucket))
        self.admin.attach_policy([READ_POLICY], user=READER_USER)
        self.admin.group_add(READER_GROUP, [READER_USER])
        self.admin.attach_policy([READ_POLICY], group=READER_GROUP)
        self.report.iam = {
            "users": [READER_USER],
            "groups": [READER_GROUP],
            "policies": [READ_POLICY],
        }


def public_read_policy(bucket: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Id": f"{bucket}-public-read",  # policies written by tools carry an Id; it must survive
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": ["*"]},
                "Action": ["s3:GetObject"],
                "Resource": [f"arn:aws:s3:::{bucket}/*"],
            }
        ],
    }


def seed_from_manifest(s3: BaseClient, admin, manifest: Manifest, *, seed: int = 473) -> SeedReport:
    """Create every manifest bucket with its settings and fill it; returns what was written."""
    seeder = Seeder(s3, admin, seed=seed)
    plain_local = [b for b in manifest.in_tier(Tier.LOCAL) if not b.versioning]
    for spec in manifest.buckets:
        seeder.create_bucket(spec)
        seeder.common_objects(spec)
        if spec.object_lock:
            seeder.retention(spec.name)
        elif spec.versioning:
            seeder.versions(spec.name)
    exposed = manifest.in_tier(Tier.R2)
    if exposed:
        # R2 mirrors this one: rclone has no MD5 for a multipart ETag, so its check must
        # compare it some other way (phase 60). Two parts keep the rehearsal small.
        seeder.multipart(exposed[0].name, "recordings/2026-06-01/session-0001.rrd", parts=2)
    if exposed:
        # Objects whose headers, tags and checksums clients depend on (phase 45's metadata
        # parity): in the website bucket when the manifest has one, as in production.
        site = next((b for b in exposed if "website" in b.name), exposed[-1])
        seeder.object_metadata(site.name)
    if plain_local:
        seeder.multipart(plain_local[0].name, "exports/events-2026-06.parquet")
        seeder.lifecycle(plain_local[0].name)
    if admin is not None:
        readable = (plain_local[1] if len(plain_local) > 1 else manifest.buckets[0]).name
        seeder.iam(readable)
    return seeder.report


SSE_PREFIX = "finance/"


def seed_sse_objects(s3: BaseClient, manifest: Manifest, report: SeedReport) -> list[str]:
    """SSE-S3 objects (MinIO must have a KMS key): they list on RustFS but cannot be read."""
    plain_local = [b for b in manifest.in_tier(Tier.LOCAL) if not b.versioning]
    bucket = (plain_local[1] if len(plain_local) > 1 else manifest.buckets[0]).name
    written = []
    for month in ("05", "06"):
        key = f"{SSE_PREFIX}payroll-2026-{month}.csv"
        body = f"employee,amount\nalice,{month}00\n".encode()
        s3.put_object(Bucket=bucket, Key=key, Body=body, ServerSideEncryption="AES256")
        report.note(bucket, key, len(body))
        written.append(f"{bucket}/{key}")
    report.sse_objects = written
    return written

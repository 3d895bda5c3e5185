"""What an engine serves: every object version, every bucket setting, every IAM entity.

Captured from MinIO while it still runs (the baseline) and from the target after the cutover;
the two must be equal, field for field, for the cutover to count as lossless.
"""

from __future__ import annotations

import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from cutover.s3 import error_code


class ObjectVersion(NamedTuple):
    """One object version, from whichever side saw it: an S3 listing (baseline, target) or the
    disk (xl.meta). A tuple, not a dataclass: the on-disk scan makes one per version, a million
    of them at lakehouse scale, and reads them back in bulk from the SQLite version store.

    Ordered as a tuple, so sorting gives (bucket, key, version id) order, S3's listing order.
    The first ten fields are what a listing knows; the rest only the disk knows ("" or 0 when
    the side that saw it does not know them).
    """

    bucket: str
    key: str
    version_id: str
    is_latest: bool
    delete_marker: bool
    size: int
    etag: str
    last_modified: str
    retention: str | None = None  # "GOVERNANCE until 2026-12-01T00:00:00Z"
    legal_hold: str | None = None  # "ON" / "OFF"
    mod_time_ns: int = 0
    kind: str = ""  # object, delete-marker, legacy
    content_type: str = ""
    storage: str = ""  # inline, parts, none
    encryption: str = ""  # SSE-S3, SSE-KMS, SSE-C
    stored_size: int = 0
    data_blocks: int = 0  # EcM: drives needed to read it (a set of drives); 0 when not known
    parity_blocks: int = 0  # EcN
    shard_problem: str = ""  # one drive's copy in a set: why its shard is not whole ("" if it is)
    # What else a client sent with it (headers, x-amz-meta-*, tags, storage class, checksum):
    # cutover.objectmeta's compact JSON, "" when nothing beyond Content-Type.
    object_meta: str = ""

    @property
    def ident(self) -> tuple[str, str, str]:
        return (self.bucket, self.key, self.version_id)

    @property
    def label(self) -> str:
        return f"{self.bucket}/{self.key} (version {self.version_id})"

    def listed(self) -> dict[str, Any]:
        """The fields a listing knows, by name: what an inventory's JSON and the change
        record's diff hold (the disk-only fields stay in the version store)."""
        return dict(zip(LISTING_FIELDS, self, strict=False))


# What an S3 listing (with object-lock reads) tells about a version: ObjectVersion's first ten.
LISTING_FIELDS = ObjectVersion._fields[:10]

COMPARED_FIELDS = (
    "is_latest",
    "delete_marker",
    "size",
    "etag",
    "last_modified",
    "retention",
    "legal_hold",
)


@dataclass
class BucketConfig:
    """Every per-bucket setting the runbook says carries over, normalised for comparison."""

    versioning: str = "Off"
    object_lock: dict[str, Any] | str | None = None
    lifecycle: list[dict[str, Any]] | str | None = None  # a str says why it was unreadable
    policy: dict[str, Any] | str | None = None
    tags: dict[str, str] | str = field(default_factory=dict)


CONFIG_KINDS = ("versioning", "object_lock", "lifecycle", "policy", "tags")


@dataclass
class IamSnapshot:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {status, policies}
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {members, policies}
    policies: dict[str, Any] = field(default_factory=dict)  # name -> document


@dataclass
class Inventory:
    engine: str
    captured_at: str
    buckets: dict[str, BucketConfig] = field(default_factory=dict)
    objects: list[ObjectVersion] = field(default_factory=list)
    iam: IamSnapshot = field(default_factory=IamSnapshot)
    content_sha256: dict[str, str] = field(default_factory=dict)  # "bucket\0key\0version" -> hex
    encrypted: dict[str, str] = field(default_factory=dict)  # content key -> SSE kind

    @property
    def object_count(self) -> int:
        return len({(o.bucket, o.key) for o in self.objects})

    @property
    def version_count(self) -> int:
        return len(self.objects)

    def to_json(self) -> str:
        # asdict keeps each ObjectVersion a tuple, which JSON would write as an array
        data = asdict(replace(self, objects=[]))
        data["objects"] = [o.listed() for o in self.objects]
        return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)

    def save(self, path: Path) -> Path:
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, text: str) -> Inventory:
        data = json.loads(text)
        return cls(
            engine=data["engine"],
            captured_at=data["captured_at"],
            buckets={k: BucketConfig(**v) for k, v in data["buckets"].items()},
            objects=[ObjectVersion(**o) for o in data["objects"]],
            iam=IamSnapshot(**data["iam"]),
            content_sha256=data.get("content_sha256", {}),
            encrypted=data.get("encrypted", {}),
        )

    @classmethod
    def load(cls, path: Path) -> Inventory:
        return cls.from_json(path.read_text(encoding="utf-8"))


def normalize_policy(value: Any) -> Any:
    """Order-insensitive form of a policy document: engines return action lists in any order."""
    if isinstance(value, dict):
        return {k: normalize_policy(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [normalize_policy(v) for v in value]
        if all(isinstance(i, str) for i in items):
            return sorted(items)
        return sorted(items, key=lambda i: json.dumps(i, sort_keys=True))
    return value


def content_key(bucket: str, key: str, version_id: str) -> str:
    return f"{bucket}\0{key}\0{version_id}"


def _iso(ts: datetime) -> str:
    ts = ts.astimezone(UTC) if ts.tzinfo else ts
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def iso_text(value: datetime | str) -> str:
    """LastModified as `_iso` writes it, from a datetime or from the server's text."""
    if isinstance(value, datetime):
        return _iso(value)
    if _MS.match(value):
        return value
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.replace("Z", "+00:00"))
    return _iso(datetime.fromisoformat(text))


class Unreadable(Exception):
    """The engine answered a setting with an error that is not "there is none"."""


def _optional(call, *missing: str) -> Any:
    try:
        return call()
    except ClientError as exc:
        if error_code(exc) in missing:
            return None
        raise Unreadable(f"unreadable: {error_code(exc)}") from exc


def capture_bucket_config(s3: BaseClient, bucket: str) -> BucketConfig:
    """Each setting on its own: one the engine cannot read is recorded as such, not fatal."""
    config = BucketConfig()

    def read(kind: str, call, *missing: str, shape=lambda r: r) -> None:
        try:
            answer = _optional(call, *missing)
        except Unreadable as exc:
            setattr(config, kind, str(exc))
            return
        if answer:
            setattr(config, kind, shape(answer))

    read(
        "versioning",
        lambda: s3.get_bucket_versioning(Bucket=bucket),
        shape=lambda r: r.get("Status", "Off"),
    )
    read(
        "object_lock",
        lambda: s3.get_object_lock_configuration(Bucket=bucket),
        "ObjectLockConfigurationNotFoundError",
        "NoSuchObjectLockConfiguration",
        shape=lambda r: r.get("ObjectLockConfiguration"),
    )
    read(
        "lifecycle",
        lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket),
        "NoSuchLifecycleConfiguration",
        shape=lambda r: sorted(r.get("Rules", []), key=lambda rule: rule.get("ID", "")),
    )
    read(
        "policy",
        lambda: s3.get_bucket_policy(Bucket=bucket),
        "NoSuchBucketPolicy",
        shape=lambda r: normalize_policy(json.loads(r["Policy"])),
    )
    read(
        "tags",
        lambda: s3.get_bucket_tagging(Bucket=bucket),
        "NoSuchTagSet",
        "NoSuchTagSetError",
        shape=lambda r: {t["Key"]: t["Value"] for t in r.get("TagSet", [])},
    )
    return config


def _lock_state(
    s3: BaseClient, bucket: str, key: str, version_id: str
) -> tuple[str | None, str | None]:
    vid = {} if version_id == "null" else {"VersionId": version_id}
    retention = _optional(
        lambda: s3.get_object_retention(Bucket=bucket, Key=key, **vid),
        "NoSuchObjectLockConfiguration",
        "ObjectLockConfigurationNotFoundError",
    )
    hold = _optional(
        lambda: s3.get_object_legal_hold(Bucket=bucket, Key=key, **vid),
        "NoSuchObjectLockConfiguration",
        "ObjectLockConfigurationNotFoundError",
    )
    retention_text = None
    if retention and retention.get("Retention"):
        r = retention["Retention"]
        retention_text = f"{r.get('Mode')} until {_iso(r['RetainUntilDate'])}"
    # MinIO answers "no legal hold" with an error, RustFS with Status OFF: the same fact.
    hold_text = hold["LegalHold"].get("Status") if hold and hold.get("LegalHold") else "OFF"
    return retention_text, hold_text


def list_versions(
    s3: BaseClient, bucket: str, *, lock: bool = False, lister: BaseClient | None = None
) -> list[ObjectVersion]:
    versions: list[ObjectVersion] = []
    paginator = (lister or s3).get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        for v in page.get("Versions", []):
            retention = hold = None
            if lock:
                retention, hold = _lock_state(s3, bucket, v["Key"], v["VersionId"])
            versions.append(
                ObjectVersion(
                    bucket=bucket,
                    key=v["Key"],
                    version_id=v["VersionId"],
                    is_latest=v["IsLatest"],
                    delete_marker=False,
                    size=v["Size"],
                    etag=v["ETag"].strip('"'),
                    last_modified=iso_text(v["LastModified"]),
                    retention=retention,
                    legal_hold=hold,
                )
            )
        for m in page.get("DeleteMarkers", []):
            versions.append(
                ObjectVersion(
                    bucket=bucket,
                    key=m["Key"],
                    version_id=m["VersionId"],
                    is_latest=m["IsLatest"],
                    delete_marker=True,
                    size=0,
                    etag="",
                    last_modified=iso_text(m["LastModified"]),
                )
            )
    return versions


# Canned policies each engine defines for itself (RustFS's differ from MinIO's and add KMS ones):
# not data the cutover carries, so not compared.
BUILTIN_POLICIES = frozenset(
    {
        "consoleAdmin",
        "diagnostics",
        "readonly",
        "readwrite",
        "writeonly",
        "KMSAuditor",
        "KMSKeyAdministrator",
        "KMSKeyUser",
    }
)


def capture_iam(admin) -> IamSnapshot:
    """Users, groups and policies through the admin API (MinIO's, which RustFS also serves)."""
    snap = IamSnapshot()
    users = json.loads(admin.user_list() or "{}")
    for name, info in sorted(users.items()):
        policies = info.get("policyName") or ""
        snap.users[name] = {
            "status": info.get("status"),
            "policies": sorted(p for p in policies.split(",") if p),
            "groups": sorted(info.get("memberOf") or []),
        }
    for name in sorted(json.loads(admin.group_list() or "[]") or []):
        info = json.loads(admin.group_info(name))
        policies = info.get("policy") or ""
        snap.groups[name] = {
            "members": sorted(info.get("members") or []),
            "policies": sorted(p for p in policies.split(",") if p),
            "status": info.get("status"),
        }
    for name, doc in sorted(json.loads(admin.policy_list() or "{}").items()):
        if name not in BUILTIN_POLICIES:
            snap.policies[name] = normalize_policy(doc)
    return snap


def sha256_of(s3: BaseClient, bucket: str, key: str, version_id: str) -> str:
    vid = {} if version_id == "null" else {"VersionId": version_id}
    body = s3.get_object(Bucket=bucket, Key=key, **vid)["Body"]
    digest = hashlib.sha256()
    for chunk in iter(lambda: body.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def content_sample(objects: list[ObjectVersion], size: int) -> list[ObjectVersion]:
    """A stable sample that always includes multipart objects and spans every bucket."""
    data = [o for o in objects if not o.delete_marker]
    multipart = [o for o in data if "-" in o.etag]
    rest = sorted(
        (o for o in data if "-" not in o.etag),
        key=lambda o: hashlib.sha1("\0".join(o.ident).encode()).hexdigest(),
    )
    by_bucket: dict[str, list[ObjectVersion]] = {}
    for o in rest:
        by_bucket.setdefault(o.bucket, []).append(o)
    picked = list(multipart)
    while len(picked) < size and any(by_bucket.values()):
        for bucket in sorted(by_bucket):
            if by_bucket[bucket] and len(picked) < size:
                picked.append(by_bucket[bucket].pop(0))
    return sorted(picked)


def capture_inventory(
    s3: BaseClient,
    *,
    engine: str,
    admin=None,
    sample_size: int = 0,
    find_encrypted: bool = False,
    lister: BaseClient | None = None,
    threads: int = 4,
) -> Inventory:
    """Everything an engine serves. Buckets are read in parallel; `lister` (a client that keeps
    LastModified as text, see cutover.listing.listing_client) pages the versions, since
    botocore's per-timestamp parsing otherwise costs more than the listing itself."""
    inv = Inventory(engine=engine, captured_at=_iso(datetime.now(UTC)))
    names = sorted(b["Name"] for b in s3.list_buckets().get("Buckets", []))

    def read_bucket(bucket: str) -> tuple[BucketConfig, list[ObjectVersion]]:
        config = capture_bucket_config(s3, bucket)
        lock = isinstance(config.object_lock, dict)
        return config, list_versions(s3, bucket, lock=lock, lister=lister)

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        for bucket, (config, versions) in zip(names, pool.map(read_bucket, names), strict=True):
            inv.buckets[bucket] = config
            inv.objects.extend(versions)
    inv.objects.sort()
    if admin is not None:
        inv.iam = capture_iam(admin)
    if find_encrypted:
        inv.encrypted = encrypted_versions(s3, inv.objects, threads=threads * 2)
    readable = [o for o in inv.objects if content_key(*o.ident) not in inv.encrypted]
    for o in content_sample(readable, sample_size) if sample_size else []:
        inv.content_sha256[content_key(*o.ident)] = sha256_of(s3, *o.ident)
    return inv


def open_multipart_uploads(s3: BaseClient, buckets: list[str]) -> list[str]:
    """Uploads started but never completed: RustFS does not migrate them, they are lost."""
    found = []
    for bucket in buckets:
        for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
            for upload in page.get("Uploads", []):
                found.append(f"{bucket}/{upload['Key']} (started {_iso(upload['Initiated'])})")
    return sorted(found)


def encrypted_versions(
    s3: BaseClient, objects: list[ObjectVersion], *, threads: int = 8
) -> dict[str, str]:
    """Versions stored with SSE-S3/KMS/C, by content key: they list on RustFS but cannot be read.

    One HEAD per version (the listing does not say), so they run on a few threads."""

    def kind_of(o: ObjectVersion) -> str | None:
        vid = {} if o.version_id == "null" else {"VersionId": o.version_id}
        try:
            head = s3.head_object(Bucket=o.bucket, Key=o.key, **vid)
        except ClientError as exc:
            # SSE-C objects refuse HEAD without the customer key: that is itself the marker.
            if error_code(exc) in {"400", "BadRequest", "InvalidRequest"}:
                return "SSE-C"
            raise
        return head.get("ServerSideEncryption") or head.get("SSECustomerAlgorithm")

    data = [o for o in objects if not o.delete_marker]
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        kinds = list(pool.map(kind_of, data))
    return {content_key(*o.ident): kind for o, kind in zip(data, kinds, strict=True) if kind}


def describe_key(key: str) -> str:
    """ "bucket\0key\0version" as an operator reads it."""
    bucket, name, version = key.split("\0")
    return f"{bucket}/{name} (version {version})"

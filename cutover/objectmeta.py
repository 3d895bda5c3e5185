"""Per-object metadata parity: what MinIO stored with each object, against what the target says.

The listing comparison (phase 45's first check) sees sizes, ETags and times only. Clients
depend on more: a website's assets are served with the Content-Type, Content-Encoding and
Cache-Control they were uploaded with, applications read their `x-amz-meta-*` keys and object
tags, and a client that uploaded with an additional checksum (CRC32C, SHA256...) reads it back
to verify its downloads. All of it is in `xl.meta` (cutover.xlmeta reads it during the on-disk
scan, no server cost), so after the deploy a HEAD per sampled version (checksum mode ENABLED,
plus GetObjectTagging where either side has tags) says whether the target still serves it.

The disk side travels through the on-disk inventory's SQLite store as one compact JSON column
(`ObjectVersion.object_meta`), so the phase-45 check picks its sample without re-reading xl.meta.
"""

from __future__ import annotations

import base64
import heapq
import json
import time
import zlib
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from botocore.exceptions import BotoCoreError, ClientError

from cutover.inventory import ObjectVersion
from cutover.s3 import error_code
from cutover.xlmeta import USER_META_PREFIX, XlVersion

# internal/hash/checksum.go, ChecksumType bits (1 << iota from ChecksumTrailing).
_TRAILING, _SHA256, _SHA1, _CRC32, _CRC32C = 1, 2, 4, 8, 16
_MULTIPART, _INCLUDES_MULTIPART, _CRC64NVME, _FULL_OBJECT = 64, 128, 256, 512
# In the order ChecksumType.String() tests them, with their raw byte lengths.
_ALGORITHMS = (
    (_CRC32, "CRC32", 4),
    (_CRC32C, "CRC32C", 4),
    (_SHA1, "SHA1", 20),
    (_SHA256, "SHA256", 32),
    (_CRC64NVME, "CRC64NVME", 8),
)
FULL_OBJECT, COMPOSITE = "FULL_OBJECT", "COMPOSITE"
STANDARD = "STANDARD"

# The fields compared, as the findings name them (S3's header names).
FIELDS = (
    "Content-Type",
    "Content-Encoding",
    "Cache-Control",
    "Content-Disposition",
    "Content-Language",
    "x-amz-meta-*",
    "tags",
    "storage class",
    "checksum",
    "checksum type",
)


class ChecksumUnreadable(ValueError):
    """x-minio-internal-crc does not decode (sealed for an encrypted object, or damaged)."""


def _uvarint(buf: bytes, at: int) -> tuple[int, int]:
    """Go's binary.Uvarint: (value, next offset)."""
    value = shift = 0
    while at < len(buf):
        byte = buf[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7
        if shift > 63:
            break
    raise ChecksumUnreadable("a varint runs past the end")


def decode_checksum(raw: bytes) -> tuple[str, str, str]:
    """(algorithm, value as HEAD shows it, checksum type) from MinIO's stored encoding.

    MinIO (internal/hash/checksum.go, AppendTo / ReadCheckSums): a uvarint type, the raw
    checksum, and for a multipart checksum a uvarint part count (then, with
    IncludesMultipart, every part's checksum). HEAD shows a COMPOSITE multipart checksum as
    `<base64>-<parts>`; a FULL_OBJECT one (flag FullObject, or CRC64NVME) without the suffix.
    """
    kind, at = _uvarint(raw, 0)
    found = next(((n, size) for bit, n, size in _ALGORITHMS if kind & bit), None)
    if found is None:
        raise ChecksumUnreadable(f"unknown checksum type {kind:#x}")
    name, length = found
    if len(raw) < at + length:
        raise ChecksumUnreadable(f"{name} checksum cut short")
    value = base64.b64encode(raw[at : at + length]).decode()
    full = bool(kind & _FULL_OBJECT) or bool(kind & _CRC64NVME)
    if kind & _MULTIPART:
        parts, _ = _uvarint(raw, at + length)
        if not full:
            return name, f"{value}-{parts}", COMPOSITE
    return name, value, FULL_OBJECT


def disk_meta_json(v: XlVersion) -> str:
    """The on-disk side of one version for the inventory store ("" when there is nothing).

    Content-Type has its own column already; only fields that are set are written, so the
    common object costs a few bytes and no JSON at all when it carries nothing else.
    """
    if not (v.user_extra or v.checksum):
        return ""
    meta: dict[str, Any] = {}
    if v.content_encoding:
        meta["ce"] = v.content_encoding
    if v.cache_control:
        meta["cc"] = v.cache_control
    if v.content_disposition:
        meta["cd"] = v.content_disposition
    if v.content_language:
        meta["cl"] = v.content_language
    if v.user_meta:
        meta["um"] = {k[len(USER_META_PREFIX) :]: val for k, val in v.user_meta}
    if v.tagging:
        meta["tg"] = v.tagging
    if v.storage_class:
        meta["sc"] = v.storage_class
    if v.checksum and not v.encryption:  # an encrypted object's checksum is sealed
        try:
            meta["ck"] = list(decode_checksum(v.checksum))
        except ChecksumUnreadable as exc:
            meta["ck"] = ["", f"unreadable: {exc}", ""]
    return json.dumps(meta, ensure_ascii=False, separators=(",", ":")) if meta else ""


@dataclass(frozen=True)
class ObjectMeta:
    """What S3 shows about one object version beyond its listing entry."""

    content_type: str = ""
    content_encoding: str = ""
    cache_control: str = ""
    content_disposition: str = ""
    content_language: str = ""
    user: dict[str, str] = field(default_factory=dict)  # x-amz-meta-<name>, name lower-cased
    tags: dict[str, str] | None = field(default_factory=dict)  # None: not read
    storage_class: str = STANDARD
    checksum_algorithm: str = ""
    checksum: str = ""
    checksum_type: str = ""

    @classmethod
    def from_row(cls, row: ObjectVersion) -> ObjectMeta:
        """The disk's side, from the inventory store's columns."""
        meta = json.loads(row.object_meta) if row.object_meta else {}
        algorithm, value, kind = meta.get("ck") or ("", "", "")
        return cls(
            content_type=row.content_type,
            content_encoding=meta.get("ce", ""),
            cache_control=meta.get("cc", ""),
            content_disposition=meta.get("cd", ""),
            content_language=meta.get("cl", ""),
            user={k.lower(): v for k, v in (meta.get("um") or {}).items()},
            tags=dict(parse_qsl(meta.get("tg", ""), keep_blank_values=True)),
            storage_class=meta.get("sc") or STANDARD,
            checksum_algorithm=algorithm,
            checksum=value,
            checksum_type=kind,
        )

    @classmethod
    def from_head(cls, head: dict[str, Any], tags: dict[str, str] | None) -> ObjectMeta:
        """The target's side: a HeadObject answer (checksum mode ENABLED) and its tag set."""
        algorithm = value = ""
        for _, name, _ in _ALGORITHMS:
            if head.get(f"Checksum{name}"):
                algorithm, value = name, head[f"Checksum{name}"]
                break
        return cls(
            content_type=head.get("ContentType", ""),
            content_encoding=head.get("ContentEncoding", ""),
            cache_control=head.get("CacheControl", ""),
            content_disposition=head.get("ContentDisposition", ""),
            content_language=head.get("ContentLanguage", ""),
            user={k.lower(): v for k, v in (head.get("Metadata") or {}).items()},
            tags=tags,
            storage_class=head.get("StorageClass") or STANDARD,
            checksum_algorithm=algorithm,
            checksum=value,
            checksum_type=head.get("ChecksumType", "") if algorithm else "",
        )

    @property
    def has_tags(self) -> bool:
        return bool(self.tags)


@dataclass(frozen=True)
class MetaDiff:
    """One field of one version that the target answers differently from the disk."""

    bucket: str
    key: str
    version_id: str
    field: str
    expected: str  # on disk
    got: str  # from the target
    known: str = ""  # a documented known difference of the target engine: why

    @property
    def label(self) -> str:
        return f"{self.bucket}/{self.key} (version {self.version_id})"

    def describe(self) -> str:
        text = f"{self.label}: {self.field}: on disk {self.expected!r}, target answers {self.got!r}"
        return f"{text} [known difference: {self.known}]" if self.known else text


def _shown(mapping: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(mapping.items())) or "(none)"


def compare(row: ObjectVersion, disk: ObjectMeta, target: ObjectMeta) -> list[MetaDiff]:
    """Every field the target answers differently for this version (empty: parity)."""
    diffs: list[MetaDiff] = []

    def differ(name: str, expected: str, got: str) -> None:
        diffs.append(
            MetaDiff(
                row.bucket, row.key, row.version_id, name, expected or "(none)", got or "(none)"
            )
        )

    # Content-Type: MinIO stores one for every object it wrote (its default when the client
    # sent none); a version without one on disk has nothing to compare.
    if disk.content_type and disk.content_type != target.content_type:
        differ("Content-Type", disk.content_type, target.content_type)
    for name, attr in (
        ("Content-Encoding", "content_encoding"),
        ("Cache-Control", "cache_control"),
        ("Content-Disposition", "content_disposition"),
        ("Content-Language", "content_language"),
    ):
        if getattr(disk, attr) != getattr(target, attr):
            differ(name, getattr(disk, attr), getattr(target, attr))
    for name in sorted(set(disk.user) | set(target.user)):
        want, got = disk.user.get(name), target.user.get(name)
        if want != got:
            differ(
                f"x-amz-meta-{name}",
                "(absent)" if want is None else want,
                "(absent)" if got is None else got,
            )
    if target.tags is not None and (disk.tags or {}) != target.tags:
        differ("tags", _shown(disk.tags or {}), _shown(target.tags))
    if disk.storage_class.upper() != target.storage_class.upper():
        differ("storage class", disk.storage_class, target.storage_class)
    if disk.checksum_algorithm:
        if (disk.checksum_algorithm, disk.checksum) != (
            target.checksum_algorithm,
            target.checksum,
        ):
            differ(
                "checksum",
                f"{disk.checksum_algorithm} {disk.checksum}",
                f"{target.checksum_algorithm} {target.checksum}".strip() or "(none)",
            )
        elif disk.checksum_type and disk.checksum_type != target.checksum_type:
            differ("checksum type", disk.checksum_type, target.checksum_type or "(none)")
    return diffs


# --- the sample --------------------------------------------------------------------------

SIZE_CLASSES = ((0, "empty"), (128 * 1024, "<=128KiB"), (16 * 1024 * 1024, "<=16MiB"))


def size_class(size: int) -> str:
    for limit, name in SIZE_CLASSES:
        if size <= limit:
            return name
    return ">16MiB"


def stratum(row: ObjectVersion) -> tuple[str, str, str, str]:
    """(bucket, size class, inline/parts, single/multipart): versions that MinIO lays out and
    serves alike, so a few of each stand for all of them."""
    multipart = "multipart" if "-" in row.etag else "single"
    return (row.bucket, size_class(row.size), row.storage or "none", multipart)


def _rank(row: ObjectVersion) -> int:
    """A stable pseudo-random order: the same dataset gives the same sample in every run."""
    return zlib.crc32(f"{row.bucket}/{row.key}\0{row.version_id}".encode())


@dataclass
class Sample:
    rows: list[ObjectVersion]
    strata: dict[tuple[str, str, str, str], int]  # versions on disk in each stratum
    every: set[str]  # buckets read whole
    skipped: dict[str, int] = field(default_factory=dict)  # why versions were not eligible

    def describe(self) -> str:
        whole = ", ".join(sorted(self.every)) or "none"
        left = ", ".join(f"{n} {why}" for why, n in sorted(self.skipped.items()))
        return (
            f"{len(self.rows)} version(s): every version of {whole}, plus a stratified sample "
            f"of {len(self.strata)} strata (bucket x size class x inline/parts x "
            f"single/multipart)" + (f"; not eligible: {left}" if left else "")
        )


def pick_sample(rows: Iterable[ObjectVersion], *, every: set[str], per_stratum: int) -> Sample:
    """Every eligible version of the `every` buckets, and up to `per_stratum` of each stratum
    elsewhere. Delete markers (nothing to HEAD) and encrypted versions (their metadata is the
    hazard checks' business) are not eligible. Memory: `per_stratum` rows per stratum."""
    whole: list[ObjectVersion] = []
    heaps: dict[tuple[str, str, str, str], list[tuple[int, tuple, ObjectVersion]]] = {}
    strata: dict[tuple[str, str, str, str], int] = {}
    skipped: dict[str, int] = {}
    for row in rows:
        if row.delete_marker:
            skipped["delete marker(s)"] = skipped.get("delete marker(s)", 0) + 1
            continue
        if row.encryption:
            skipped["encrypted version(s)"] = skipped.get("encrypted version(s)", 0) + 1
            continue
        if row.bucket in every:
            whole.append(row)
            continue
        key = stratum(row)
        strata[key] = strata.get(key, 0) + 1
        if per_stratum <= 0:
            continue
        heap = heaps.setdefault(key, [])
        entry = (-_rank(row), row.ident, row)
        if len(heap) < per_stratum:
            heapq.heappush(heap, entry)
        elif entry > heap[0]:
            heapq.heapreplace(heap, entry)
    picked = [e[2] for heap in heaps.values() for e in heap]
    return Sample(
        rows=sorted([*whole, *picked], key=lambda r: r.ident),
        strata=strata,
        every=every,
        skipped=skipped,
    )


# --- the target's side -------------------------------------------------------------------


@dataclass
class MetaReport:
    """The comparison of a sample: per-field differences and versions the target would not HEAD."""

    checked: int = 0
    diffs: list[MetaDiff] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "bucket/key (version v): HEAD: Code"
    seconds: float = 0.0
    sample: str = ""  # how the versions were picked

    @property
    def failures(self) -> list[MetaDiff]:
        return [d for d in self.diffs if not d.known]

    @property
    def known(self) -> list[MetaDiff]:
        return [d for d in self.diffs if d.known]

    @property
    def clean(self) -> bool:
        return not self.failures and not self.errors

    def summary(self) -> str:
        fields = sorted({d.field for d in self.failures})
        return (
            f"{self.checked} version(s) compared: {len(self.failures)} difference(s)"
            + (f" ({', '.join(fields)})" if fields else "")
            + f", {len(self.errors)} not answered, {len(self.known)} known difference(s) of "
            "the target engine"
        )

    def lines(self, limit: int | None = None) -> list[str]:
        out = [
            *self.errors,
            *(d.describe() for d in self.failures),
            *(d.describe() for d in self.known),
        ]
        if limit is not None and len(out) > limit:
            return [*out[:limit], f"... and {len(out) - limit} more"]
        return out


def head_version(s3, row: ObjectVersion) -> ObjectMeta:
    """HEAD one version (checksum mode ENABLED) and, when it has tags, read them."""
    args: dict[str, Any] = {"Bucket": row.bucket, "Key": row.key}
    if not (row.version_id == "null" and row.is_latest):
        args["VersionId"] = row.version_id
    head = s3.head_object(**args, ChecksumMode="ENABLED")
    tags: dict[str, str] | None = {}
    if head.get("TagCount") or '"tg":' in row.object_meta:
        answer = s3.get_object_tagging(**args)
        tags = {t["Key"]: t["Value"] for t in answer.get("TagSet", [])}
    return ObjectMeta.from_head(head, tags)


KnownRule = Callable[[ObjectVersion, MetaDiff], str]


RUSTFS_SINGLE_PART_TYPE = (
    "RustFS 1.0.1 sends x-amz-checksum-type only for multipart objects (rustfs-rio "
    "read_checksums, rustfs src/app/object/shared.rs classify_response_checksums); the "
    "checksum value itself is intact, and a single-part object's checksum is of the full "
    "object by definition, which is how SDKs read a checksum without a type"
)


def _rustfs_known(row: ObjectVersion, diff: MetaDiff) -> str:
    """Differences RustFS 1.0.1 is known to show that lose nothing a client depends on.

    Anything else (a header, a user key, a tag, the storage class, the checksum value, or a
    multipart checksum's type, which tells SDKs whether to validate a download) fails.
    """
    single_part = "-" not in row.etag
    if (
        diff.field == "checksum type"
        and single_part
        and diff.expected == FULL_OBJECT
        and diff.got == "(none)"
    ):
        return RUSTFS_SINGLE_PART_TYPE
    return ""


def known_difference(engine: str) -> KnownRule | None:
    """The known-difference rule for a target engine (None: every difference fails)."""
    return _rustfs_known if engine == "rustfs" else None


def check_sample(
    s3,
    sample: list[ObjectVersion],
    *,
    workers: int = 8,
    known: KnownRule | None = None,
) -> MetaReport:
    """HEAD every sampled version on the target and compare it with the disk."""
    report = MetaReport()
    started = time.monotonic()

    def one(row: ObjectVersion) -> tuple[list[MetaDiff], str]:
        try:
            target = head_version(s3, row)
        except ClientError as exc:
            return [], f"{row.label}: HEAD answered {error_code(exc)}"
        except BotoCoreError as exc:
            return [], f"{row.label}: HEAD failed ({exc})"
        diffs = compare(row, ObjectMeta.from_row(row), target)
        if known is not None:
            diffs = [MetaDiff(**{**d.__dict__, "known": known(row, d)}) for d in diffs]
        return diffs, ""

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for diffs, error in pool.map(one, sample):
            report.checked += 1
            report.diffs.extend(diffs)
            if error:
                report.errors.append(error)
    report.seconds = time.monotonic() - started
    return report


# --- CRC32C for writing (the rehearsal's seed): botocore computes it only with awscrt -----


def _crc32c_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C_TABLE = _crc32c_table()


def crc32c_b64(data: bytes) -> str:
    """CRC32C (Castagnoli) of `data`, base64 as the x-amz-checksum-crc32c header carries it.

    Pure Python (about 1 s per 5 MiB): the rehearsal passes it precomputed, so botocore does
    not need its optional awscrt dependency to upload with CRC32C.
    """
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return base64.b64encode((crc ^ 0xFFFFFFFF).to_bytes(4, "big")).decode()

"""The dataset's inventory read from the disk alone: no MinIO, no RustFS, no S3.

During the cutover window no server runs, yet the disk holds the truth: which buckets, which
objects, every version with its id, type, time, size, ETag, where its data lives. This module
walks a MinIO `xl-single` (or one node's `xl` set of drives) the way MinIO's own walker does
(metacache-walk.go): a directory holding `xl.meta` is an object and is not descended into; any
other directory is a prefix. Everything that is not as it should be (a part file missing, an
`xl.meta` that does not parse, a data directory left without its `xl.meta`) becomes a
`Finding`; nothing on disk makes the reader crash.

Scale: versions go straight into a `VersionStore` (SQLite), so memory stays bounded whatever
the object count; subtrees are scanned by worker processes in parallel.
"""

from __future__ import annotations

import heapq
import json
import multiprocessing
import os
import re
import struct
import tempfile
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from pathlib import Path

import msgpack

from cutover.driveset import check_drive_set
from cutover.erasure import MissingShards, join_data_shards
from cutover.errors import CutoverError
from cutover.inventory import ObjectVersion
from cutover.layout import META_DIRS, MINIO_META
from cutover.manifest import bucket_name_problem
from cutover.objectmeta import disk_meta_json
from cutover.versionstore import Finding, VersionStore
from cutover.xlmeta import (
    DELETE_MARKER,
    TYPE_NAMES,
    XlMetaError,
    expected_part_file_size,
    inline_payload,
    inline_shard,
    iso_ms,
    parse_xl_meta,
)

XL_META = "xl.meta"
XLDIR_SUFFIX = "__XLDIR__"  # a key ending in "/" is stored as <name>__XLDIR__ (globals.go:85)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
PART = re.compile(r"^part\.\d+$")
HUGE_DIRECTORY = 20_000  # children; such a prefix is split by name hash, not listed up front

# Finding kinds, each a sentence's subject in the check that reports them.
MISSING_PART = "missing part file"
PART_SIZE = "part file of the wrong size"
MISSING_DATA_DIR = "missing data directory"
MISSING_INLINE = "inline data missing"
UNREADABLE_META = "unreadable xl.meta"
ORPHAN_DATA = "object directory without xl.meta"
LEGACY_XL_JSON = "legacy xl.json object"
BUCKET_METADATA = "bucket metadata"
UNDER_QUORUM = "lost: version below read quorum"
NEEDS_HEALING = "readable, needs healing"
NOT_A_BUCKET = "not a bucket"
# Not damage, but RustFS 1.0.1 cannot read it (cutover.hazards): a check of its own.
STORED_COMPRESSED = "stored compressed"

# Findings that mean an object or version cannot be served as it was: they fail the check.
DAMAGE = frozenset(
    {
        MISSING_PART,
        PART_SIZE,
        MISSING_DATA_DIR,
        MISSING_INLINE,
        UNREADABLE_META,
        ORPHAN_DATA,
        LEGACY_XL_JSON,
        UNDER_QUORUM,
    }
)


class LegacyFsLayout(CutoverError):
    """The dataset is MinIO's legacy FS mode (fs.json): no xl.meta to read, refused."""


@dataclass(frozen=True)
class DatasetFormat:
    kind: str  # xl-single, xl, fs, missing, unreadable
    drives_in_set: int = 1
    deployment_id: str = ""
    drive_id: str = ""


@dataclass(frozen=True)
class BucketInfo:
    name: str
    versioning: str = "Off"  # Enabled, Suspended, Off; "unknown" without readable metadata
    object_lock: bool = False
    created: str = ""
    metadata: str = "ok"  # ok, missing, or why it could not be read
    healing: str = ""  # a set of drives: which drives' shards of it are missing or damaged
    default_encryption: str = ""  # the SSEAlgorithm of the bucket's default encryption, if any


@dataclass
class ScanSummary:
    """What one scan found and how long it took; the versions themselves are in the store."""

    roots: list[str]
    format: DatasetFormat
    buckets: dict[str, BucketInfo]
    objects: int = 0  # object directories read (on every drive of a set)
    versions: int = 0  # versions in the inventory
    directories: int = 0
    seconds: float = 0.0
    workers: int = 1
    finding_counts: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.objects / self.seconds if self.seconds > 0 else float("inf")

    @property
    def damage(self) -> int:
        return sum(n for kind, n in self.finding_counts.items() if kind in DAMAGE)

    def describe(self) -> str:
        return (
            f"{len(self.buckets)} buckets, {self.objects} objects, {self.versions} versions in "
            f"{self.seconds:.2f} s ({self.rate:,.0f} objects/s, {self.workers} worker(s))"
        )


def read_format(root: Path) -> DatasetFormat:
    """`.minio.sys/format.json` of one drive; legacy FS mode is refused with the way out."""
    path = root / MINIO_META / "format.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return DatasetFormat("missing")
    except (OSError, ValueError) as exc:
        return DatasetFormat(f"unreadable ({type(exc).__name__})")
    kind = str(data.get("format", "unknown")) if isinstance(data, dict) else "unknown"
    if kind == "fs":
        raise LegacyFsLayout(
            f"{root} is MinIO's legacy FS layout ({path} says format 'fs'; objects are plain "
            "files described by .minio.sys/buckets/**/fs.json, there is no xl.meta to read). "
            "RustFS cannot adopt it in place: copy the data over the S3 API instead"
        )
    xl = data.get("xl") or {}
    sets = xl.get("sets") or [[]]
    return DatasetFormat(
        kind=kind,
        drives_in_set=max(1, len(sets[0])) if sets else 1,
        deployment_id=str(data.get("id", "")),
        drive_id=str(xl.get("this", "")),
    )


def _time_ext(code: int, data: bytes):
    """msgp's time extension (type 5): int64 seconds, int32 nanoseconds, big-endian."""
    if code == 5 and len(data) == 12:
        seconds, nanos = struct.unpack(">qi", data)
        return seconds * 1_000_000_000 + nanos
    return msgpack.ExtType(code, data)


def _xml_value(xml: bytes | str | None, tag: str) -> str:
    text = xml.decode("utf-8", "replace") if isinstance(xml, bytes) else (xml or "")
    found = re.search(rf"<{tag}>([^<]*)</{tag}>", text)
    return found.group(1) if found else ""


def read_bucket_info(root: Path, bucket: str) -> BucketInfo:
    """Versioning and object lock from `.minio.sys/buckets/<bucket>/.metadata.bin`.

    MinIO serves a bucket whose metadata is missing with default settings; so does this.
    """
    path = root / MINIO_META / "buckets" / bucket / ".metadata.bin" / XL_META
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return BucketInfo(bucket, versioning="unknown", metadata="missing")
    except OSError as exc:
        return BucketInfo(bucket, versioning="unknown", metadata=f"unreadable ({exc.strerror})")
    return bucket_info_from_xl_meta(bucket, raw)


def bucket_info_from_xl_meta(bucket: str, raw: bytes) -> BucketInfo:
    """Decode `.metadata.bin/xl.meta`: an inline object whose payload is MinIO's bucket metadata."""
    try:
        payload = inline_payload(raw)
    except XlMetaError as exc:
        return BucketInfo(bucket, versioning="unknown", metadata=f"unreadable ({exc})")
    if payload is None:
        return BucketInfo(
            bucket, versioning="unknown", metadata="an erasure shard (settings not decoded)"
        )
    return bucket_info_from_payload(bucket, payload)


def bucket_info_from_shards(bucket: str, copies: dict[str, bytes | None]) -> BucketInfo:
    """Bucket metadata on a set of drives: every drive holds one inline shard (MinIO saves it
    with MaxParity), so the settings are the data shards joined, or rebuilt from parity where
    a data shard is gone (cutover.erasure).

    `copies` maps each drive to its `.metadata.bin/xl.meta` bytes (None: not on that drive).
    Drives whose shard is missing or unreadable are named in `healing`.
    """
    problems: list[str] = []
    found = []
    for drive, raw in copies.items():
        if raw is None:
            problems.append(f"drive {drive}: no .metadata.bin shard")
            continue
        try:
            got = inline_shard(raw)
        except XlMetaError as exc:
            problems.append(f"drive {drive}: unreadable ({exc})")
            continue
        if got is None:
            problems.append(f"drive {drive}: xl.meta carries no shard")
            continue
        version, framed = got
        if version.erasure[0] == 1:  # written whole (a drive of a one-drive deployment)
            return bucket_info_from_xl_meta(bucket, raw)
        found.append((drive, version, framed))
    if not found:
        return BucketInfo(
            bucket,
            versioning="unknown",
            metadata="missing" if all(r is None for r in copies.values()) else "; ".join(problems),
        )
    newest = max(v.mod_time_ns for _, v, _ in found)
    for drive, version, _ in found:
        if version.mod_time_ns != newest:
            problems.append(f"drive {drive}: an older copy ({version.last_modified})")
    current = [(d, v, f) for d, v, f in found if v.mod_time_ns == newest]
    version = current[0][1]
    try:
        payload = join_data_shards(
            {v.erasure[2]: f for _, v, f in current},
            size=version.stored_size,
            data_blocks=version.erasure[0],
            parity_blocks=version.erasure[1],
            block_size=version.block_size,
        )
    except MissingShards as exc:
        return BucketInfo(
            bucket,
            versioning="unknown",
            metadata=f"{exc} missing ({'; '.join(problems) or 'no drive holds them'}): lost",
            healing="; ".join(problems),
        )
    info = bucket_info_from_payload(bucket, payload)
    return BucketInfo(**{**info.__dict__, "healing": "; ".join(problems)})


def bucket_info_from_payload(bucket: str, payload: bytes) -> BucketInfo:
    """MinIO's bucket metadata (`.metadata.bin`): format and version, then a msgpack map."""
    if len(payload) < 4 or struct.unpack_from("<HH", payload) != (1, 1):
        return BucketInfo(bucket, versioning="unknown", metadata="unknown .metadata.bin format")
    try:
        data = msgpack.unpackb(payload[4:], raw=False, strict_map_key=False, ext_hook=_time_ext)
    except (ValueError, msgpack.UnpackException) as exc:
        return BucketInfo(bucket, versioning="unknown", metadata=f"unreadable ({exc})")
    if not isinstance(data, dict):
        return BucketInfo(bucket, versioning="unknown", metadata="not a metadata map")
    lock_xml = data.get("ObjectLockConfigXML")
    status = _xml_value(data.get("VersioningConfigXML"), "Status") or "Off"
    created = data.get("Created")
    return BucketInfo(
        bucket,
        versioning=status,
        object_lock=bool(data.get("LockEnabled"))
        or _xml_value(lock_xml, "ObjectLockEnabled") == "Enabled",
        created=iso_ms(created) if isinstance(created, int) and created > 0 else "",
        default_encryption=_xml_value(data.get("EncryptionConfigXML"), "SSEAlgorithm"),
    )


def bucket_names(root: Path) -> tuple[list[str], list[str]]:
    """(buckets, other top-level directories): MinIO serves every validly named directory."""
    buckets, others = [], []
    with os.scandir(root) as entries:
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False) or entry.name in META_DIRS:
                continue
            (others if bucket_name_problem(entry.name) else buckets).append(entry.name)
    return sorted(buckets), sorted(others)


# --- one object --------------------------------------------------------------------------


def _retention(mode: str, until: str) -> str | None:
    if not (mode and until):
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", until.replace("Z", "+00:00"))
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return f"{mode} until {until}"
    return f"{mode} until {iso_ms(int(when.timestamp()) * 1_000_000_000 + when.microsecond * 1000)}"


@dataclass
class _Sink:
    """Where one walker puts what it finds (a store, plus counters for progress)."""

    store: VersionStore
    objects: int = 0  # object directories read (on every drive of a set)
    versions: int = 0  # versions in the inventory
    directories: int = 0
    tick: Callable[[int], None] | None = None
    one_of_a_set: bool = False  # a drive of a set: a damaged shard is noted on its row

    def finding(self, kind: str, bucket: str, path: str, detail: str) -> None:
        self.store.finding(Finding(kind, bucket, path, detail))


def _scan_object(
    sink: _Sink,
    drive: str,
    bucket: str,
    rel: str,
    entries: list[os.DirEntry],
    info: BucketInfo,
    check_sizes: bool,
) -> None:
    """One object directory: decode its xl.meta, check where each version's data is."""
    path = f"{drive}/{bucket}/{rel}"
    key = rel[: -len(XLDIR_SUFFIX)] + "/" if rel.endswith(XLDIR_SUFFIX) else rel
    sink.objects += 1
    try:
        with open(f"{path}/{XL_META}", "rb") as handle:
            meta = parse_xl_meta(handle.read())
    except XlMetaError as exc:
        sink.finding(UNREADABLE_META, bucket, f"{bucket}/{rel}/{XL_META}", str(exc))
        return
    except OSError as exc:
        sink.finding(UNREADABLE_META, bucket, f"{bucket}/{rel}/{XL_META}", exc.strerror or str(exc))
        return
    data_dirs = {e.name for e in entries if e.is_dir(follow_symlinks=False)}
    loose = {e.name for e in entries if PART.match(e.name)}
    lock = info.object_lock
    for index, v in enumerate(meta.versions):
        sink.versions += 1
        storage = "none"
        problems: list[Finding] = []
        if v.type != DELETE_MARKER:
            if v.version_id in meta.inline_ids:
                storage = "inline"
            elif v.parts and (v.data_dir in data_dirs or (not v.data_dir and loose)):
                storage = "parts"
                problems = _check_parts(path, bucket, rel, v, v.data_dir, check_sizes)
            elif v.parts and v.data_dir:
                problems = [
                    Finding(
                        MISSING_DATA_DIR,
                        bucket,
                        f"{bucket}/{rel}/{v.data_dir}",
                        f"version {v.version_id} ({v.size} bytes) keeps its data in "
                        f"{v.data_dir}/part.1..{len(v.parts)}, and that directory is gone",
                    )
                ]
                storage = "parts"
            elif v.inline:
                problems = [
                    Finding(
                        MISSING_INLINE,
                        bucket,
                        f"{bucket}/{rel}/{XL_META}",
                        f"version {v.version_id} is marked inline but xl.meta carries no data "
                        "for it",
                    )
                ]
        if not sink.one_of_a_set:
            for problem in problems:
                sink.store.finding(problem)
        if v.compression:  # on a set every drive says so: the check counts distinct paths
            sink.finding(
                STORED_COMPRESSED,
                bucket,
                f"{bucket}/{key}",
                f"version {v.version_id} ({v.size} bytes, {v.stored_size} stored) is compressed "
                f"with {v.compression}",
            )
        data_blocks, parity_blocks, _ = v.erasure
        sink.store.add(
            ObjectVersion(
                bucket=bucket,
                key=key,
                version_id=v.version_id,
                is_latest=index == 0,
                delete_marker=v.type == DELETE_MARKER,
                size=v.size,
                etag=v.etag,
                last_modified=v.last_modified,
                retention=_retention(v.retention_mode, v.retain_until)
                if lock and v.type != DELETE_MARKER
                else None,
                legal_hold=(v.legal_hold or "OFF") if lock and v.type != DELETE_MARKER else None,
                mod_time_ns=v.mod_time_ns,
                kind=TYPE_NAMES.get(v.type, str(v.type)),
                content_type=v.content_type,
                storage=storage,
                encryption=v.encryption,
                stored_size=v.stored_size,
                data_blocks=0 if v.type == DELETE_MARKER else data_blocks,
                parity_blocks=0 if v.type == DELETE_MARKER else parity_blocks,
                shard_problem="; ".join(f.describe() for f in problems),
                object_meta="" if v.type == DELETE_MARKER else disk_meta_json(v),
            )
        )


def _check_parts(path, bucket, rel, v, data_dir, check_sizes) -> list[Finding]:
    """What is wrong with a version's part files on this drive (nothing: an empty list)."""
    problems = []
    where = f"{path}/{data_dir}" if data_dir else path
    try:
        with os.scandir(where) as it:
            present = {e.name: e for e in it}
    except OSError:
        present = {}
    for part in v.parts:
        name = f"part.{part.number}"
        shown = f"{bucket}/{rel}/{data_dir + '/' if data_dir else ''}{name}"
        entry = present.get(name)
        if entry is None:
            problems.append(
                Finding(
                    MISSING_PART,
                    bucket,
                    shown,
                    f"version {v.version_id}: part {part.number} of {len(v.parts)} "
                    f"({part.size} bytes) is missing",
                )
            )
        elif check_sizes:
            want = expected_part_file_size(part.size, v.block_size, v.erasure[0])
            got = entry.stat(follow_symlinks=False).st_size
            if got != want:
                problems.append(
                    Finding(
                        PART_SIZE,
                        bucket,
                        shown,
                        f"version {v.version_id}: {got} bytes on disk, {want} expected for a "
                        f"{part.size}-byte part (truncated or overwritten)",
                    )
                )
    return problems


def _orphan_data(sink: _Sink, drive: str, bucket: str, rel: str, name: str) -> bool:
    """A data directory (uuid) holding part files directly under a directory without xl.meta."""
    try:
        with os.scandir(
            f"{drive}/{bucket}/{rel}/{name}" if rel else f"{drive}/{bucket}/{name}"
        ) as it:
            parts = sorted(e.name for e in it if PART.match(e.name))
    except OSError:
        return False
    if not parts:
        return False
    sink.finding(
        ORPHAN_DATA,
        bucket,
        f"{bucket}/{rel}" if rel else bucket,
        f"holds data directory {name} ({', '.join(parts[:5])}"
        f"{'...' if len(parts) > 5 else ''}) but no xl.meta: the object's metadata is gone",
    )
    return True


def _walk(
    sink: _Sink,
    drive: str,
    bucket: str,
    start: str,
    info: BucketInfo,
    check_sizes: bool,
    shard: tuple[int, int] | None = None,
) -> None:
    """Depth-first from `bucket/start`: objects are decoded, prefixes descended, in name order."""
    stack = [start]
    first = True
    while stack:
        rel = stack.pop()
        directory = f"{drive}/{bucket}/{rel}" if rel else f"{drive}/{bucket}"
        try:
            with os.scandir(directory) as it:
                entries = list(it)
        except OSError as exc:
            sink.finding(UNREADABLE_META, bucket, f"{bucket}/{rel}", f"cannot list: {exc.strerror}")
            continue
        sink.directories += 1
        names = {e.name for e in entries}
        if XL_META in names and rel:
            _scan_object(sink, drive, bucket, rel, entries, info, check_sizes)
            if sink.tick and sink.objects % 256 == 0:
                sink.tick(sink.objects)
            continue
        if "xl.json" in names and rel:
            sink.objects += 1
            sink.finding(
                LEGACY_XL_JSON,
                bucket,
                f"{bucket}/{rel}/xl.json",
                "an object in MinIO's pre-2021 xl.json format (not read here); RustFS reads "
                "xl.meta only: heal it with MinIO first (mc admin heal) so it is rewritten",
            )
            continue
        children = []
        for e in entries:
            if not e.is_dir(follow_symlinks=False):
                continue
            if shard is not None and first and zlib.crc32(e.name.encode()) % shard[1] != shard[0]:
                continue
            if UUID.match(e.name) and _orphan_data(sink, drive, bucket, rel, e.name):
                continue
            children.append(f"{rel}/{e.name}" if rel else e.name)
        first = False
        stack.extend(sorted(children, reverse=True))


# --- the whole dataset -------------------------------------------------------------------


@dataclass(frozen=True)
class _Task:
    drive: int
    bucket: str
    rel: str
    shard: tuple[int, int] | None = None


def _plan(roots: list[Path], buckets: list[str], workers: int) -> list[_Task]:
    """Split the tree into subtrees for the workers, listing as few directories as needed."""
    tasks = deque(_Task(d, b, "") for d in range(len(roots)) for b in buckets)
    if workers <= 1:
        return list(tasks)
    target = workers * 8
    done: list[_Task] = []
    while tasks and len(tasks) + len(done) < target:
        task = tasks.popleft()
        directory = roots[task.drive] / task.bucket / task.rel
        try:
            with os.scandir(directory) as it:
                entries = list(it)
        except OSError:
            done.append(task)
            continue
        names = {e.name for e in entries}
        if task.rel and (XL_META in names or "xl.json" in names):
            done.append(task)  # an object: its own task
            continue
        dirs = [e.name for e in entries if e.is_dir(follow_symlinks=False)]
        if len(dirs) > HUGE_DIRECTORY:
            # Too many children to hand out one by one: split them by name hash.
            done.extend(
                _Task(task.drive, task.bucket, task.rel, (i, target)) for i in range(target)
            )
            continue
        if any(UUID.match(n) for n in dirs):
            done.append(task)  # a data directory may be orphaned here: the walker checks it
            continue
        tasks.extend(
            _Task(task.drive, task.bucket, f"{task.rel}/{n}" if task.rel else n)
            for n in sorted(dirs)
        )
    return done + list(tasks)


# Worker processes: each writes its own store; the parent merges them in order.
_worker: dict = {}


def _worker_init(spill: str, shared: str, roots: list[str], infos, check_sizes, counter) -> None:
    _worker.update(
        spill=spill,
        shared=shared,
        stores={},
        roots=roots,
        infos=infos,
        check=check_sizes,
        counter=counter,
    )


def _worker_store(drive: int) -> VersionStore:
    """One drive: every worker writes the final store. A set of drives: one store per worker
    and drive, so that the same version on two drives stays two rows until merged."""
    stores = _worker["stores"]
    if drive not in stores:
        shared = _worker["shared"]
        stores[drive] = (
            VersionStore(shared, shared=True)
            if shared
            else VersionStore(Path(_worker["spill"]) / f"part-{os.getpid()}-d{drive}.sqlite")
        )
    return stores[drive]


def _worker_run(task: _Task) -> tuple[str, int, int, int]:
    store = _worker_store(task.drive)
    counter = _worker["counter"]
    last = [0]

    def tick(n: int) -> None:
        with counter.get_lock():
            counter.value += n - last[0]
        last[0] = n

    sink = _Sink(store, tick=tick, one_of_a_set=len(_worker["roots"]) > 1)
    _walk(
        sink,
        _worker["roots"][task.drive],
        task.bucket,
        task.rel,
        _worker["infos"][task.bucket],
        _worker["check"],
        task.shard,
    )
    store.flush()
    tick(sink.objects)
    return str(store.path), sink.objects, sink.versions, sink.directories


# Per-drive findings that concern one drive's copy of an object: on a set of drives the
# object is still served from the others, so they are damage only where no drive serves it.
_ONE_COPY = (UNREADABLE_META, ORPHAN_DATA)


def _object_of(path: str) -> tuple[str, str]:
    """(bucket, key) of a finding's path (`bucket/key[/xl.meta]`, keys ending / as __XLDIR__)."""
    path = path.removesuffix(f"/{XL_META}")
    bucket, _, rel = path.partition("/")
    return bucket, rel[: -len(XLDIR_SUFFIX)] + "/" if rel.endswith(XLDIR_SUFFIX) else rel


def _read_quorum(row: ObjectVersion, set_size: int) -> tuple[int, int]:
    """(drives needed to read the version, drives it was written to), as MinIO counts them.

    objectQuorumFromMeta (erasure-metadata.go): the read quorum is the data blocks, EcM, not a
    majority of the drives; a delete marker has no data blocks and needs half the drives.
    """
    if row.delete_marker or not row.data_blocks:
        return max(1, set_size // 2), set_size
    return row.data_blocks, row.data_blocks + row.parity_blocks


def _verdict(copies: list[tuple[ObjectVersion, str]], drives: list[str], set_size: int):
    """(a whole copy or None, the finding for the version or None)."""
    first = copies[0][0]
    need, total = _read_quorum(first, set_size)
    whole = [row for row, _ in copies if not row.shard_problem]
    if len(whole) >= total:
        return whole[0], None
    problems = [f"drive {drive}: {row.shard_problem}" for row, drive in copies if row.shard_problem]
    if len(drives) == set_size:
        present = {drive for _, drive in copies}
        problems += [
            f"drive {d}: its xl.meta does not list this version" for d in drives if d not in present
        ]
    where = f"{first.bucket}/{first.key}"
    counted = (
        f"version {first.version_id} is whole on {len(whole)} of {total} drives and reading it "
        f"needs {need} ({'half the drives, a delete marker' if first.delete_marker else 'its data blocks, EcM'})"
    )
    if len(whole) >= need:
        return whole[0], Finding(
            NEEDS_HEALING,
            first.bucket,
            where,
            f"{counted}: readable from the parity shards: {'; '.join(problems)}",
        )
    return None, Finding(
        UNDER_QUORUM, first.bucket, where, f"{counted}: lost: {'; '.join(problems)}"
    )


def _tagged(store: VersionStore, drive: str):
    for row in store.rows():
        yield row, drive


def _merge_drives(
    parts: list[tuple[str, VersionStore]], final: VersionStore, drives: list[str], set_size: int
) -> tuple[int, int]:
    """Merge partial stores (one per worker and drive, tagged with the drive) into `final`.

    With one drive every version is in exactly one partial store. With a set of drives a
    version is kept when enough drives hold a whole shard of it to read it (its read quorum);
    short of its full width it is "readable, needs healing", short of the quorum it is lost,
    and either way every drive concerned is named.
    """
    one_copy: dict[tuple[str, str], list[Finding]] = {}
    for drive, p in parts:
        for f in p.findings():
            named = f._replace(path=f"{drive}/{f.path}")
            if f.kind in _ONE_COPY:
                one_copy.setdefault(_object_of(f.path), []).append(named)
            else:
                final.finding(named)
    objects = versions = 0
    tagged = [_tagged(p, drive) for drive, p in parts]
    merged = heapq.merge(*tagged, key=lambda t: t[0].ident)
    for (bucket, key), rows in groupby(merged, key=lambda t: (t[0].bucket, t[0].key)):
        kept = []
        for _, copies in groupby(rows, key=lambda t: t[0].version_id):
            row, finding = _verdict(list(copies), drives, set_size)
            if finding is not None:
                final.finding(finding)
            if row is not None:
                kept.append(row)
        if (bucket, key) in one_copy:
            for f in one_copy.pop((bucket, key)):
                final.finding(
                    f._replace(
                        kind=NEEDS_HEALING,
                        detail=f"{f.kind} on this drive, the others serve it: {f.detail}",
                    )
                    if kept
                    else f
                )
        if not kept:
            continue
        objects += 1
        if len(drives) > 1:
            newest = max(kept, key=lambda r: r.mod_time_ns)
            kept = [r._replace(is_latest=r is newest) for r in kept]
        versions += len(kept)
        final.extend(kept)
    for lost in one_copy.values():  # no drive serves the object at all
        for f in lost:
            final.finding(f)
    return objects, versions


def scan_dataset(
    roots: list[Path] | Path,
    store: VersionStore,
    *,
    workers: int = 1,
    check_sizes: bool = True,
    progress: Callable[[int], None] | None = None,
    spill_dir: Path | None = None,
) -> ScanSummary:
    """Inventory one drive (or every drive of one node's set) into `store`.

    Raises LegacyFsLayout for FS mode and DriveSetRefused (cutover.driveset) for drives that
    are not one whole set (part of a set, or drives of two deployments); everything else
    wrong on disk becomes a finding, naming the drive on a set of drives.
    """
    roots = [Path(r) for r in (roots if isinstance(roots, list) else [roots])]
    started = time.monotonic()
    formats = [read_format(r) for r in roots]
    if len(roots) > 1 or formats[0].kind == "xl":
        ordered = check_drive_set(roots)  # in the set's order: drive N is the set's Nth
        roots = [Path(f.root) for f in ordered]
        formats = [read_format(r) for r in roots]
    found_buckets: set[str] = set()
    for drive in roots:
        names, others = bucket_names(drive)
        found_buckets.update(names)
        for other in others:
            shown = f"{drive}/{other}" if len(roots) > 1 else other
            store.finding(
                Finding(NOT_A_BUCKET, "", shown, f"{bucket_name_problem(other)}: MinIO ignores it")
            )
    buckets = sorted(found_buckets)
    infos = {b: _bucket_info(roots, b) for b in buckets}
    for info in infos.values():
        if info.metadata != "ok":
            store.finding(
                Finding(
                    BUCKET_METADATA,
                    info.name,
                    f"{MINIO_META}/buckets/{info.name}/.metadata.bin",
                    f"{info.metadata}: served with default settings (versioning and object lock "
                    "unknown here)",
                )
            )
        if info.healing:
            store.finding(
                Finding(
                    NEEDS_HEALING,
                    info.name,
                    f"{MINIO_META}/buckets/{info.name}/.metadata.bin",
                    f"bucket settings decoded from the other drives' shards: {info.healing}",
                )
            )
        store.set_fact(f"bucket:{info.name}", json.dumps(info.__dict__))
    summary = ScanSummary(
        roots=[str(r) for r in roots], format=formats[0], buckets=infos, workers=workers
    )
    tasks = _plan(roots, buckets, workers)
    if workers <= 1 and len(roots) == 1:
        sink = _Sink(store, tick=progress)
        for task in tasks:
            _walk(sink, str(roots[0]), task.bucket, task.rel, infos[task.bucket], check_sizes)
        summary.objects, summary.versions, summary.directories = (
            sink.objects,
            sink.versions,
            sink.directories,
        )
    else:
        summary.objects, summary.versions, summary.directories = _parallel(
            roots,
            tasks,
            infos,
            store,
            max(1, workers),
            check_sizes,
            progress,
            spill_dir,
            summary.format.drives_in_set,
        )
    store.flush()
    summary.seconds = time.monotonic() - started
    summary.finding_counts = store.finding_counts()
    store.set_fact(
        "summary", json.dumps({"objects": summary.objects, "versions": summary.versions})
    )
    return summary


def _bucket_info(roots: list[Path], bucket: str) -> BucketInfo:
    """One drive holds the metadata whole; a set of drives holds a shard each."""
    if len(roots) == 1:
        return read_bucket_info(roots[0], bucket)
    copies: dict[str, bytes | None] = {}
    for root in roots:
        path = root / MINIO_META / "buckets" / bucket / ".metadata.bin" / XL_META
        try:
            copies[str(root)] = path.read_bytes()
        except OSError:
            copies[str(root)] = None
    return bucket_info_from_shards(bucket, copies)


def _parallel(roots, tasks, infos, store, workers, check_sizes, progress, spill_dir, set_size):
    with tempfile.TemporaryDirectory(prefix="ondisk-", dir=spill_dir) as spill:
        ctx = multiprocessing.get_context("fork")
        counter = ctx.Value("q", 0)
        stop = threading.Event()

        def report() -> None:
            while not stop.wait(0.25):
                progress(counter.value)

        ticker = threading.Thread(target=report, daemon=True) if progress else None
        if ticker:
            ticker.start()
        directories = 0
        single = len(roots) == 1
        if single:
            store.share()  # one drive: workers write the final store, nothing to merge
        try:
            with ctx.Pool(
                workers,
                initializer=_worker_init,
                initargs=(
                    spill,
                    str(store.path) if single else "",
                    [str(r) for r in roots],
                    infos,
                    check_sizes,
                    counter,
                ),
            ) as pool:
                read = 0
                for _, objects, _, dirs in pool.imap_unordered(_worker_run, tasks, chunksize=1):
                    read += objects
                    directories += dirs
                pool.close()
                pool.join()
        finally:
            stop.set()
            if ticker:
                ticker.join()
        if single:
            versions = store.version_count
        else:
            parts = [
                (str(roots[int(p.stem.rpartition("-d")[2])]), VersionStore(p))
                for p in sorted(Path(spill).glob("part-*.sqlite"))
            ]
            try:
                _, versions = _merge_drives(parts, store, [str(r) for r in roots], set_size)
            finally:
                for _, p in parts:
                    p.close()
        if progress:
            progress(counter.value)
        return read, versions, directories

"""MinIO's `xl.meta`, decoded from the bytes alone: every version of one object, no server.

The layout (facts and MinIO source references in shared/research/minio-on-disk-format.md):
the magic `XL2 `, a little-endian major/minor version, then

- 1.0: one msgpack map `{"Versions": [...]}`;
- 1.1/1.2: a msgpack bin holding that map (1.2 adds a uint32 CRC), then inline data;
- 1.3: a bin holding `headerVersion, metaVersion, count` and `count` pairs of (header bin,
  version bin), then a uint32 CRC (low 32 bits of xxhash64 of the bin), then inline data.

Inline data is one version byte (1) and a msgpack map from version id ("null" for the null
version) to the framed payload. Only what an inventory needs is decoded; a file that does not
parse raises `XlMetaError` with the reason, never anything else.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgpack
import xxhash

MAGIC = b"XL2 "
NULL_VERSION = "null"

# Version types (xl-storage-format-v2.go L105-114) and header flags (L191-197).
OBJECT, DELETE_MARKER, LEGACY = 1, 2, 3
TYPE_NAMES = {OBJECT: "object", DELETE_MARKER: "delete-marker", LEGACY: "legacy"}
FLAG_FREE_VERSION, FLAG_USES_DATA_DIR, FLAG_INLINE_DATA = 1, 2, 4

INLINE_DATA_KEY = "x-minio-internal-inline-data"
ACTUAL_SIZE_KEY = "x-minio-internal-actual-size"
# Keys MinIO writes for an encrypted object (internal/crypto/metadata.go), lower-cased.
SSE_SEALED_KEYS = {
    "x-minio-internal-server-side-encryption-sealed-key": "SSE-C",
    "x-minio-internal-server-side-encryption-s3-sealed-key": "SSE-S3",
    "x-minio-internal-server-side-encryption-kms-sealed-key": "SSE-KMS",
}
# MinIO's own compression (MINIO_COMPRESSION_ENABLE): the algorithm under this key
# (cmd/object-api-utils.go: compressionAlgorithmV1/V2, ReservedMetadataPrefix + "compression").
COMPRESSION_KEY = "x-minio-internal-compression"
SSE_HEADER = "x-amz-server-side-encryption"
SSEC_HEADER = "x-amz-server-side-encryption-customer-algorithm"
# Where MinIO keeps what a client sent with the object (cmd/handler-utils.go supportedHeaders,
# user metadata as X-Amz-Meta-*, tags as X-Amz-Tagging in MetaUsr; the additional checksum as
# internal/hash/checksum.go's AppendTo encoding in MetaSys), lower-cased.
USER_META_PREFIX = "x-amz-meta-"
TAGGING_KEY = "x-amz-tagging"
STORAGE_CLASS_KEY = "x-amz-storage-class"
CHECKSUM_KEY = "x-minio-internal-crc"
# MetaUsr entries every object has, which the inventory reads on their own.
_PLAIN_USER_KEYS = frozenset({"content-type", "etag"})


class XlMetaError(ValueError):
    """The bytes are not a readable xl.meta; the message says what is wrong with them."""


@dataclass(frozen=True)
class Part:
    number: int
    size: int  # bytes as stored (compressed/encrypted size)
    actual_size: int  # bytes the client wrote


@dataclass(frozen=True, slots=True)
class XlVersion:
    """One version of an object, as MinIO stored it."""

    version_id: str  # uuid, or "null"
    type: int
    mod_time_ns: int
    size: int = 0  # what the client wrote: the actual size of a compressed/encrypted object
    stored_size: int = 0  # MinIO's `Size` field
    etag: str = ""
    content_type: str = ""
    data_dir: str = ""  # uuid of <object>/<data dir>/part.N (inline versions carry one too)
    inline: bool = False  # what the metadata claims; XlMeta.inline_ids says what is there
    parts: tuple[Part, ...] = ()
    erasure: tuple[int, int, int] = (
        1,
        0,
        1,
    )  # (data blocks M, parity blocks N, this drive's index)
    block_size: int = 1 << 20
    encryption: str = ""  # "SSE-S3", "SSE-KMS", "SSE-C" or ""
    compression: str = ""  # MinIO's algorithm ("klauspost/compress/s2") when stored compressed
    free: bool = False  # tiering bookkeeping, never listed
    retention_mode: str = ""
    retain_until: str = ""
    legal_hold: str = ""
    # What a client sent with the object beyond Content-Type and ETag (headers, x-amz-meta-*,
    # tags, storage class...): MetaUsr's other entries, lower-cased, kept as stored so that the
    # scan pays one set difference per version; the properties below read them.
    user_extra: tuple[tuple[str, Any], ...] = ()
    checksum: bytes = b""  # x-minio-internal-crc, undecoded (cutover.objectmeta decodes it)

    def _extra(self, key: str) -> str:
        for name, value in self.user_extra:
            if name == key:
                return _text(value)
        return ""

    @property
    def cache_control(self) -> str:
        return self._extra("cache-control")

    @property
    def content_encoding(self) -> str:
        return self._extra("content-encoding")

    @property
    def content_disposition(self) -> str:
        return self._extra("content-disposition")

    @property
    def content_language(self) -> str:
        return self._extra("content-language")

    @property
    def user_meta(self) -> tuple[tuple[str, str], ...]:
        """(lower-case x-amz-meta-* name, value), sorted."""
        return tuple(
            sorted((k, _text(v)) for k, v in self.user_extra if k.startswith(USER_META_PREFIX))
        )

    @property
    def tagging(self) -> str:
        """X-Amz-Tagging as stored: URL-encoded k=v&k=v."""
        return self._extra(TAGGING_KEY)

    @property
    def storage_class(self) -> str:
        """x-amz-storage-class; "" is STANDARD."""
        return self._extra(STORAGE_CLASS_KEY)

    @property
    def type_name(self) -> str:
        return TYPE_NAMES.get(self.type, f"type-{self.type}")

    @property
    def delete_marker(self) -> bool:
        return self.type == DELETE_MARKER

    @property
    def last_modified(self) -> str:
        """S3's LastModified as the listing shows it: UTC, millisecond precision."""
        return iso_ms(self.mod_time_ns)


@dataclass
class XlMeta:
    major: int
    minor: int
    versions: list[XlVersion]  # newest first, free versions excluded
    inline_ids: frozenset[str] = frozenset()  # version ids whose payload is inline
    header_version: int = 0
    meta_version: int = 0

    @property
    def format_version(self) -> str:
        return f"{self.major}.{self.minor}"


_SECONDS: dict[int, str] = {}


def iso_ms(ns: int) -> str:
    """UTC, millisecond precision, as S3 listings show LastModified."""
    ms = ns // 1_000_000
    seconds = ms // 1000
    text = _SECONDS.get(seconds)
    if text is None:
        if len(_SECONDS) > 100_000:
            _SECONDS.clear()
        text = _SECONDS[seconds] = datetime.fromtimestamp(seconds, UTC).strftime(
            "%Y-%m-%dT%H:%M:%S."
        )
    return f"{text}{ms % 1000:03d}Z"


def _uuid(raw: Any) -> str:
    if not raw or raw == bytes(16):
        return NULL_VERSION
    if isinstance(raw, bytes) and len(raw) == 16:
        return str(uuid.UUID(bytes=raw))
    return str(raw)


def _lower(mapping: Any) -> dict[str, Any]:
    """Keys lower-cased (MinIO's case varies: X-Minio-Internal-actual-size, ...)."""
    if not isinstance(mapping, dict):
        return {}
    return {k.lower() if isinstance(k, str) else str(k): v for k, v in mapping.items()}


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return "" if value is None else str(value)


def _int(value: Any, default: int = 0) -> int:
    if isinstance(value, bytes):
        value = value.decode("ascii", errors="replace")
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _encryption(sys_meta: dict[str, Any], user_meta: dict[str, Any]) -> str:
    for key, kind in SSE_SEALED_KEYS.items():
        if key in sys_meta:
            return kind
    if SSEC_HEADER in user_meta:
        return "SSE-C"
    if SSE_HEADER in user_meta:
        return "SSE-KMS" if "kms" in _text(user_meta[SSE_HEADER]).lower() else "SSE-S3"
    return ""


def _lock_state(user_meta: dict[str, Any]) -> tuple[str, str, str]:
    return (
        _text(user_meta.get("x-amz-object-lock-mode")),
        _text(user_meta.get("x-amz-object-lock-retain-until-date")),
        _text(user_meta.get("x-amz-object-lock-legal-hold")),
    )


def _v2_object(obj: dict[str, Any], *, flags: int | None) -> XlVersion:
    sys_meta = _lower(obj.get("MetaSys"))
    user_meta = _lower(obj.get("MetaUsr"))
    stored = _int(obj.get("Size"))
    actual = sys_meta.get(ACTUAL_SIZE_KEY)
    sizes = obj.get("PartSizes") or []
    actual_sizes = obj.get("PartASizes") or sizes
    parts = tuple(
        Part(number=int(n), size=int(s), actual_size=int(a))
        for n, s, a in zip(obj.get("PartNums") or [], sizes, actual_sizes, strict=False)
    )
    encryption = _encryption(sys_meta, user_meta)
    if actual is None and (encryption or (parts and any(p.size != p.actual_size for p in parts))):
        # Encrypted (or compressed) without an actual-size key: the parts' actual sizes add up
        # to what the client wrote (PartASizes), as GetActualSize falls back to.
        actual = sum(p.actual_size for p in parts) if parts else None
    if flags is not None:
        inline = bool(flags & FLAG_INLINE_DATA)
    else:
        inline = _text(sys_meta.get(INLINE_DATA_KEY)).lower() == "true"
    mode, until, hold = _lock_state(user_meta)
    extra = user_meta.keys() - _PLAIN_USER_KEYS
    crc = sys_meta.get(CHECKSUM_KEY)
    return XlVersion(
        version_id=_uuid(obj.get("ID")),
        type=OBJECT,
        mod_time_ns=_int(obj.get("MTime")),
        size=_int(actual, stored) if actual is not None else stored,
        stored_size=stored,
        etag=_text(user_meta.get("etag") or user_meta.get("md5sum")),
        content_type=_text(user_meta.get("content-type")),
        data_dir=_uuid(obj.get("DDir")).replace(NULL_VERSION, ""),
        inline=inline,
        parts=parts,
        erasure=(_int(obj.get("EcM"), 1), _int(obj.get("EcN")), _int(obj.get("EcIndex"), 1)),
        block_size=_int(obj.get("EcBSize"), 1 << 20) or (1 << 20),
        encryption=encryption,
        compression=_text(sys_meta.get(COMPRESSION_KEY) or user_meta.get(COMPRESSION_KEY)),
        free=bool(flags is not None and flags & FLAG_FREE_VERSION),
        retention_mode=mode,
        retain_until=until,
        legal_hold=hold,
        user_extra=tuple((k, user_meta[k]) for k in extra) if extra else (),
        checksum=crc if isinstance(crc, bytes) else b"",
    )


def _delete_marker(obj: dict[str, Any], *, flags: int | None) -> XlVersion:
    sys_meta = _lower(obj.get("MetaSys"))
    free = bool(flags is not None and flags & FLAG_FREE_VERSION)
    # A free version is a delete marker carrying x-minio-internal-free-version (tiering).
    free = free or any(k.endswith("free-version") for k in sys_meta)
    return XlVersion(
        version_id=_uuid(obj.get("ID")),
        type=DELETE_MARKER,
        mod_time_ns=_int(obj.get("MTime")),
        free=free,
    )


def _v1_object(obj: dict[str, Any]) -> XlVersion:
    """An object migrated from xl.json (xl-storage-format-v1.go): `V1Obj`."""
    stat = obj.get("Stat") or {}
    meta = _lower(obj.get("Meta"))
    erasure = obj.get("Erasure") or {}
    mod = stat.get("ModTime")
    if isinstance(mod, datetime):
        mod_ns = int(mod.timestamp() * 1_000_000_000)
    elif isinstance(mod, msgpack.Timestamp):
        mod_ns = mod.to_unix_nano()
    else:
        mod_ns = _int(mod)
    parts = tuple(
        Part(
            number=int(p.get("Number", i + 1)),
            size=int(p.get("Size", 0)),
            actual_size=int(p.get("ActualSize", p.get("Size", 0))),
        )
        for i, p in enumerate(obj.get("Parts") or [])
        if isinstance(p, dict)
    )
    stored = _int(stat.get("Size"))
    actual = meta.get(ACTUAL_SIZE_KEY)
    version_id = _text(obj.get("VersionID")) or NULL_VERSION
    mode, until, hold = _lock_state(meta)
    return XlVersion(
        version_id=version_id,
        type=LEGACY,
        mod_time_ns=mod_ns,
        size=_int(actual, stored) if actual is not None else stored,
        stored_size=stored,
        etag=_text(meta.get("etag") or meta.get("md5sum")),
        content_type=_text(meta.get("content-type")),
        data_dir=_text(obj.get("DataDir")),
        parts=parts,
        erasure=(
            _int(erasure.get("DataBlocks"), 1),
            _int(erasure.get("ParityBlocks")),
            _int(erasure.get("Index"), 1),
        ),
        block_size=_int(erasure.get("BlockSize"), 1 << 20) or (1 << 20),
        encryption=_encryption(meta, meta),
        compression=_text(meta.get(COMPRESSION_KEY)),
        retention_mode=mode,
        retain_until=until,
        legal_hold=hold,
        user_extra=tuple((k, v) for k, v in meta.items() if k not in _PLAIN_USER_KEYS),
    )


def _version(meta: Any, *, flags: int | None = None) -> XlVersion:
    if not isinstance(meta, dict):
        raise XlMetaError(f"a version is a msgpack {type(meta).__name__}, not a map")
    kind = meta.get("Type")
    if kind == OBJECT and isinstance(meta.get("V2Obj"), dict):
        return _v2_object(meta["V2Obj"], flags=flags)
    if kind == DELETE_MARKER and isinstance(meta.get("DelObj"), dict):
        return _delete_marker(meta["DelObj"], flags=flags)
    if kind == LEGACY and isinstance(meta.get("V1Obj"), dict):
        return _v1_object(meta["V1Obj"])
    raise XlMetaError(f"a version of unknown type {kind!r} (keys {sorted(map(str, meta))})")


def _unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False, timestamp=3)


def _inline_section(rest: bytes, *, values: bool = False) -> dict[str, bytes | None]:
    """The inline-data section after the metadata: version id -> payload (None unless asked)."""
    if not rest:
        return {}
    if rest[0] != 1:
        raise XlMetaError(f"inline data has unknown version {rest[0]}")
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, max_buffer_size=len(rest))
    unpacker.feed(rest[1:])
    found: dict[str, bytes | None] = {}
    try:
        for _ in range(unpacker.read_map_header()):
            key = str(unpacker.unpack())
            if values:
                found[key or NULL_VERSION] = unpacker.unpack()
            else:
                unpacker.skip()
                found[key or NULL_VERSION] = None
    except (msgpack.OutOfData, ValueError, msgpack.UnpackException) as exc:
        raise XlMetaError(f"inline data is cut short or damaged ({exc or 'out of data'})") from None
    return found


def _inline_ids(rest: bytes) -> frozenset[str]:
    return frozenset(_inline_section(rest))


def _read_crc(buf: bytes, at: int, body: bytes) -> int:
    if len(buf) < at + 5 or buf[at] != 0xCE:
        raise XlMetaError("the metadata CRC is missing (file cut short?)")
    (stored,) = struct.unpack_from(">I", buf, at + 1)
    actual = xxhash.xxh64_intdigest(body) & 0xFFFFFFFF
    if stored != actual:
        raise XlMetaError(f"metadata CRC mismatch (stored {stored:08x}, computed {actual:08x})")
    return at + 5


def _bin_at(buf: bytes, at: int) -> tuple[bytes, int]:
    """A msgpack bin starting at `at`: its payload and where the next item starts."""
    if at >= len(buf):
        raise XlMetaError("the metadata is missing (file cut short after the header)")
    tag = buf[at]
    sizes = {0xC4: (1, ">B"), 0xC5: (2, ">H"), 0xC6: (4, ">I")}
    if tag not in sizes:
        raise XlMetaError(f"expected a msgpack bin at byte {at}, found 0x{tag:02x}")
    width, fmt = sizes[tag]
    if len(buf) < at + 1 + width:
        raise XlMetaError("the metadata length is cut short")
    (length,) = struct.unpack_from(fmt, buf, at + 1)
    start = at + 1 + width
    if len(buf) < start + length:
        raise XlMetaError(
            f"the metadata says {length} bytes but only {len(buf) - start} follow (file truncated)"
        )
    return buf[start : start + length], start + length


def _sorted(versions: list[XlVersion]) -> list[XlVersion]:
    """Newest first, as MinIO lists them; free versions are bookkeeping and dropped."""
    return sorted((v for v in versions if not v.free), key=lambda v: v.mod_time_ns, reverse=True)


def parse_xl_meta(buf: bytes) -> XlMeta:
    """Decode one xl.meta file's bytes; `XlMetaError` says why when they are not one."""
    if len(buf) < 8:
        raise XlMetaError(f"only {len(buf)} bytes: too short for an xl.meta header")
    if buf[:4] != MAGIC:
        raise XlMetaError(f"not an xl.meta file (starts with {buf[:4]!r}, expected {MAGIC!r})")
    if buf[4:8] == b"1   ":
        major, minor = 1, 0
    else:
        major, minor = struct.unpack_from("<HH", buf, 4)
    if major != 1 or minor > 3:
        raise XlMetaError(f"xl.meta version {major}.{minor} is newer than this reader knows (1.3)")
    try:
        if minor == 0:
            return _legacy_map(_unpack(buf[8:]), major, minor, b"")
        body, at = _bin_at(buf, 8)
        if minor in (1, 2):
            if minor == 2:
                at = _read_crc(buf, at, body)
            return _legacy_map(_unpack(body), major, minor, buf[at:])
        at = _read_crc(buf, at, body)
        return _indexed(body, major, minor, buf[at:])
    except XlMetaError:
        raise
    except (ValueError, TypeError, KeyError, msgpack.UnpackException) as exc:
        raise XlMetaError(
            f"the msgpack body does not decode ({type(exc).__name__}: {exc})"
        ) from None


def _legacy_map(data: Any, major: int, minor: int, rest: bytes) -> XlMeta:
    if not isinstance(data, dict) or not isinstance(data.get("Versions"), list):
        raise XlMetaError("the body is not a {Versions: [...]} map")
    versions = [_version(v) for v in data["Versions"]]
    return XlMeta(major, minor, _sorted(versions), _inline_ids(rest))


def _indexed(body: bytes, major: int, minor: int, rest: bytes) -> XlMeta:
    unpacker = msgpack.Unpacker(raw=False, strict_map_key=False, timestamp=3)
    unpacker.feed(body)
    try:
        header_version = unpacker.unpack()
        meta_version = unpacker.unpack()
        count = unpacker.unpack()
        if not all(isinstance(x, int) for x in (header_version, meta_version, count)):
            raise XlMetaError("the indexed metadata does not start with three integers")
        versions = []
        for _ in range(count):
            header = _unpack(unpacker.unpack())
            meta = _unpack(unpacker.unpack())
            flags = header[3] if header_version == 1 else header[4]
            versions.append(_version(meta, flags=flags if isinstance(flags, int) else None))
    except msgpack.OutOfData:
        raise XlMetaError("the indexed metadata ends before its last version") from None
    return XlMeta(major, minor, _sorted(versions), _inline_ids(rest), header_version, meta_version)


def expected_part_file_size(part_size: int, block_size: int, data_blocks: int) -> int:
    """Bytes of one drive's part.N: shard data plus a 32-byte HighwayHash per block.

    Each erasure block of `block_size` bytes is split into `data_blocks` shards; every shard
    block is framed with its hash (bitrot-streaming.go).
    """
    if part_size <= 0:
        return 0
    shard = -(-block_size // data_blocks)
    full, last = divmod(part_size, block_size)
    size = full * (shard + 32)
    if last:
        size += -(-last // data_blocks) + 32
    return size


def inline_payload(buf: bytes, version_id: str = NULL_VERSION) -> bytes | None:
    """The stored payload of one inline version with its bitrot framing removed.

    Only whole payloads can be unframed: on a single drive (EcM=1) the payload is the data
    with a 32-byte hash in front of every block. A shard of a multi-drive set returns None.
    """
    meta = parse_xl_meta(buf)
    version = next((v for v in meta.versions if v.version_id == version_id), None)
    if version is None or version.erasure[0] != 1:
        return None
    framed = _inline_section(_after_metadata(buf), values=True).get(version_id)
    if framed is None:
        return None
    block = version.block_size + 32
    return b"".join(framed[i + 32 : i + block] for i in range(0, len(framed), block))


def inline_shard(buf: bytes, version_id: str = NULL_VERSION) -> tuple[XlVersion, bytes] | None:
    """One drive's inline shard of a version, still framed, with the version it belongs to.

    On a set of drives every drive's xl.meta carries its own shard (EcIndex says which);
    cutover.erasure joins the data shards back into the payload.
    """
    meta = parse_xl_meta(buf)
    version = next((v for v in meta.versions if v.version_id == version_id), None)
    if version is None:
        return None
    framed = _inline_section(_after_metadata(buf), values=True).get(version_id)
    return None if framed is None else (version, framed)


def _after_metadata(buf: bytes) -> bytes:
    """The bytes after the metadata (and its CRC): the inline-data section."""
    if buf[4:8] == b"1   ":
        return b""
    minor = struct.unpack_from("<HH", buf, 4)[1]
    if minor == 0:
        return b""
    _, at = _bin_at(buf, 8)
    if minor >= 2:
        at += 5
    return buf[at:]

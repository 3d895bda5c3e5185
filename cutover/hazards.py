"""What RustFS 1.0.1 cannot take over from a MinIO dataset, found before the cutover.

Each is data RustFS would list (or not even see) but not serve:

- **objects MinIO stored compressed** (`MINIO_COMPRESSION_ENABLE`): MinIO writes the S2 stream
  (klauspost/compress/s2) to disk and marks the version with `X-Minio-Internal-compression:
  klauspost/compress/s2` in its system metadata (cmd/object-api-utils.go,
  `compressionAlgorithmV2`). RustFS 1.0.1 parses that token only when built with its `rio-v2`
  feature (rustfs-ecstore `object_api/readers.rs`: "the MinIO klauspost/compress/s2 token is
  only recognized under rio-v2"; otherwise `CompressionAlgorithm::from_str` in rustfs-utils
  `compress.rs` knows gzip, deflate, zstd, lz4, brotli, snappy and refuses it), and `rio-v2`
  is not among the rustfs 1.0.1 crate's default features. Found here by that marker in each
  `xl.meta` (no decompression needed);
- **legacy `xl.json` objects** (MinIO's pre-2021 format v1, xl-storage-format-v1.go): RustFS
  reads `xl.meta` only, so such an object is simply absent on RustFS;
- **bucket default encryption** (`PutBucketEncryption`): every new object in the bucket is
  sealed with MinIO's KMS, so what RustFS serves from it is unreadable, and the setting itself
  names a KMS key RustFS does not have;
- SSE-S3, SSE-KMS and SSE-C objects (cutover.inventory finds them through HEAD); here they are
  grouped by kind for the operator.

The host-side scans run through the testinfra host (`grep`/`find` on the NAS), so they read
the dataset where it is, while MinIO still runs; phase 25 repeats the compression finding from
its own decoding of every `xl.meta` (cutover.ondisk, `STORED_COMPRESSED`).
"""

from __future__ import annotations

import hashlib
import shlex
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from cutover.layout import META_DIRS, Host
from cutover.versionstore import Finding, VersionStore
from cutover.xlmeta import COMPRESSION_KEY

XL_META = "xl.meta"
XL_JSON = "xl.json"
XLDIR_SUFFIX = "__XLDIR__"

# HEAD's ServerSideEncryption / SSECustomerAlgorithm answers, as the operator knows them.
SSE_KIND_NAMES = {
    "AES256": "SSE-S3",
    "aws:kms": "SSE-KMS",
    "aws:kms:dsse": "SSE-KMS",
    "SSE-C": "SSE-C",
    "SSE-S3": "SSE-S3",
    "SSE-KMS": "SSE-KMS",
}
WHAT_TO_DO_SSE = {
    "SSE-S3": "read each with MinIO (its KMS key) and write it back without encryption",
    "SSE-KMS": "read each with MinIO (its KMS key) and write it back without encryption",
    "SSE-C": "read each with the client's own key and write it back without encryption "
    "(only the client holds the key: MinIO cannot do it alone)",
}


def sse_kind(answer: str) -> str:
    """The SSE kind an operator names ("SSE-S3", "SSE-KMS", "SSE-C") for HEAD's answer."""
    return SSE_KIND_NAMES.get(answer, answer)


def sse_counts(encrypted: dict[str, str]) -> dict[str, int]:
    """How many versions of each SSE kind, in a stable order (SSE-S3, SSE-KMS, SSE-C, other)."""
    counts = Counter(sse_kind(k) for k in encrypted.values())
    order = ["SSE-S3", "SSE-KMS", "SSE-C"]
    return {k: counts[k] for k in order + sorted(set(counts) - set(order)) if counts[k]}


def describe_sse_counts(encrypted: dict[str, str]) -> str:
    counts = sse_counts(encrypted)
    return ", ".join(f"{n} {kind}" for kind, n in counts.items()) or "none"


def object_of(root: str, path: str, marker: str) -> str:
    """`<root>/<bucket>/<key>/<marker>` as `bucket/key` (a `__XLDIR__` key ends in "/")."""
    rel = path[len(root.rstrip("/")) + 1 :] if path.startswith(root.rstrip("/") + "/") else path
    rel = rel.removesuffix("/" + marker)
    return rel[: -len(XLDIR_SUFFIX)] + "/" if rel.endswith(XLDIR_SUFFIX) else rel


def _excluded_meta_dirs() -> str:
    return " ".join(f"--exclude-dir={shlex.quote(d)}" for d in sorted(META_DIRS))


def compressed_objects(host: Host, root: str) -> list[str]:
    """`bucket/key` of every object one of whose versions MinIO stored compressed.

    `grep -l` over the `xl.meta` files only (not the part files), case-insensitive because
    MinIO keeps the key as `X-Minio-Internal-compression`. Raises RuntimeError when the scan
    itself fails (exit status 2), so a check never passes on a scan that did not run.
    """
    q = shlex.quote(root.rstrip("/"))
    result = host.run(
        f"grep -rlia --include={XL_META} {_excluded_meta_dirs()} "
        f"-e {shlex.quote(COMPRESSION_KEY)} -- {q}"
    )
    if result.rc not in (0, 1):
        raise RuntimeError(
            f"could not scan {root} for compressed objects (grep exit {result.rc}): "
            f"{(result.stderr or '').strip()[:300]}"
        )
    return sorted(object_of(root, p, XL_META) for p in result.stdout.splitlines() if p.strip())


def legacy_xl_json_objects(host: Host, root: str) -> list[str]:
    """`bucket/key` of every object still in MinIO's pre-2021 `xl.json` format.

    MinIO's own `.minio.sys` (and a `.rustfs.sys` left by an earlier attempt) is not searched.
    """
    base = root.rstrip("/")
    q = shlex.quote(base)
    prune = " -o ".join(f"-path {shlex.quote(f'{base}/{d}')}" for d in sorted(META_DIRS))
    result = host.run(f"find {q} \\( {prune} \\) -prune -o -type f -name {XL_JSON} -print")
    if result.rc != 0:
        raise RuntimeError(
            f"could not scan {root} for xl.json objects (find exit {result.rc}): "
            f"{(result.stderr or '').strip()[:300]}"
        )
    found = (object_of(root, p, XL_JSON) for p in result.stdout.splitlines() if p.strip())
    return sorted(o for o in found if "/" in o)  # <bucket>/xl.json is no object


@dataclass
class DefaultEncryption:
    """Buckets whose default encryption seals every new object (bucket -> SSE kind and key)."""

    buckets: dict[str, str] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)  # bucket -> why it was not read


def bucket_default_encryption(s3, buckets: Iterable[str]) -> DefaultEncryption:
    """`GetBucketEncryption` of each bucket on MinIO (none set: not listed)."""
    found = DefaultEncryption()
    for bucket in buckets:
        try:
            answer = s3.get_bucket_encryption(Bucket=bucket)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code != "ServerSideEncryptionConfigurationNotFoundError":
                found.unreadable[bucket] = f"{code or 'error'}: {exc}"
            continue
        rules = answer.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        kinds = []
        for rule in rules:
            default = rule.get("ApplyServerSideEncryptionByDefault", {})
            algorithm = default.get("SSEAlgorithm", "")
            key = default.get("KMSMasterKeyID")
            kinds.append(sse_kind(algorithm) + (f" (key {key})" if key else ""))
        if kinds:
            found.buckets[bucket] = ", ".join(kinds)
    return found


def findings_of_kind(store: VersionStore, kind: str, limit: int = 1000) -> list[Finding]:
    """The first `limit` findings of one kind, by path: a fully compressed store has millions."""
    store.flush()
    rows = store.db.execute(
        "SELECT kind, bucket, path, detail FROM findings WHERE kind = ? ORDER BY path LIMIT ?",
        (kind, int(limit)),
    )
    return [Finding(*r) for r in rows]


def distinct_findings(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per bucket path and detail: on a set of drives each drive reports it."""
    seen: dict[tuple[str, str], Finding] = {}
    for f in findings:
        path = f.path
        if f.bucket and not path.startswith(f"{f.bucket}/"):
            at = path.find(f"/{f.bucket}/")
            path = path[at + 1 :] if at >= 0 else path
        seen.setdefault((path, f.detail), f._replace(path=path))
    return list(seen.values())


def first(lines: list[str], n: int = 30) -> str:
    """The first `n` lines, and how many more there are."""
    shown = "\n".join(f"  {line}" for line in lines[:n])
    return shown + (f"\n  ... and {len(lines) - n} more" if len(lines) > n else "")


def by_bucket(objects: list[str]) -> str:
    """`raw: 3, curated: 1`: how the objects spread over buckets."""
    counts = Counter(o.split("/", 1)[0] for o in objects)
    return ", ".join(f"{b}: {n}" for b, n in sorted(counts.items()))


def read_back_problems(s3, versions: Iterable, limit: int = 20) -> list[str]:
    """How each object version reads back from an engine, when not whole: the GET refused, a
    size other than the baseline's, or (single-part objects) an MD5 other than the ETag.

    `versions` are cutover.inventory ObjectVersion rows of the baseline; at most `limit` read.
    """
    problems = []
    for n, version in enumerate(versions):
        if n >= limit:
            break
        extra = {} if version.version_id == "null" else {"VersionId": version.version_id}
        try:
            body = s3.get_object(Bucket=version.bucket, Key=version.key, **extra)["Body"].read()
        except ClientError as exc:
            problems.append(f"{version.label}: GET refused ({exc.response['Error'].get('Code')})")
            continue
        except Exception as exc:  # a broken stream is an answer too
            problems.append(f"{version.label}: GET failed ({type(exc).__name__}: {exc})"[:300])
            continue
        if len(body) != version.size:
            problems.append(f"{version.label}: {len(body)} bytes read, {version.size} written")
        elif "-" not in version.etag and hashlib.md5(body).hexdigest() != version.etag:
            problems.append(f"{version.label}: content differs (MD5 is not the ETag)")
    return problems

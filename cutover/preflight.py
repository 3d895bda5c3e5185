"""Preflight judgements that need more than a comparison: what the operator has accepted."""

from __future__ import annotations

from fnmatch import fnmatchcase

from cutover.hazards import sse_kind
from cutover.inventory import describe_key


def unacknowledged_keys(encrypted: dict[str, str], patterns: list[str]) -> list[str]:
    """Content keys of the SSE versions no `bucket/key` pattern of the profile accepts."""
    keys = []
    for key in sorted(encrypted):
        bucket, name, _version = key.split("\0")
        if not any(fnmatchcase(f"{bucket}/{name}", pattern) for pattern in patterns):
            keys.append(key)
    return keys


def unacknowledged_sse(encrypted: dict[str, str], patterns: list[str]) -> list[str]:
    """SSE versions no `bucket/key` pattern of the profile accepts, as operator-readable lines
    naming the kind (SSE-S3, SSE-KMS, SSE-C) and what HEAD answered."""
    lines = []
    for key in unacknowledged_keys(encrypted, patterns):
        answer = encrypted[key]
        kind = sse_kind(answer)
        lines.append(f"{describe_key(key)}: {kind}" + (f" ({answer})" if answer != kind else ""))
    return lines

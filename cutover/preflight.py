"""Preflight judgements that need more than a comparison: what the operator has accepted."""

from __future__ import annotations

from fnmatch import fnmatchcase

from cutover.inventory import describe_key


def unacknowledged_sse(encrypted: dict[str, str], patterns: list[str]) -> list[str]:
    """SSE versions no `bucket/key` pattern of the profile accepts, as operator-readable lines."""
    lines = []
    for key, kind in sorted(encrypted.items()):
        bucket, name, _version = key.split("\0")
        if not any(fnmatchcase(f"{bucket}/{name}", pattern) for pattern in patterns):
            lines.append(f"{describe_key(key)}: {kind}")
    return lines

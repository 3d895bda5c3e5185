"""Differences between two inventories, phrased for the change record.

Each difference names the exact bucket, key and version, so an operator knows what to look
for before deciding between rolling back and going ahead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cutover.inventory import (
    COMPARED_FIELDS,
    CONFIG_KINDS,
    BucketConfig,
    IamSnapshot,
    ObjectVersion,
)

SEALED_FIELDS = frozenset({"size", "etag"})


@dataclass(frozen=True)
class FieldChange:
    version: ObjectVersion
    field: str
    before: Any
    after: Any

    def describe(self) -> str:
        return f"{self.version.label}: {self.field} was {self.before!r}, now {self.after!r}"


@dataclass
class ObjectDiff:
    missing: list[ObjectVersion] = field(default_factory=list)
    unexpected: list[ObjectVersion] = field(default_factory=list)
    changed: list[FieldChange] = field(default_factory=list)
    note: str = ""

    @property
    def clean(self) -> bool:
        return not (self.missing or self.unexpected or self.changed)

    def summary(self) -> str:
        return (
            f"{len(self.missing)} version(s) missing, {len(self.unexpected)} unexpected, "
            f"{len(self.changed)} field change(s)"
        )

    def lines(self, limit: int = 50) -> list[str]:
        out = [f"missing on target: {v.label}" for v in self.missing]
        out += [f"not in baseline: {v.label}" for v in self.unexpected]
        out += [f"changed: {c.describe()}" for c in self.changed]
        if len(out) > limit:
            return [*out[:limit], f"... and {len(out) - limit} more (see the inventory diff extra)"]
        return out

    def report(self, compared: int) -> str:
        """The full diff for the change record, clean or not."""
        head = f"{compared} baseline version(s) compared on {', '.join(COMPARED_FIELDS)}: {self.summary()}"
        return "\n".join([head, *([self.note] if self.note else []), *self.lines(limit=1_000_000)])

    def to_dict(self) -> dict[str, Any]:
        return {
            "missing": [asdict(v) for v in self.missing],
            "unexpected": [asdict(v) for v in self.unexpected],
            "changed": [
                {
                    "version": asdict(c.version),
                    "field": c.field,
                    "before": c.before,
                    "after": c.after,
                }
                for c in self.changed
            ],
        }


def diff_objects(
    baseline: list[ObjectVersion],
    current: list[ObjectVersion],
    *,
    fields: tuple[str, ...] = COMPARED_FIELDS,
    buckets: set[str] | None = None,
    sealed: set[tuple[str, str, str]] = frozenset(),
) -> ObjectDiff:
    """Compare by (bucket, key, version id); `buckets` limits the comparison to those present.

    `sealed` versions (SSE objects the target cannot decrypt) list with their ciphertext size
    and sealed ETag, so only their existence, identity and dates are compared.
    """
    base = {v.ident: v for v in baseline if buckets is None or v.bucket in buckets}
    cur = {v.ident: v for v in current if buckets is None or v.bucket in buckets}
    diff = ObjectDiff()
    for ident in sorted(base.keys() - cur.keys()):
        diff.missing.append(base[ident])
    for ident in sorted(cur.keys() - base.keys()):
        diff.unexpected.append(cur[ident])
    for ident in sorted(base.keys() & cur.keys()):
        before, after = base[ident], cur[ident]
        for name in fields:
            if ident in sealed and name in SEALED_FIELDS:
                continue
            if getattr(before, name) != getattr(after, name):
                diff.changed.append(
                    FieldChange(before, name, getattr(before, name), getattr(after, name))
                )
    return diff


def diff_bucket_config(
    baseline: dict[str, BucketConfig], current: dict[str, BucketConfig], kind: str
) -> list[str]:
    """One line per bucket whose `kind` setting differs (buckets absent on either side are skipped)."""
    assert kind in CONFIG_KINDS
    lines = []
    for bucket in sorted(baseline.keys() & current.keys()):
        before = getattr(baseline[bucket], kind)
        after = getattr(current[bucket], kind)
        if before != after:
            lines.append(f"{bucket}: {kind} was {before!r}, now {after!r}")
    return lines


def diff_iam(baseline: IamSnapshot, current: IamSnapshot) -> list[str]:
    lines = []
    for kind, noun in (("users", "user"), ("groups", "group"), ("policies", "policy")):
        before: dict = getattr(baseline, kind)
        after: dict = getattr(current, kind)
        for name in sorted(before.keys() - after.keys()):
            lines.append(f"{noun} {name!r} is missing")
        for name in sorted(after.keys() - before.keys()):
            lines.append(f"{noun} {name!r} was not there before")
        for name in sorted(before.keys() & after.keys()):
            if before[name] != after[name]:
                lines.append(f"{noun} {name!r} differs: was {before[name]!r}, now {after[name]!r}")
    return lines


def diff_names(
    expected: list[str] | set[str], found: list[str] | set[str]
) -> tuple[list[str], list[str]]:
    """(missing, extra) between two name lists."""
    return sorted(set(expected) - set(found)), sorted(set(found) - set(expected))

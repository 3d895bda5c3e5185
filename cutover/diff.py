"""Differences between two inventories, phrased for the change record.

Each difference names the exact bucket, key and version, so an operator knows what to look
for before deciding between rolling back and going ahead.

One engine, `merge_diff`, finds every difference: a merge join of two streams in
(bucket, key, version id) order, one version of each side held at a time, so it runs the same
on a baseline in memory and on millions of rows read from a version store. What becomes of a
difference is the sink's business: `ObjectDiff` keeps them all (the in-memory inventories
of phases 40 and 50), cutover.streamdiff counts them and keeps the first few (at scale).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from cutover.inventory import (
    COMPARED_FIELDS,
    CONFIG_KINDS,
    BucketConfig,
    IamSnapshot,
    ObjectVersion,
)

SEALED_FIELDS = frozenset({"size", "etag"})  # what SSE changes in a listing


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
            "missing": [v.listed() for v in self.missing],
            "unexpected": [v.listed() for v in self.unexpected],
            "changed": [
                {
                    "version": c.version.listed(),
                    "field": c.field,
                    "before": c.before,
                    "after": c.after,
                }
                for c in self.changed
            ],
        }

    # The in-memory sink: every difference kept, for the change record.

    def on_missing(self, version: ObjectVersion) -> None:
        self.missing.append(version)

    def on_unexpected(self, version: ObjectVersion) -> None:
        self.unexpected.append(version)

    def on_changed(self, change: FieldChange) -> None:
        self.changed.append(change)

    def on_counted(self, expected: int, actual: int) -> None:
        pass


class DiffSink(Protocol):
    """Where `merge_diff` puts each difference, in (bucket, key, version id) order, then how
    many versions each side had. Nothing is called for a version equal on both sides: at a
    million versions a call each would cost more than the comparison."""

    def on_missing(self, version: ObjectVersion) -> None: ...

    def on_unexpected(self, version: ObjectVersion) -> None: ...

    def on_changed(self, change: FieldChange) -> None: ...

    def on_counted(self, expected: int, actual: int) -> None:
        """Called once at the end, also when the merge stops on unsorted input (then with the
        counts so far)."""


Skip = Callable[[ObjectVersion, ObjectVersion], frozenset[str]]


def _in_order(versions: Iterable[ObjectVersion], side: str) -> Iterator[ObjectVersion]:
    """A merge join silently pairs the wrong versions on unsorted input: refuse it instead."""
    last = None
    for version in versions:
        ident = version.ident
        if last is not None and ident <= last:
            raise ValueError(f"the {side} rows are not in (bucket, key, version) order at {ident}")
        last = ident
        yield version


def merge_diff(
    expected: Iterable[ObjectVersion],
    actual: Iterable[ObjectVersion],
    sink: DiffSink,
    *,
    fields: tuple[str, ...],
    skip: Skip | None = None,
    expected_name: str = "expected",
    actual_name: str = "actual",
) -> None:
    """Merge-join two streams sorted by (bucket, key, version id), each without duplicates;
    `skip(expected, actual)` names fields not to compare for that pair."""
    exp = _in_order(expected, expected_name)
    act = _in_order(actual, actual_name)
    compared = seen = 0
    try:
        a = next(exp, None)
        b = next(act, None)
        while a is not None or b is not None:
            if b is None or (a is not None and a.ident < b.ident):
                compared += 1
                sink.on_missing(a)
                a = next(exp, None)
            elif a is None or b.ident < a.ident:
                seen += 1
                sink.on_unexpected(b)
                b = next(act, None)
            else:
                compared += 1
                seen += 1
                skipped = skip(a, b) if skip else frozenset()
                for name in fields:
                    if name in skipped:
                        continue
                    before, after = getattr(a, name), getattr(b, name)
                    if before != after:
                        sink.on_changed(FieldChange(a, name, before, after))
                a = next(exp, None)
                b = next(act, None)
    finally:
        sink.on_counted(compared, seen)


def _by_ident(versions: Iterable[ObjectVersion], buckets: set[str] | None) -> list[ObjectVersion]:
    """Sorted for the merge; a version listed twice counts once (the last one seen)."""
    kept = {v.ident: v for v in versions if buckets is None or v.bucket in buckets}
    return [kept[ident] for ident in sorted(kept)]


def diff_objects(
    baseline: Iterable[ObjectVersion],
    current: Iterable[ObjectVersion],
    *,
    fields: tuple[str, ...] = COMPARED_FIELDS,
    buckets: set[str] | None = None,
    sealed: set[tuple[str, str, str]] = frozenset(),
) -> ObjectDiff:
    """Compare by (bucket, key, version id); `buckets` limits the comparison to those present.

    `sealed` versions (SSE objects the target cannot decrypt) list with their ciphertext size
    and sealed ETag, so only their existence, identity and dates are compared.
    """
    diff = ObjectDiff()
    merge_diff(
        _by_ident(baseline, buckets),
        _by_ident(current, buckets),
        diff,
        fields=fields,
        skip=(lambda before, _: SEALED_FIELDS if before.ident in sealed else frozenset())
        if sealed
        else None,
        expected_name="baseline",
        actual_name="current",
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

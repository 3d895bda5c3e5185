"""Compare two inventories streamed in (bucket, key, version id) order, in bounded memory.

Both sides arrive sorted (from a `VersionStore`, or a sorted baseline) and go through
cutover.diff's merge join, one row of each held at a time; only the first `limit` differences
are kept for the check's message. Every difference also goes to a report file when one is
given, for the change record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from cutover.diff import FieldChange, Skip, merge_diff
from cutover.inventory import ObjectVersion

LISTED_FIELDS = ("is_latest", "delete_marker", "size", "etag", "last_modified")


@dataclass
class StreamDiff:
    """Counts of every difference, and the first few as sentences."""

    expected_name: str
    actual_name: str
    fields: tuple[str, ...]
    compared: int = 0  # versions on the expected side
    seen: int = 0  # versions on the actual side
    missing: int = 0
    unexpected: int = 0
    changed: int = 0
    samples: list[str] = field(default_factory=list)
    note: str = ""
    report_path: Path | None = None

    @property
    def clean(self) -> bool:
        return not (self.missing or self.unexpected or self.changed)

    def summary(self) -> str:
        return (
            f"{self.compared} {self.expected_name} version(s) against {self.seen} "
            f"{self.actual_name} version(s): {self.missing} missing from {self.actual_name}, "
            f"{self.unexpected} not in {self.expected_name}, {self.changed} field change(s)"
        )

    def lines(self, limit: int = 30) -> list[str]:
        shown = self.samples[:limit]
        rest = self.missing + self.unexpected + self.changed - len(shown)
        if rest > 0:
            where = f" (all in {self.report_path.name})" if self.report_path else ""
            shown.append(f"... and {rest} more{where}")
        return shown


@dataclass
class _Counting:
    """The bounded sink: every difference counted and written to the report, the first
    `limit` kept as sentences for the check's message."""

    diff: StreamDiff
    limit: int
    out: IO[str] | None

    def emit(self, line: str) -> None:
        if len(self.diff.samples) < self.limit:
            self.diff.samples.append(line)
        if self.out:
            self.out.write(line + "\n")

    def on_missing(self, version: ObjectVersion) -> None:
        self.diff.missing += 1
        self.emit(
            f"in {self.diff.expected_name}, missing from {self.diff.actual_name}: {version.label}"
        )

    def on_unexpected(self, version: ObjectVersion) -> None:
        self.diff.unexpected += 1
        self.emit(f"in {self.diff.actual_name}, not in {self.diff.expected_name}: {version.label}")

    def on_changed(self, change: FieldChange) -> None:
        self.diff.changed += 1
        self.emit(
            f"changed: {change.version.label}: {change.field} is {change.before!r} in "
            f"{self.diff.expected_name}, {change.after!r} in {self.diff.actual_name}"
        )

    def on_counted(self, expected: int, actual: int) -> None:
        self.diff.compared, self.diff.seen = expected, actual


def diff_rows(
    expected: Iterable[ObjectVersion],
    actual: Iterable[ObjectVersion],
    *,
    expected_name: str,
    actual_name: str,
    fields: tuple[str, ...] = LISTED_FIELDS,
    skip: Skip | None = None,
    limit: int = 200,
    report: Path | None = None,
) -> StreamDiff:
    """Merge-join two sorted streams; `skip(expected, actual)` names fields not to compare."""
    diff = StreamDiff(expected_name, actual_name, fields, report_path=report)
    out: IO[str] | None = report.open("w", encoding="utf-8") if report else None
    sink = _Counting(diff, limit, out)
    try:
        merge_diff(
            expected,
            actual,
            sink,
            fields=fields,
            skip=skip,
            expected_name=expected_name,
            actual_name=actual_name,
        )
    finally:
        if out:
            out.write(diff.summary() + "\n")
            out.close()
    return diff

"""Compare two inventories streamed in (bucket, key, version id) order, in bounded memory.

A merge join: both sides arrive sorted (from a `VersionStore`, or a sorted baseline), one row
of each is held at a time, and only the first `limit` differences are kept for the check's
message. Every difference also goes to a report file when one is given, for the change record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from cutover.versionstore import VersionRow

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


def _sorted_check(rows: Iterable[VersionRow], side: str) -> Iterator[VersionRow]:
    last = None
    for row in rows:
        ident = row.ident
        if last is not None and ident <= last:
            raise ValueError(f"the {side} rows are not in (bucket, key, version) order at {ident}")
        last = ident
        yield row


def diff_rows(
    expected: Iterable[VersionRow],
    actual: Iterable[VersionRow],
    *,
    expected_name: str,
    actual_name: str,
    fields: tuple[str, ...] = LISTED_FIELDS,
    skip: Callable[[VersionRow, VersionRow], frozenset[str]] | None = None,
    limit: int = 200,
    report: Path | None = None,
) -> StreamDiff:
    """Merge-join two sorted streams; `skip(expected, actual)` names fields not to compare."""
    diff = StreamDiff(expected_name, actual_name, fields, report_path=report)
    out: IO[str] | None = report.open("w", encoding="utf-8") if report else None

    def emit(line: str) -> None:
        if len(diff.samples) < limit:
            diff.samples.append(line)
        if out:
            out.write(line + "\n")

    exp = _sorted_check(expected, expected_name)
    act = _sorted_check(actual, actual_name)
    a = next(exp, None)
    b = next(act, None)
    try:
        while a is not None or b is not None:
            if b is None or (a is not None and a.ident < b.ident):
                diff.compared += 1
                diff.missing += 1
                emit(f"in {expected_name}, missing from {actual_name}: {a.label}")
                a = next(exp, None)
            elif a is None or b.ident < a.ident:
                diff.seen += 1
                diff.unexpected += 1
                emit(f"in {actual_name}, not in {expected_name}: {b.label}")
                b = next(act, None)
            else:
                diff.compared += 1
                diff.seen += 1
                skipped = skip(a, b) if skip else frozenset()
                for name in fields:
                    if name in skipped:
                        continue
                    before, after = getattr(a, name), getattr(b, name)
                    if before != after:
                        diff.changed += 1
                        emit(
                            f"changed: {a.label}: {name} is {before!r} in {expected_name}, "
                            f"{after!r} in {actual_name}"
                        )
                a = next(exp, None)
                b = next(act, None)
    finally:
        if out:
            out.write(diff.summary() + "\n")
            out.close()
    return diff

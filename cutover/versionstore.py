"""Object versions kept in SQLite on disk, not in memory: inventories of any size stream.

A lakehouse holds millions of versions; a list of Python objects for each of them would grow
without bound. Rows are written in batches into a WITHOUT ROWID table keyed by
(bucket, key, version id) and read back in that order, which is S3's listing order: SQLite
compares TEXT bytewise on UTF-8, as S3 compares keys, and as Python compares str.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from cutover.inventory import ObjectVersion

COLUMNS = ObjectVersion._fields
_INTEGERS = (
    "is_latest",
    "delete_marker",
    "size",
    "mod_time_ns",
    "stored_size",
    "data_blocks",
    "parity_blocks",
)
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS versions (
    {", ".join(f"{c} {'INTEGER' if c in _INTEGERS else 'TEXT'}" for c in COLUMNS)},
    PRIMARY KEY (bucket, key, version_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS findings (kind TEXT, bucket TEXT, path TEXT, detail TEXT);
CREATE TABLE IF NOT EXISTS facts (name TEXT PRIMARY KEY, value TEXT);
"""
_INSERT = f"INSERT OR REPLACE INTO versions VALUES ({', '.join('?' * len(COLUMNS))})"
_ORDERED = f"SELECT {', '.join(COLUMNS)} FROM versions ORDER BY bucket, key, version_id"


class Finding(NamedTuple):
    """Something on disk an operator must know about: the object it concerns and what is wrong."""

    kind: str
    bucket: str
    path: str  # relative to the drive root
    detail: str

    def describe(self) -> str:
        return f"{self.kind}: {self.path}: {self.detail}"


class VersionStore:
    """Versions and findings of one inventory in one SQLite file; bounded memory either way."""

    BATCH = 5000

    def __init__(self, path: Path | str, *, shared: bool = False) -> None:
        """`shared`: several processes write this file at once (WAL, waiting on the lock)."""
        self.path = Path(path)
        self.db = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=600
        )
        self.db.execute(f"PRAGMA journal_mode={'WAL' if shared else 'OFF'}")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("PRAGMA cache_size=-16000")  # 16 MB of page cache, whatever the size
        self.db.execute("PRAGMA temp_store=FILE")
        self.db.executescript(_SCHEMA)
        self._pending: list[tuple] = []
        self._findings: list[tuple] = []

    def add(self, row: ObjectVersion) -> None:
        self._pending.append(row)
        if len(self._pending) >= self.BATCH:
            self.flush()

    def extend(self, rows: Iterable[ObjectVersion]) -> None:
        for row in rows:
            self.add(row)

    def finding(self, finding: Finding) -> None:
        self._findings.append(finding)
        if len(self._findings) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not (self._pending or self._findings):
            return
        self.db.execute("BEGIN IMMEDIATE")
        if self._pending:
            self.db.executemany(_INSERT, self._pending)
        if self._findings:
            self.db.executemany("INSERT INTO findings VALUES (?, ?, ?, ?)", self._findings)
        self.db.execute("COMMIT")
        self._pending.clear()
        self._findings.clear()

    def set_fact(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO facts VALUES (?, ?)", (name, value))

    def fact(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM facts WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def rows(self, *, buckets: set[str] | None = None) -> Iterator[ObjectVersion]:
        """Every version in (bucket, key, version id) order, streamed from disk."""
        self.flush()
        cursor = self.db.execute(_ORDERED)
        while batch := cursor.fetchmany(self.BATCH):
            for r in batch:
                row = ObjectVersion(r[0], r[1], r[2], bool(r[3]), bool(r[4]), *r[5:])
                if buckets is None or row.bucket in buckets:
                    yield row

    def findings(self, limit: int | None = None) -> list[Finding]:
        self.flush()
        query = "SELECT kind, bucket, path, detail FROM findings ORDER BY kind, path"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return [Finding(*r) for r in self.db.execute(query)]

    def finding_counts(self) -> dict[str, int]:
        self.flush()
        return dict(self.db.execute("SELECT kind, COUNT(*) FROM findings GROUP BY kind"))

    def buckets(self) -> list[str]:
        self.flush()
        return [r[0] for r in self.db.execute("SELECT DISTINCT bucket FROM versions ORDER BY 1")]

    @property
    def version_count(self) -> int:
        self.flush()
        return self.db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]

    @property
    def object_count(self) -> int:
        self.flush()
        return self.db.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT bucket, key FROM versions)"
        ).fetchone()[0]

    def share(self) -> None:
        """Let worker processes write into this store too (call before they start)."""
        self.flush()
        self.db.execute("PRAGMA journal_mode=WAL")

    def close(self) -> None:
        self.flush()
        self.db.close()

    def __enter__(self) -> VersionStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

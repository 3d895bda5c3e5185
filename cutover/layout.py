"""What the dataset looks like on disk, read through the testinfra host (local or over SSH).

The runbook's sanity check before launch: the host path (not MinIO's in-container /export)
holds `.minio.sys` and the buckets at the top level, owned by the UID RustFS will run as.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any, Protocol

from cutover.manifest import bucket_name_problem

MINIO_META = ".minio.sys"
RUSTFS_META = ".rustfs.sys"
META_DIRS = frozenset({MINIO_META, RUSTFS_META})
ACCEPTED_FORMATS = ("xl-single", "xl")


class Host(Protocol):
    """The slice of testinfra's `host` this module needs."""

    def run(self, command: str, *args: str) -> Any: ...


@dataclass(frozen=True)
class Entry:
    name: str
    kind: str  # find's %y: d directory, f file, l symlink, ...


@dataclass
class DatasetLayout:
    """Facts about the dataset directory, gathered in a few commands."""

    path: str
    exists: bool
    is_directory: bool = False
    owner: str | None = None
    entries: list[Entry] = field(default_factory=list)
    nested_meta_dirs: list[str] = field(default_factory=list)
    format_json: str | None = None
    legacy_fs_json: bool = False

    @property
    def has_minio_meta(self) -> bool:
        return any(e.name == MINIO_META and e.kind == "d" for e in self.entries)

    @property
    def bucket_dirs(self) -> list[str]:
        """Top-level directories MinIO would serve as buckets."""
        return sorted(
            e.name
            for e in self.entries
            if e.kind == "d" and e.name not in META_DIRS and bucket_name_problem(e.name) is None
        )

    @property
    def format_kind(self) -> str | None:
        if self.format_json is None:
            return None
        return format_kind(self.format_json)


def format_kind(text: str) -> str:
    """The `format` field of `.minio.sys/format.json` ("xl-single", "xl", "fs", ...)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return "unreadable"
    kind = data.get("format") if isinstance(data, dict) else None
    return str(kind) if kind else "unknown"


def _out(host: Host, command: str) -> tuple[int, str]:
    result = host.run(command)
    return result.rc, result.stdout


def inspect_dataset(host: Host, path: str) -> DatasetLayout:
    q = shlex.quote(path)
    rc, out = _out(host, f"stat -c '%F|%u:%g' -- {q}")
    if rc != 0:
        return DatasetLayout(path=path, exists=False)
    kind, _, owner = out.strip().partition("|")
    layout = DatasetLayout(path=path, exists=True, is_directory=kind == "directory", owner=owner)
    if not layout.is_directory:
        return layout
    rc, out = _out(host, f"find {q} -mindepth 1 -maxdepth 1 -printf '%y %f\\n'")
    for line in out.splitlines():
        entry_kind, _, name = line.partition(" ")
        if name:
            layout.entries.append(Entry(name=name, kind=entry_kind))
    rc, out = _out(
        host, f"find {q} -mindepth 2 -maxdepth 2 -name {MINIO_META} -type d -printf '%h\\n'"
    )
    layout.nested_meta_dirs = sorted(line for line in out.splitlines() if line)
    if layout.has_minio_meta:
        rc, out = _out(host, f"cat -- {shlex.quote(path + '/' + MINIO_META + '/format.json')}")
        layout.format_json = out if rc == 0 else None
        rc, out = _out(
            host,
            f"find {shlex.quote(path + '/' + MINIO_META + '/buckets')} -name fs.json -print -quit",
        )
        layout.legacy_fs_json = bool(out.strip())
    return layout


def tree_hashes(host: Host, path: str) -> dict[str, str]:
    """sha256 of every file under `path`, keyed by relative path: one command, local or SSH."""
    q = shlex.quote(path)
    result = host.run(f"cd {q} && find . -type f -print0 | sort -z | xargs -0 -r sha256sum --")
    if result.rc != 0:
        return {}
    hashes = {}
    for line in result.stdout.splitlines():
        digest, _, name = line.partition("  ")
        hashes[name.removeprefix("./")] = digest
    return hashes


def tree_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Files added, removed or rewritten between two `tree_hashes` snapshots."""
    lines = [f"removed: {p}" for p in sorted(before.keys() - after.keys())]
    lines += [f"added: {p}" for p in sorted(after.keys() - before.keys())]
    lines += [
        f"rewritten: {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]
    ]
    return lines


def read_text(host: Host, path: str) -> str | None:
    result = host.run(f"cat -- {shlex.quote(path)}")
    return result.stdout if result.rc == 0 else None


KMS_SEAL_MARKER = '"kmskey"'


def kms_sealed_files(host: Host, directory: str) -> list[str]:
    """Files under `directory` that MinIO sealed with its KMS (the envelope names a kmskey).

    MinIO encrypts IAM with the KMS once one is configured; RustFS decrypts MinIO's IAM only
    with keys derived from the root credentials, so sealed entries do not survive the cutover.
    """
    q = shlex.quote(directory)
    result = host.run(f"grep -rlF --include=xl.meta -e {shlex.quote(KMS_SEAL_MARKER)} -- {q}")
    prefix = directory.rstrip("/") + "/"
    return sorted(line.removeprefix(prefix) for line in result.stdout.splitlines() if line)

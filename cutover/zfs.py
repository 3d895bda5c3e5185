"""ZFS, as the runbook uses it: one snapshot before the cutover is the only rollback.

Commands are built here and run through the testinfra host; parsers read `zfs list -H -p`,
whose output is tab-separated with exact numbers (creation in epoch seconds).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

_DATASET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*(/[A-Za-z0-9_.:-]+)*$")
_SNAPNAME = re.compile(r"^[A-Za-z0-9_.:-]+$")


@dataclass(frozen=True)
class Snapshot:
    dataset: str
    name: str
    creation: int  # epoch seconds

    @property
    def full_name(self) -> str:
        return f"{self.dataset}@{self.name}"


def check_dataset_name(dataset: str) -> str:
    if not _DATASET.fullmatch(dataset) or "/" not in dataset or len(dataset) > 255:
        raise ValueError(
            f"{dataset!r} is not a pool/dataset name like marathon/minio-dataset (letters, "
            "digits, '_', '.', ':' and '-', parts joined by '/')"
        )
    return dataset


def check_snapshot_name(name: str) -> str:
    if not _SNAPNAME.fullmatch(name) or len(name) > 255:
        raise ValueError(
            f"{name!r} is not a ZFS snapshot name like pre-rustfs (letters, digits, '_', '.', ':' "
            "and '-'; no '@' or '/')"
        )
    return name


def list_snapshots_command(dataset: str, *, zfs: str = "zfs") -> str:
    """Snapshots of `dataset` itself (not of its children), name and creation time."""
    return f"{shlex.quote(zfs)} list -H -p -t snapshot -d 1 -o name,creation {shlex.quote(check_dataset_name(dataset))}"


def list_children_command(dataset: str, *, zfs: str = "zfs") -> str:
    return f"{shlex.quote(zfs)} list -H -p -r -t filesystem,volume -o name {shlex.quote(check_dataset_name(dataset))}"


def snapshot_command(dataset: str, name: str, *, recursive: bool = False, zfs: str = "zfs") -> str:
    flag = "-r " if recursive else ""
    return f"{shlex.quote(zfs)} snapshot {flag}{shlex.quote(check_dataset_name(dataset) + '@' + check_snapshot_name(name))}"


def rollback_command(dataset: str, name: str, *, zfs: str = "zfs") -> str:
    """`-r` destroys snapshots taken after it: a rollback to pre-rustfs must not stop at them."""
    return f"{shlex.quote(zfs)} rollback -r {shlex.quote(check_dataset_name(dataset) + '@' + check_snapshot_name(name))}"


def parse_snapshots(text: str) -> list[Snapshot]:
    snapshots = []
    for line in text.splitlines():
        if not line.strip():
            continue
        full, _, creation = line.partition("\t")
        dataset, sep, name = full.partition("@")
        if not sep or not creation.strip().isdigit():
            raise ValueError(f"unexpected `zfs list -H -p -t snapshot` line: {line!r}")
        snapshots.append(Snapshot(dataset=dataset, name=name, creation=int(creation)))
    return snapshots


def parse_children(text: str, dataset: str) -> list[str]:
    """Datasets below `dataset`: a non-recursive snapshot does not cover them."""
    names = [line.strip() for line in text.splitlines() if line.strip()]
    return [n for n in names if n != dataset and n.startswith(dataset + "/")]


def find_snapshot(snapshots: list[Snapshot], dataset: str, name: str) -> Snapshot | None:
    return next((s for s in snapshots if s.dataset == dataset and s.name == name), None)


@dataclass(frozen=True)
class DatasetInfo:
    """One `zfs list -H -p -o name,mountpoint,origin` line: origin is the snapshot a clone
    was made from ("" for a dataset that is no clone; zfs prints "-")."""

    name: str
    mountpoint: str
    origin: str


def dataset_info_command(dataset: str, *, zfs: str = "zfs") -> str:
    return f"{shlex.quote(zfs)} list -H -p -o name,mountpoint,origin {shlex.quote(check_dataset_name(dataset))}"


def parse_dataset_info(text: str) -> DatasetInfo:
    fields = text.strip("\n").split("\t")
    if len(fields) != 3 or not fields[0]:
        raise ValueError(f"unexpected `zfs list -H -p -o name,mountpoint,origin` output: {text!r}")
    name, mountpoint, origin = fields
    return DatasetInfo(name, mountpoint, "" if origin == "-" else origin)


def clone_command(dataset: str, snapshot: str, clone: str, *, zfs: str = "zfs") -> str:
    """A writable dataset sharing the snapshot's blocks: instant, and the origin is only read."""
    origin = check_dataset_name(dataset) + "@" + check_snapshot_name(snapshot)
    return (
        f"{shlex.quote(zfs)} clone {shlex.quote(origin)} {shlex.quote(check_dataset_name(clone))}"
    )


def destroy_dataset_command(dataset: str, *, zfs: str = "zfs") -> str:
    """Never `-r`/`-R`: a dataset that has grown snapshots or children is refused by zfs."""
    return f"{shlex.quote(zfs)} destroy {shlex.quote(check_dataset_name(dataset))}"


def destroy_snapshot_command(dataset: str, name: str, *, zfs: str = "zfs") -> str:
    """Never `-R`: a snapshot a clone still depends on is refused by zfs."""
    target = check_dataset_name(dataset) + "@" + check_snapshot_name(name)
    return f"{shlex.quote(zfs)} destroy {shlex.quote(target)}"

"""Unit tests for ZFS command builders and `zfs list -H -p` parsers (cutover/zfs.py)."""

from __future__ import annotations

import pytest

from cutover.zfs import (
    Snapshot,
    find_snapshot,
    list_snapshots_command,
    parse_children,
    parse_snapshots,
    rollback_command,
    snapshot_command,
)

DATASET = "marathon/minio-dataset"
SNAPSHOTS = (
    "marathon/minio-dataset@pre-rustfs\t1780567200\n"
    "marathon/minio-dataset@auto-2026-06-01\t1780300000\n"
)

# --- parse_snapshots --------------------------------------------------------------------


def test_parse_snapshots_reads_name_and_epoch_creation():
    assert parse_snapshots(SNAPSHOTS) == [
        Snapshot(DATASET, "pre-rustfs", 1780567200),
        Snapshot(DATASET, "auto-2026-06-01", 1780300000),
    ]
    assert parse_snapshots(SNAPSHOTS)[0].full_name == f"{DATASET}@pre-rustfs"


@pytest.mark.parametrize("text", ["", "\n", "  \n\n"], ids=["empty", "newline", "blank-lines"])
def test_parse_snapshots_empty_output(text):
    assert parse_snapshots(text) == []


@pytest.mark.parametrize(
    "line",
    [
        "marathon/minio-dataset@pre-rustfs 1780567200",
        "marathon/minio-dataset@pre-rustfs\tMon Jun  4 12:00 2026",
        "marathon/minio-dataset\t1780567200",
    ],
    ids=["spaces-not-tab", "non-numeric-creation", "missing-at"],
)
def test_parse_snapshots_malformed_line_is_named(line):
    with pytest.raises(ValueError) as exc_info:
        parse_snapshots(SNAPSHOTS + line + "\n")
    assert repr(line) in str(exc_info.value)


def test_find_snapshot():
    snapshots = parse_snapshots(SNAPSHOTS)
    assert find_snapshot(snapshots, DATASET, "pre-rustfs") == snapshots[0]
    assert find_snapshot(snapshots, DATASET, "absent") is None
    assert find_snapshot(snapshots, "marathon/other", "pre-rustfs") is None


# --- parse_children ---------------------------------------------------------------------


def test_parse_children_keeps_only_datasets_strictly_below():
    text = (
        "marathon/minio-dataset\n"
        "marathon/minio-dataset/tenant-a\n"
        "marathon/minio-dataset/tenant-a/deep\n"
        "marathon/minio-dataset-old\n"
        "marathon/other\n"
    )
    assert parse_children(text, DATASET) == [
        "marathon/minio-dataset/tenant-a",
        "marathon/minio-dataset/tenant-a/deep",
    ]


def test_parse_children_none():
    assert parse_children("marathon/minio-dataset\n", DATASET) == []


# --- command builders -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            list_snapshots_command(DATASET),
            "zfs list -H -p -t snapshot -d 1 -o name,creation marathon/minio-dataset",
        ),
        (snapshot_command(DATASET, "pre-rustfs"), "zfs snapshot marathon/minio-dataset@pre-rustfs"),
        (
            snapshot_command(DATASET, "pre-rustfs", recursive=True),
            "zfs snapshot -r marathon/minio-dataset@pre-rustfs",
        ),
        (
            rollback_command(DATASET, "pre-rustfs"),
            "zfs rollback -r marathon/minio-dataset@pre-rustfs",
        ),
    ],
    ids=["list-snapshots", "snapshot", "snapshot-recursive", "rollback"],
)
def test_command_is_exact(command, expected):
    assert command == expected


@pytest.mark.parametrize(
    ("dataset", "snapshot"),
    [
        ("marathon/x; rm -rf /", "pre-rustfs"),
        ("nopool", "pre-rustfs"),
        (DATASET, "pre rustfs"),
        (DATASET, "a@b"),
        ("marathon/a@b", "pre-rustfs"),
        ("marathon/$(reboot)", "pre-rustfs"),
    ],
    ids=["semicolon", "no-pool", "space-in-snapshot", "at-in-snapshot", "at-in-dataset", "subst"],
)
@pytest.mark.parametrize("build", [snapshot_command, rollback_command])
def test_unsafe_names_are_refused_not_quoted(build, dataset, snapshot):
    with pytest.raises(ValueError):
        build(dataset, snapshot)


def test_unsafe_dataset_refused_by_list_command():
    with pytest.raises(ValueError):
        list_snapshots_command("marathon/x; rm -rf /")


@pytest.mark.parametrize(
    ("dataset", "snapshot"),
    [(DATASET + "\n", "pre-rustfs"), (DATASET, "pre-rustfs\n")],
    ids=["dataset", "snapshot"],
)
def test_trailing_newline_is_refused(dataset, snapshot):
    with pytest.raises(ValueError):
        snapshot_command(dataset, snapshot)


# --- the tool path is quoted too (defence in depth: the profile refuses odd paths) -----------


def test_tool_path_is_one_shell_word_in_every_command():
    import shlex

    zfs = "/opt/zfs tools/zfs;id"
    for command in (
        list_snapshots_command(DATASET, zfs=zfs),
        snapshot_command(DATASET, "pre-rustfs", zfs=zfs),
        rollback_command(DATASET, "pre-rustfs", zfs=zfs),
    ):
        assert shlex.split(command)[0] == zfs

"""The drive-set check over generated format.json files (the real-MinIO set is in
tests/rehearsal/test_multi_drive_set.py): every problem names the drive and what to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cutover.driveset import DriveSetRefused, check_drive_set, read_drive_format, set_problems

DEPLOYMENT = "41dc6601-baeb-476f-a4c2-9613a98e3d85"
IDS = [f"00000000-0000-4000-8000-{i:012d}" for i in range(4)]


def drive(tmp_path: Path, name: str, this: str, *, deployment=DEPLOYMENT, sets=None, kind="xl"):
    root = tmp_path / name
    (root / ".minio.sys").mkdir(parents=True)
    body = {"version": "1", "format": kind, "id": deployment}
    body["xl"] = {"version": "3", "this": this, "sets": sets or [IDS]}
    (root / ".minio.sys" / "format.json").write_text(json.dumps(body))
    return root


def whole_set(tmp_path):
    return [drive(tmp_path, f"d{i + 1}", IDS[i]) for i in range(4)]


def test_a_whole_set_is_returned_in_set_order(tmp_path):
    roots = whole_set(tmp_path)
    ordered = check_drive_set([roots[2], roots[0], roots[3], roots[1]])
    assert [f.root for f in ordered] == [str(r) for r in roots]


def test_one_xl_single_drive_is_fine(tmp_path):
    root = drive(tmp_path, "data", IDS[0], kind="xl-single", sets=[[IDS[0]]])
    assert set_problems([read_drive_format(root)]) == []


def test_partial_set_names_missing_positions(tmp_path):
    roots = whole_set(tmp_path)
    with pytest.raises(DriveSetRefused) as refused:
        check_drive_set([roots[0], roots[2]])
    assert "has 4 drives, 2 given" in str(refused.value)
    assert f"position 2 (id {IDS[1]}), position 4 (id {IDS[3]})" in str(refused.value)


def test_mixed_duplicate_and_foreign_drives(tmp_path):
    roots = whole_set(tmp_path)
    stranger = drive(tmp_path, "x", IDS[3], deployment="99999999-0000-4000-8000-000000000000")
    problems = set_problems([read_drive_format(r) for r in [*roots[:3], stranger]])
    assert problems and problems[0].startswith(f"drive {stranger} belongs to deployment 9999")
    copy = drive(tmp_path, "copy", IDS[0])
    problems = set_problems([read_drive_format(r) for r in [*roots, copy]])
    assert problems == [
        f"drive {copy} is the same drive (id {IDS[0]}) as {roots[0]}: a drive given twice or a "
        "copied drive; give each drive of the set once"
    ]
    forged = drive(tmp_path, "forged", "ffffffff-0000-4000-8000-000000000000")
    problems = set_problems([read_drive_format(r) for r in [*roots[:3], forged]])
    assert any(p.startswith(f"drive {forged} has id ffffffff") for p in problems)


def test_not_a_drive_and_a_single_drive_in_a_set(tmp_path):
    roots = whole_set(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert set_problems([read_drive_format(r) for r in [*roots[:3], empty]]) == [
        f"drive {empty}: .minio.sys/format.json is missing: not a MinIO drive (a wrong path, or "
        "a blank replacement disk MinIO has not healed yet). Name MinIO's data directory of each "
        "drive (ondisk.local_path, ondisk.drives), or start MinIO and let it heal the new drive "
        "before the cutover"
    ]
    single = drive(tmp_path, "single", IDS[3], kind="xl-single", sets=[[IDS[3]]])
    problems = set_problems([read_drive_format(r) for r in [*roots[:3], single]])
    assert "are single-drive deployments (xl-single)" in problems[0]

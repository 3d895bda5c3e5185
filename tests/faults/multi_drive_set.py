"""No fault: the source MinIO is a single-node set of four drives (`server /export /export2
/export3 /export4`, EC 2+2), the dataset its first drive. The other fault plugins of a set
import DRIVES from here and damage some drives after the stop."""

import atexit
import shutil
import tempfile
from pathlib import Path

DRIVES: list[Path] = []  # the dataset is drive 1; these are drives 2..4
OBJECT = "raw/exports/events-2026-06.parquet"  # a multipart object of the seeded lakehouse


def pytest_cutover_source_prepare(plan):
    base = Path(tempfile.mkdtemp(prefix="minio-set-"))
    atexit.register(shutil.rmtree, base, ignore_errors=True)
    for number in (2, 3, 4):
        drive = base / f"drive{number}"
        drive.mkdir()
        DRIVES.append(drive)
    plan.drives = list(DRIVES)

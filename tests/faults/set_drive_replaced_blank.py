"""A four-drive set whose drive 4 was swapped for a blank disk while MinIO was down (not yet
healed): the drives given are no longer one whole set."""

import shutil

from tests.faults import multi_drive_set
from tests.faults.multi_drive_set import DRIVES

pytest_cutover_source_prepare = multi_drive_set.pytest_cutover_source_prepare


def pytest_cutover_after_stop(rehearsal):
    for entry in DRIVES[2].iterdir():
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()

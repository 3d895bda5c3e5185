"""A four-drive set where drive 2 lost its shards of one object while MinIO was down (a bad
sector, a partial restore): MinIO still reads it from the other three, short of parity."""

import shutil

from tests.faults import multi_drive_set
from tests.faults.multi_drive_set import DRIVES, OBJECT

pytest_cutover_source_prepare = multi_drive_set.pytest_cutover_source_prepare


def pytest_cutover_after_stop(rehearsal):
    shutil.rmtree(DRIVES[0] / OBJECT)

"""A four-drive set (EC 2+2) where three drives lost one object's shards: one more than
parity covers, so no engine can read it."""

import shutil

from tests.faults import multi_drive_set
from tests.faults.multi_drive_set import DRIVES, OBJECT

pytest_cutover_source_prepare = multi_drive_set.pytest_cutover_source_prepare


def pytest_cutover_after_stop(rehearsal):
    shutil.rmtree(rehearsal.host_path / OBJECT)
    for drive in DRIVES[:2]:
        shutil.rmtree(drive / OBJECT)

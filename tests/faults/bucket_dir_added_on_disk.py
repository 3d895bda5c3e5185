"""A bucket directory appears on the dataset while MinIO is down (a restore into the wrong
place, a stray copy): MinIO never served it, RustFS would."""

import shutil

SOURCE = "raw/README.txt"
BUCKET = "stray-restore"


def pytest_cutover_after_stop(rehearsal):
    target = rehearsal.host_path / BUCKET / "README.txt"
    target.parent.mkdir()
    shutil.copytree(rehearsal.host_path / SOURCE, target, symlinks=True)
    shutil.copystat(rehearsal.host_path / "raw", target.parent)

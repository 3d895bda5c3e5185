"""One object's directory vanished from the dataset while MinIO was down."""

import shutil

OBJECT = "raw/README.txt"


def pytest_cutover_after_stop(rehearsal):
    shutil.rmtree(rehearsal.host_path / OBJECT)

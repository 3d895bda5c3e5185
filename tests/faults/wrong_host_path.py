"""The profile names a host path the MinIO app does not mount (it serves another directory)."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path


def pytest_cutover_source_prepare(plan):
    other = Path(tempfile.mkdtemp(prefix="other-minio-dataset-"))
    atexit.register(shutil.rmtree, other, ignore_errors=True)
    os.chown(other, 473, 473)
    plan.host_path = other

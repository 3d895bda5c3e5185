"""The profile names a host path the MinIO app does not mount (it serves another directory)."""

import os
import tempfile
from pathlib import Path


def pytest_cutover_source_prepare(plan):
    other = Path(tempfile.mkdtemp(prefix="other-minio-dataset-"))
    os.chown(other, 473, 473)
    plan.host_path = other

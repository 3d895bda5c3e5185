"""Fault: someone starts the MinIO app again right after the cutover stopped it.

Production path (the NAS double): the MinIO container is started behind midclt's back, as a
click on Apps -> minio -> Start would; app.query then shows it RUNNING. The stop check must
fail and the deploy must refuse to put a second engine on the same data directory.
"""

import os
import subprocess


def pytest_cutover_after_stop(rehearsal) -> None:
    container = os.environ["NAS_DOUBLE_MINIO_CONTAINER"]
    subprocess.run(["docker", "start", container], check=True, capture_output=True)

"""MinIO's format.json says "fs" by the time the disk is read (after the stop): the on-disk
reader must refuse the layout rather than inventory it as xl data."""

import json


def pytest_cutover_after_stop(rehearsal):
    path = rehearsal.host_path / ".minio.sys" / "format.json"
    data = json.loads(path.read_text())
    data["format"] = "fs"
    path.write_text(json.dumps(data))

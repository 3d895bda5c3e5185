"""The dataset is a legacy FS-mode MinIO deployment (format.json says "fs")."""

import json


def pytest_cutover_after_baseline(rehearsal):
    path = rehearsal.host_path / ".minio.sys" / "format.json"
    data = json.loads(path.read_text())
    data["format"] = "fs"
    path.write_text(json.dumps(data))

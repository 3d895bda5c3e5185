"""An object MinIO wrote before 2021, still in the xl.json format (xl-storage-format-v1.go).

A minimal valid xl.json (version 1.0.1, format xl, one part, EC 1+0) and its part.1 are planted
in a bucket while MinIO runs, after the baseline (newer MinIO does not list it either).
"""

import hashlib
import json
import os

OBJECT = "raw/archive/2019/export.csv"
BODY = b"id,value\n1,legacy\n"


def xl_json() -> dict:
    return {
        "version": "1.0.1",
        "format": "xl",
        "stat": {"size": len(BODY), "modTime": "2019-11-04T09:30:00Z"},
        "erasure": {
            "algorithm": "klauspost/reedsolomon/vandermonde",
            "data": 1,
            "parity": 0,
            "blockSize": 10485760,
            "index": 1,
            "distribution": [1],
            "checksum": [{"name": "part.1", "algorithm": "highwayhash256S", "hash": ""}],
        },
        "minio": {"release": "RELEASE.2019-10-12T01-39-57Z"},
        "meta": {"etag": hashlib.md5(BODY).hexdigest(), "content-type": "text/csv"},
        "parts": [
            {"number": 1, "name": "part.1", "etag": "", "size": len(BODY), "actualSize": len(BODY)}
        ],
    }


def pytest_cutover_after_baseline(rehearsal):
    directory = rehearsal.host_path / OBJECT
    directory.mkdir(parents=True)
    (directory / "xl.json").write_text(json.dumps(xl_json()), encoding="utf-8")
    (directory / "part.1").write_bytes(b"\0" * 32 + BODY)  # highwayhash frame, then the data
    uid, gid = (int(x) for x in rehearsal.profile.dataset.owner.split(":"))
    for path in (directory.parent.parent, directory.parent, directory, *directory.iterdir()):
        os.chown(path, uid, gid)

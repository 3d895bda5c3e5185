"""A real MinIO data directory, written by real MinIO through its own APIs, for the dress
rehearsal tests: the "real data" a `--source-dir` dress rehearsal copies."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

# Ryuk is an image pulled from Docker Hub (conftest.py disables it for pytest runs; this module
# is also imported by hand): the container is removed here instead.
os.environ["TESTCONTAINERS_RYUK_DISABLED"] = "true"

from pydantic import SecretStr

from cutover.appspec import Listen, render_minio_app
from cutover.containers import Endpoint, MinioContainer
from cutover.manifest import load_manifest
from cutover.ports import free_port
from cutover.profile import load_profile
from cutover.s3 import S3Endpoint
from cutover.seed import seed_from_manifest
from tests.rehearsal.harness import KNOWN_SECRET


def write_minio_store(path: Path, owner: str = "473:473") -> Path:
    """Stage MinIO on `path` (owned by `owner`), seed it from the manifest, stop it."""
    path.mkdir(parents=True)
    os.chown(path, *(int(x) for x in owner.split(":")))
    profile = load_profile("rehearsal")
    api, console = free_port("127.0.0.1"), free_port("127.0.0.1")
    minio = MinioContainer(
        render_minio_app(
            profile,
            data_owner=owner,
            host_path=str(path),
            secret=SecretStr(KNOWN_SECRET),
            listen=Listen("127.0.0.1", api, console),
            image=profile.source.image.local,
        ),
        name=f"dress-source-{secrets.token_hex(4)}",
        run_id="dress-source",
        api=Endpoint("127.0.0.1", api),
    )
    minio.start()
    try:
        minio.wait_ready(timeout=90)
        endpoint = S3Endpoint(
            f"http://127.0.0.1:{api}", profile.credentials.access_key, SecretStr(KNOWN_SECRET)
        )
        seed_from_manifest(
            endpoint.client(), endpoint.admin(), load_manifest(profile.manifest_path())
        )
        minio.graceful_stop()
    finally:
        minio.remove()
    return path


def tree_fingerprint(path: Path) -> dict[str, str]:
    """Every file and directory under `path`: its mode, owner, size, mtime and content hash."""
    seen = {}
    for root, dirs, files in os.walk(path):
        for name in sorted(dirs + files):
            full = Path(root) / name
            info = full.lstat()
            digest = hashlib.sha256(full.read_bytes()).hexdigest() if full.is_file() else "dir"
            seen[str(full.relative_to(path))] = (
                f"{info.st_mode:o} {info.st_uid}:{info.st_gid} {info.st_size} "
                f"{info.st_mtime_ns} {digest}"
            )
    return seen

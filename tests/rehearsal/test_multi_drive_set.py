"""The on-disk reader over a real single-node multi-drive MinIO (`server /d1 /d2 /d3 /d4`).

Real MinIO writes the set (EC 2+2: two data and two parity shards per object, bucket
metadata too), then stops; each test reads a copy of its four drives after a fault like the
ones a NAS sees: one drive's shards lost (readable, needs healing), more than parity lost
(lost), a drive of another deployment in the slot (mixed set), a drive left out (partial).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import boto3
import pytest

from cutover.appspec import AppSpec, Volume
from cutover.containers import Endpoint, MinioContainer
from cutover.driveset import DriveSetRefused
from cutover.erasure import encode_parity
from cutover.ondisk import DAMAGE, NEEDS_HEALING, UNDER_QUORUM, scan_dataset
from cutover.ports import free_port
from cutover.profile import load_profile
from cutover.versionstore import VersionStore
from cutover.xlmeta import inline_shard

pytestmark = pytest.mark.rehearsal

ACCESS = "multidrive"
SECRET = "multidrive-Secret-4b1e9a"  # a throwaway container's key, never a real one
DRIVES = ("d1", "d2", "d3", "d4")
BIG = bytes(range(256)) * 8192  # 2 MiB: part files, not inline


@pytest.fixture(scope="module")
def docker_engine():
    import docker

    try:
        docker.from_env(timeout=10).ping()
    except Exception as exc:  # CI must not skip: scripts/test starts the engine first
        pytest.fail(f"no Docker engine ({type(exc).__name__}): run scripts/setup.sh", pytrace=False)


def run_minio(base: Path, label: str, seed) -> list[tuple]:
    """Start real MinIO on four drives under `base`, let `seed` write, stop it gracefully;
    returns what MinIO listed (bucket, key, version id, delete marker) before it stopped."""
    for name in DRIVES:
        (base / name).mkdir(parents=True)
    api, console = free_port("127.0.0.1"), free_port("127.0.0.1")
    spec = AppSpec(
        service=f"minio-{label}",
        image=load_profile("rehearsal").source.image.local,
        user=f"{os.getuid()}:{os.getgid()}",
        environment={"MINIO_ROOT_USER": ACCESS, "MINIO_ROOT_PASSWORD": SECRET},
        volumes=tuple(Volume(str(base / d), f"/{d}") for d in DRIVES),
        command=(
            "server",
            *(f"/{d}" for d in DRIVES),
            "--address",
            f"127.0.0.1:{api}",
            "--console-address",
            f"127.0.0.1:{console}",
        ),
    )
    minio = MinioContainer(
        spec, name=f"multidrive-{label}-{os.getpid()}", run_id=label, api=Endpoint("127.0.0.1", api)
    )
    minio.start()
    try:
        minio.wait_ready(timeout=120)
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{api}",
            aws_access_key_id=ACCESS,
            aws_secret_access_key=SECRET,
            region_name="us-east-1",
        )
        seed(s3)
        listed = []
        for bucket in sorted(b["Name"] for b in s3.list_buckets()["Buckets"]):
            page = s3.list_object_versions(Bucket=bucket)
            listed += [(bucket, v["Key"], v["VersionId"], False) for v in page.get("Versions", [])]
            listed += [
                (bucket, v["Key"], v["VersionId"], True) for v in page.get("DeleteMarkers", [])
            ]
        minio.graceful_stop()
    finally:
        minio.remove()
    return sorted(listed)


def seed_lakehouse(s3) -> None:
    s3.create_bucket(Bucket="plain")
    s3.create_bucket(Bucket="locked", ObjectLockEnabledForBucket=True)
    s3.create_bucket(Bucket="versioned")
    s3.put_bucket_versioning(Bucket="versioned", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="plain", Key="small.txt", Body=b"hello world\n" * 10)
    s3.put_object(Bucket="plain", Key="big.bin", Body=BIG)
    s3.put_object(Bucket="plain", Key="dir/", Body=b"")
    s3.put_object(Bucket="versioned", Key="doc.txt", Body=b"v1")
    s3.put_object(Bucket="versioned", Key="doc.txt", Body=b"v2")
    s3.delete_object(Bucket="versioned", Key="doc.txt")
    s3.put_object(Bucket="locked", Key="held.txt", Body=b"x" * 300_000)


def seed_other(s3) -> None:
    s3.create_bucket(Bucket="plain")
    s3.put_object(Bucket="plain", Key="elsewhere.txt", Body=b"another deployment")


@pytest.fixture(scope="module")
def minio_set(tmp_path_factory, docker_engine):
    """(the four drives real MinIO wrote, what it listed, a drive of another deployment)."""
    base = tmp_path_factory.mktemp("multidrive")
    listed = run_minio(base / "lakehouse", "lakehouse", seed_lakehouse)
    run_minio(base / "other", "other", seed_other)
    return base / "lakehouse", listed, base / "other" / "d4"


@pytest.fixture
def drives(minio_set, tmp_path) -> list[Path]:
    """A copy of the four drives for one test to damage."""
    source, _, _ = minio_set
    return [Path(shutil.copytree(source / d, tmp_path / d, symlinks=True)) for d in DRIVES]


@pytest.fixture
def store(tmp_path):
    with VersionStore(tmp_path / "inventory.sqlite") as s:
        yield s


def on_disk(store) -> list[tuple]:
    return sorted((r.bucket, r.key, r.version_id, r.delete_marker) for r in store.rows())


def test_whole_set_reads_what_minio_listed_with_bucket_settings_from_shards(
    minio_set, drives, store
):
    _, listed, _ = minio_set
    summary = scan_dataset(list(reversed(drives)), store, workers=2)  # any order: set order wins
    assert len(listed) == 7  # 4 objects, 2 versions and a delete marker of doc.txt
    assert on_disk(store) == listed
    assert summary.format.kind == "xl" and summary.format.drives_in_set == 4
    assert store.findings() == []
    # No drive holds .metadata.bin whole (MaxParity: 2 data + 2 parity shards): joined here.
    assert summary.buckets["versioned"].versioning == "Enabled"
    assert (
        summary.buckets["locked"].object_lock and summary.buckets["locked"].versioning == "Enabled"
    )
    assert summary.buckets["plain"].versioning == "Off" and not summary.buckets["plain"].object_lock
    assert all(b.metadata == "ok" for b in summary.buckets.values())


def test_one_drive_short_is_readable_and_needs_healing(minio_set, drives, store):
    _, listed, _ = minio_set
    d2, d3 = drives[1], drives[2]
    next((d2 / "plain" / "big.bin").glob("*/part.1")).unlink()  # a part file gone
    (d3 / "plain" / "small.txt" / "xl.meta").unlink()  # an inline shard gone
    with open(next((d3 / "locked" / "held.txt").glob("*/part.1")), "r+b") as part:
        part.truncate(1000)  # a shard cut short
    summary = scan_dataset(drives, store, workers=2)
    assert on_disk(store) == listed  # every version still readable: 3 of 4 shards, EcM = 2
    findings = store.findings()
    assert [f for f in findings if f.kind in DAMAGE] == []
    healing = {f.path: f.detail for f in findings if f.kind == NEEDS_HEALING}
    assert f"drive {d2}: missing part file: plain/big.bin/" in healing["plain/big.bin"]
    assert (
        "whole on 3 of 4 drives and reading it needs 2 (its data blocks, EcM)"
        in (healing["plain/big.bin"])
    )
    assert f"drive {d3}: its xl.meta does not list this version" in healing["plain/small.txt"]
    assert f"drive {d3}: part file of the wrong size" in healing["locked/held.txt"]
    assert summary.damage == 0


def metadata_shards(drives: list[Path], bucket: str) -> dict[int, tuple[Path, bytes, int, int]]:
    """EcIndex -> (drive, framed shard, data blocks, size) of a bucket's .metadata.bin."""
    found = {}
    for drive in drives:
        raw = (drive / ".minio.sys" / "buckets" / bucket / ".metadata.bin" / "xl.meta").read_bytes()
        version, framed = inline_shard(raw)
        found[version.erasure[2]] = (drive, framed, version.erasure[0], version.stored_size)
    return found


def test_our_parity_is_minios_parity(drives):
    shards = metadata_shards(drives, "locked")
    assert sorted(shards) == [1, 2, 3, 4] and shards[1][2] == 2  # MaxParity: 2 data + 2 parity
    width = -(-shards[1][3] // 2)
    data = [shards[i][1][32 : 32 + width] for i in (1, 2)]
    assert encode_parity(data, 2) == [shards[i][1][32 : 32 + width] for i in (3, 4)]


def test_bucket_settings_are_rebuilt_from_parity_and_the_drives_named(drives, store):
    shards = metadata_shards(drives, "locked")
    gone = [shards[1][0], shards[2][0]]  # both data shards: only parity is left
    for drive in gone:
        shutil.rmtree(drive / ".minio.sys" / "buckets" / "locked" / ".metadata.bin")
    summary = scan_dataset(drives, store)
    locked = summary.buckets["locked"]
    assert locked.metadata == "ok" and locked.object_lock and locked.versioning == "Enabled"
    healing = [f for f in store.findings() if f.kind == NEEDS_HEALING]
    assert [f.path for f in healing] == [".minio.sys/buckets/locked/.metadata.bin"]
    for drive in gone:
        assert f"drive {drive}: no .metadata.bin shard" in healing[0].detail


def test_more_than_parity_lost_is_lost_naming_every_drive(minio_set, drives, store):
    for drive in drives[:2]:
        shutil.rmtree(drive / "plain" / "big.bin")
    next((drives[2] / "plain" / "big.bin").glob("*/part.1")).unlink()
    summary = scan_dataset(drives, store, workers=2)
    assert ("plain", "big.bin") not in {(b, k) for b, k, _, _ in on_disk(store)}
    lost = [f for f in store.findings() if f.kind == UNDER_QUORUM]
    assert len(lost) == 1 and summary.damage == 1
    detail = lost[0].detail
    assert "whole on 1 of 4 drives and reading it needs 2 (its data blocks, EcM): lost" in detail
    for drive in drives[:2]:
        assert f"drive {drive}: its xl.meta does not list this version" in detail
    assert f"drive {drives[2]}: missing part file: plain/big.bin/" in detail


def test_a_drive_of_another_deployment_is_refused(minio_set, drives, store):
    _, _, stranger = minio_set
    shutil.rmtree(drives[3])
    shutil.copytree(stranger, drives[3])
    with pytest.raises(DriveSetRefused) as refused:
        scan_dataset(drives, store)
    message = str(refused.value)
    assert f"drive {drives[3]} belongs to deployment" in message and "a mixed set" in message
    assert "Give only the drives of the deployment being migrated" in message


def test_a_partial_set_is_refused_naming_the_missing_position(drives, store):
    with pytest.raises(DriveSetRefused) as refused:
        scan_dataset(drives[:3], store)
    message = str(refused.value)
    assert "partial set: deployment" in message and "has 4 drives, 3 given" in message
    assert "missing: position 4 (id " in message
    assert "add the missing drive(s) to ondisk.drives" in message
    with pytest.raises(DriveSetRefused, match="1 given"):
        scan_dataset(drives[0], store)  # one drive of a set, as a profile without drives

"""S3-side parity and the verify share of the downtime, for 100,000 objects on real engines.

Run: PYTHONPATH=. .venv/bin/python benchmarks/cutover_100k.py [--objects 100000]

1. Real MinIO (rustfs-cutover/minio:7aac2a2c5b7c) starts on an empty dataset; templates are
   written through its S3 API: inline objects of several sizes, a part-file object, a
   multipart object, a folder marker, versioned objects with a delete marker.
2. MinIO stops; its object directories are replicated on disk under new names up to
   `--objects` (seeding 100,000 objects through S3 would take longer than everything measured;
   MinIO serves the replicas as its own: an xl.meta does not name its key).
3. The dataset is cloned (xl.meta copied, part files hard-linked); MinIO serves one copy, real
   RustFS (rustfs-cutover/rustfs:1.0.1) adopts the other in place, as in the runbook.
4. Parity: both endpoints listed (every version, buckets and prefixes in parallel) and diffed,
   side by side with `rclone check` on the same two endpoints (which compares latest versions
   only, by size and MD5/ETag).
5. The cutover in place on MinIO's copy: stop MinIO, on-disk inventory vs baseline, deploy
   RustFS on it, target listing vs disk. The verify steps' share of that downtime is printed,
   and the existing phase-40 inventory capture of the target is timed too.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pydantic import SecretStr
from realtree import Stopwatch, dir_templates, load, replicate

from cutover.appspec import Listen, render_minio_app, render_rustfs_app
from cutover.containers import Endpoint, MinioContainer, RustfsContainer
from cutover.diff import diff_objects
from cutover.inventory import capture_inventory
from cutover.listing import list_versions_into, listing_client
from cutover.ondisk import scan_dataset
from cutover.ports import free_port
from cutover.profile import load_profile
from cutover.progress import counting
from cutover.s3 import S3Endpoint
from cutover.streamdiff import LISTED_FIELDS, diff_rows
from cutover.versionstore import VersionStore

BIND = "127.0.0.1"
RAW, VERSIONED = "lake-raw", "lake-versioned"


def engine(kind, spec, name: str, port: int):
    cls = MinioContainer if kind == "minio" else RustfsContainer
    container = cls(spec, name=name, run_id="benchmark", api=Endpoint(BIND, port))
    container.start()
    try:
        container.wait_ready(timeout=120)
    except Exception:
        container.remove()
        raise
    return container


def write_templates(s3) -> None:
    """Objects real MinIO writes in each on-disk form the lakehouse has."""
    s3.create_bucket(Bucket=RAW)
    s3.create_bucket(Bucket=VERSIONED)
    s3.put_bucket_versioning(Bucket=VERSIONED, VersioningConfiguration={"Status": "Enabled"})
    for name, size in (
        ("_SUCCESS", 0),
        ("meta.json", 700),
        ("small.parquet", 12_288),
        ("inline.parquet", 100_000),
        ("parts.parquet", 300_000),
    ):
        s3.put_object(Bucket=RAW, Key=f"_templates/{name}", Body=os.urandom(size))
    s3.put_object(Bucket=RAW, Key="_templates/folder/", Body=b"")
    upload = s3.create_multipart_upload(Bucket=RAW, Key="_templates/multipart.parquet")
    parts = []
    for number, size in ((1, 5 * 1024 * 1024), (2, 4096)):
        part = s3.upload_part(
            Bucket=RAW,
            Key="_templates/multipart.parquet",
            PartNumber=number,
            UploadId=upload["UploadId"],
            Body=os.urandom(size),
        )
        parts.append({"PartNumber": number, "ETag": part["ETag"]})
    s3.complete_multipart_upload(
        Bucket=RAW,
        Key="_templates/multipart.parquet",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": parts},
    )
    for body in (b"v1", b"v2 " * 100):
        s3.put_object(Bucket=VERSIONED, Key="_templates/model.bin", Body=body)
    s3.put_object(Bucket=VERSIONED, Key="_templates/metrics.json", Body=b"{}")
    s3.delete_object(Bucket=VERSIONED, Key="_templates/metrics.json")
    s3.put_object(Bucket=VERSIONED, Key="_templates/weights.bin", Body=os.urandom(8192))


def clone_dataset(source: Path, target: Path) -> None:
    """xl.meta and metadata copied (an engine may rewrite them), part files hard-linked."""
    for directory, _dirs, files in os.walk(source):
        rel = Path(directory).relative_to(source)
        (target / rel).mkdir(exist_ok=True)
        for name in files:
            src, dst = Path(directory) / name, target / rel / name
            if name.startswith("part."):
                os.link(src, dst)
            else:
                shutil.copy2(src, dst)


def listing(endpoint: S3Endpoint, path: Path, label: str):
    path.unlink(missing_ok=True)
    store = VersionStore(path)
    with counting(f"listing {label}", "versions", enabled=sys.stderr.isatty()) as tick:
        summary = list_versions_into(listing_client(endpoint), store, workers=8, progress=tick)
    return store, summary


def parity(minio: S3Endpoint, rustfs: S3Endpoint, work: Path, tag: str):
    """Both endpoints listed at once, then the streaming diff: what the suite does."""
    results = {}

    def run(name, endpoint):
        results[name] = listing(endpoint, work / f"{tag}-{name}.sqlite", name)

    with Stopwatch() as watch:
        threads = [
            threading.Thread(target=run, args=a) for a in (("minio", minio), ("rustfs", rustfs))
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        diff = diff_rows(
            results["minio"][0].rows(),
            results["rustfs"][0].rows(),
            expected_name="MinIO",
            actual_name="RustFS",
            fields=LISTED_FIELDS,
        )
    for store, _ in results.values():
        store.close()
    return watch.seconds, diff, results["minio"][1], results["rustfs"][1]


def rclone_check(minio: S3Endpoint, rustfs: S3Endpoint) -> tuple[float, int, str]:
    # rclone 1.60's S3 backend fails to start ("LoadCustomCABundleError ... unsupported
    # transport") when AWS_CA_BUNDLE is set, and these endpoints are plain http on loopback.
    env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
    for name, ep in (("MINIO", minio), ("RUSTFS", rustfs)):
        env |= {
            f"RCLONE_CONFIG_{name}_TYPE": "s3",
            f"RCLONE_CONFIG_{name}_PROVIDER": "Minio" if name == "MINIO" else "Other",
            f"RCLONE_CONFIG_{name}_ENDPOINT": ep.url,
            f"RCLONE_CONFIG_{name}_ACCESS_KEY_ID": ep.access_key,
            f"RCLONE_CONFIG_{name}_SECRET_ACCESS_KEY": ep.secret_key.get_secret_value(),
            f"RCLONE_CONFIG_{name}_REGION": "us-east-1",
        }
    command = ["/usr/bin/rclone", "check", "minio:", "rustfs:", "--checkers", "8"]
    with Stopwatch() as watch:
        proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    said = [
        line for line in proc.stderr.splitlines() if "matching" in line or "differences" in line
    ]
    return watch.seconds, proc.returncode, " | ".join(s.split(": ", 1)[-1] for s in said[-2:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--tmp", default=None)
    args = parser.parse_args()
    profile = load_profile("rehearsal")
    minio_image, rustfs_image = profile.source.image.local, profile.target.image.local
    secret = SecretStr(secrets.token_urlsafe(24))
    access = profile.credentials.access_key
    owner = f"{os.getuid()}:{os.getgid()}"
    root = Path(tempfile.mkdtemp(prefix="cutover-bench-", dir=args.tmp))
    a, b = root / "minio-dataset", root / "rustfs-dataset"
    a.mkdir()
    b.mkdir()
    port_a, port_b = free_port(BIND), free_port(BIND)
    listen_a = Listen(BIND, port_a, free_port(BIND))
    listen_b = Listen(BIND, port_b, free_port(BIND))
    running = []
    tag = f"bench-{os.getpid()}"
    try:
        spec_a = render_minio_app(
            profile,
            data_owner=owner,
            host_path=str(a),
            secret=secret,
            listen=listen_a,
            image=minio_image,
        )
        minio = engine("minio", spec_a, f"{tag}-minio-seed", port_a)
        running.append(minio)
        ep_a = S3Endpoint(f"http://{BIND}:{port_a}", access, secret)
        write_templates(ep_a.client())
        minio.graceful_stop()
        minio.remove()
        raw_t, ver_t = dir_templates(a, RAW), dir_templates(a, VERSIONED)
        n_ver = args.objects // 5
        n_raw = args.objects - n_ver - len(raw_t) - len(ver_t)
        with Stopwatch() as built:
            replicate(a, RAW, raw_t, n_raw)
            replicate(a, VERSIONED, ver_t, n_ver)
            clone_dataset(a, b)
        print(
            f"dataset: {args.objects:,} objects ({len(raw_t) + len(ver_t)} written by real MinIO "
            f"through S3, the rest their on-disk replicas), built and cloned in {built.seconds:.1f} s"
        )

        minio = engine("minio", spec_a, f"{tag}-minio", port_a)
        running.append(minio)
        spec_b = render_rustfs_app(
            profile,
            data_owner=owner,
            host_path=str(b),
            secret=secret,
            listen=listen_b,
            image=rustfs_image,
        )
        rustfs = engine("rustfs", spec_b, f"{tag}-rustfs", port_b)
        running.append(rustfs)
        ep_b = S3Endpoint(f"http://{BIND}:{port_b}", access, secret)

        ours1, diff, la, lb = parity(ep_a, ep_b, root, "p1")
        print(
            f"parity (ours, run 1): {ours1:.2f} s: {la.describe()}; {lb.describe()}; {diff.summary()} ({load()})"
        )
        rclone_s, rclone_rc, rclone_said = rclone_check(ep_a, ep_b)
        print(
            f"rclone check minio: rustfs: --checkers 8: {rclone_s:.2f} s, exit {rclone_rc}: {rclone_said} "
            f"(latest versions only, size + MD5/ETag) ({load()})"
        )
        ours2, diff2, la2, _lb2 = parity(ep_a, ep_b, root, "p2")
        print(f"parity (ours, run 2): {ours2:.2f} s: {diff2.summary()} ({load()})")
        slower = max(ours1, ours2)
        print(
            f"S3-side parity, {la2.versions:,} versions each side: ours {slower:.2f} s (slower of two "
            f"runs, every version) vs rclone check {rclone_s:.2f} s (latest only): rclone/ours = "
            f"{rclone_s / slower:.2f}x"
        )
        if diff.samples:
            print("  first differences:", *diff.samples[:5], sep="\n    ")

        # The cutover in place on MinIO's dataset, timed as the runbook's downtime.
        rustfs.graceful_stop()
        rustfs.remove()
        running.remove(rustfs)
        baseline, _ = listing(ep_a, root / "baseline.sqlite", "baseline")
        t0 = time.perf_counter()
        minio.graceful_stop()
        t_stop = time.perf_counter()
        disk = VersionStore(root / "ondisk.sqlite")
        scan = scan_dataset(a, disk, workers=2, spill_dir=root)
        vs_baseline = diff_rows(
            baseline.rows(),
            disk.rows(),
            expected_name="baseline",
            actual_name="disk",
            fields=LISTED_FIELDS,
        )
        t1 = time.perf_counter()
        spec_t = render_rustfs_app(
            profile,
            data_owner=owner,
            host_path=str(a),
            secret=secret,
            listen=listen_a,
            image=rustfs_image,
        )
        target = engine("rustfs", spec_t, f"{tag}-target", port_a)
        running.append(target)
        t2 = time.perf_counter()
        target_store, target_list = listing(ep_a, root / "target.sqlite", "target")
        vs_disk = diff_rows(
            disk.rows(),
            target_store.rows(),
            expected_name="disk",
            actual_name="target",
            fields=LISTED_FIELDS,
        )
        t3 = time.perf_counter()
        with Stopwatch() as phase40:
            inventory = capture_inventory(
                ep_a.client(), engine="rustfs", lister=listing_client(ep_a)
            )
            legacy = diff_objects(baseline.rows(), inventory.objects)
        verify = (t1 - t_stop) + (t3 - t2)
        total = t3 - t0
        print(
            f"cutover in place, {scan.versions:,} versions: MinIO stop {t_stop - t0:.2f} s; on-disk "
            f"scan {scan.seconds:.2f} s ({scan.rate:,.0f} objects/s) + diff vs baseline "
            f"({vs_baseline.summary()}) = {t1 - t_stop:.2f} s; RustFS deploy to ready "
            f"{t2 - t1:.2f} s; target listing {target_list.seconds:.2f} s + diff vs disk "
            f"({vs_disk.summary()}) = {t3 - t2:.2f} s ({load()})"
        )
        print(
            f"verify share of the downtime: {verify:.2f} s of {total:.2f} s ({100 * verify / total:.0f}%) "
            f"(goal: verify adds < 60 s at 100,000 objects)"
        )
        print(
            f"  phase-40 object inventory (capture_inventory of the target + "
            f"diff_objects, in memory): {phase40.seconds:.2f} s, {legacy.summary()}"
        )
        disk.close()
        target_store.close()
        baseline.close()
    finally:
        for container in running:
            container.remove()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

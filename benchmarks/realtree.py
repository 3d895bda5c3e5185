"""Build large MinIO data directories by replicating real MinIO-written object directories.

An xl.meta does not name its object (the key is the directory path), so a real object
directory hard-linked under a new name is, byte for byte, what MinIO would have written for
that name. The templates come from ../shared/fixtures/minio-real (MinIO's own bytes) or from a
directory a real MinIO wrote during the benchmark. Hard links keep a million objects cheap.
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Ryuk, testcontainers' reaper, would be pulled from Docker Hub: never offline. The benchmarks
# remove their own containers (set before cutover.containers imports testcontainers).
os.environ["TESTCONTAINERS_RYUK_DISABLED"] = "true"

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.prereq import REAL_SAMPLES  # noqa: E402  (the shared/ lookup the tests use)

REAL = REAL_SAMPLES
FASHION = REAL / "Pham-Thanh-Huy__fashion-cloud-minio"
SPARK = REAL / "BarbaraCerqueira__Spark-Docker" / "minio" / "data"
# Its part.1 was left out of the sample (4 MiB or more): a replica would be a damaged object.
INCOMPLETE = {"post_1715225424084.jpg"}


@dataclass(frozen=True)
class Template:
    """One real object directory: its xl.meta and any data directories with part files."""

    path: Path
    bucket_meta: Path  # the .metadata.bin directory of the bucket it came from
    versions: int


def sample_templates() -> list[Template]:
    """Real object directories from the shared samples (unversioned jpegs, versioned Spark output)."""
    from cutover.xlmeta import parse_xl_meta

    found = []
    for bucket_dir, meta in (
        (FASHION / "fashion", FASHION / ".minio.sys" / "buckets" / "fashion" / ".metadata.bin"),
        (SPARK / "testes", SPARK / ".minio.sys" / "buckets" / "testes" / ".metadata.bin"),
    ):
        for xl in sorted(bucket_dir.rglob("xl.meta")):
            if xl.parent.name in INCOMPLETE:
                continue
            versions = len(parse_xl_meta(xl.read_bytes()).versions)
            found.append(Template(xl.parent, meta, versions))
    if not found:
        sys.exit(f"no real MinIO samples under {REAL}")
    return found


def dir_templates(root: Path, bucket: str) -> list[Template]:
    """Object directories a real MinIO wrote under `root/bucket` (e.g. during the benchmark)."""
    from cutover.xlmeta import parse_xl_meta

    meta = root / ".minio.sys" / "buckets" / bucket / ".metadata.bin"
    return [
        Template(xl.parent, meta, len(parse_xl_meta(xl.read_bytes()).versions))
        for xl in sorted((root / bucket).rglob("xl.meta"))
    ]


def _replicate(template: Path, target: Path, copy_meta: bool = False) -> None:
    """Part files are hard-linked (engines never rewrite them); xl.meta is copied when an
    engine will run on the tree (it may rewrite it), linked when only read."""
    target.mkdir(parents=True)
    for entry in os.scandir(template):
        if entry.is_dir():
            data = target / entry.name
            data.mkdir()
            for part in os.scandir(entry.path):
                os.link(part.path, data / part.name)
        elif copy_meta:
            shutil.copyfile(entry.path, target / entry.name)
        else:
            os.link(entry.path, target / entry.name)


def replicate(
    root: Path,
    bucket: str,
    templates: list[Template],
    objects: int,
    *,
    per_prefix: int = 1000,
    copy_meta: bool = True,
    progress=None,
) -> int:
    """`objects` replicas in one bucket of a dataset a MinIO already set up; returns versions."""
    versions = 0
    for n in range(objects):
        template = templates[n % len(templates)]
        prefix, index = divmod(n, per_prefix)
        key = f"table={prefix // 28:03d}/date=2026-02-{prefix % 28 + 1:02d}/part-{index:05d}-{template.path.name}"
        _replicate(template.path, root / bucket / key, copy_meta)
        versions += template.versions
        if progress and n % 5000 == 0:
            progress(n)
    return versions


def build_tree(
    root: Path,
    templates: list[Template],
    objects: int,
    *,
    buckets: tuple[str, ...] = ("lake-raw", "lake-curated"),
    per_prefix: int = 1000,
    format_json: Path = FASHION / ".minio.sys" / "format.json",
    progress=None,
) -> dict[str, int]:
    """`objects` object directories spread over `buckets` in lakehouse-shaped prefixes.

    Returns how many objects and versions each bucket got. `root` becomes an xl-single
    dataset (format.json and each bucket's .metadata.bin from the templates' MinIO).
    """
    meta = root / ".minio.sys"
    (meta / "buckets").mkdir(parents=True, exist_ok=True)
    shutil.copy(format_json, meta / "format.json")
    counts = {b: 0 for b in buckets}
    versions = {b: 0 for b in buckets}
    bucket_meta = {}
    for i in range(objects):
        bucket = buckets[i % len(buckets)]
        n = counts[bucket]
        template = templates[n % len(templates)]
        if bucket not in bucket_meta:
            bucket_meta[bucket] = template.bucket_meta
            shutil.copytree(template.bucket_meta, meta / "buckets" / bucket / ".metadata.bin")
        prefix, index = divmod(n, per_prefix)
        table, day = divmod(prefix, 28)
        key = f"table={table:03d}/date=2026-02-{day + 1:02d}/part-{index:05d}-{template.path.name}"
        _replicate(template.path, root / bucket / key)
        counts[bucket] += 1
        versions[bucket] += template.versions
        if progress and i % 5000 == 0:
            progress(i)
    return {"objects": sum(counts.values()), "versions": sum(versions.values())}


def peak_rss_mb() -> tuple[float, float]:
    """(this process, largest child) peak resident memory in MB (Linux reports KiB)."""
    return (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )


def cpu_seconds() -> float:
    """User + system CPU time of this process and its (waited-for) children so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} on {os.cpu_count()} CPUs"


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start

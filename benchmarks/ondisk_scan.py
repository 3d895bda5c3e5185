"""On-disk scan rate and peak memory on a tree of 1,000,000 real MinIO-written objects.

Run: PYTHONPATH=. .venv/bin/python benchmarks/ondisk_scan.py [--objects N] [--workers 2]

The tree is built under a temp directory by hard-linking the real object directories of
../shared/fixtures/minio-real (35 inline jpegs and 2 part-file objects from an xl-single
MinIO, 7 versioned objects with delete markers and object lock from another) under new,
lakehouse-shaped names, then removed. Goals: >= 20,000 objects/s on 2 cores, < 300 MB peak.
Page cache: the tree was just written, so the scan reads it warm (said in the output).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from realtree import Stopwatch, build_tree, cpu_seconds, load, peak_rss_mb, sample_templates

from cutover.ondisk import scan_dataset
from cutover.progress import counting
from cutover.versionstore import VersionStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tmp", default=None, help="where to build the tree (default: $TMPDIR)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="ondisk-bench-", dir=args.tmp))
    try:
        templates = sample_templates()
        with (
            counting("building the tree", enabled=sys.stderr.isatty()) as tick,
            Stopwatch() as built,
        ):
            shape = build_tree(root / "dataset", templates, args.objects, progress=tick)
        print(
            f"built {shape['objects']:,} objects / {shape['versions']:,} versions from "
            f"{len(templates)} real MinIO object directories in {built.seconds:.1f} s ({load()})"
        )
        before_self, _ = peak_rss_mb()
        cpu_before = cpu_seconds()
        store = VersionStore(root / "inventory.sqlite")
        with counting("reading xl.meta", enabled=sys.stderr.isatty()) as tick:
            summary = scan_dataset(
                root / "dataset", store, workers=args.workers, progress=tick, spill_dir=root
            )
        cpu = cpu_seconds() - cpu_before
        stored = store.version_count
        store.close()
        parent, child = peak_rss_mb()
        print(f"on-disk scan (warm page cache): {summary.describe()}")
        print(
            f"  versions in the inventory store: {stored:,}; findings: {summary.finding_counts or 'none'}"
        )
        print(
            f"  on-disk scan rate: {summary.rate:,.0f} objects/s with {args.workers} worker(s) on 2 cores (goal >= 20,000) ({load()})"
        )
        print(
            f"  CPU time spent by the scan (all processes): {cpu:.1f} s = "
            f"{1e6 * cpu / summary.objects:.0f} us per object, i.e. "
            f"{2 * summary.objects / cpu:,.0f} objects/s on 2 otherwise idle cores"
        )
        print(
            f"  peak memory: parent {parent:.0f} MB (before the scan {before_self:.0f} MB), largest "
            f"worker {child:.0f} MB; all processes together at most "
            f"{parent + child * max(1, args.workers):.0f} MB (goal < 300 MB)"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Every object version an S3 endpoint serves, listed in parallel and streamed to a store.

One `ListObjectVersions` stream per bucket is slow on a large lakehouse: the server walks
its disk one prefix at a time. Buckets and their top-level prefixes (found with a "/"
delimiter, one level deeper when there are few) are listed concurrently, and pages go into
a `VersionStore` as they arrive, so memory holds a bounded queue of pages, not the listing.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from botocore.client import BaseClient

from cutover.inventory import Inventory, ObjectVersion, capture_inventory, iso_text
from cutover.s3 import S3Endpoint
from cutover.versionstore import VersionStore


def listing_client(endpoint: S3Endpoint, *, connections: int = 16) -> BaseClient:
    """An S3 client for bulk listing: LastModified kept as the server's text (normalised by
    `iso_text` only when it is not S3's millisecond ISO form), one connection per thread."""
    return endpoint.client(retries=3, timeout=60, connections=connections, text_timestamps=True)


def inventory_of(
    endpoint: S3Endpoint, engine: str, *, sample_size: int = 0, find_encrypted: bool = False
) -> Inventory:
    """Everything `endpoint` serves, read with its root keys (settings and IAM included) and
    paged through the text-keeping listing client: the one way a baseline or a read-back is
    taken."""
    return capture_inventory(
        endpoint.client(),
        engine=engine,
        admin=endpoint.admin(),
        sample_size=sample_size,
        find_encrypted=find_encrypted,
        lister=listing_client(endpoint),
    )


@dataclass
class ListingSummary:
    endpoint: str
    buckets: list[str]
    versions: int = 0
    requests: int = 0
    prefixes: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.versions / self.seconds if self.seconds > 0 else float("inf")

    def describe(self) -> str:
        return (
            f"{self.versions} versions from {self.endpoint} ({len(self.buckets)} buckets, "
            f"{self.prefixes} prefixes listed in parallel, {self.requests} requests) in "
            f"{self.seconds:.2f} s ({self.rate:,.0f} versions/s)"
        )


def _rows(bucket: str, page: dict) -> list[ObjectVersion]:
    rows = [
        ObjectVersion(
            bucket,
            v["Key"],
            v["VersionId"],
            v["IsLatest"],
            False,
            v["Size"],
            v["ETag"].strip('"'),
            iso_text(v["LastModified"]),
            kind="object",
        )
        for v in page.get("Versions", [])
    ]
    rows += [
        ObjectVersion(
            bucket,
            m["Key"],
            m["VersionId"],
            m["IsLatest"],
            True,
            0,
            "",
            iso_text(m["LastModified"]),
            kind="delete-marker",
        )
        for m in page.get("DeleteMarkers", [])
    ]
    return rows


def list_versions_into(
    s3: BaseClient,
    store: VersionStore,
    *,
    buckets: list[str] | None = None,
    workers: int = 8,
    split_depth: int = 2,
    progress: Callable[[int], None] | None = None,
    endpoint: str = "",
) -> ListingSummary:
    """List every version of `buckets` (default: all) into `store`; returns what it took."""
    started = time.monotonic()
    names = (
        buckets if buckets is not None else sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
    )
    summary = ListingSummary(endpoint or s3.meta.endpoint_url, names)
    pages: queue.Queue = queue.Queue(maxsize=workers * 4)
    lock = threading.Lock()
    pending = [0]
    done = threading.Event()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="list")
    errors: list[BaseException] = []

    def submit(fn, *args) -> None:
        with lock:
            pending[0] += 1
        pool.submit(guarded, fn, *args)

    def guarded(fn, *args) -> None:
        try:
            fn(*args)
        except BaseException as exc:  # surfaced in the caller's thread
            errors.append(exc)
        finally:
            with lock:
                pending[0] -= 1
                if pending[0] == 0:
                    done.set()

    def list_prefix(bucket: str, prefix: str, delimiter: bool) -> list[str]:
        """List one prefix (with "/" as delimiter when splitting); returns sub-prefixes."""
        args = {"Bucket": bucket, "Prefix": prefix, **({"Delimiter": "/"} if delimiter else {})}
        found = []
        for page in s3.get_paginator("list_object_versions").paginate(**args):
            with lock:
                summary.requests += 1
            rows = _rows(bucket, page)
            if rows:
                pages.put(rows)
            found += [c["Prefix"] for c in page.get("CommonPrefixes", [])]
        with lock:
            summary.prefixes += 1
        return found

    def plan(bucket: str) -> None:
        """Split a bucket by prefix until there is work for every thread, then hand it out."""
        frontier = [""]
        for _ in range(split_depth):
            if len(frontier) >= workers * 2:
                break
            frontier = [sub for p in frontier for sub in list_prefix(bucket, p, True)]
        chunks = max(1, workers * 4)
        size = -(-len(frontier) // chunks) if frontier else 1
        for i in range(0, len(frontier), size):
            submit(list_group, bucket, frontier[i : i + size])

    def list_group(bucket: str, prefixes: list[str]) -> None:
        for prefix in prefixes:
            list_prefix(bucket, prefix, False)

    if not names:
        done.set()
    for bucket in names:
        submit(plan, bucket)
    while not (done.is_set() and pages.empty()):
        try:
            rows = pages.get(timeout=0.1)
        except queue.Empty:
            continue
        store.extend(rows)
        summary.versions += len(rows)
        if progress:
            progress(summary.versions)
    pool.shutdown(wait=True)
    while not pages.empty():
        rows = pages.get()
        store.extend(rows)
        summary.versions += len(rows)
    store.flush()
    if errors:
        raise errors[0]
    summary.seconds = time.monotonic() - started
    return summary

"""Phase 25 — the disk, read while no server runs.

Between Step 2 (stop MinIO) and Step 3 (deploy RustFS) nothing serves the data, yet the disk
holds the truth. Every xl.meta is read (no server, no S3): the buckets, objects and versions
on disk must be exactly what MinIO served at the baseline. A difference means MinIO did not
flush before it stopped, or the profile points at the wrong path; damaged objects (a part file
missing, an xl.meta that does not parse, data left without its xl.meta) are named one by one.
On a set of drives (`ondisk.drives`) the drives must be one whole set (a partial or mixed set
is refused when the disk is read); a version MinIO can still read from its parity shards but
that lacks a shard on some drive is "readable, needs healing", each drive named.
"""

import pytest
from pytest_html import extras as html_extras

from cutover import hazards
from cutover.hazards import by_bucket, distinct_findings, findings_of_kind, first
from cutover.layout import ACCEPTED_FORMATS
from cutover.ondisk import DAMAGE, NEEDS_HEALING, STORED_COMPRESSED

pytestmark = pytest.mark.cutover


def test_on_disk_format_is_readable(ondisk_inventory):
    kind = ondisk_inventory.summary.format.kind
    assert kind in ACCEPTED_FORMATS, (
        f"{ondisk_inventory.summary.roots[0]}/.minio.sys/format.json is {kind}: the on-disk "
        "inventory reads xl-single or xl data only. Check ondisk.local_path (or the dataset "
        "path) names MinIO's data directory"
    )


def test_on_disk_buckets_match_baseline(ondisk_inventory, baseline_inventory):
    on_disk = set(ondisk_inventory.summary.buckets)
    served = set(baseline_inventory.buckets)
    problems = []
    if served - on_disk:
        problems.append(
            f"bucket(s) MinIO served are not on disk: {', '.join(sorted(served - on_disk))}"
        )
    if on_disk - served:
        problems.append(
            f"bucket directories on disk MinIO did not serve: {', '.join(sorted(on_disk - served))}"
        )
    assert not problems, (
        "; ".join(problems)
        + f". Is {ondisk_inventory.summary.roots[0]} the directory MinIO served? Fix the path "
        "before deploying; RustFS would serve what is on disk"
    )


def test_on_disk_versions_match_baseline(disk_vs_baseline, extras):
    extras.append(
        html_extras.text(
            "\n".join(
                [disk_vs_baseline.summary(), disk_vs_baseline.note, *disk_vs_baseline.lines(1000)]
            ),
            name="on-disk vs baseline",
        )
    )
    assert disk_vs_baseline.clean, (
        f"what is on disk is not what MinIO served ({disk_vs_baseline.summary()}):\n"
        + "\n".join(disk_vs_baseline.lines(30))
        + "\nMinIO did not flush before it stopped, something changed the disk since, or this "
        "is the wrong path: do not deploy; find out why (start MinIO again and re-take the "
        "baseline if the data moved on)"
    )


def test_no_damaged_objects_on_disk(ondisk_inventory):
    damage = [f for f in ondisk_inventory.store.findings(limit=200) if f.kind in DAMAGE]
    total = ondisk_inventory.summary.damage
    assert not damage, (
        f"{total} damaged object(s) on disk, which no engine can serve whole:\n"
        + "\n".join(f.describe() for f in damage[:30])
        + ("\n..." if total > 30 else "")
        + "\nRestore them from the @pre-rustfs snapshot or a backup (or heal with MinIO before "
        "the cutover); do not count on RustFS to repair them"
    )


def test_no_drive_of_the_set_needs_healing(ondisk_inventory):
    healing = [f for f in ondisk_inventory.store.findings(limit=200) if f.kind == NEEDS_HEALING]
    total = ondisk_inventory.summary.finding_counts.get(NEEDS_HEALING, 0)
    assert not healing, (
        f"{total} object(s) or bucket setting(s) are readable only through parity: a drive of "
        "the set lacks or holds a damaged shard of them:\n"
        + "\n".join(f.describe() for f in healing[:30])
        + ("\n..." if total > 30 else "")
        + "\nStart MinIO again and heal the set (mc admin heal -r ALIAS) until this check passes, "
        "then stop it and re-run from phase 20; one more lost drive would lose these objects, "
        "and the target must not start on a set short of parity. Check the named drive's health"
    )


def test_no_compressed_objects_on_disk(ondisk_inventory):
    found = distinct_findings(findings_of_kind(ondisk_inventory.store, STORED_COMPRESSED))
    objects = sorted({f.path for f in found})
    total = ondisk_inventory.summary.finding_counts.get(STORED_COMPRESSED, 0)
    assert not found, (
        f"{len(found)}{'+' if total > 1000 else ''} version(s) of {len(objects)} object(s) on disk "
        f"are stored compressed by MinIO (S2), in {by_bucket(objects)}:\n"
        + first([f"{f.path}: {f.detail}" for f in found])
        + "\nRustFS 1.0.1 as published cannot decompress MinIO's S2 data (its rio-v2 feature is "
        "off): these objects would be served garbled or fail. Do not deploy: start MinIO again, "
        "turn compression off (mc admin config set ALIAS compression enable=off) and re-write "
        "them uncompressed (mc cp ALIAS/BUCKET/KEY ALIAS/BUCKET/KEY), then re-run from phase 20"
    )


def test_no_bucket_default_encryption_on_disk(ondisk_inventory):
    encrypted = {
        name: info.default_encryption
        for name, info in sorted(ondisk_inventory.summary.buckets.items())
        if info.default_encryption
    }
    assert not encrypted, (
        f"{len(encrypted)} bucket(s) encrypt new objects by default, says their "
        ".minio.sys/buckets/<bucket>/.metadata.bin: "
        + ", ".join(f"{b} ({hazards.sse_kind(kind)})" for b, kind in encrypted.items())
        + ". Whatever is written there is sealed with MinIO's KMS, which RustFS cannot read. "
        "Do not deploy: start MinIO again, remove it (mc encrypt clear ALIAS/BUCKET), re-write "
        "the bucket's encrypted objects unencrypted, then re-run from phase 20"
    )

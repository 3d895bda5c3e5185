"""Phase 45 — the target serves what is on disk.

Runbook Step 4 checks the target against the listing taken before the stop. This checks it
against the disk itself: every version the on-disk inventory found (read from xl.meta while
nothing ran) must be listed by the target with the same id, latest flag, delete marker, size,
ETag and time, and the target must list nothing the disk does not hold. Then the metadata
clients read with each object (Content-Type, Content-Encoding, Cache-Control,
Content-Disposition, Content-Language, x-amz-meta-*, tags, storage class, additional checksum)
must be what xl.meta holds, for every version of the r2-tier buckets and a stratified sample of
the rest (cutover.objectmeta).
"""

import pytest
from pytest_html import extras as html_extras

pytestmark = pytest.mark.cutover


def test_target_lists_what_is_on_disk(target_vs_disk, extras):
    extras.append(
        html_extras.text(
            "\n".join([target_vs_disk.summary(), target_vs_disk.note, *target_vs_disk.lines(1000)]),
            name="target vs disk",
        )
    )
    assert target_vs_disk.clean, (
        f"the target does not list what is on disk ({target_vs_disk.summary()}):\n"
        + "\n".join(target_vs_disk.lines(30))
        + "\nThe target reads the same files MinIO wrote: a version it misses or adds is one it "
        "failed to adopt (or a write that reached it already). Keep the store closed to "
        "clients and investigate, or roll back from the snapshot"
    )


def test_object_metadata_matches_disk(object_meta_parity, extras):
    report = object_meta_parity
    extras.append(
        html_extras.text(
            "\n".join([report.summary(), report.sample, *report.lines(1000)]),
            name="object metadata vs disk",
        )
    )
    assert report.clean, (
        f"the target does not serve the metadata MinIO stored with the objects "
        f"({report.summary()}):\n"
        + "\n".join(report.lines(30))
        + "\nClients read these with every object: a website asset served with another "
        "Content-Type or without its Content-Encoding breaks in browsers, applications lose "
        "their x-amz-meta-* keys and tags, downloads can no longer be verified against their "
        "checksum. Keep the store closed to clients; the values on disk are above (and in "
        "xl.meta, and in the @pre-rustfs snapshot): restore each named object's metadata on the "
        "target (copy-object onto itself with --metadata-directive REPLACE and the on-disk "
        "headers, put-object-tagging), or roll back"
    )

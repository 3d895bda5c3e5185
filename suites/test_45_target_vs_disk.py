"""Phase 45 — the target serves what is on disk.

Runbook Step 4 checks the target against the listing taken before the stop. This checks it
against the disk itself: every version the on-disk inventory found (read from xl.meta while
nothing ran) must be listed by the target with the same id, latest flag, delete marker, size,
ETag and time, and the target must list nothing the disk does not hold.
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

"""An IAM user disappeared between the baseline and the target (what a lost IAM import looks like)."""

from cutover.seed import READER_USER


def pytest_cutover_after_baseline(rehearsal):
    rehearsal.source_endpoint.admin().user_remove(READER_USER)

"""A user and its group vanished between the baseline and the target (a lost IAM import)."""

from cutover.seed import READER_GROUP, READER_USER


def pytest_cutover_after_baseline(rehearsal):
    admin = rehearsal.source_endpoint.admin()
    admin.group_remove(READER_GROUP, [READER_USER])
    admin.group_remove(READER_GROUP)
    admin.user_remove(READER_USER)

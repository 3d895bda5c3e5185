"""The only member of an IAM group was deleted on MinIO, leaving the group with no members."""

from cutover.seed import READER_USER


def pytest_cutover_after_seed(rehearsal):
    rehearsal.source_endpoint.admin().user_remove(READER_USER)

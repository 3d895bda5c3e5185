"""An IAM user vanished while the root key was rotated (what a key-bound IAM store would do)."""

from cutover.seed import READER_USER


def pytest_cutover_after_rotation(rehearsal, endpoint):
    endpoint.admin().user_remove(READER_USER)

"""Apps -> minio -> Stop did not stick: the app came back (restart policy) before the deploy."""

import time

from cutover.ports import port_in_use


def pytest_cutover_after_stop(rehearsal):
    rehearsal.source.get_wrapped_container().start()
    deadline = time.monotonic() + 30
    while not port_in_use(rehearsal.listen.bind, rehearsal.listen.api_port):
        assert time.monotonic() < deadline, "the restarted MinIO never listened again"
        time.sleep(0.2)

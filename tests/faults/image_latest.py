"""The Custom App uses :latest, as the runbook's YAML does before anyone pins it."""

import atexit
import contextlib

UNPINNED = "rustfs-cutover/unpinned:latest"


def _untag() -> None:
    import docker

    with contextlib.suppress(Exception):
        docker.from_env().images.remove(UNPINNED, noprune=True)


def pytest_cutover_target_prepare(plan, rehearsal):
    import docker

    client = docker.from_env()
    choice = rehearsal.record.images["target"].ref
    client.images.get(choice).tag("rustfs-cutover/unpinned", "latest")
    atexit.register(_untag)
    plan.spec = plan.spec.with_changes(image="rustfs/rustfs:latest")
    plan.image_override = UNPINNED

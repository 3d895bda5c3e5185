"""The Custom App uses :latest, as the runbook's YAML does before anyone pins it."""


def pytest_cutover_target_prepare(plan, rehearsal):
    import docker

    client = docker.from_env()
    choice = rehearsal.record.images["target"].ref
    client.images.get(choice).tag("rustfs-cutover/unpinned", "latest")
    plan.spec = plan.spec.with_changes(image="rustfs/rustfs:latest")
    plan.image_override = "rustfs-cutover/unpinned:latest"

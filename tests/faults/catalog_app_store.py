"""The TrueNAS catalog app: RustFS pointed at its own empty /rustfs/data0, not the MinIO dataset."""

import os

from cutover.appspec import Volume


def pytest_cutover_target_prepare(plan, rehearsal):
    store = rehearsal.host_path.parent / "ix-applications-rustfs-data0"
    store.mkdir()
    os.chown(store, *(int(x) for x in rehearsal.profile.dataset.owner.split(":")))
    env = {**plan.spec.environment, "RUSTFS_VOLUMES": "/rustfs/data0"}
    plan.spec = plan.spec.with_changes(
        environment=env, volumes=(Volume(str(store), "/rustfs/data0"),)
    )

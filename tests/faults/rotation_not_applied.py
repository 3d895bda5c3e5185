"""The key rotation was submitted but never reached the app: it keeps the old RUSTFS_SECRET_KEY
(an app.update that failed silently, or a YAML edited in the wrong app)."""

from cutover.rotation import SECRET_KEY


def pytest_cutover_rotation_prepare(changes, rehearsal):
    changes.pop(SECRET_KEY, None)
    changes.pop("MINIO_ROOT_PASSWORD", None)

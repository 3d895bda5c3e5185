"""An object's xl.meta was deleted while MinIO was down; its data directory stayed behind."""

OBJECT = "curated/dt=2026-06-01/part-00001.parquet"


def pytest_cutover_after_stop(rehearsal):
    (rehearsal.host_path / OBJECT / "xl.meta").unlink()

"""A multipart object's part.2 vanished from the dataset while MinIO was down."""

OBJECT = "raw/exports/events-2026-06.parquet"


def pytest_cutover_after_stop(rehearsal):
    next((rehearsal.host_path / OBJECT).glob("*/part.2")).unlink()

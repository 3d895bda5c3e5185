"""Bit rot: bytes inside a multipart object's part.1 changed on disk while MinIO was down."""

OBJECT = "raw/exports/events-2026-06.parquet"


def pytest_cutover_after_stop(rehearsal):
    part = next((rehearsal.host_path / OBJECT).glob("*/part.1"))
    with part.open("r+b") as handle:
        handle.seek(1_000_000)
        original = handle.read(64)
        handle.seek(1_000_000)
        handle.write(bytes(b ^ 0xFF for b in original))

"""A versioned object's xl.meta was cut in half while MinIO was down (a torn write, a bad copy)."""

OBJECT = "ml-models/models/churn/model.bin"


def pytest_cutover_after_stop(rehearsal):
    meta = rehearsal.host_path / OBJECT / "xl.meta"
    data = meta.read_bytes()
    meta.write_bytes(data[: len(data) // 2])

"""RustFS came up without migrating MinIO's format: no .rustfs.sys/format.json on disk."""


def pytest_cutover_after_ready(rehearsal):
    (rehearsal.host_path / ".rustfs.sys" / "format.json").unlink()

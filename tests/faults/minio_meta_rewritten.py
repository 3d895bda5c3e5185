"""Something rewrote a file under .minio.sys after the target started (RustFS promises not to)."""


def pytest_cutover_after_ready(rehearsal):
    path = rehearsal.host_path / ".minio.sys" / "config" / "config.json" / "xl.meta"
    with path.open("ab") as handle:
        handle.write(b"\0")

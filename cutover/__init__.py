"""rustfs-cutover: the logic behind the MinIO -> RustFS in-place cutover runbook.

Plain Python, no pytest: the suites assert, the fixtures act, this package knows.
"""

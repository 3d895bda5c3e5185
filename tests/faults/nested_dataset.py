"""MinIO was started on /export/data: .minio.sys and the buckets sit one level down."""


def pytest_cutover_source_prepare(plan):
    plan.data_subdir = "data"

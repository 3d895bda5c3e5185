"""Fault: MinIO comes back from the rollback without an object the baseline holds (here it is
deleted through MinIO's S3 API right after the restart, as a snapshot older than the baseline
would leave it)."""

from cutover.profile import resolve_root_secret
from cutover.s3 import S3Endpoint

OBJECT = ("raw", "README.txt")


def pytest_cutover_after_rollback(rehearsal):
    creds = rehearsal.profile.credentials
    minio = S3Endpoint(rehearsal.api_url, creds.access_key, resolve_root_secret(creds))
    minio.client().delete_object(Bucket=OBJECT[0], Key=OBJECT[1])

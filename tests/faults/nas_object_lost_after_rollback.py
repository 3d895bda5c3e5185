"""Fault: MinIO comes back from the rollback without an object the baseline holds (here it is
deleted through MinIO's S3 API right after the restart, as a snapshot older than the baseline
would leave it)."""

import boto3

from cutover.profile import resolve_root_secret

OBJECT = ("raw", "README.txt")


def pytest_cutover_after_rollback(rehearsal):
    profile = rehearsal.profile
    s3 = boto3.client(
        "s3",
        endpoint_url=rehearsal.api_url,
        aws_access_key_id=profile.credentials.access_key,
        aws_secret_access_key=resolve_root_secret(profile.credentials).get_secret_value(),
        region_name="us-east-1",
    )
    s3.delete_object(Bucket=OBJECT[0], Key=OBJECT[1])

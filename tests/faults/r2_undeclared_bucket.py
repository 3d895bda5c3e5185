"""A bucket on R2 that datasets.yml does not name at all."""

from cutover.s3 import S3Endpoint

BUCKET = "scratch-share"


def pytest_cutover_after_r2_sync(r2, rehearsal):
    S3Endpoint(r2.endpoint, r2.access_key, r2.secret).client().create_bucket(Bucket=BUCKET)

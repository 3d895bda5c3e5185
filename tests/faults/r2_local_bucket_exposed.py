"""A local-tier bucket copied to R2 (say, a sync pointed at the wrong bucket): it is exposed."""

from cutover.s3 import S3Endpoint

BUCKET = "raw"


def pytest_cutover_after_r2_sync(r2, rehearsal):
    s3 = S3Endpoint(r2.endpoint, r2.access_key, r2.secret).client()
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="README.txt", Body=b"raw: landing zone\n")

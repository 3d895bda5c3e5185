"""An object on R2 rewritten with other bytes of the same size: a --size-only check misses it."""

import secrets

from cutover.s3 import S3Endpoint

BUCKET, KEY = "rerun-recordings", "dt=2026-06-01/part-00001.parquet"


def pytest_cutover_after_r2_sync(r2, rehearsal):
    s3 = S3Endpoint(r2.endpoint, r2.access_key, r2.secret).client()
    size = s3.head_object(Bucket=BUCKET, Key=KEY)["ContentLength"]
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=secrets.token_bytes(size))

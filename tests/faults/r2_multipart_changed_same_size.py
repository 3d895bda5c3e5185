"""The multipart object on R2 rewritten with other bytes of the same size.

Locally its ETag is a multipart one (no MD5), so `rclone check` cannot compare hashes: it lists
the object as matching ('=') and exits 0. Only the --download pass can see the change.
"""

import secrets

from cutover.s3 import S3Endpoint

BUCKET, KEY = "rerun-recordings", "recordings/2026-06-01/session-0001.rrd"


def pytest_cutover_after_r2_sync(r2, rehearsal):
    s3 = S3Endpoint(r2.endpoint, r2.access_key, r2.secret).client()
    size = s3.head_object(Bucket=BUCKET, Key=KEY)["ContentLength"]
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=secrets.token_bytes(size))

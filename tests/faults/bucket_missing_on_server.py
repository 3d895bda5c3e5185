"""datasets.yml lists a bucket the server does not have (it was removed before the cutover).

Under load MinIO has been seen to keep listing a just-deleted bucket for a moment (its bucket
metadata goes away after the bucket directory), so the fault waits until MinIO no longer
lists it: on a real NAS the removal happened long before the cutover.
"""

import time

BUCKET = "website-assets"


def pytest_cutover_after_seed(rehearsal):
    s3 = rehearsal.source_endpoint.client()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)
    deadline = time.monotonic() + 30
    while BUCKET in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        if time.monotonic() > deadline:
            raise RuntimeError(f"MinIO still lists {BUCKET} 30 s after DeleteBucket")
        time.sleep(0.2)

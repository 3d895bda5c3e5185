"""datasets.yml lists a bucket the server does not have (it was removed before the cutover)."""

BUCKET = "website-assets"


def pytest_cutover_after_seed(rehearsal):
    s3 = rehearsal.source_endpoint.client()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)

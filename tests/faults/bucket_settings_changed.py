"""Bucket settings other than versioning changed after the baseline: one per kind."""


def pytest_cutover_after_baseline(rehearsal):
    s3 = rehearsal.source_endpoint.client()
    s3.delete_bucket_lifecycle(Bucket="raw")
    s3.delete_bucket_policy(Bucket="rerun-recordings")
    s3.put_bucket_tagging(
        Bucket="curated", Tagging={"TagSet": [{"Key": "owner", "Value": "nobody"}]}
    )
    s3.put_object_lock_configuration(
        Bucket="audit-logs",
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}},
        },
    )

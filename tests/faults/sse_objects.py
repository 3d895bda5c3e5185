"""MinIO ran with a KMS key and some objects were written with SSE-S3: RustFS cannot read them."""

import base64

KEY = "secrets/encrypted-report.csv"


def pytest_cutover_source_prepare(plan):
    key = base64.b64encode(b"k" * 32).decode()
    plan.env["MINIO_KMS_SECRET_KEY"] = f"cutover-rehearsal-key:{key}"


def pytest_cutover_after_seed(rehearsal):
    s3 = rehearsal.source_endpoint.client()
    s3.put_object(Bucket="curated", Key=KEY, Body=b"a,b\n1,2\n", ServerSideEncryption="AES256")

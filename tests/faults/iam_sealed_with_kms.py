"""MinIO ran with a KMS key from day one: its IAM store on disk is sealed with that key."""

import base64


def pytest_cutover_source_prepare(plan):
    key = base64.b64encode(b"d" * 32).decode()
    plan.env["MINIO_KMS_SECRET_KEY"] = f"day-one-kms:{key}"

"""SSE beyond SSE-S3: an SSE-KMS object (MinIO's static KMS key) and a bucket whose default
encryption seals every new object. The rehearsal's source already runs with that key."""

BUCKET_ENCRYPTED_BY_DEFAULT = "audit-logs"
KMS_KEY = "raw/exports/kms-sealed-2026-06.csv"


def pytest_cutover_after_seed(rehearsal):
    s3 = rehearsal.source_endpoint.client()
    kms = rehearsal.source.spec.environment["MINIO_KMS_SECRET_KEY"]
    key_id = kms.get_secret_value() if hasattr(kms, "get_secret_value") else str(kms)
    bucket, key = KMS_KEY.split("/", 1)
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=b"id,amount\n1,100\n",
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=key_id.split(":", 1)[0],
    )
    s3.put_bucket_encryption(
        Bucket=BUCKET_ENCRYPTED_BY_DEFAULT,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )

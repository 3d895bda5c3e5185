"""A writer started a multipart upload and never completed it before the cutover."""

KEY = "exports/half-written-2026-06.parquet"


def pytest_cutover_after_baseline(rehearsal):
    s3 = rehearsal.source_endpoint.client()
    upload = s3.create_multipart_upload(Bucket="raw", Key=KEY)
    s3.upload_part(
        Bucket="raw", Key=KEY, UploadId=upload["UploadId"], PartNumber=1, Body=b"x" * 1024
    )

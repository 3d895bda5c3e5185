"""MinIO ran with compression on (MINIO_COMPRESSION_ENABLE): text objects are stored as S2.

From the first start, as on a store that always had it: every seeded .csv/.json/.log object of
4 KiB or more is compressed, and one more log written after the seed is named by the check.
"""

KEY = "logs/app-2026-06-01.log"


def pytest_cutover_source_prepare(plan):
    plan.env["MINIO_COMPRESSION_ENABLE"] = "on"
    plan.env["MINIO_COMPRESSION_EXTENSIONS"] = ".csv,.json,.log,.txt"
    plan.env["MINIO_COMPRESSION_MIME_TYPES"] = "text/*,application/json"


def pytest_cutover_after_seed(rehearsal):
    body = b"".join(
        b"2026-06-01T00:00:%02dZ INFO request served in 3 ms\n" % (i % 60) for i in range(2000)
    )
    rehearsal.source_endpoint.client().put_object(
        Bucket="raw", Key=KEY, Body=body, ContentType="text/plain"
    )

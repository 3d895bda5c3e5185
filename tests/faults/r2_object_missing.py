"""An object deleted from R2 after the sync (someone cleaned up the public copy by hand)."""

from cutover.s3 import S3Endpoint

BUCKET, KEY = "website-assets", "README.txt"


def pytest_cutover_after_r2_sync(r2, rehearsal):
    S3Endpoint(r2.endpoint, r2.access_key, r2.secret).client().delete_object(Bucket=BUCKET, Key=KEY)

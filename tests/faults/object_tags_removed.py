"""An object's tags deleted on the target after the deploy (DeleteObjectTagging)."""

BUCKET, KEY = "website-assets", "site/media/hero.mp4"


def pytest_cutover_after_ready(rehearsal):
    rehearsal.source_endpoint.client().delete_object_tagging(Bucket=BUCKET, Key=KEY)

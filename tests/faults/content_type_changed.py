"""A website asset's Content-Type (and every other header stored with it) replaced on the target
after the deploy: CopyObject onto itself with MetadataDirective REPLACE, as a client or a
migration script that forgets its headers would."""

BUCKET, KEY = "website-assets", "site/index.html"


def pytest_cutover_after_ready(rehearsal):
    s3 = rehearsal.source_endpoint.client()  # the target answers on the same port
    s3.copy_object(
        Bucket=BUCKET,
        Key=KEY,
        CopySource={"Bucket": BUCKET, "Key": KEY},
        MetadataDirective="REPLACE",
        ContentType="application/octet-stream",
    )

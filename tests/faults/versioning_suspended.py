"""Someone suspended versioning on a versioned bucket after the baseline was taken."""


def pytest_cutover_after_baseline(rehearsal):
    rehearsal.source_endpoint.client().put_bucket_versioning(
        Bucket="ml-models", VersioningConfiguration={"Status": "Suspended"}
    )

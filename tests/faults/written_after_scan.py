"""A client wrote to the target after the disk was read: the target lists a version the disk
inventory does not hold (as when the store reopens before verification)."""

KEY = "late/written-after-the-scan.txt"


def pytest_cutover_after_ready(rehearsal):
    rehearsal.source_endpoint.client().put_object(Bucket="raw", Key=KEY, Body=b"late write")

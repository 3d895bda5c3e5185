"""The seeded service account is gone on the target (as RustFS 1.0.1 deletes
MinIO's epoch-dated accounts as expired when it loads IAM)."""

from cutover.service_accounts import DATED_ACCESS_KEY


def pytest_cutover_after_ready(rehearsal):
    # The target now answers on the source's port, with the same root keys.
    rehearsal.source_endpoint.admin().delete_service_account(DATED_ACCESS_KEY)

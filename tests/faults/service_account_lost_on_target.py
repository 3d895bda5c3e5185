"""The seeded (never-expiring) service account is gone on the target, as RustFS 1.0.1 does
with the accounts MinIO created with an expiry date."""

from cutover.service_accounts import NEVER_EXPIRING_ACCESS_KEY


def pytest_cutover_after_ready(rehearsal):
    # The target now answers on the source's port, with the same root keys.
    rehearsal.source_endpoint.admin().delete_service_account(NEVER_EXPIRING_ACCESS_KEY)

"""A service account created without an expiry: MinIO stores its expiration as 1970-01-01.

Created before MinIO gets its KMS key, so its identity.json stays plaintext on disk."""

from cutover.service_accounts import seed_never_expiring_service_account


def pytest_cutover_seed_plaintext_iam(admin):
    seed_never_expiring_service_account(admin)

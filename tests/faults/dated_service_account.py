"""A service account created with an expiry date (30 days), which RustFS 1.0.1 does not keep.

Created before MinIO gets its KMS key, so its identity.json stays plaintext on disk."""

from cutover.service_accounts import DATED_ACCESS_KEY, seed_service_account


def pytest_cutover_seed_plaintext_iam(admin):
    seed_service_account(admin, DATED_ACCESS_KEY, expires_in_days=30)

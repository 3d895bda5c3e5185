"""A MinIO service account that never expires, and whether the target still honours it.

MinIO stores "no expiry" as the zero time, which its IAM JSON writes as the Unix epoch
(`"expiration":"1970-01-01T00:00:00Z"`). RustFS releases before 1.0 read that as a date long
past and deleted such accounts as expired when IAM was loaded (at each start), so a store's
automation keys could vanish a restart or two after the cutover. The rehearsal seeds one such
account and proves it still
authenticates after the target has restarted twice. minio-py creates it for the caller (root),
so it is probed with ListBuckets.
"""

from __future__ import annotations

import json
import secrets
import shlex

from pydantic import SecretStr

from cutover.layout import Host
from cutover.redact import remember
from cutover.s3 import UserKey, error_code

NEVER_EXPIRING_ACCESS_KEY = "svc-noexpiry-etl"  # MinIO: 3-20 characters
# How MinIO's identity.json (under .minio.sys/config/iam/service-accounts/<key>/) says "never".
EPOCH_EXPIRATION = '"expiration":"1970-01-01T00:00:00Z"'
SERVICE_ACCOUNT_NAME = "etl-nightly"


def seed_never_expiring_service_account(admin) -> UserKey:
    """A service account of the root user with no expiration (MinIO then stores the epoch)."""
    secret = SecretStr(f"svc-{secrets.token_hex(16)}")
    remember(secret, f"service account {NEVER_EXPIRING_ACCESS_KEY}'s secret key")
    admin.add_service_account(
        access_key=NEVER_EXPIRING_ACCESS_KEY,
        secret_key=secret.get_secret_value(),
        name=SERVICE_ACCOUNT_NAME,
        description="never expires (MinIO stores the epoch): must survive RustFS restarts",
    )
    return UserKey(NEVER_EXPIRING_ACCESS_KEY, secret, None)


def stored_expiration(admin, access_key: str) -> str:
    """What MinIO reports as the account's expiration ("" when it reports none)."""
    info = json.loads(admin.get_service_account(access_key) or "{}")
    return str(info.get("expiration") or "")


def key_refusal(key: UserKey, url: str) -> str | None:
    """None when the key still authenticates at `url`; else the engine's error code."""
    try:
        key.probe(url)
    except Exception as exc:  # any refusal is the answer, named by its code
        return error_code(exc)
    return None


def never_expiring_service_accounts(host: Host, iam_dir: str) -> list[str]:
    """Access keys of the service accounts whose stored expiration is the epoch ("never").

    Read from the plaintext IAM on disk (`<iam_dir>/service-accounts/<key>/identity.json`);
    IAM sealed with MinIO's KMS is not readable here (and is a check of its own).
    """
    directory = f"{iam_dir.rstrip('/')}/service-accounts"
    q = shlex.quote(directory)
    result = host.run(
        f"test ! -d {q} || grep -rlF --include=xl.meta -e {shlex.quote(EPOCH_EXPIRATION)} -- {q}"
    )
    if result.rc not in (0, 1):
        raise RuntimeError(
            f"could not read {directory} (exit {result.rc}): {(result.stderr or '').strip()[:300]}"
        )
    prefix = directory + "/"
    return sorted(
        line.removeprefix(prefix).split("/", 1)[0]
        for line in result.stdout.splitlines()
        if line.startswith(prefix)
    )

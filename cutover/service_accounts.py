"""MinIO service accounts, and whether the target still honours them after restarts.

MinIO stores "no expiry" as its time sentinel, the Unix epoch: the account's `identity.json`
says `"expiration":"1970-01-01T00:00:00Z"`; an account created with an expiry stores that date.
Seen with real engines in the rehearsal (not what reading RustFS's source suggested): RustFS
1.0.1 keeps MinIO's never-expiring accounts through the deploy and two restarts, but an account
MinIO created *with* an expiry date is gone from the first start (its key refused with
InvalidAccessKeyId, the admin API answering "service account not exist"). The preflight reads
every account's stored expiration from disk and fails on dated ones; the verify phase checks
each account still exists on the target (and a rehearsal's seeded account still authenticates)
after the deploy and after restarts. minio-py creates accounts for the caller (root), so a
seeded key is probed with ListBuckets.
"""

from __future__ import annotations

import re
import secrets
import shlex
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from pydantic import SecretStr

from cutover.layout import Host
from cutover.redact import remember
from cutover.s3 import UserKey, error_code

NEVER_EXPIRING_ACCESS_KEY = "svc-noexpiry-etl"  # MinIO: 3-20 characters
DATED_ACCESS_KEY = "svc-dated-etl"
# How MinIO's identity.json (under .minio.sys/config/iam/service-accounts/<key>/) says "never".
EPOCH = "1970-01-01T00:00:00Z"
EXPIRATION_PATTERN = r'"expiration":"([^"]*)"'
SERVICE_ACCOUNT_NAME = "etl-nightly"


def seed_service_account(
    admin, access_key: str = NEVER_EXPIRING_ACCESS_KEY, *, expires_in_days: int | None = None
) -> UserKey:
    """A service account of the root user; without `expires_in_days` it never expires (MinIO
    then stores the epoch)."""
    secret = SecretStr(f"svc-{secrets.token_hex(16)}")
    remember(secret, f"service account {access_key}'s secret key")
    expiration = None
    if expires_in_days is not None:
        when = datetime.now(UTC) + timedelta(days=expires_in_days)
        expiration = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    admin.add_service_account(
        access_key=access_key,
        secret_key=secret.get_secret_value(),
        name=SERVICE_ACCOUNT_NAME,
        description="must survive the cutover and target restarts",
        expiration=expiration,
    )
    return UserKey(access_key, secret, None)


def service_account_missing(admin, access_key: str) -> str | None:
    """None when the engine's admin API knows the account; else its refusal (code or status)."""
    try:
        admin._url_open(  # minio-py's one signing door; the body (encrypted) is not needed
            method="GET",
            command=SimpleNamespace(value="info-service-account"),
            query_params={"accessKey": access_key},
        )
    except Exception as exc:  # minio-py raises MinioAdminException(status, body)
        text = str(exc)
        code = re.search(r'"Code":"([^"]+)"|<Code>([^<]+)</Code>', text)
        status = re.search(r"Status: (\d+)", text)
        return (next(g for g in code.groups() if g) if code else type(exc).__name__) + (
            f" (HTTP {status.group(1)})" if status else ""
        )
    return None


def key_refusal(key: UserKey, url: str) -> str | None:
    """None when the key still authenticates at `url`; else the engine's error code."""
    try:
        key.probe(url)
    except Exception as exc:  # any refusal is the answer, named by its code
        return error_code(exc)
    return None


def service_account_expirations(host: Host, iam_dir: str) -> dict[str, str]:
    """Access key -> the expiration MinIO stored for each service account.

    Read from the plaintext IAM on disk (`<iam_dir>/service-accounts/<key>/identity.json`);
    IAM sealed with MinIO's KMS is not readable here (and is a check of its own).
    """
    directory = f"{iam_dir.rstrip('/')}/service-accounts"
    q = shlex.quote(directory)
    result = host.run(
        f"test ! -d {q} || grep -raEo --include=xl.meta -e {shlex.quote(EXPIRATION_PATTERN)} -- {q}"
    )
    if result.rc not in (0, 1):
        raise RuntimeError(
            f"could not read {directory} (exit {result.rc}): {(result.stderr or '').strip()[:300]}"
        )
    prefix = directory + "/"
    found: dict[str, str] = {}
    for line in result.stdout.splitlines():
        path, _, match = line.partition(":")
        if path.startswith(prefix) and (value := re.search(EXPIRATION_PATTERN, match)):
            found[path.removeprefix(prefix).split("/", 1)[0]] = value.group(1)
    return dict(sorted(found.items()))


def never_expiring(expirations: dict[str, str]) -> list[str]:
    return [key for key, when in expirations.items() if when == EPOCH]


def dated(expirations: dict[str, str]) -> dict[str, str]:
    return {key: when for key, when in expirations.items() if when and when != EPOCH}

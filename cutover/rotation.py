"""Runbook Step 7, "change RUSTFS_SECRET_KEY in the app and update clients": who holds the root
keys, what the app looks like with the new secret, and how IAM is judged afterwards.

RustFS 1.0.1 keeps IAM under `.rustfs.sys/config/iam/` in plaintext unless
`RUSTFS_IAM_MASTER_KEY` is set, and decrypts entries it cannot read as plaintext with the
master keys and then with keys derived from the *current* root credentials
(rustfs-iam `store/object.rs`, `decrypt_data_with_source`). So a rotation keeps plaintext IAM,
and loses whatever was sealed with the old root secret (MinIO-era legacy encryption). The
checks compare IAM with the baseline either way, so the change record shows which it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError
from minio.error import MinioAdminException
from pydantic import SecretStr
from urllib3.exceptions import HTTPError

from cutover.appspec import AppSpec
from cutover.inventory import IamSnapshot, capture_iam
from cutover.profile import Profile, RotationSpec
from cutover.s3 import REFUSED_KEY_CODES, UserKey, error_code
from cutover.truenas import CronJob

SECRET_KEY = "RUSTFS_SECRET_KEY"
# A user of our own, created before the rotation so a known IAM key can be tried after it.
PROBE_USER = "rustfs-cutover-rotation-probe"
PROBE_POLICY = "rustfs-cutover-rotation-probe"
PROBE_POLICY_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListAllMyBuckets"], "Resource": ["arn:aws:s3:::*"]}
    ],
}

IAM_LOSS_ADVICE = (
    "RustFS 1.0.1 keeps IAM in plaintext unless RUSTFS_IAM_MASTER_KEY is set, and reads sealed "
    "entries with that key or with keys derived from the CURRENT root credentials: entries sealed "
    "with the old root secret (MinIO-era) are unreadable after a rotation, and anything deleted "
    "meanwhile is gone. Re-create the missing users, groups and policies from baseline.json with "
    "the new root keys (mc admin user add / mc admin policy create / mc admin policy attach) and "
    "hand those users new secrets; or put the old secret back (app.update) and rotate by adding "
    "a new admin user (policy consoleAdmin) for the clients instead of changing the root secret"
)


def rotated_app(app: AppSpec, rotation: RotationSpec, secret: SecretStr | None = None) -> AppSpec:
    """The app spec with the new root secret; shown YAML references where the secret comes from."""
    return app.with_changes(
        environment={**app.environment, SECRET_KEY: secret or SecretStr("unused")},
        secret_source=rotation.source,
    )


@dataclass(frozen=True)
class RootKeyClient:
    """Something that holds the root keys and breaks when the secret changes."""

    name: str
    why: str

    def __str__(self) -> str:
        return f"{self.name} ({self.why})"


def _mentions(command: str, access_key: str, api_port: int | str) -> str:
    if access_key and access_key in command:
        return "its command holds the root access key"
    if re.search(rf"(?<![0-9]){re.escape(str(api_port))}(?![0-9])", command):
        return f"its command talks to the API port {api_port}"
    return ""


def root_key_clients(
    profile: Profile, cron_jobs: list[CronJob] | None = None
) -> list[RootKeyClient]:
    """Every client this tool knows holds the root keys: the profile's list, the R2 sync job's
    local-side remote, and the NAS's cron jobs that reach the S3 API (production)."""
    clients = [
        RootKeyClient(name, "listed in rotation.clients")
        for name in (profile.rotation.clients if profile.rotation else [])
    ]
    if getattr(profile, "r2", None) is not None:
        clients.append(
            RootKeyClient(
                "the R2 sync job's local-side rclone remote",
                "the profile's r2 section syncs from this store with the root keys",
            )
        )
    for job in cron_jobs or []:
        why = _mentions(job.command, profile.credentials.access_key, profile.network.api_port)
        if why:
            label = job.description or job.command[:60]
            clients.append(RootKeyClient(f"TrueNAS cron job #{job.id} '{label}'", why))
    return clients


def without_probe(iam: IamSnapshot) -> IamSnapshot:
    """IAM as the cutover carried it: our own probe user and policy are not the store's data."""
    return IamSnapshot(
        users={k: v for k, v in iam.users.items() if k != PROBE_USER},
        groups=iam.groups,
        policies={k: v for k, v in iam.policies.items() if k != PROBE_POLICY},
    )


@dataclass(frozen=True)
class IamUnreadable:
    """The admin API would not give IAM: the S3 error code (if it sent one) and what it said."""

    code: str
    detail: str

    @property
    def key_refused(self) -> bool:
        """The root keys themselves were refused: IAM was not even asked for."""
        return self.code in REFUSED_KEY_CODES

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.code else self.detail


def read_iam(admin) -> IamSnapshot | IamUnreadable:
    """IAM through the admin API, or why the engine would not give it (never a raise)."""
    try:
        return capture_iam(admin)
    except MinioAdminException as exc:
        found = re.search(r"<Code>([^<]+)</Code>", exc._body or "")
        message = re.search(r"<Message>([^<]+)</Message>", exc._body or "")
        return IamUnreadable(
            found.group(1) if found else f"HTTP {exc._code}",
            message.group(1)[:200] if message else (exc._body or "")[:200],
        )
    except (ValueError, OSError, HTTPError) as exc:
        return IamUnreadable("", f"{type(exc).__name__}: {exc}")


def key_refusal(key: UserKey, url: str) -> str:
    """ "" when the user's own key still lists what it may list at `url`, else the engine's answer."""
    try:
        key.probe(url)
    except ClientError as exc:
        return error_code(exc)
    except BotoCoreError as exc:
        return f"{type(exc).__name__}: {exc}"
    return ""

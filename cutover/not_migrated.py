"""What the source MinIO is configured to do that RustFS will not carry over.

RustFS adopts MinIO's buckets, objects, bucket settings and plaintext IAM from the dataset. It
does not adopt MinIO's *server* configuration (`.minio.sys/config/config.json`: notification
targets, LDAP/OpenID providers) nor what lives between deployments (remote targets, bucket
replication, site replication). None of these loses data, so they are not failures; each is a
red NOT MIGRATED notice in the change record so somebody re-creates it (or decides not to).

Everything is read from the running MinIO through its S3 and admin APIs (boto3, minio-py's
MinioAdmin); a probe that cannot be read is itself a notice (never a silent "nothing found").
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from botocore.exceptions import ClientError

NOTICE_PREFIX = "NOT MIGRATED"
NOTIFICATION_KINDS = (
    "QueueConfigurations",
    "TopicConfigurations",
    "LambdaFunctionConfigurations",
)
# The setting in each identity subsystem that means "a provider is configured".
IDENTITY_KEYS = {"identity_ldap": "server_addr", "identity_openid": "config_url"}


@dataclass(frozen=True)
class NotMigrated:
    """One thing the source does that the target will not: what, where, and what to do."""

    feature: str  # "bucket event notifications", "replication", ...
    where: str  # the bucket, or "server"
    detail: str
    todo: str

    def notice(self) -> str:
        return f"{NOTICE_PREFIX}: {self.feature} on {self.where}: {self.detail}. {self.todo}"


TODO_NOTIFICATIONS = (
    "RustFS does not read MinIO's notification targets (server config): re-create the target "
    "and the bucket's event rules on RustFS after the cutover, or tell the consumer it ends"
)
TODO_REPLICATION = (
    "RustFS does not carry MinIO's replication rules and remote targets (their credentials are "
    "sealed with MinIO's keys): set replication up again on RustFS, and check the remote "
    "does not expect MinIO"
)
TODO_SITE = (
    "RustFS does not join MinIO's site replication: remove this site from the replication "
    "group on the other sites first (mc admin replicate rm), then plan a copy instead"
)
TODO_IDENTITY = {
    "identity_ldap": "RustFS 1.0.1 has no LDAP: its users cannot log in after the cutover; "
    "create IAM users (or OIDC, phase 80) for them first",
    "identity_openid": "RustFS does not read MinIO's OpenID config: configure it in the RustFS "
    "app's environment (phase 80, RUSTFS_IDENTITY_OPENID_*)",
}


def _error(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        return f"{err.get('Code', 'error')}: {err.get('Message', exc)}"
    return f"{type(exc).__name__}: {exc}"


def bucket_notifications(s3, bucket: str) -> list[str]:
    """Each event rule of the bucket as `<target ARN> <events>`."""
    answer = s3.get_bucket_notification_configuration(Bucket=bucket)
    rules = []
    for kind in NOTIFICATION_KINDS:
        for rule in answer.get(kind) or []:
            target = rule.get("QueueArn") or rule.get("TopicArn") or rule.get("LambdaFunctionArn")
            rules.append(f"{target} {','.join(rule.get('Events') or [])}")
    return rules


def bucket_replication(s3, bucket: str) -> list[str]:
    """Each replication rule of the bucket as `<id> -> <destination>` (none: empty)."""
    try:
        answer = s3.get_bucket_replication(Bucket=bucket)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ReplicationConfigurationNotFoundError":
            return []
        raise
    rules = answer.get("ReplicationConfiguration", {}).get("Rules") or []
    return [
        f"{r.get('ID') or '(no id)'} -> {(r.get('Destination') or {}).get('Bucket', '?')}"
        for r in rules
    ]


def _admin_get(admin, path: str, query: dict[str, str] | None = None) -> bytes:
    """GET a madmin path minio-py has no method for (signed the same way as its own)."""
    response = admin._url_open(  # minio-py's one signing door
        method="GET", command=SimpleNamespace(value=path), query_params=query or {}
    )
    return response.data


def remote_targets(admin, bucket: str) -> list[str]:
    """The bucket's remote targets (`mc admin bucket remote ls`) as `<arn> <endpoint>`."""
    data = _admin_get(admin, "list-remote-targets", {"bucket": bucket, "type": ""})
    targets = json.loads(data or b"[]") or []
    return [
        f"{t.get('arn', '?')} {t.get('endpoint', '?')}/{t.get('targetbucket', '')}" for t in targets
    ]


def site_replication(admin) -> list[str]:
    """The peer sites when site replication is enabled (empty when it is not)."""
    info = json.loads(admin.get_site_replication_info() or "{}")
    if not info.get("enabled"):
        return []
    return [f"{s.get('name', '?')} {s.get('endpoint', '?')}" for s in info.get("sites") or []]


def configured_identities(text: str, subsystem: str) -> list[str]:
    """Targets of an identity subsystem (`config_get` text) with their defining setting set.

    The text is MinIO's KV form, one target a line: `identity_openid config_url=... ...`, or
    `identity_openid:<name> ...`; values set through the environment come as comment lines
    `# MINIO_IDENTITY_OPENID_CONFIG_URL=...`.
    """
    setting = IDENTITY_KEYS[subsystem]
    env_name = f"MINIO_{subsystem.upper()}_{setting.upper()}"
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            name, _, value = line.lstrip("# ").partition("=")
            if name.startswith(env_name) and value.strip():
                found.append(f"{value.strip()} (from {name})")
            continue
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        if not words or not words[0].startswith(subsystem):
            continue
        values = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        if values.get(setting):
            target = words[0].partition(":")[2]
            found.append(values[setting] + (f" (target {target})" if target else ""))
    return found


def _probe(
    found: list[NotMigrated],
    feature: str,
    where: str,
    todo: str,
    read: Callable[[], list[str]],
) -> None:
    try:
        items = read()
    except Exception as exc:  # any failure to read is reported, never taken for "none"
        found.append(
            NotMigrated(
                feature,
                where,
                f"could not be read from MinIO ({_error(exc)}), so whether it is set is unknown",
                "Check it by hand (mc) before the cutover",
            )
        )
        return
    if items:
        shown = "; ".join(items[:10]) + (f"; ... {len(items) - 10} more" if len(items) > 10 else "")
        found.append(NotMigrated(feature, where, f"{len(items)} configured: {shown}", todo))


def not_migrated(s3, admin, buckets: Iterable[str]) -> list[NotMigrated]:
    """Everything of the above the source has, bucket by bucket, then server-wide."""
    found: list[NotMigrated] = []
    for bucket in sorted(buckets):
        _probe(
            found,
            "bucket event notifications",
            bucket,
            TODO_NOTIFICATIONS,
            lambda b=bucket: bucket_notifications(s3, b),
        )
        _probe(
            found,
            "bucket replication rules",
            bucket,
            TODO_REPLICATION,
            lambda b=bucket: bucket_replication(s3, b),
        )
        if admin is not None:
            _probe(
                found,
                "replication remote targets",
                bucket,
                TODO_REPLICATION,
                lambda b=bucket: remote_targets(admin, b),
            )
    if admin is not None:
        _probe(found, "site replication", "server", TODO_SITE, lambda: site_replication(admin))
        for subsystem in IDENTITY_KEYS:
            _probe(
                found,
                "LDAP identity provider" if subsystem == "identity_ldap" else "OpenID provider",
                "server",
                TODO_IDENTITY[subsystem],
                lambda s=subsystem: configured_identities(admin.config_get(s), s),
            )
    return found


def as_notices(items: Iterable[NotMigrated]) -> list[str]:
    return [item.notice() for item in items]


def describe(items: list[NotMigrated]) -> dict[str, Any]:
    """A short summary for the record's action line: feature -> where."""
    out: dict[str, list[str]] = {}
    for item in items:
        out.setdefault(item.feature, []).append(item.where)
    return out

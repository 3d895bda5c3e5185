"""S3 and admin clients for one engine endpoint, with the root keys the runbook reuses."""

from __future__ import annotations

from dataclasses import dataclass, replace

import botocore.session
from botocore.client import BaseClient
from botocore.config import Config
from minio.credentials import StaticProvider
from pydantic import SecretStr

from cutover.admin import EngineAdmin
from cutover.appspec import AppSpec


@dataclass(frozen=True)
class S3Endpoint:
    """An engine's S3 API and the keys to sign with: root or user keys, or an STS session's
    temporary keys (which are refused without their `session_token`)."""

    url: str  # http://127.0.0.1:9000
    access_key: str
    secret_key: SecretStr
    session_token: SecretStr | None = None

    @property
    def hostport(self) -> str:
        return self.url.split("://", 1)[1].rstrip("/")

    def client(
        self,
        *,
        retries: int = 2,
        timeout: float = 20,
        connections: int = 10,
        text_timestamps: bool = False,
    ) -> BaseClient:
        """A path-style S3 client with this endpoint's keys. `text_timestamps` keeps timestamps as the
        server's text (botocore parses each with dateutil: the bulk of a large listing)."""
        session = botocore.session.get_session()
        if text_timestamps:
            session.get_component("response_parser_factory").set_parser_defaults(
                timestamp_parser=str
            )
        return session.create_client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key.get_secret_value(),
            aws_session_token=self._token(),
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                signature_version="s3v4",
                max_pool_connections=connections,
                retries={"max_attempts": retries, "mode": "standard"},
                connect_timeout=5,
                read_timeout=timeout,
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def admin(self) -> EngineAdmin:
        return EngineAdmin(
            endpoint=self.hostport,
            credentials=StaticProvider(
                self.access_key, self.secret_key.get_secret_value(), self._token()
            ),
            secure=False,
        )

    def with_secret(self, secret: SecretStr) -> S3Endpoint:
        return replace(self, secret_key=secret)

    def _token(self) -> str | None:
        return self.session_token.get_secret_value() if self.session_token else None


@dataclass(frozen=True)
class UserKey:
    """An IAM user's own access key, and a bucket its policy lets it list (None: ListBuckets).

    Kept to prove the key still authenticates after a change of the root keys."""

    user: str
    secret: SecretStr
    bucket: str | None = None

    def probe(self, url: str) -> None:
        """List what the user may list; raises the engine's ClientError when it refuses."""
        s3 = S3Endpoint(url, self.user, self.secret).client(retries=1)
        if self.bucket:
            s3.list_objects_v2(Bucket=self.bucket, MaxKeys=1)
        else:
            s3.list_buckets()


# What an engine answers a request signed with a key it does not (or no longer) accepts.
REFUSED_KEY_CODES = frozenset({"InvalidAccessKeyId", "SignatureDoesNotMatch"})


def root_endpoint(url: str, spec: AppSpec) -> S3Endpoint:
    """The S3 API at `url` with the root keys an app spec carries (RustFS's or MinIO's names)."""
    secret = spec.environment.get("RUSTFS_SECRET_KEY") or spec.environment.get(
        "MINIO_ROOT_PASSWORD"
    )
    access = spec.env_value("RUSTFS_ACCESS_KEY") or spec.env_value("MINIO_ROOT_USER") or ""
    return S3Endpoint(
        url, access, secret if isinstance(secret, SecretStr) else SecretStr(str(secret or ""))
    )


def error_code(exc: Exception) -> str:
    """The S3 error code of a botocore ClientError ("NoSuchKey", "AccessDenied", ...)."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", type(exc).__name__))

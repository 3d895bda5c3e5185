"""S3 and admin clients for one engine endpoint, with the root keys the runbook reuses."""

from __future__ import annotations

from dataclasses import dataclass

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from minio.credentials import StaticProvider
from pydantic import SecretStr

from cutover.admin import EngineAdmin


@dataclass(frozen=True)
class S3Endpoint:
    url: str  # http://127.0.0.1:9000
    access_key: str
    secret_key: SecretStr

    @property
    def hostport(self) -> str:
        return self.url.split("://", 1)[1].rstrip("/")

    def client(self, *, retries: int = 2, timeout: float = 20) -> BaseClient:
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key.get_secret_value(),
            region_name="us-east-1",
            config=Config(
                s3={"addressing_style": "path"},
                signature_version="s3v4",
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
            credentials=StaticProvider(self.access_key, self.secret_key.get_secret_value()),
            secure=False,
        )

    def with_secret(self, secret: SecretStr) -> S3Endpoint:
        return S3Endpoint(self.url, self.access_key, secret)


def error_code(exc: Exception) -> str:
    """The S3 error code of a botocore ClientError ("NoSuchKey", "AccessDenied", ...)."""
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", type(exc).__name__))

"""Target profiles (`targets/<name>.yml`): everything that differs between a rehearsal and the NAS.

Suites never hard-code an image, a port or a path: they read them from the profile, so the
same checks run against the laptop rehearsal and the production box.
"""

from __future__ import annotations

import os
import re
import secrets as _secrets
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from cutover.errors import ConfigError, format_validation_error, load_yaml_mapping

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGETS_DIR = REPO_ROOT / "targets"

_OWNER = re.compile(r"^\d+:\d+$")


class Mode(StrEnum):
    REHEARSAL = "rehearsal"
    PRODUCTION = "production"


class EngineKind(StrEnum):
    MINIO = "minio"
    RUSTFS = "rustfs"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GoBuild(_Strict):
    """Offline path for MinIO: MinIO's documented source install through the Go module proxy."""

    go_module: str
    version: str


class CargoBuild(_Strict):
    """Offline path for RustFS: the published server crate from crates.io."""

    crate: str
    version: str


class ImageSpec(_Strict):
    """The official image, and the locally built one used where no registry answers."""

    official: str
    local: str | None = None
    build: GoBuild | CargoBuild | None = None

    @property
    def pinned_tag(self) -> str:
        return self.official.rpartition(":")[2] if ":" in self.official else "latest"


class EngineSpec(_Strict):
    engine: EngineKind
    app: str = Field(description="TrueNAS app name")
    image: ImageSpec


class TargetSpec(EngineSpec):
    pass


class SourceSpec(EngineSpec):
    mount_path: str = "/export"


class ToolsSpec(_Strict):
    """Absolute tool paths on the NAS: sudo resets PATH, so commands never rely on it."""

    zfs: str = "/usr/sbin/zfs"
    midclt: str = "/usr/bin/midclt"

    @field_validator("zfs", "midclt")
    @classmethod
    def _absolute(cls, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError(f"tool paths must be absolute (sudo resets PATH), got {path!r}")
        return path


class HostSpec(_Strict):
    """The NAS, reached over SSH through testinfra; commands run with sudo."""

    ssh: str = Field(description="user@host of the NAS")
    port: int = Field(default=22, ge=1, le=65535)
    sudo: bool = True
    identity_file: str | None = None
    ssh_config: str | None = Field(
        default=None, description="an ssh_config file (known_hosts pinning, ProxyJump...)"
    )
    tools: ToolsSpec = ToolsSpec()

    @field_validator("ssh")
    @classmethod
    def _user_at_host(cls, value: str) -> str:
        user, sep, host = value.partition("@")
        if not sep or not user or not host or " " in value:
            raise ValueError(f"ssh must be user@host, got {value!r}")
        return value

    @property
    def hostname(self) -> str:
        return self.ssh.partition("@")[2]

    def testinfra_url(self) -> str:
        query = [f"sudo={'true' if self.sudo else 'false'}"]
        if self.identity_file:
            query.append(f"ssh_identity_file={Path(self.identity_file).expanduser()}")
        if self.ssh_config:
            query.append(f"ssh_config={Path(self.ssh_config).expanduser()}")
        return f"ssh://{self.ssh}:{self.port}?{'&'.join(query)}"


class DatasetSpec(_Strict):
    zfs: str = Field(description="pool/dataset, e.g. marathon/minio-dataset")
    snapshot: str = Field(default="pre-rustfs", description="the rollback snapshot's name")
    host_path: str = Field(description="where the dataset is mounted on the host")
    owner: str = Field(description="expected owner UID:GID of the data, e.g. 473:473")

    @field_validator("owner", mode="before")
    @classmethod
    def _uid_gid(cls, owner: object) -> str:
        if not isinstance(owner, str) or not _OWNER.match(owner):
            raise ValueError(f"owner must be numeric UID:GID like '473:473', got {owner!r}")
        return owner

    @field_validator("host_path")
    @classmethod
    def _absolute(cls, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError(f"host_path must be absolute, got {path!r}")
        return path.rstrip("/") or "/"


class NetworkSpec(_Strict):
    bind: str = "0.0.0.0"
    api_port: int | Literal["auto"] = 9000
    console_port: int | Literal["auto"] = 9001
    address: str | None = Field(
        default=None,
        description="where this machine reaches the engines' ports (default: the NAS's SSH host)",
    )


class CredentialsSpec(_Strict):
    """Root keys. The secret is never written in a profile: it comes from the environment or a file."""

    access_key: str = Field(min_length=3)
    secret_env: str | None = None
    secret_file: str | None = None
    generate_if_missing: bool = False


class VerifySpec(_Strict):
    content_sample: int = Field(default=24, ge=1)


class PreflightSpec(_Strict):
    """What the operator has knowingly accepted before the cutover."""

    acknowledged_sse: list[str] = Field(
        default_factory=list,
        description="bucket/key patterns (fnmatch) of SSE objects accepted as unreadable on RustFS",
    )


class OndiskSpec(_Strict):
    """The offline inventory read from xl.meta (phase 25, and the target-vs-disk check).

    The reader walks every xl.meta, so it runs where the dataset is a local path: a rehearsal
    reads its staged dataset; production reads `local_path` (pytest run on the NAS itself, or
    the dataset mounted read-only here). It never pulls the metadata through SSH.
    """

    local_path: str | None = Field(
        default=None,
        description="where this machine reads the dataset (production); default in a "
        "rehearsal: the staged dataset",
    )
    drives: list[str] = Field(
        default_factory=list,
        description="the other drives of a multi-drive xl set on this node, as local paths",
    )
    workers: int = Field(default=2, ge=1, description="processes scanning subtrees in parallel")
    list_workers: int = Field(default=8, ge=1, description="threads listing the target")
    check_part_sizes: bool = True

    @field_validator("local_path")
    @classmethod
    def _absolute(cls, path: str | None) -> str | None:
        if path is not None and not path.startswith("/"):
            raise ValueError(f"local_path must be absolute, got {path!r}")
        return path


class Profile(_Strict):
    name: str
    mode: Mode
    ticket: str
    manifest: str
    dataset: DatasetSpec
    source: SourceSpec
    target: TargetSpec
    network: NetworkSpec = NetworkSpec()
    credentials: CredentialsSpec
    pull_images: bool = False
    verify: VerifySpec = VerifySpec()
    preflight: PreflightSpec = PreflightSpec()
    ondisk: OndiskSpec | None = Field(
        default=None, description="the offline on-disk inventory; without it those checks skip"
    )
    host: HostSpec | None = Field(default=None, description="the NAS (production mode only)")

    path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _production_needs_a_host(self) -> Profile:
        if self.mode is Mode.PRODUCTION:
            if self.host is None:
                raise ValueError("a production profile needs host.ssh (user@nas) to reach the NAS")
            if self.credentials.generate_if_missing:
                raise ValueError(
                    "credentials.generate_if_missing is for rehearsals: production must reuse MinIO's secret"
                )
            if "auto" in (self.network.api_port, self.network.console_port):
                raise ValueError(
                    "network.api_port and network.console_port must be numbers in production: "
                    "RustFS takes over MinIO's API port"
                )
        return self

    @property
    def address(self) -> str:
        """Where this machine reaches the engines: the NAS in production, the bind address here."""
        if self.network.address:
            return self.network.address
        if self.host is not None:
            return self.host.hostname
        return self.network.bind

    def manifest_path(self) -> Path:
        base = self.path.parent if self.path else TARGETS_DIR
        return (base / self.manifest).resolve()


_INLINE_SECRET_KEYS = {"secret", "secret_key", "root_password", "password"}


def _reject_inline_secret(path: Path, data: dict) -> None:
    creds = data.get("credentials")
    if isinstance(creds, dict):
        inline = sorted(k for k in creds if k in _INLINE_SECRET_KEYS)
        if inline:
            raise ConfigError(
                f"{path}: credentials.{inline[0]} holds a secret inline; profiles are committed "
                "files, so name an environment variable (secret_env) or a file (secret_file) instead"
            )


def resolve_profile_path(target: str) -> Path:
    """`rehearsal` -> targets/rehearsal.yml; a path is taken as given."""
    candidate = Path(target)
    if candidate.suffix in {".yml", ".yaml"} or "/" in target:
        path = candidate if candidate.is_absolute() else Path.cwd() / candidate
        if not path.exists() and "/" not in target and (TARGETS_DIR / target).is_file():
            return TARGETS_DIR / target  # `--target truenas.yml` names the file under targets/
        return path
    return TARGETS_DIR / f"{target}.yml"


def available_profiles() -> list[str]:
    return sorted(p.stem for p in TARGETS_DIR.glob("*.yml"))


def load_profile(target: str) -> Profile:
    path = resolve_profile_path(target)
    if not path.is_file():
        known = ", ".join(available_profiles()) or "none"
        raise ConfigError(
            f"target profile {target!r} not found (looked for {path}); "
            f"profiles in {TARGETS_DIR}: {known}"
        )
    data = load_yaml_mapping(path, "target profile")
    _reject_inline_secret(path, data)
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc, data, "targets")) from None
    return profile.model_copy(update={"path": path})


def resolve_root_secret(creds: CredentialsSpec, environ: dict[str, str] | None = None) -> SecretStr:
    """The root secret key from the environment or a file; generated only where the profile allows."""
    env = os.environ if environ is None else environ
    if creds.secret_env and env.get(creds.secret_env):
        return SecretStr(env[creds.secret_env])
    if creds.secret_file:
        path = Path(creds.secret_file).expanduser()
        if not path.is_file():
            raise ConfigError(f"root secret file {path} (credentials.secret_file) does not exist")
        value = path.read_text(encoding="utf-8").strip()
        if not value:
            raise ConfigError(f"root secret file {path} (credentials.secret_file) is empty")
        return SecretStr(value)
    if creds.generate_if_missing:
        return SecretStr(_secrets.token_urlsafe(30))
    where = f"environment variable {creds.secret_env}" if creds.secret_env else "a secret_file"
    raise ConfigError(
        f"no root secret key: set {where} to MinIO's root secret (RustFS must reuse it)"
    )

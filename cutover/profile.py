"""Target profiles (`targets/<name>.yml`): everything that differs between a rehearsal and the NAS.

Suites never hard-code an image, a port or a path: they read them from the profile, so the
same checks run against the laptop rehearsal and the production box.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets as _secrets
import stat
from dataclasses import dataclass
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

from cutover import zfs
from cutover.errors import ConfigError, format_validation_error, load_yaml_mapping

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGETS_DIR = REPO_ROOT / "targets"

_OWNER = re.compile(r"^\d+:\d+$")
# Names that end up in directory names (reports/<name>-<time>/, reports/state/<name>/).
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Run as root through sudo on the NAS: nothing a shell would read as more than a path.
_TOOL_PATH = re.compile(r"^/[A-Za-z0-9._+/-]+$")
# The POSIX convention for environment variable names; a pasted secret rarely fits it.
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")
# TrueNAS app names (and the containers named after them): a DNS label.
_APP_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_CONTAINER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
MAX_SECRET_FILE = 64 * 1024


def plain_absolute_path(path: str, field: str) -> str:
    """An absolute path without `..` segments or control characters (checked as given: a path
    that climbs out of where it claims to be is a mistake or an attack either way)."""
    if not path.startswith("/"):
        raise ValueError(f"{field} must be absolute, got {path!r}")
    if ".." in path.split("/"):
        raise ValueError(f"{field} must not contain '..' (name the directory itself), got {path!r}")
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        raise ValueError(f"{field} must not contain control characters (a newline?)")
    return path


def env_var_name(name: str | None, field: str) -> str | None:
    """An environment variable's name. The value is never echoed: a field meant for the name
    that holds something else most likely holds the secret itself."""
    if name is not None and not _ENV_NAME.match(name):
        raise ValueError(
            f"{field} must be the NAME of an environment variable (capitals, digits and '_', like "
            "CUTOVER_ROOT_SECRET), not the secret itself; the value given is not shown here. Put "
            "the secret in that variable (or in a file) and name it"
        )
    return name


# Where secret files go on the NAS: a path a root shell reads as one word.
_PLAIN_PATH = re.compile(r"^/[A-Za-z0-9._/-]+$")


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


class DebianBuild(_Strict):
    """Offline path for rclone: the binary of Debian's own package (scripts/setup.sh installs it),
    copied onto the Debian base image it was built for. A binary of another version is refused."""

    debian_package: str
    binary: str = "/usr/bin/rclone"
    version: str


class ImageSpec(_Strict):
    """The official image, and the locally built one used where no registry answers."""

    official: str
    local: str | None = None
    build: GoBuild | CargoBuild | DebianBuild | None = None

    @property
    def pinned_tag(self) -> str:
        return self.official.rpartition(":")[2] if ":" in self.official else "latest"


class EngineSpec(_Strict):
    engine: EngineKind
    app: str = Field(description="TrueNAS app name")
    image: ImageSpec

    @field_validator("app")
    @classmethod
    def _app_name(cls, name: str) -> str:
        if not _APP_NAME.match(name):
            raise ValueError(
                f"app must be a TrueNAS app name (lowercase letters, digits and '-', like minio), "
                f"got {name!r}"
            )
        return name


class TargetSpec(EngineSpec):
    pass


class SourceSpec(EngineSpec):
    mount_path: str = "/export"

    @field_validator("mount_path")
    @classmethod
    def _absolute(cls, path: str) -> str:
        return plain_absolute_path(path, "mount_path")


class ToolsSpec(_Strict):
    """Absolute tool paths on the NAS: sudo resets PATH, so commands never rely on it."""

    zfs: str = "/usr/sbin/zfs"
    midclt: str = "/usr/bin/midclt"

    @field_validator("zfs", "midclt")
    @classmethod
    def _absolute(cls, path: str) -> str:
        if not path.startswith("/"):
            raise ValueError(f"tool paths must be absolute (sudo resets PATH), got {path!r}")
        if not _TOOL_PATH.match(path) or ".." in path.split("/"):
            raise ValueError(
                "tool paths run as root through sudo: give a plain absolute path of letters, "
                f"digits and . _ + - / (like /usr/sbin/zfs), got {path!r}"
            )
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
    secrets_dir: str = Field(
        default="/root/rustfs-cutover",
        description="where the secret files live on the NAS (root-only files, 0600): the RustFS app's "
        "env_file and the R2 sync's rclone config. The app reads its env_file at every start, "
        "so it must survive reboots and TrueNAS upgrades; never on the migrated dataset",
    )

    @field_validator("secrets_dir")
    @classmethod
    def _plain_absolute(cls, path: str) -> str:
        path = path.rstrip("/")
        if not _PLAIN_PATH.match(path) or ".." in path.split("/"):
            raise ValueError(
                "secrets_dir must be an absolute path of letters, digits, '.', '_', '-' and '/' "
                f"(no '..'), other than /, got {path or '/'!r}"
            )
        return path

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
        return plain_absolute_path(path, "host_path").rstrip("/") or "/"

    @field_validator("zfs")
    @classmethod
    def _dataset_name(cls, name: str) -> str:
        return zfs.check_dataset_name(name)

    @field_validator("snapshot")
    @classmethod
    def _snapshot_name(cls, name: str) -> str:
        return zfs.check_snapshot_name(name)


class NetworkSpec(_Strict):
    bind: str = "0.0.0.0"
    api_port: int | Literal["auto"] = 9000
    console_port: int | Literal["auto"] = 9001
    address: str | None = Field(
        default=None,
        description="where this machine reaches the engines' ports (default: the NAS's SSH host)",
    )

    @field_validator("bind")
    @classmethod
    def _ip_address(cls, bind: str) -> str:
        try:
            ipaddress.ip_address(bind)
        except ValueError:
            raise ValueError(
                f"bind must be an IP address (127.0.0.1 in a rehearsal, 0.0.0.0 on the NAS), "
                f"got {bind!r}"
            ) from None
        return bind

    @field_validator("api_port", "console_port", mode="before")
    @classmethod
    def _tcp_port(cls, port: object) -> object:
        if port == "auto":
            return port
        if isinstance(port, str) and port.isdigit():
            port = int(port)  # `api_port: "9000"`, quoted in YAML
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ValueError(
                f"must be a TCP port from 1 to 65535 (or auto in a rehearsal), got {port!r}"
            )
        return port

    @model_validator(mode="after")
    def _two_ports(self) -> NetworkSpec:
        if self.api_port != "auto" and self.api_port == self.console_port:
            raise ValueError(
                f"api_port and console_port are both {self.api_port}: the S3 API and the console "
                "each need their own port"
            )
        return self

    @property
    def loopback(self) -> bool:
        return ipaddress.ip_address(self.bind).is_loopback


class CredentialsSpec(_Strict):
    """Root keys. The secret is never written in a profile: it comes from the environment or a file."""

    access_key: str = Field(min_length=3)
    secret_env: str | None = None
    secret_file: str | None = None
    generate_if_missing: bool = False

    @field_validator("secret_env")
    @classmethod
    def _env_name(cls, name: str | None) -> str | None:
        return env_var_name(name, "secret_env")


class VerifySpec(_Strict):
    content_sample: int = Field(default=24, ge=1)


class PreflightSpec(_Strict):
    """What the operator has knowingly accepted before the cutover."""

    acknowledged_sse: list[str] = Field(
        default_factory=list,
        description="bucket/key patterns (fnmatch) of SSE objects accepted as unreadable on RustFS",
    )


class RotationSpec(_Strict):
    """Runbook Step 7: the new root secret (from the environment or a file, never inline) and the
    clients that hold the old one, which must be updated when it changes."""

    new_secret_env: str | None = None
    new_secret_file: str | None = None
    generate_if_missing: bool = Field(
        default=False, description="rehearsal only: a fresh random new secret when none is given"
    )
    clients: list[str] = Field(
        default_factory=list,
        description="clients holding the root keys, named so an operator can find them "
        "(e.g. 'rclone remote nas on the analytics VM')",
    )

    @field_validator("new_secret_env")
    @classmethod
    def _env_name(cls, name: str | None) -> str | None:
        return env_var_name(name, "new_secret_env")

    @model_validator(mode="after")
    def _has_a_source(self) -> RotationSpec:
        if not (self.new_secret_env or self.new_secret_file or self.generate_if_missing):
            raise ValueError(
                "rotation needs new_secret_env or new_secret_file: where the new root secret comes from"
            )
        return self

    @property
    def source(self) -> str:
        """Where the new secret comes from, as the shown YAML references it."""
        if self.new_secret_env:
            return f"new secret from ${self.new_secret_env}"
        if self.new_secret_file:
            return "new secret from rotation.new_secret_file"
        return "new secret generated for this rehearsal"


class PublicSpec(_Strict):
    """Where the S3 API is published beyond the LAN (the Cloudflare hostname in front of the API
    port). The runbook keeps the console off it: it breaks behind Cloudflare (rustfs#966, #3062)."""

    api_url: str | None = Field(default=None, description="e.g. https://s3.example.com")
    standin_proxy: bool = Field(
        default=False,
        description="rehearsal only: a loopback reverse proxy to the API port plays the tunnel",
    )
    console_exposure_accepted: bool = Field(
        default=False,
        description="the console is served on the public hostname on purpose (runbook: 'if you "
        "must'): the check then warns and xfails instead of failing",
    )

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        scheme, sep, rest = url.partition("://")
        host = rest.split("/", 1)[0]
        if scheme not in {"http", "https"} or not sep or not host:
            raise ValueError(
                f"api_url must be an http(s) URL like https://s3.example.com, got {url!r}"
            )
        return url.rstrip("/")

    @model_validator(mode="after")
    def _one_way_in(self) -> PublicSpec:
        if bool(self.api_url) == self.standin_proxy:
            raise ValueError(
                "public needs exactly one of api_url (the public hostname) or standin_proxy: true "
                "(a rehearsal's loopback stand-in for the tunnel)"
            )
        return self


AUTO = "auto"
ACCESS_LEVELS = ("admin", "readwrite", "readonly")


class SsoTestUser(_Strict):
    """A person the SSO checks sign in as: a JumpCloud user in production, a stand-in user here."""

    username: str = Field(min_length=1, description="the subject (sub) the IdP signs in")
    groups: list[str] = Field(
        default_factory=list,
        description="the groups the IdP must put in the groups claim (the stand-in IdP emits them)",
    )
    id_token_env: str | None = Field(
        default=None,
        description="production: an environment variable holding an ID token JumpCloud issued "
        "to this user (a browser login cannot be automated)",
    )

    @field_validator("id_token_env")
    @classmethod
    def _env_name(cls, name: str | None) -> str | None:
        return env_var_name(name, "id_token_env")


class OidcSpec(_Strict):
    """Runbook Step 8: RustFS federated to an OpenID provider (JumpCloud), groups -> policies.

    `auto` values are filled at run time by the rehearsal's stand-in IdP; production names them.
    The client secret, like the root secret, only ever comes from the environment or a file.
    """

    provider: str = Field(default="JumpCloud", description="the IdP's name on the login page")
    config_url: str = Field(
        description="the IdP's discovery URL (.well-known/openid-configuration)"
    )
    issuer: str | None = Field(
        default=None,
        description="the issuer exactly as the discovery document says it (trailing slash "
        "included); None lets RustFS derive it from config_url",
    )
    client_id: str
    client_secret_env: str | None = None
    client_secret_file: str | None = None
    scopes: list[str] = Field(default_factory=lambda: ["openid", "profile", "email"])
    groups_claim: str = Field(default="groups", description="the JWT claim carrying group names")
    redirect_uri: str = Field(
        description="RustFS's OIDC callback as registered at the IdP: "
        "<API URL>/rustfs/admin/v3/oidc/callback/default"
    )
    policies: dict[str, Literal["admin", "readwrite", "readonly"]] = Field(
        description="claim value (an IdP group) -> the access its RustFS policy grants"
    )
    test_users: list[SsoTestUser] = Field(min_length=1)

    @field_validator("client_secret_env")
    @classmethod
    def _env_name(cls, name: str | None) -> str | None:
        return env_var_name(name, "client_secret_env")

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, scopes: list[str]) -> list[str]:
        if "openid" not in scopes:
            raise ValueError("scopes must include openid (RustFS refuses a provider without it)")
        return scopes

    @field_validator("policies")
    @classmethod
    def _some_policies(cls, policies: dict[str, str]) -> dict[str, str]:
        if not policies:
            raise ValueError("policies must map at least one group to an access level")
        return policies

    def auto_fields(self) -> list[str]:
        """The settings left for a stand-in IdP to fill (none may be in production)."""
        values = {
            "config_url": self.config_url,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
        }
        return [name for name, value in values.items() if value == AUTO]

    def access_of(self, user: SsoTestUser) -> str | None:
        """The widest access the user's groups grant (None: no group is mapped)."""
        levels = {self.policies[g] for g in user.groups if g in self.policies}
        return next((level for level in ACCESS_LEVELS if level in levels), None)


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
    metadata_per_stratum: int = Field(
        default=3,
        ge=0,
        le=100_000,
        description="phase 45's metadata parity: versions HEADed per stratum (bucket x size "
        "class x inline/parts x single/multipart) besides every version of the r2-tier buckets",
    )

    @field_validator("local_path")
    @classmethod
    def _absolute(cls, path: str | None) -> str | None:
        return None if path is None else plain_absolute_path(path, "local_path")

    @field_validator("drives")
    @classmethod
    def _absolute_drives(cls, paths: list[str]) -> list[str]:
        return [plain_absolute_path(p, "drives") for p in paths]


_REMOTE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*/,-]+$")
STANDIN = "standin"


def cron_problem(schedule: str) -> str | None:
    """Why `schedule` is not a five-field cron expression (TrueNAS's minute hour dom month dow)."""
    fields = schedule.split()
    if len(fields) != 5:
        return f"needs 5 fields (minute hour day-of-month month day-of-week), has {len(fields)}"
    bad = [f for f in fields if not _CRON_FIELD.match(f)]
    if bad:
        return f"field(s) {', '.join(repr(f) for f in bad)} are not cron syntax"
    return None


class R2Spec(_Strict):
    """The R2 exposure tier (runbook Step 6): the manifest's r2-tier buckets are mirrored to
    Cloudflare R2 by a scheduled `rclone sync`, run as a detached container ("Running long S3
    jobs detached"). Which buckets comes from the manifest, never from here."""

    remote: str = Field(default="R2", description="rclone remote name: RCLONE_CONFIG_<remote>_*")
    local_remote: str = Field(default="LOCAL", description="rclone remote name of the local engine")
    provider: str = Field(default="Cloudflare", description="rclone's s3 provider for R2")
    endpoint: str = Field(
        description="https://<account>.r2.cloudflarestorage.com; `standin` in a rehearsal: a "
        "second real engine on loopback plays R2 and fills this in"
    )
    access_key: str = Field(min_length=3, description="the R2 API token's access key id")
    secret_env: str | None = None
    secret_file: str | None = None
    generate_if_missing: bool = Field(
        default=False, description="rehearsal only: a random secret for the stand-in"
    )
    schedule: str | None = Field(
        default=None,
        description="cron schedule of the sync (minute hour dom month dow); production checks "
        "the TrueNAS cron job against it",
    )
    image: ImageSpec
    container: str = Field(default="r2-sync", description="the detached sync container's name")
    transfers: int = Field(default=16, ge=1)
    stats: str = "30s"
    sync_timeout: int = Field(default=3600, ge=10, description="seconds to wait for the sync")

    @field_validator("secret_env")
    @classmethod
    def _secret_env_name(cls, name: str | None) -> str | None:
        return env_var_name(name, "secret_env")

    @field_validator("container")
    @classmethod
    def _container_name(cls, name: str) -> str:
        if not _CONTAINER_NAME.match(name):
            raise ValueError(
                f"container must be a Docker container name (letters, digits, '_', '.', '-'), "
                f"got {name!r}"
            )
        return name

    @field_validator("remote", "local_remote")
    @classmethod
    def _env_name(cls, name: str) -> str:
        if not _REMOTE_NAME.match(name):
            raise ValueError(
                f"rclone remote names here become RCLONE_CONFIG_<NAME>_* variables: use capitals, "
                f"digits and '_' (like R2 or LOCAL), got {name!r}"
            )
        return name

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, endpoint: str) -> str:
        if endpoint != STANDIN and not endpoint.startswith(("https://", "http://")):
            raise ValueError(
                f"endpoint must be an http(s) URL like https://<account>.r2.cloudflarestorage.com "
                f"(or `{STANDIN}` in a rehearsal), got {endpoint!r}"
            )
        return endpoint.rstrip("/")

    @field_validator("schedule")
    @classmethod
    def _cron(cls, schedule: str | None) -> str | None:
        if schedule is None:
            return None
        problem = cron_problem(schedule)
        if problem:
            raise ValueError(f"schedule {schedule!r} {problem}")
        return " ".join(schedule.split())

    @model_validator(mode="after")
    def _distinct_remotes(self) -> R2Spec:
        if self.remote == self.local_remote:
            raise ValueError(f"remote and local_remote are both {self.remote!r}")
        return self

    @property
    def standin(self) -> bool:
        return self.endpoint == STANDIN


class Profile(_Strict):
    name: str
    mode: Mode
    ticket: str = Field(min_length=1)
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
    rotation: RotationSpec | None = Field(default=None, description="runbook Step 7 (optional)")
    public: PublicSpec | None = Field(
        default=None, description="the public hostname of the S3 API (optional)"
    )
    oidc: OidcSpec | None = Field(default=None, description="runbook Step 8: SSO (optional)")
    r2: R2Spec | None = Field(default=None, description="the R2 exposure tier (phase 60)")

    path: Path | None = Field(default=None, exclude=True)

    @field_validator("name")
    @classmethod
    def _directory_safe(cls, name: str) -> str:
        if not _PROFILE_NAME.match(name):
            raise ValueError(
                "name becomes part of the report and state directory names: use letters, digits, "
                f"'.', '_' and '-' (no '/', at most 64), got {name!r}"
            )
        return name

    @model_validator(mode="after")
    def _production_needs_a_host(self) -> Profile:
        if self.mode is Mode.PRODUCTION:
            if self.host is None:
                raise ValueError("a production profile needs host.ssh (user@nas) to reach the NAS")
            data = self.dataset.host_path.rstrip("/") + "/"
            if (self.host.secrets_dir + "/").startswith(data):
                raise ValueError(
                    f"host.secrets_dir {self.host.secrets_dir} is on the migrated dataset "
                    f"({self.dataset.host_path}): the secrets would be served as a bucket and kept "
                    "in its snapshots; put them elsewhere (the default is /root/rustfs-cutover)"
                )
            if self.credentials.generate_if_missing:
                raise ValueError(
                    "credentials.generate_if_missing is for rehearsals: production must reuse MinIO's secret"
                )
            if self.rotation is not None and self.rotation.generate_if_missing:
                raise ValueError(
                    "rotation.generate_if_missing is for rehearsals: production rotates to a secret "
                    "the operator set (rotation.new_secret_env or new_secret_file) and hands to clients"
                )
            if self.public is not None and self.public.standin_proxy:
                raise ValueError(
                    "public.standin_proxy is for rehearsals: production names the real hostname "
                    "(public.api_url)"
                )
            if "auto" in (self.network.api_port, self.network.console_port):
                raise ValueError(
                    "network.api_port and network.console_port must be numbers in production: "
                    "RustFS takes over MinIO's API port"
                )
            if self.oidc is not None:
                auto = self.oidc.auto_fields()
                if auto:
                    raise ValueError(
                        f"oidc.{auto[0]} is 'auto', which only a rehearsal's stand-in IdP can fill: "
                        "name the JumpCloud value"
                    )
                if not (self.oidc.client_secret_env or self.oidc.client_secret_file):
                    raise ValueError(
                        "oidc needs client_secret_env or client_secret_file: the JumpCloud app's "
                        "client secret, never written in the profile"
                    )
            if self.r2 is not None and (self.r2.standin or self.r2.generate_if_missing):
                raise ValueError(
                    "r2.endpoint: standin and r2.generate_if_missing are for rehearsals: production "
                    "syncs to the real R2 endpoint with its real token"
                )
        elif not self.network.loopback:
            raise ValueError(
                f"network.bind is {self.network.bind}: a rehearsal listens on loopback only "
                "(127.0.0.1), never on this machine's network; production profiles set mode: "
                "production"
            )
        elif self.r2 is not None and not self.r2.standin:
            raise ValueError(
                f"r2.endpoint must be `{STANDIN}` in a rehearsal (got {self.r2.endpoint!r}): a "
                "rehearsal never sends traffic beyond this machine; a real engine plays R2"
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


_INLINE_SECRET_KEYS = {"secret", "secret_key", "root_password", "password", "client_secret"}
_INLINE_NEW_SECRET_KEYS = _INLINE_SECRET_KEYS | {"new_secret", "new_secret_key"}
_INLINE_R2_SECRET_KEYS = _INLINE_SECRET_KEYS | {"secret_access_key"}


def _reject_inline_secret(path: Path, data: dict) -> None:
    for section, keys, fields in (
        ("credentials", _INLINE_SECRET_KEYS, "secret_env) or a file (secret_file"),
        ("rotation", _INLINE_NEW_SECRET_KEYS, "new_secret_env) or a file (new_secret_file"),
        ("oidc", _INLINE_SECRET_KEYS, "client_secret_env) or a file (client_secret_file"),
        ("r2", _INLINE_R2_SECRET_KEYS, "secret_env) or a file (secret_file"),
    ):
        values = data.get(section)
        if isinstance(values, dict):
            inline = sorted(k for k in values if k in keys)
            if inline:
                raise ConfigError(
                    f"{path}: {section}.{inline[0]} holds a secret inline; profiles are committed "
                    f"files, so name an environment variable ({fields}) instead"
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
    if not path.exists():
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


@dataclass(frozen=True)
class SecretSource:
    """Where one of the profile's secrets comes from, and the sentences that say it is not there.

    Templates are `str.format`ted: `unusable_file` with `path` and `why` (from
    `read_secret_file`); `missing` with `env` (the variable's name), `where` (the variable, or
    `where_without_env` when the profile names none) and `spec` (the profile section).
    """

    env_field: str  # the section's field naming the environment variable
    file_field: str  # the section's field holding the file's path
    generate_field: str | None  # the field that allows a fresh random one (None: never)
    unusable_file: str
    missing: str
    where_without_env: str


# One row per secret the runbook needs, keyed by what it is called in the record.
SECRET_SOURCES: dict[str, SecretSource] = {
    "root secret": SecretSource(
        env_field="secret_env",
        file_field="secret_file",
        generate_field="generate_if_missing",
        unusable_file="root secret file {path} (credentials.secret_file) {why}",
        missing="no root secret key: set {where} to MinIO's root secret (RustFS must reuse it)",
        where_without_env="a secret_file",
    ),
    "new root secret": SecretSource(
        env_field="new_secret_env",
        file_field="new_secret_file",
        generate_field="generate_if_missing",
        unusable_file=(
            "no new root secret for the rotation: the file {path} (rotation.new_secret_file) "
            "{why}; nothing was changed"
        ),
        missing=(
            "no new root secret for the rotation: set the environment variable {env} "
            "(rotation.new_secret_env) to the new secret and rerun; nothing was changed"
        ),
        where_without_env="rotation.new_secret_file",
    ),
    "OIDC client secret": SecretSource(
        env_field="client_secret_env",
        file_field="client_secret_file",
        generate_field=None,  # a stand-in IdP issues its own; production names JumpCloud's
        unusable_file="OIDC client secret file {path} (oidc.client_secret_file) {why}",
        missing="no OIDC client secret: set {where} to the client secret of the {spec.provider} app",
        where_without_env="oidc.client_secret_file",
    ),
    "R2 secret": SecretSource(
        env_field="secret_env",
        file_field="secret_file",
        generate_field="generate_if_missing",
        unusable_file="R2 secret file {path} (r2.secret_file) {why}",
        missing="no R2 secret: set {where} to the R2 API token's secret access key",
        where_without_env="r2.secret_file",
    ),
}


def resolve_secret(what: str, spec: BaseModel, environ: dict[str, str] | None = None) -> SecretStr:
    """The secret `what` (a key of SECRET_SOURCES) for the profile section `spec`: from its
    environment variable, else its file, else a fresh random one where the section allows it.
    Absent or unusable: a ConfigError in the row's own sentence."""
    source = SECRET_SOURCES[what]
    env_name: str | None = getattr(spec, source.env_field)
    file: str | None = getattr(spec, source.file_field)
    env = os.environ if environ is None else environ
    if env_name and env.get(env_name):
        return SecretStr(env[env_name])
    if file:
        path = Path(file).expanduser()
        value, why = read_secret_file(path)
        if why:
            raise ConfigError(source.unusable_file.format(path=path, why=why))
        return SecretStr(value)
    if source.generate_field and getattr(spec, source.generate_field):
        return SecretStr(_secrets.token_urlsafe(30))
    where = f"environment variable {env_name}" if env_name else source.where_without_env
    raise ConfigError(source.missing.format(env=env_name, where=where, spec=spec))


def read_secret_file(path: Path) -> tuple[str, str]:
    """The secret in `path` (one line of text), or "" and why the file cannot be one: a file an
    operator points at may be a directory, a device, unreadable, binary or empty, and each of
    those is a sentence, never a traceback or a read that never ends."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return "", "does not exist"
    except OSError as exc:
        return "", f"cannot be reached ({exc.strerror or exc})"
    if stat.S_ISDIR(info.st_mode):
        return "", "is a directory, not a file holding the secret"
    if not stat.S_ISREG(info.st_mode):
        return "", "is not a regular file (a device or a pipe?)"
    if info.st_size > MAX_SECRET_FILE:
        return "", f"is larger than {MAX_SECRET_FILE // 1024} KiB, too large to hold one secret"
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_SECRET_FILE + 1)
    except PermissionError:
        return "", "cannot be read by this user (permission denied)"
    except OSError as exc:
        return "", f"cannot be read ({exc.strerror or exc})"
    if len(data) > MAX_SECRET_FILE:
        return "", f"is larger than {MAX_SECRET_FILE // 1024} KiB, too large to hold one secret"
    try:
        value = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return "", "is not text (not UTF-8): it must hold the secret as one line of text"
    if not value:
        return "", "is empty"
    if "\x00" in value or "\n" in value:
        return "", "holds more than one line (or NUL bytes): it must hold the secret alone"
    return value, ""


def resolve_root_secret(creds: CredentialsSpec, environ: dict[str, str] | None = None) -> SecretStr:
    """The root secret key from the environment or a file; generated only where the profile allows."""
    return resolve_secret("root secret", creds, environ)


def resolve_new_root_secret(
    rotation: RotationSpec, environ: dict[str, str] | None = None
) -> SecretStr:
    """The secret the root key rotates to; generated only where the profile allows (a rehearsal)."""
    return resolve_secret("new root secret", rotation, environ)


def resolve_client_secret(oidc: OidcSpec, environ: dict[str, str] | None = None) -> SecretStr:
    """The IdP client secret from the environment or a file (production; a stand-in issues one)."""
    return resolve_secret("OIDC client secret", oidc, environ)


def resolve_r2_secret(spec: R2Spec, environ: dict[str, str] | None = None) -> SecretStr:
    """The R2 token's secret from the environment or a file; generated only for a stand-in."""
    return resolve_secret("R2 secret", spec, environ)

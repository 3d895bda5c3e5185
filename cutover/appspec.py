"""The RustFS Custom App spec of runbook Step 3: rendered from the profile, and linted.

The two settings that make binary replacement work are `RUSTFS_VOLUMES=/data` and a `user:`
equal to the data owner; the lint names every way a spec is known to break the cutover.

The YAML handed to the middleware never holds a secret: it travels as a `midclt` argument
(visible to every user of the NAS) and is stored by the middleware. Secrets go to a root-only
`env_file:` the app reads at every start; the YAML names that file instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from pydantic import SecretStr

from cutover.errors import CutoverError
from cutover.profile import Profile
from cutover.redact import MASKED, is_reference, is_secret_name

DATA_MOUNT = "/data"
CATALOG_DATA_PATH = "/rustfs/data0"
CATALOG_APP_UID = 568
IMAGE_DEFAULT_UID = 10001
# The root secret's names; any other variable whose name says secret (`is_secret_name`:
# RUSTFS_IDENTITY_OPENID_CLIENT_SECRET, MINIO_KMS_SECRET_KEY...) is masked as well.
SECRET_ENV_KEYS = ("RUSTFS_SECRET_KEY", "MINIO_ROOT_PASSWORD")


class EnvFileError(CutoverError):
    """A secret a compose env_file cannot carry as is."""


def app_env_file(secrets_dir: str, app: str, version: str = "") -> str:
    """Where an app's secrets live on the NAS; a redeploy that changes them names a new file."""
    return f"{secrets_dir}/{app}{'-' + version if version else ''}.env"


def env_file_line(key: str, value: str, source: str) -> str:
    """`KEY='value'`: compose reads a single-quoted env_file value literally (no `$`
    interpolation, no escapes, `#` kept). What it cannot carry is refused, never mangled."""
    if "'" in value or "\n" in value or "\r" in value or "\0" in value or value.endswith("\\"):
        raise EnvFileError(
            f"{key} ({source}) holds a single quote, a line break or a trailing backslash, "
            "which a compose env_file cannot carry as is: set a secret without them (for the "
            "root secret, change MinIO's first) and rerun"
        )
    return f"{key}='{value}'\n"


@dataclass(frozen=True)
class Volume:
    host: str
    container: str
    mode: str = "rw"


@dataclass(frozen=True)
class AppSpec:
    """One compose service, the shape TrueNAS's "Install via YAML" takes."""

    service: str
    image: str
    user: str
    environment: dict[str, str | SecretStr]
    volumes: tuple[Volume, ...]
    ports: tuple[str, ...] = ()
    command: tuple[str, ...] = ()
    restart: str = "unless-stopped"
    secret_source: str = "the root secret"
    env_file: str | None = None  # host path of the root-only file holding every secret value
    secret_sources: dict[str, str] = field(default_factory=dict)  # key -> where it comes from

    def env_value(self, key: str) -> str | None:
        value = self.environment.get(key)
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        return value

    def container_env(self) -> dict[str, str]:
        """The environment with secrets revealed: only for handing to the container engine."""
        return {k: self.env_value(k) or "" for k in self.environment}

    def with_changes(self, **changes: Any) -> AppSpec:
        return replace(self, **changes)

    def with_env(
        self, env: Mapping[str, str | SecretStr | None], sources: Mapping[str, str] | None = None
    ) -> AppSpec:
        """Environment changes applied (None removes a key); `sources` says where new secrets
        come from, as the shown YAML names them. Every redeploy (rehearsal or NAS) goes here."""
        merged = {**self.environment, **env}
        return self.with_changes(
            environment={k: v for k, v in merged.items() if v is not None},
            secret_sources={**self.secret_sources, **(sources or {})},
        )

    def secret_keys(self) -> list[str]:
        return [k for k, v in self.environment.items() if isinstance(v, SecretStr)]

    def _source(self, key: str) -> str:
        if key in self.secret_sources:
            return self.secret_sources[key]
        return self.secret_source if key in SECRET_ENV_KEYS else "a secret"

    def to_compose(self) -> dict[str, Any]:
        """The YAML document, which never holds a secret value.

        With an env_file, the secrets are left out (the app reads them from the file); without
        one, each is shown as a reference to where it comes from, for the record only. Any other
        variable whose name says secret is masked, whether or not its value is a SecretStr.
        """
        env = {
            k: self._shown(k, v)
            for k, v in self.environment.items()
            if not (self.env_file and isinstance(v, SecretStr))
        }
        service: dict[str, Any] = {
            "image": self.image,
            "restart": self.restart,
            "user": self.user,
            "environment": env,
        }
        if self.env_file and self.secret_keys():
            service["env_file"] = [self.env_file]
        if self.command:
            service["command"] = list(self.command)
        if self.ports:
            service["ports"] = list(self.ports)
        service["volumes"] = [f"{v.host}:{v.container}" for v in self.volumes]
        return {"services": {self.service: service}}

    def to_yaml(self) -> str:
        """The compose YAML, headed by a comment naming where each secret comes from."""
        header = ""
        if self.env_file:
            header = "".join(
                f"# {k}: {self._source(k)}, read from env_file {self.env_file} "
                "(root-only, mode 0600)\n"
                for k in self.secret_keys()
            )
        body = yaml.safe_dump(self.to_compose(), sort_keys=False, allow_unicode=True)
        return header + body

    def env_file_text(self) -> SecretStr:
        """The env_file's content: every secret of the environment, for write_private only."""
        return SecretStr(
            "".join(
                env_file_line(k, self.env_value(k) or "", self._source(k))
                for k in self.secret_keys()
            )
        )

    def _shown(self, key: str, value: str | SecretStr) -> str:
        if isinstance(value, SecretStr):
            known = key in self.secret_sources or key in SECRET_ENV_KEYS
            return f"<{self._source(key)}>" if known else MASKED
        if value and is_secret_name(key) and not is_reference(value):
            return MASKED
        return value


@dataclass(frozen=True)
class Listen:
    """Where an engine's API and console listen."""

    bind: str
    api_port: int
    console_port: int

    @property
    def api_address(self) -> str:
        return f"{self.bind}:{self.api_port}"

    @property
    def console_address(self) -> str:
        return f"{self.bind}:{self.console_port}"


def render_rustfs_app(
    profile: Profile,
    *,
    data_owner: str,
    host_path: str,
    secret: SecretStr,
    listen: Listen,
    image: str | None = None,
    env_file: str | None = None,
) -> AppSpec:
    """Runbook Step 3, filled in: same dataset, same owner, same root keys, pinned image.

    `env_file` (production): where on the NAS the app reads its secrets from."""
    source = (
        f"secret from ${profile.credentials.secret_env}"
        if profile.credentials.secret_env
        else "secret from credentials.secret_file"
    )
    return AppSpec(
        service=profile.target.app,
        image=image or profile.target.image.official,
        user=data_owner,
        environment={
            "RUSTFS_VOLUMES": DATA_MOUNT,
            "RUSTFS_ADDRESS": listen.api_address,
            "RUSTFS_CONSOLE_ENABLE": "true",
            "RUSTFS_CONSOLE_ADDRESS": listen.console_address,
            "RUSTFS_CONSOLE_CORS_ALLOWED_ORIGINS": "*",
            "RUSTFS_CORS_ALLOWED_ORIGINS": "*",
            # A pinned release has no use for RustFS's startup call to version.rustfs.com, and a
            # rehearsal must not send traffic off this machine.
            "RUSTFS_CHECK_UPDATE": "false",
            "RUSTFS_ACCESS_KEY": profile.credentials.access_key,
            "RUSTFS_SECRET_KEY": secret,
        },
        volumes=(Volume(host_path, DATA_MOUNT),),
        ports=(
            f"{listen.api_port}:{listen.api_port}",
            f"{listen.console_port}:{listen.console_port}",
        ),
        secret_source=source,
        env_file=env_file,
    )


@dataclass(frozen=True)
class Finding:
    """One thing wrong with a spec, phrased as what was found and what to do."""

    rule: str
    message: str


@dataclass
class SpecLint:
    findings: list[Finding] = field(default_factory=list)

    def add(self, rule: str, message: str) -> None:
        self.findings.append(Finding(rule, message))

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}


def _uid(user: str) -> int | None:
    head = user.split(":", 1)[0]
    return int(head) if head.isdigit() else None


def lint_app_spec(spec: AppSpec, *, data_owner: str, host_path: str) -> SpecLint:
    """Every runbook gotcha a deployed spec can carry, each with its fix."""
    lint = SpecLint()
    owner_uid = _uid(data_owner)
    uid = _uid(spec.user) if spec.user else None
    if not spec.user:
        lint.add(
            "user",
            f"no user: set; the image default UID {IMAGE_DEFAULT_UID} cannot read data owned by "
            f'{data_owner}: set user: "{data_owner}"',
        )
    elif spec.user != data_owner:
        why = ""
        if uid == IMAGE_DEFAULT_UID:
            why = f" (UID {IMAGE_DEFAULT_UID} is the RustFS image default)"
        elif uid == CATALOG_APP_UID and owner_uid != CATALOG_APP_UID:
            why = f" (UID {CATALOG_APP_UID} is what the TrueNAS catalog app forces)"
        lint.add(
            "user",
            f"container runs as {spec.user}{why} but the data is owned by {data_owner}: "
            f'set user: "{data_owner}" (container user must equal the data owner)',
        )
    volumes = spec.env_value("RUSTFS_VOLUMES")
    if volumes != DATA_MOUNT:
        lint.add(
            "volumes-env",
            f'RUSTFS_VOLUMES is {volumes!r}; set RUSTFS_VOLUMES: "{DATA_MOUNT}" so RustFS reads the '
            f"MinIO data (the catalog app's default is {CATALOG_DATA_PATH})",
        )
    data_mounts = [v for v in spec.volumes if v.container == DATA_MOUNT]
    catalog = [v for v in spec.volumes if v.container == CATALOG_DATA_PATH]
    if catalog:
        lint.add(
            "catalog-app",
            f"{CATALOG_DATA_PATH} is mounted ({catalog[0].host}): this is the TrueNAS catalog "
            "app's own store, not your MinIO dataset; deploy a Custom App instead (runbook Step 3)",
        )
    if not data_mounts:
        lint.add(
            "host-path",
            f"nothing is mounted at {DATA_MOUNT}; mount the dataset host path: "
            f"- {host_path}:{DATA_MOUNT}",
        )
    for mount in data_mounts:
        if mount.host.rstrip("/") != host_path.rstrip("/"):
            hint = ""
            if mount.host.rstrip("/") == "/export":
                hint = " (/export is MinIO's in-container mount point, not a host path)"
            lint.add(
                "host-path",
                f"{mount.host}{hint} is mounted at {DATA_MOUNT}, but the MinIO dataset is at "
                f"{host_path}: mount - {host_path}:{DATA_MOUNT}",
            )
        if mount.mode != "rw":
            lint.add("host-path", f"{mount.host} is mounted {mount.mode}; RustFS needs it rw")
    tag = spec.image.rpartition(":")[2] if ":" in spec.image.rsplit("/", 1)[-1] else ""
    if not tag or tag == "latest":
        lint.add(
            "image-pin",
            f"image {spec.image} is not pinned; use a release tag (e.g. rustfs/rustfs:1.0.1) so "
            "the change record says what ran",
        )
    for key in SECRET_ENV_KEYS:
        raw = spec.environment.get(key)
        is_reference = raw.startswith(("<secret from", "$")) if isinstance(raw, str) else True
        if isinstance(raw, str) and raw and not is_reference:
            lint.add(
                "inline-secret",
                f"{key} is written inline in the spec; keep the secret out of committed files "
                "(reference it from the environment or a secret file) and rotate it (Step 7)",
            )
    if spec.env_file:
        try:
            spec.env_file_text()
        except EnvFileError as exc:
            lint.add("env-file", str(exc))
    return lint


def render_minio_app(
    profile: Profile,
    *,
    data_owner: str,
    host_path: str,
    secret: SecretStr,
    listen: Listen,
    image: str,
    data_subdir: str = "",
    drives: tuple[str, ...] = (),
) -> AppSpec:
    """The source side as the TrueNAS minio app runs it: the host path mounted at /export.

    `drives`: the other drives of a single-node multi-drive set, mounted at /export2, ...
    """
    mount = profile.source.mount_path
    served = f"{mount}/{data_subdir}" if data_subdir else mount
    others = tuple(Volume(d, f"{mount}{i}") for i, d in enumerate(drives, start=2))
    return AppSpec(
        service=profile.source.app,
        image=image,
        user=data_owner,
        environment={
            "MINIO_ROOT_USER": profile.credentials.access_key,
            "MINIO_ROOT_PASSWORD": secret,
        },
        volumes=(Volume(host_path, mount), *others),
        command=(
            "server",
            served,
            *(v.container for v in others),
            "--address",
            listen.api_address,
            "--console-address",
            listen.console_address,
        ),
    )


def minio_standin_for(spec: AppSpec, *, minio_image: str) -> AppSpec:
    """Run a RustFS spec with MinIO instead, mapping RustFS settings onto MinIO's flags.

    Everything the deploy checks look at (user, RUSTFS_* variables, mounts) is kept, so only the
    engine binary differs; the report says in plain words that this happened.
    """
    env = dict(spec.environment)
    env["MINIO_ROOT_USER"] = spec.env_value("RUSTFS_ACCESS_KEY") or ""
    secret = spec.environment.get("RUSTFS_SECRET_KEY")
    env["MINIO_ROOT_PASSWORD"] = secret if secret is not None else ""
    return spec.with_changes(
        image=minio_image,
        environment=env,
        command=(
            "server",
            spec.env_value("RUSTFS_VOLUMES") or DATA_MOUNT,
            "--address",
            spec.env_value("RUSTFS_ADDRESS") or ":9000",
            "--console-address",
            spec.env_value("RUSTFS_CONSOLE_ADDRESS") or ":9001",
        ),
    )


def spec_from_container(attrs: dict[str, Any]) -> AppSpec:
    """What a running container really is (docker inspect), as an AppSpec the lint can read.
    Every variable whose name says secret is held as a SecretStr, so no display shows it."""
    config = attrs.get("Config") or {}
    env: dict[str, str | SecretStr] = {}
    for item in config.get("Env") or []:
        key, _, value = item.partition("=")
        env[key] = SecretStr(value) if key in SECRET_ENV_KEYS or is_secret_name(key) else value
    volumes = tuple(
        Volume(m.get("Source", ""), m.get("Destination", ""), "rw" if m.get("RW", True) else "ro")
        for m in attrs.get("Mounts") or []
    )
    return AppSpec(
        service=(attrs.get("Name") or "").lstrip("/"),
        image=config.get("Image", ""),
        user=config.get("User", ""),
        environment=env,
        volumes=volumes,
        command=tuple(config.get("Cmd") or ()),
    )

"""Everything a run reads before it touches anything: the profile, the manifest, the root secret,
and the directories it will write to.

A run of the suites calls this first; whatever is wrong here is one sentence and the run stops
before a container starts or the NAS is reached.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from cutover.appspec import EnvFileError, env_file_line
from cutover.errors import ConfigError
from cutover.manifest import Manifest, load_manifest
from cutover.profile import Mode, Profile, load_profile, resolve_root_secret


@dataclass(frozen=True)
class RunInputs:
    profile: Profile
    manifest: Manifest
    secret: SecretStr


def load_run_inputs(
    target: str, datasets: str | None, environ: dict[str, str] | None = None
) -> RunInputs:
    """The profile (`--target`), the manifest (`--datasets`, else the profile's) and the root
    secret, each validated; a ConfigError names what is wrong."""
    profile = load_profile(target)
    manifest = load_manifest(Path(datasets) if datasets else profile.manifest_path())
    secret = resolve_root_secret(profile.credentials, environ)
    if profile.mode is Mode.PRODUCTION:
        # On the NAS the app reads it from a compose env_file: refused now, not mid-cutover.
        try:
            env_file_line("RUSTFS_SECRET_KEY", secret.get_secret_value(), "the root secret")
        except EnvFileError as exc:
            raise ConfigError(str(exc)) from None
    return RunInputs(profile, manifest, secret)


def writable_dir(
    path: Path, option: str, *, create_parents: bool = False, create: bool = True
) -> Path:
    """`path` as a directory this run can write into, created when missing (unless not
    `create`: then only checked, for a run that must not leave anything behind yet).

    Only the last component is created unless `create_parents`: a run told to write its change
    record under a mistyped path should say so, not scatter directories across the machine.
    """
    path = path.expanduser()
    if path.exists() and not path.is_dir():
        raise ConfigError(
            f"{option} {path} is a file, not a directory: name a directory (it is created when "
            "missing, inside an existing one)"
        )
    if not path.exists() and not create_parents:
        parent = path.parent
        if parent.exists() and not parent.is_dir():
            raise ConfigError(f"{option} {path}: {parent} is a file, not a directory")
        if not parent.exists():
            raise ConfigError(
                f"{option} {path}: its parent {parent} does not exist (a typo?); create it first "
                "or name a directory inside an existing one"
            )
    if create:
        try:
            path.mkdir(parents=create_parents, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"{option} {path} cannot be created: {exc.strerror or exc}") from None
    if path.exists() and not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"{option} {path} is not writable by this user")
    return path.resolve()

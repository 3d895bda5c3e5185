"""A dress rehearsal: the cutover rehearsed on a copy of the real data, production untouched.

On the NAS the copy is a ZFS clone of a snapshot of the production dataset; on this machine it
is a copy of a MinIO data directory (`--source-dir`: a backup, a `zfs send` received here, a
snapshot's `.zfs/snapshot/<name>` directory). Either way MinIO is started on the copy for an
exact baseline, stopped, and RustFS (the profile's image, same UID, same root keys, spare
loopback ports) adopts the copy; phases 00, 20, 25, 30, 40 and 45 check it. Nothing of
production is stopped, changed or written: the only things created on the NAS are the dress
rehearsal's own snapshot and clone (and its engines' containers and env files), each named in
the plan and the record and destroyed at the end, whatever happened.

Phases that would act on something real are not run: the rollback (50) has nothing to roll
back, the R2 sync (60) would write to the real R2, the key rotation (70), the public hostname
(75) and SSO (80) are about the production app and its clients.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from cutover import zfs
from cutover.errors import ConfigError
from cutover.layout import MINIO_META
from cutover.profile import Mode, NetworkSpec, OndiskSpec, Profile

# Suite module -> why a dress rehearsal does not run it.
NOT_RUN = {
    "test_50_rollback.py": "a dress rehearsal changes nothing that would need a rollback",
    "test_60_r2_sync.py": "the R2 sync would write to the real R2 bucket",
    "test_70_rotate_root_key.py": "a key rotation is about the production app and its clients",
    "test_75_public_exposure.py": "the public hostname serves production, not the copy",
    "test_80_oidc_sso.py": "SSO is configured on the production app",
}
CLONE_SUFFIX = "-dress-rehearsal"
SNAPSHOT_PREFIX = "dress-rehearsal-"
_SAFE_DIR = re.compile(r"^[^\n\0]+$")


def notice(where: str) -> str:
    """The red line heading the report and the terminal summary."""
    return (
        f"DRESS REHEARSAL on {where}: production was not stopped, changed or written; the "
        "verdicts below are about the copy, and nothing was cut over."
    )


def clone_name(profile: Profile) -> str:
    """The scratch dataset, a sibling of the production dataset (a clone lives in its pool).

    One fixed name, so a clone left by an interrupted run is found and refused rather than
    piling up next to the production dataset."""
    return zfs.check_dataset_name(profile.dataset.zfs + CLONE_SUFFIX)


def snapshot_name(now: datetime | None = None) -> str:
    """A fresh snapshot of the production dataset, for this dress rehearsal only."""
    return zfs.check_snapshot_name(f"{SNAPSHOT_PREFIX}{(now or datetime.now(UTC)):%Y%m%dT%H%M%SZ}")


def check_source_dir(value: str, *, report_root: Path | None = None) -> Path:
    """`--source-dir`: an existing MinIO data directory (`.minio.sys` at its top), read only."""
    if not value or not _SAFE_DIR.match(value):
        raise ConfigError("--source-dir needs a directory: the copy of a MinIO data directory")
    path = Path(value).expanduser()
    if not path.exists():
        raise ConfigError(
            f"--source-dir {path} does not exist: name the local copy of the MinIO data "
            "directory (the one holding .minio.sys and the buckets)"
        )
    if not path.is_dir():
        raise ConfigError(f"--source-dir {path} is a file, not a MinIO data directory")
    path = path.resolve()
    if path == Path("/"):
        raise ConfigError("--source-dir / is the whole filesystem, not a MinIO data directory")
    if not (path / MINIO_META).is_dir():
        nested = sorted(p.parent.name for p in path.glob(f"*/{MINIO_META}") if p.is_dir())
        hint = (
            f": the data is nested one level down, name {path / nested[0]} instead"
            if nested
            else " (wrong directory, or an empty one)"
        )
        raise ConfigError(f"--source-dir {path} holds no {MINIO_META}{hint}; nothing was started")
    if report_root is not None and report_root.resolve().is_relative_to(path):
        raise ConfigError(
            f"--source-dir {path} holds the report directory {report_root}: the run would write "
            "into the data it copies; give another --report-dir"
        )
    return path


def local_profile(profile: Profile, source_dir: Path) -> Profile:
    """The profile a dress rehearsal on this machine runs with: its owner, keys, images and
    manifest, on loopback with spare ports, on a copy of `source_dir`; the sections of the
    phases it does not run dropped (their secrets are not needed)."""
    ondisk = profile.ondisk or OndiskSpec()
    return profile.model_copy(
        update={
            "mode": Mode.REHEARSAL,
            "host": None,
            "network": NetworkSpec(bind="127.0.0.1", api_port="auto", console_port="auto"),
            "credentials": profile.credentials.model_copy(update={"generate_if_missing": False}),
            "dataset": profile.dataset.model_copy(update={"host_path": str(source_dir)}),
            "ondisk": ondisk.model_copy(update={"local_path": None, "drives": []}),
            "rotation": None,
            "public": None,
            "oidc": None,
            "r2": None,
        }
    )


def not_real_data(profile: Profile, *, pytest_run: bool = True) -> str:
    """Why a rehearsal profile cannot be dress-rehearsed without a local copy to run on.
    `--source-dir` is an option of the pytest run only: the plan command is told so."""
    local = (
        "--source-dir <a local copy of a MinIO data directory>"
        if pytest_run
        else "a local copy of a MinIO data directory (pytest suites --source-dir DIR; it has "
        "no plan to print, it acts on its own copy only)"
    )
    return (
        "a dress rehearsal runs on a copy of real data: give a production profile (a ZFS "
        f"clone on the NAS) or {local}; {profile.path} is a rehearsal profile, whose plain run "
        "already works on scratch data; nothing was started"
    )


def nas_profile(profile: Profile) -> Profile:
    """A production profile in a dress rehearsal: the phases it does not run dropped."""
    return profile.model_copy(update={"rotation": None, "public": None, "oidc": None, "r2": None})


def nas_plan(profile: Profile, snapshot: str, where: str) -> list[str]:
    """What a dress rehearsal on the NAS does, in order: the heading, then one line per step.
    Everything it creates it names, and destroys at the end whatever happened."""
    assert profile.host is not None
    tools = profile.host.tools
    ds, clone = profile.dataset.zfs, clone_name(profile)
    secrets = profile.host.secrets_dir
    steps = [
        f"read only: {tools.midclt} call app.query {profile.source.app} (the production MinIO "
        "keeps serving; it is never stopped, changed or written)",
        f"refuse if {clone} exists already (zfs list): a clone left by an interrupted run is "
        "named, never reused or destroyed",
        f"{tools.zfs} snapshot {ds}@{snapshot} (a new snapshot of the production dataset, "
        "for this dress rehearsal only)",
        f"{tools.zfs} clone {ds}@{snapshot} {clone} (the copy everything below runs on)",
        f"docker run -d MinIO ({profile.source.image.official} as running in production) as "
        f"{profile.dataset.owner} on the clone, 127.0.0.1 spare ports of the NAS, root keys in "
        f"a root-only --env-file under {secrets}; baseline taken through an SSH forward",
        "docker stop MinIO; on-disk inventory of the clone (phase 25)",
        f"docker run -d RustFS ({profile.target.image.official}) as {profile.dataset.owner} on "
        "the clone, same ports and root keys; phases 30, 40 and 45 through the SSH forward",
        f"always, also after a failure: docker rm -f both containers, remove their env files, "
        f"{tools.zfs} destroy {clone}, {tools.zfs} destroy {ds}@{snapshot}",
        "not run: " + "; ".join(f"{m.removesuffix('.py')} ({why})" for m, why in NOT_RUN.items()),
    ]
    heading = (
        f"Dress rehearsal plan for {profile.name} on {where} (no --confirm: production untouched)"
    )
    return [heading, *(f"  {i}. {step}" for i, step in enumerate(steps, 1))]

"""Engine builds from source, for machines with no container registry.

MinIO via the Go module proxy (MinIO's own documented source install) into a `FROM scratch`
image, RustFS from crates.io onto a debootstrapped Debian base, and rclone (the R2 sync) from
Debian's own package onto that same base. Binaries are cached outside the checkout.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cutover.errors import CutoverError
from cutover.images.resolve import (
    RUSTFS_DOCKERFILE,
    ResolvedImage,
    Say,
    _local_image_id,
    _quiet,
    image_digest,
    recipe,
    resolve_image,
)
from cutover.profile import REPO_ROOT, CargoBuild, DebianBuild, GoBuild, ImageSpec

if TYPE_CHECKING:
    import docker

MINIO_DOCKERFILE = REPO_ROOT / "docker" / "minio" / "Dockerfile"
RCLONE_DOCKERFILE = REPO_ROOT / "docker" / "rclone" / "Dockerfile"
CA_BUNDLE_NAME = "ca-certificates.crt"

# Go pseudo-versions end in `<yyyymmddhhmmss>-<12 hex>`, after `v0.0.0-`, `-0.` or `-pre.0.`.
_PSEUDO_VERSION = re.compile(r"^v\d+\.\d+\.\d+-(?:.*[.-])?(\d{14})-([0-9a-f]{12})$")


@dataclass(frozen=True)
class PseudoVersion:
    """Commit time and hash of a Go pseudo-version: MinIO's build stamps them into the binary."""

    commit_time: datetime
    commit: str

    @property
    def version(self) -> str:
        """MinIO's `cmd.Version`: the commit time in RFC 3339, as its gen-ldflags.go writes it."""
        return self.commit_time.strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def release_tag(self) -> str:
        """MinIO's `cmd.ReleaseTag` for a source build: `DEVELOPMENT.` + version with `:` -> `-`."""
        return "DEVELOPMENT." + self.version.replace(":", "-")


def parse_pseudo_version(version: str) -> PseudoVersion:
    """Split `v0.0.0-YYYYMMDDHHMMSS-abcdef123456`; MinIO has no semver tags, so builds pin these."""
    match = _PSEUDO_VERSION.match(version)
    if not match:
        raise CutoverError(
            f"cannot derive MinIO's build stamp from module version {version!r}: expected a Go "
            "pseudo-version like v0.0.0-20260212201848-7aac2a2c5b7c (MinIO publishes no semver "
            "tags, so pin a commit)"
        )
    stamp, commit = match.groups()
    commit_time = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    return PseudoVersion(commit_time=commit_time, commit=commit)


def minio_ldflags(version: str) -> str:
    """The `-X` stamps MinIO's own build sets (buildscripts/gen-ldflags.go), so that
    `minio --version` names the commit it runs. CommitID is only the 12-hex short hash here:
    the pseudo-version carries no more."""
    pv = parse_pseudo_version(version)
    pkg = "github.com/minio/minio/cmd"
    return " ".join(
        [
            "-s -w",
            f"-X {pkg}.Version={pv.version}",
            f"-X {pkg}.CopyrightYear={pv.commit_time.year}",
            f"-X {pkg}.ReleaseTag={pv.release_tag}",
            f"-X {pkg}.CommitID={pv.commit}",
            f"-X {pkg}.ShortCommitID={pv.commit}",
        ]
    )


def default_cache_dir() -> Path:
    """Built binaries outlive the repo checkout: rebuilding MinIO costs minutes."""
    env = os.environ.get("RUSTFS_CUTOVER_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "rustfs-cutover"


def _go_binary() -> str:
    return _tool(
        "go",
        [Path("/usr/local/go/bin/go")],
        "it builds MinIO from source where its official image cannot be pulled; install Go, or "
        "load the official image with `docker load`, or set pull_images: true where quay.io is "
        "reachable",
    )


def _minio_cache_key(version: str) -> str:
    """Pseudo-versions are keyed by commit (as the local image tag is); anything else verbatim."""
    match = _PSEUDO_VERSION.match(version)
    return match.group(2) if match else version


def build_minio_binary(build: GoBuild, cache_dir: Path, say: Say = _quiet) -> Path:
    """`go install` MinIO at the pinned revision, once: the binary is cached across checkouts."""
    target_dir = cache_dir / "minio" / _minio_cache_key(build.version)
    binary = target_dir / "minio"
    # The stamp records how the cached binary was linked: one built with other flags (say,
    # without the version stamps) is rebuilt rather than trusted. Relinking is cheap once Go's
    # build cache holds the compiled packages.
    stamp = target_dir / "minio.ldflags"
    ldflags = minio_ldflags(build.version)
    if binary.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == ldflags:
        say(f"MinIO binary cached at {binary}")
        return binary
    go = _go_binary()
    target_dir.mkdir(parents=True, exist_ok=True)
    module_ref = f"{build.go_module}@{build.version}"
    say(f"building {module_ref} with go install (a few minutes)")
    # Build next to the final place so the move is a same-filesystem atomic rename: an
    # interrupted build never leaves a half-written binary that a later run would trust.
    with tempfile.TemporaryDirectory(prefix=".build-", dir=target_dir) as tmp:
        env = {**os.environ, "CGO_ENABLED": "0", "GOBIN": tmp}
        cmd = [go, "install", "-trimpath", "-ldflags", ldflags, module_ref]
        proc = subprocess.run(cmd, env=env, cwd=tmp, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-20:])
            raise CutoverError(f"`go install {module_ref}` failed ({proc.returncode}):\n{tail}")
        built = Path(tmp) / "minio"
        if not built.is_file():
            raise CutoverError(f"`go install {module_ref}` produced no `minio` binary in {tmp}")
        os.replace(built, binary)
    stamp.write_text(ldflags, encoding="utf-8")
    say(f"MinIO binary built at {binary}")
    return binary


def build_image(
    client: docker.DockerClient,
    dockerfile: Path,
    binary: Path,
    tag: str,
    buildargs: dict[str, str],
    say: Say = _quiet,
    extra_files: dict[str, Path] | None = None,
) -> str:
    """`docker build` from a context holding only the Dockerfile, one binary and `extra_files`
    (name in the context -> source), so the build is fast and small."""
    from docker.errors import BuildError, DockerException

    say(f"building image {tag} from {dockerfile.relative_to(REPO_ROOT)}")
    with tempfile.TemporaryDirectory(prefix="image-") as ctx:
        shutil.copy2(dockerfile, Path(ctx) / "Dockerfile")
        # A hard link avoids copying 150 MB when the cache and /tmp share a filesystem.
        try:
            os.link(binary, Path(ctx) / binary.name)
        except OSError:
            shutil.copy2(binary, Path(ctx) / binary.name)
        for name, source in (extra_files or {}).items():
            shutil.copy2(source, Path(ctx) / name)
        try:
            image, _logs = client.images.build(
                path=ctx, tag=tag, rm=True, forcerm=True, buildargs=buildargs
            )
        except BuildError as exc:
            raise CutoverError(f"docker build of {tag} failed: {exc.msg}") from exc
        except DockerException as exc:
            raise CutoverError(f"docker build of {tag} failed: {exc}") from exc
    return image.id


def build_minio_image(
    client: docker.DockerClient, build: GoBuild, binary: Path, tag: str, say: Say = _quiet
) -> str:
    return build_image(
        client,
        MINIO_DOCKERFILE,
        binary,
        tag,
        {
            "MINIO_MODULE": build.go_module,
            "MINIO_VERSION": build.version,
            "MINIO_SHA256": sha256_file(binary),
        },
        say,
    )


def _tool(name: str, fallbacks: list[Path], why: str) -> str:
    """A toolchain binary from PATH or its usual install place (non-login shells may lack it)."""
    found = shutil.which(name)
    if found:
        return found
    for candidate in fallbacks:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise CutoverError(f"no `{name}` found (PATH or {', '.join(map(str, fallbacks))}): {why}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# Release profile overrides for `cargo install`: RustFS's own profile (fat LTO, one codegen
# unit) takes hours on 2 cores; these keep the code optimised and cut the build to ~30 min.
CARGO_PROFILE = {
    "CARGO_PROFILE_RELEASE_LTO": "false",
    "CARGO_PROFILE_RELEASE_CODEGEN_UNITS": "16",
    "CARGO_PROFILE_RELEASE_DEBUG": "0",
}


def build_rustfs_binary(build: CargoBuild, cache_dir: Path, say: Say = _quiet) -> Path:
    """`cargo install` the published RustFS server crate, once; keyed by crate version."""
    root = cache_dir / "rustfs" / build.version
    binary = root / "bin" / "rustfs"
    if binary.is_file():
        say(f"RustFS binary cached at {binary}")
        return binary
    cargo = _tool(
        "cargo",
        [Path.home() / ".cargo" / "bin" / "cargo"],
        "it builds RustFS from crates.io where its official image cannot be pulled",
    )
    _tool("protoc", [], "RustFS's build needs it: apt-get install protobuf-compiler")
    say(
        f"building {build.crate} {build.version} with cargo install "
        "(about an hour on 2 cores the first time; cached afterwards)"
    )
    env = {**os.environ, **CARGO_PROFILE, "CARGO_TARGET_DIR": str(cache_dir / "cargo-target")}
    cmd = [
        cargo,
        "install",
        "--locked",
        # RustFS declares a newer rust-version than some toolchains here; it builds regardless.
        "--ignore-rust-version",
        # Default features add FTPS, WebDAV and GCS tiering: not part of the S3 cutover.
        "--no-default-features",
        f"{build.crate}@{build.version}",
        "--root",
        str(root),
    ]
    root.mkdir(parents=True, exist_ok=True)
    log = root / "build.log"
    say(f"cargo's output goes to {log} (follow it with: tail -f {log})")
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as sink:
        proc = subprocess.run(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0 or not binary.is_file():
        tail = "\n".join(
            log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-25:]
        )
        raise CutoverError(
            f"`cargo install {build.crate}@{build.version}` failed ({proc.returncode}); "
            f"full log: {log}\n{tail}"
        )
    minutes = (time.monotonic() - started) / 60
    (root / "build-minutes.txt").write_text(f"{minutes:.1f}\n", encoding="utf-8")
    say(f"RustFS binary built at {binary} in {minutes:.1f} min")
    return binary


DEBIAN_BASE = "rustfs-cutover/debian-base:bookworm-minbase"
DEBIAN_MIRROR = "http://deb.debian.org/debian"


def ensure_debian_base(client: docker.DockerClient, say: Say = _quiet) -> str:
    """A glibc base image without a registry: debootstrap a minimal root and `docker import` it."""
    existing = _local_image_id(client, DEBIAN_BASE)
    if existing:
        return existing
    debootstrap = _tool(
        "debootstrap", [Path("/usr/sbin/debootstrap")], "apt-get install debootstrap"
    )
    mirror = os.environ.get("CUTOVER_DEBIAN_MIRROR", DEBIAN_MIRROR)
    say(f"debootstrap --variant=minbase bookworm from {mirror} (about 30 s)")
    with tempfile.TemporaryDirectory(prefix="debian-base-") as tmp:
        rootfs = Path(tmp) / "root"
        proc = subprocess.run(
            [debootstrap, "--variant=minbase", "bookworm", str(rootfs), mirror],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise CutoverError(f"debootstrap failed ({proc.returncode}):\n{tail}")
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            shutil.rmtree(rootfs / junk, ignore_errors=True)
        tarball = Path(tmp) / "root.tar"
        subprocess.run(["tar", "-C", str(rootfs), "-cf", str(tarball), "."], check=True)
        repository, _, tag = DEBIAN_BASE.rpartition(":")
        client.api.import_image_from_file(str(tarball), repository=repository, tag=tag)
    say(f"imported {DEBIAN_BASE}")
    return image_digest(client, DEBIAN_BASE)


def ca_bundle() -> Path:
    """Mozilla's CA bundle as certifi ships it: what the official image's ca-certificates holds.

    RustFS builds its outbound HTTP client (OIDC discovery, JWKS, token exchange) from the
    system roots and cannot build it at all without them, even for plain HTTP.
    """
    import certifi

    return Path(certifi.where())


def build_rustfs_image(
    client: docker.DockerClient, build: CargoBuild, binary: Path, tag: str, say: Say = _quiet
) -> str:
    ensure_debian_base(client, say)
    return build_image(
        client,
        RUSTFS_DOCKERFILE,
        binary,
        tag,
        {
            "BASE_IMAGE": DEBIAN_BASE,
            "RUSTFS_CRATE": build.crate,
            "RUSTFS_VERSION": build.version,
            "RUSTFS_SHA256": sha256_file(binary),
            "RECIPE": recipe(RUSTFS_DOCKERFILE),
        },
        say,
        extra_files={CA_BUNDLE_NAME: ca_bundle()},
    )


def binary_version(binary: Path) -> str:
    """What a binary says it is (`rclone version`'s first line), or why it said nothing."""
    try:
        proc = subprocess.run(
            [str(binary), "version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as exc:
        return f"(cannot run {binary}: {exc})"
    lines = (proc.stdout or proc.stderr).strip().splitlines()
    return lines[0] if lines else ""


def build_rclone_binary(build: DebianBuild, cache_dir: Path, say: Say = _quiet) -> Path:
    """Debian's rclone, copied into the cache once, keyed by version; another version is refused."""
    target_dir = cache_dir / "rclone" / build.version
    binary = target_dir / "rclone"
    expected = f"rclone v{build.version}"
    if binary.is_file() and binary_version(binary).startswith(expected):
        say(f"rclone binary cached at {binary}")
        return binary
    source = Path(build.binary)
    if not source.is_file():
        raise CutoverError(
            f"no {source}: install Debian's {build.debian_package} package (scripts/setup.sh does: "
            f"apt-get install {build.debian_package}), or load the official image with `docker load`"
        )
    found = binary_version(source)
    if not found.startswith(expected):
        raise CutoverError(
            f"{source} says {found!r}, the profile pins rclone {build.version}: the local build "
            f"carries the pinned version only. Set r2.image.build.version to the installed one "
            "(and r2.image.official/local to match), or install the pinned rclone"
        )
    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target_dir, prefix=".copy-", delete=False) as tmp:
        shutil.copyfile(source, tmp.name)
        os.chmod(tmp.name, 0o755)
        os.replace(tmp.name, binary)
    say(f"rclone binary ({found}) copied from {source} to {binary}")
    return binary


def build_rclone_image(
    client: docker.DockerClient, build: DebianBuild, binary: Path, tag: str, say: Say = _quiet
) -> str:
    ensure_debian_base(client, say)
    return build_image(
        client,
        RCLONE_DOCKERFILE,
        binary,
        tag,
        {
            "BASE_IMAGE": DEBIAN_BASE,
            "RCLONE_PACKAGE": build.debian_package,
            "RCLONE_VERSION": build.version,
            "RCLONE_SHA256": sha256_file(binary),
        },
        say,
    )


def ensure_image(
    client: docker.DockerClient,
    spec: ImageSpec,
    pull: bool,
    cache_dir: Path,
    say: Say = _quiet,
) -> ResolvedImage:
    """An image the rehearsal can run: resolve it, or build it from source when none is here."""
    resolved = resolve_image(client, spec, pull, say, stale_ok=True)
    if resolved:
        return resolved
    build = spec.build
    if build is None or not spec.local:
        raise CutoverError(
            f"image {spec.official} is not in the local Docker engine and the profile names no "
            "local build for it: load it with `docker load`, or set pull_images: true"
        )
    if isinstance(build, CargoBuild):
        binary = build_rustfs_binary(build, cache_dir, say)
        image_id = build_rustfs_image(client, build, binary, spec.local, say)
    elif isinstance(build, DebianBuild):
        binary = build_rclone_binary(build, cache_dir, say)
        image_id = build_rclone_image(client, build, binary, spec.local, say)
    else:
        binary = build_minio_binary(build, cache_dir, say)
        image_id = build_minio_image(client, build, binary, spec.local, say)
    return ResolvedImage(spec.local, image_id, "local-build")

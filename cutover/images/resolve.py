"""Which image a profile's engine runs, without building anything.

The official image wins where it is present or (if the profile allows) can be pulled; a local
build counts only while it still matches the recipe it was built from. Building lives in
`cutover.images.recipes`, which depends on this module and never the other way round.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cutover.errors import CutoverError
from cutover.profile import REPO_ROOT, CargoBuild, ImageSpec

if TYPE_CHECKING:
    import docker

RUSTFS_DOCKERFILE = REPO_ROOT / "docker" / "rustfs" / "Dockerfile"
DEFAULT_SOCKET = "unix:///var/run/docker.sock"
# Which recipe (the RustFS Dockerfile) a local build came from: an image built from an older one
# is rebuilt, since the tag alone cannot tell (e.g. builds from before the CA bundle).
RECIPE_LABEL = "io.rustfs-cutover.recipe"

Say = Callable[[str], None]


def _quiet(_: str) -> None:
    """Default progress sink: the library says nothing unless a caller wants to hear it."""


@dataclass(frozen=True)
class ResolvedImage:
    """An image that exists in the local engine, and whether it is the official one or ours."""

    ref: str
    image_id: str
    origin: Literal["official", "local-build"]


def docker_client() -> docker.DockerClient:
    """A client for the local engine, or an error that says how to get one."""
    import docker

    where = os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET
    message = (
        f"No Docker engine answers at {where}: run scripts/setup.sh, "
        "which starts Debian's docker.io engine"
    )
    try:
        client = docker.from_env()
        client.ping()
    except docker.errors.DockerException as exc:
        raise CutoverError(message) from exc
    except OSError as exc:  # requests' connection errors are OSErrors too
        raise CutoverError(message) from exc
    return client


def _local_image_id(client: docker.DockerClient, ref: str) -> str | None:
    from docker.errors import ImageNotFound

    try:
        return client.images.get(ref).id
    except ImageNotFound:
        return None


def image_digest(client: docker.DockerClient, ref: str) -> str:
    """The image ID (sha256 of its config): what the change record pins, tags being movable."""
    image_id = _local_image_id(client, ref)
    if image_id is None:
        raise CutoverError(f"image {ref} is not in the local Docker engine")
    return image_id


def _try_pull(client: docker.DockerClient, ref: str, say: Say) -> str | None:
    """Pull where the profile allows it; a registry that does not answer is not an error here."""
    from docker.errors import DockerException
    from docker.utils import parse_repository_tag

    repository, tag = parse_repository_tag(ref)
    say(f"pulling {ref}")
    try:
        image = client.images.pull(repository, tag=tag or "latest")
    except (DockerException, OSError) as exc:
        say(f"pull of {ref} failed ({str(exc).splitlines()[0] if str(exc) else exc!r})")
        return None
    return image.id


def recipe(dockerfile: Path) -> str:
    return hashlib.sha256(dockerfile.read_bytes()).hexdigest()[:16]


def _stale_local_build(client: docker.DockerClient, spec: ImageSpec) -> str | None:
    """Why a local RustFS build no longer matches docker/rustfs/Dockerfile (None: it does)."""
    if not isinstance(spec.build, CargoBuild) or not spec.local:
        return None
    labels = client.images.get(spec.local).labels or {}
    if labels.get(RECIPE_LABEL) == recipe(RUSTFS_DOCKERFILE):
        return None
    return (
        "built from an older docker/rustfs/Dockerfile (e.g. before the CA bundle the official "
        "image ships, without which RustFS cannot reach an OpenID provider)"
    )


def resolve_image(
    client: docker.DockerClient,
    spec: ImageSpec,
    pull: bool,
    say: Say = _quiet,
    *,
    stale_ok: bool = False,
) -> ResolvedImage | None:
    """Find a usable image without building: official (present or pulled) first, then ours.

    A local build from an older recipe raises, unless `stale_ok` (then it counts as absent).
    """
    image_id = _local_image_id(client, spec.official)
    if image_id:
        return ResolvedImage(spec.official, image_id, "official")
    if pull:
        image_id = _try_pull(client, spec.official, say)
        if image_id:
            return ResolvedImage(spec.official, image_id, "official")
    if spec.local:
        image_id = _local_image_id(client, spec.local)
        if image_id:
            stale = _stale_local_build(client, spec)
            if stale is None:
                return ResolvedImage(spec.local, image_id, "local-build")
            if not stale_ok:
                raise CutoverError(
                    f"the local image {spec.local} was {stale}: run scripts/setup.sh or "
                    "`python -m cutover.images ensure` to rebuild it (the RustFS binary is "
                    "cached; this takes seconds)"
                )
            say(f"rebuilding {spec.local}: it was {stale}")
    return None

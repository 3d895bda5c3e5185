"""Engine images for rehearsals: the official image where one can be had, a local build otherwise.

The official images stay the default (users who can pull them rehearse with exactly what they
will deploy). On a machine with no container registry the same engine is built from source
through a package registry that *is* reachable (see `recipes`). `resolve` finds an image
without building; `cli` is `python -m cutover.images ensure --target rehearsal
[--role source|target|rclone|all]`.
"""

from cutover.images.recipes import (
    CA_BUNDLE_NAME,
    CARGO_PROFILE,
    DEBIAN_BASE,
    DEBIAN_MIRROR,
    MINIO_DOCKERFILE,
    RCLONE_DOCKERFILE,
    PseudoVersion,
    binary_version,
    build_image,
    build_minio_binary,
    build_minio_image,
    build_rclone_binary,
    build_rclone_image,
    build_rustfs_binary,
    build_rustfs_image,
    ca_bundle,
    default_cache_dir,
    ensure_debian_base,
    ensure_image,
    minio_ldflags,
    parse_pseudo_version,
    sha256_file,
)
from cutover.images.resolve import (
    DEFAULT_SOCKET,
    RECIPE_LABEL,
    RUSTFS_DOCKERFILE,
    ResolvedImage,
    Say,
    docker_client,
    image_digest,
    recipe,
    resolve_image,
)

__all__ = [
    "CARGO_PROFILE",
    "CA_BUNDLE_NAME",
    "DEBIAN_BASE",
    "DEBIAN_MIRROR",
    "DEFAULT_SOCKET",
    "MINIO_DOCKERFILE",
    "RCLONE_DOCKERFILE",
    "RECIPE_LABEL",
    "RUSTFS_DOCKERFILE",
    "PseudoVersion",
    "ResolvedImage",
    "Say",
    "binary_version",
    "build_image",
    "build_minio_binary",
    "build_minio_image",
    "build_rclone_binary",
    "build_rclone_image",
    "build_rustfs_binary",
    "build_rustfs_image",
    "ca_bundle",
    "default_cache_dir",
    "docker_client",
    "ensure_debian_base",
    "ensure_image",
    "image_digest",
    "minio_ldflags",
    "parse_pseudo_version",
    "recipe",
    "resolve_image",
    "sha256_file",
]

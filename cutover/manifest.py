"""The dataset manifest (`data-plane/datasets.yml`): which buckets must exist, and how.

The runbook's verify step cross-checks the bucket list against this file; the rehearsal
also seeds from it, so its shape mirrors what the lakehouse really holds.
"""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cutover.errors import ConfigError, format_validation_error, load_yaml_mapping

_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class Tier(StrEnum):
    """Where a bucket lives: only on the NAS, or also mirrored to the R2 exposure tier."""

    LOCAL = "local"
    R2 = "r2"


def bucket_name_problem(name: str) -> str | None:
    """Why `name` is not a valid S3 bucket name, or None when it is."""
    if not 3 <= len(name) <= 63:
        return f"must be 3 to 63 characters long (has {len(name)})"
    if not _BUCKET_CHARS.match(name):
        return (
            "may hold only lowercase letters, digits, '.' and '-', "
            "and must start and end with a letter or digit"
        )
    if ".." in name:
        return "must not contain '..'"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        pass
    else:
        return "must not look like an IP address"
    if name.startswith("xn--") or name.endswith("-s3alias") or name.endswith("--ol-s3"):
        return "uses a prefix or suffix that S3 reserves"
    return None


class BucketSpec(BaseModel):
    """One bucket as the data plane declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    tier: Tier
    owner: str = Field(min_length=1)
    purpose: str = Field(min_length=1)
    versioning: bool = False
    object_lock: bool = False
    public: bool = False

    @field_validator("name")
    @classmethod
    def _valid_bucket_name(cls, name: str) -> str:
        problem = bucket_name_problem(name)
        if problem:
            raise ValueError(f"{name!r} is not a valid S3 bucket name: {problem}")
        return name

    @model_validator(mode="after")
    def _lock_needs_versioning(self) -> BucketSpec:
        if self.object_lock and not self.versioning:
            raise ValueError("object_lock: true needs versioning: true (S3 requires it)")
        return self


class Manifest(BaseModel):
    """The whole manifest: a version and the bucket list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    buckets: list[BucketSpec] = Field(min_length=1)

    @field_validator("version")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version != 1:
            raise ValueError(f"unsupported manifest version {version}; this tool reads version 1")
        return version

    @model_validator(mode="after")
    def _unique_names(self) -> Manifest:
        problems = duplicate_buckets([b.name for b in self.buckets])
        if problems:
            raise ValueError(problems[0])
        return self

    @property
    def names(self) -> list[str]:
        return sorted(b.name for b in self.buckets)

    def bucket(self, name: str) -> BucketSpec:
        for spec in self.buckets:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def in_tier(self, tier: Tier) -> list[BucketSpec]:
        return [b for b in self.buckets if b.tier is tier]


def duplicate_buckets(names: list[object]) -> list[str]:
    """One sentence per bucket name listed more than once."""
    first: dict[object, int] = {}
    problems = []
    for index, name in enumerate(names):
        if name is None:
            continue
        if name in first:
            problems.append(
                f"bucket {name!r} is listed twice (buckets[{first[name]}] and buckets[{index}]); "
                "keep one entry"
            )
        else:
            first[name] = index
    return problems


def load_manifest(path: Path) -> Manifest:
    """Load and validate a manifest; every problem is reported at once, by bucket and field."""
    data = load_yaml_mapping(path, "dataset manifest")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        raw = data.get("buckets")
        names = (
            [b.get("name") if isinstance(b, dict) else None for b in raw]
            if isinstance(raw, list)
            else []
        )
        duplicates = duplicate_buckets(names)
        raise ConfigError(format_validation_error(path, exc, data, "buckets", duplicates)) from None

"""What the project's own tests need from the machine, and where the shared reference data is.

Locally a missing prerequisite skips the test, naming it. In CI (`CI` set, as `.ci/run` does)
it fails instead: `scripts/test` installs everything these tests need, so a missing piece there
is a broken set-up, never a reason to pass quietly.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from cutover.profile import REPO_ROOT

IN_CI = bool(os.environ.get("CI"))


def require(ok: bool, missing: str) -> None:
    """Skip (locally) or fail (in CI) unless `ok`; `missing` names the prerequisite and the fix."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{missing} (CI runs every test: a missing prerequisite fails)", pytrace=False)
    pytest.skip(missing)


def _origin_checkout() -> Path | None:
    """The checkout this one was cloned from, when that is a local directory (a CI clone)."""
    proc = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    )
    url = proc.stdout.strip()
    return Path(url) if url and Path(url).is_dir() else None


def shared_dir() -> Path:
    """`shared/` (the runbook's reference material) beside the checkout: $RUSTFS_CUTOVER_SHARED,
    then ../shared, then ../shared of the checkout a clone was made from."""
    candidates = [os.environ.get("RUSTFS_CUTOVER_SHARED"), REPO_ROOT.parent / "shared"]
    origin = _origin_checkout()
    if origin is not None:
        candidates.append(origin.resolve().parent / "shared")
    for candidate in candidates:
        if candidate and (Path(candidate) / "fixtures").is_dir():
            return Path(candidate)
    return REPO_ROOT.parent / "shared"


REAL_SAMPLES = shared_dir() / "fixtures" / "minio-real"


def require_real_samples() -> Path:
    require(
        REAL_SAMPLES.is_dir(),
        f"the real MinIO samples are not at {REAL_SAMPLES} (shared/fixtures; set "
        "RUSTFS_CUTOVER_SHARED to the shared/ directory)",
    )
    return REAL_SAMPLES

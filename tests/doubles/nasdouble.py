"""Shared state for the NAS test doubles (`bin/zfs`, `bin/midclt`).

TEST DOUBLE SUPPORT CODE. ZFS and TrueNAS's middleware cannot exist in CI; the loopback SSH
server that plays the NAS puts `tests/doubles/bin` first on PATH, and these scripts keep the
NAS's state in one JSON file named by `$NAS_DOUBLE_STATE`. Standard library only: the NAS side
has no third-party packages.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

STATE_ENV = "NAS_DOUBLE_STATE"

# Exit codes: 1 is what the real tool returns for an error it reports; 2 means the double was
# asked for something it does not model (or is misconfigured) - a test must never pass on that.
EXIT_ERROR = 1
EXIT_UNSUPPORTED = 2


def fail(message: str, code: int = EXIT_ERROR) -> NoReturn:
    print(message, file=sys.stderr)
    sys.exit(code)


# Neither SSH nor sudo passes the environment through, so a file beside the scripts can name
# the state too; the variable wins when both are there.
STATE_POINTER = Path(__file__).resolve().parent / "state-path"


def state_path(tool: str) -> Path:
    value = os.environ.get(STATE_ENV, "")
    if not value and STATE_POINTER.is_file():
        value = STATE_POINTER.read_text(encoding="utf-8").strip()
    if not value:
        fail(
            f"{tool} double: ${STATE_ENV} is not set and {STATE_POINTER} does not exist; one of "
            "them must name the JSON state file (see tests/doubles/README.md)",
            EXIT_UNSUPPORTED,
        )
    path = Path(value).absolute()
    if not path.is_file():
        fail(f"{tool} double: state file {value} is not a file", EXIT_UNSUPPORTED)
    return path


def state_dir(tool: str) -> Path:
    return state_path(tool).parent


def _normalise(state: dict[str, Any]) -> dict[str, Any]:
    state.setdefault("datasets", {})
    state.setdefault("snapshots", [])
    state.setdefault("apps", {})
    state.setdefault("cronjobs", [])
    return state


@contextlib.contextmanager
def locked_state(tool: str, *, write: bool = True) -> Iterator[dict[str, Any]]:
    """Read the state under an exclusive lock, yield it, write it back if the block succeeds
    (and `write` is true: queries pass `write=False` and leave the file untouched).

    The lock is a sibling `<state>.lock` file held for the whole block (including any `cp -a` or
    `docker` the block runs), so concurrent double invocations serialise. A block that exits
    through `fail()` (SystemExit) leaves the file as it was.
    """
    path = state_path(tool)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            try:
                state = json.loads(path.read_text() or "{}")
            except json.JSONDecodeError as exc:
                fail(f"{tool} double: {path} is not JSON ({exc})", EXIT_UNSUPPORTED)
            if not isinstance(state, dict):
                fail(f"{tool} double: {path} must hold a JSON object", EXIT_UNSUPPORTED)
            _normalise(state)
            yield state
            if not write:
                return
            tmp = path.with_name(path.name + f".tmp.{os.getpid()}")
            tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
            os.replace(tmp, path)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)

"""Unit tests for the engine-failure diagnosis (cutover/containers.py: diagnose)."""

from __future__ import annotations

import pytest

from cutover.containers import EngineNotReady, diagnose

FIX = 'set user: "473:473"'

RUSTFS_FATAL = (
    "2025-11-20T10:00:01.123Z  INFO rustfs: starting RustFS 1.0.1\n"
    "2025-11-20T10:00:01.456Z ERROR rustfs: [FATAL] Server runtime failed: "
    'init local disk "/data": kind=PermissionDenied, raw_os_error=Some(13)'
)
RUSTFS_OLD = (
    "[2025-06-01 10:00:01] ERROR ecstore::disk: open /data/.rustfs.sys/format.json: "
    "Io error: Permission denied (os error 13)"
)
MINIO_ACCESS = (
    "API: SYSTEM()\nError: unable to rename (/data/.minio.sys/tmp -> /data/.minio.sys/tmp-old) "
    "file access denied, drive may be faulty please investigate (*fmt.wrapError)"
)
UNRELATED = "Error: listen tcp 0.0.0.0:9000: bind: address already in use"


def explain(log_tail: str) -> str:
    exc = EngineNotReady(
        "the engine exited with code 1 before http://127.0.0.1:9000/health answered",
        exit_code=1,
        log_tail=log_tail,
    )
    return diagnose(exc, run_as="10001:10001", data_owner="473:473")


@pytest.mark.parametrize(
    "log_tail",
    [RUSTFS_FATAL, RUSTFS_OLD, MINIO_ACCESS],
    ids=["rustfs-fatal-raw-os-error-13", "rustfs-old-os-error-13", "minio-file-access-denied"],
)
def test_permission_failures_get_the_user_fix(log_tail):
    text = explain(log_tail)
    assert "Diagnosis: permission denied" in text
    assert "runs as 10001:10001" in text
    assert FIX in text


def test_unrelated_failure_gets_no_diagnosis():
    text = explain(UNRELATED)
    assert "Diagnosis" not in text
    assert FIX not in text


@pytest.mark.parametrize("log_tail", [RUSTFS_FATAL, UNRELATED])
def test_message_and_the_engines_own_log_lines_are_kept(log_tail):
    text = explain(log_tail)
    assert text.startswith("the engine exited with code 1 before http://127.0.0.1:9000/health")
    assert "The engine's own last log lines:" in text
    assert log_tail in text


def test_engine_not_ready_carries_exit_code_and_log_tail():
    exc = EngineNotReady("timed out", exit_code=None, log_tail="no answer")
    assert str(exc) == "timed out"
    assert exc.exit_code is None
    assert exc.log_tail == "no answer"

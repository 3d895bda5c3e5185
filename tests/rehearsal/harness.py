"""Run the runbook suites exactly as an operator would (`python -m pytest suites ...`).

A negative rehearsal loads one fault plugin and reads the run's own JSON summary to see which
checks failed and with what message. Nothing is mocked: the engines are real containers.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.argv_sampler import ArgvSampler

REPO_ROOT = Path(__file__).resolve().parents[2]
SUITES = {
    "preflight": "suites/test_00_preflight.py",
    "snapshot": "suites/test_10_snapshot.py",
    "stop": "suites/test_20_stop.py",
    "ondisk": "suites/test_25_ondisk.py",
    "deploy": "suites/test_30_deploy.py",
    "verify": "suites/test_40_verify.py",
    "target_vs_disk": "suites/test_45_target_vs_disk.py",
    "rollback": "suites/test_50_rollback.py",
    "r2": "suites/test_60_r2_sync.py",
    "rotation": "suites/test_70_rotate_root_key.py",
    "exposure": "suites/test_75_public_exposure.py",
    "oidc": "suites/test_80_oidc_sso.py",
}
KNOWN_SECRET = "rehearsal-Secret-7d4c2a91f0e8b3"
KNOWN_NEW_SECRET = "rehearsal-Rotated-51e0c3b7a2d946"
KNOWN_R2_SECRET = "rehearsal-R2-Secret-5e1f09c3a7d2"
KNOWN_SECRETS = (KNOWN_SECRET, KNOWN_NEW_SECRET, KNOWN_R2_SECRET)


@dataclass
class RehearsalRun:
    returncode: int
    output: str
    run_dir: Path | None
    argv: ArgvSampler | None = None  # every command line seen during the run, when watched

    @property
    def summary(self) -> dict[str, Any]:
        assert self.run_dir is not None, f"no report directory was written:\n{self.output[-3000:]}"
        return json.loads((self.run_dir / "summary.json").read_text(encoding="utf-8"))

    def result(self, test: str) -> dict[str, Any]:
        """The summary entry whose test name starts with `test` (first failing phase wins)."""
        matches = [t for t in self.summary["tests"] if t["test"].startswith(test)]
        assert matches, f"{test} did not run; ran: {[t['test'] for t in self.summary['tests']]}"
        bad = [t for t in matches if t["outcome"] != "passed"]
        return bad[0] if bad else matches[0]

    def failed(self, test: str) -> str:
        """Assert that `test` failed (or errored) and return its message."""
        entry = self.result(test)
        assert entry["outcome"] in {"failed", "error"}, (
            f"{test} was expected to fail, it {entry['outcome']}"
        )
        return entry["message"]

    def passed(self, test: str) -> None:
        entry = self.result(test)
        assert entry["outcome"] == "passed", f"{test} {entry['outcome']}:\n{entry['message']}"

    def outcomes(self) -> dict[str, str]:
        return {t["test"]: t["outcome"] for t in self.summary["tests"]}

    def report_text(self) -> str:
        assert self.run_dir is not None
        return "\n".join(
            p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(self.run_dir.iterdir())
            if p.is_file()
        )


def rehearse(
    report_dir: Path,
    *phases: str,
    faults: tuple[str, ...] = (),
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = 600,
    watch_argv: tuple[str, ...] = (),
) -> RehearsalRun:
    """One real rehearsal in a subprocess; `phases` picks suite modules (default: all).

    `watch_argv`: sample every process's command line during the run for the known secrets;
    the given substrings are command lines the run must be seen producing."""
    suites = [SUITES[p] for p in phases] or ["suites"]
    command = [sys.executable, "-m", "pytest", *suites, "-q", "-p", "no:warnings"]
    for fault in faults:
        command += ["-p", f"tests.faults.{fault}"]
    command += ["--report-dir", str(report_dir), *args]
    environ = {
        **os.environ,
        "CUTOVER_ROOT_SECRET": KNOWN_SECRET,
        "CUTOVER_NEW_ROOT_SECRET": KNOWN_NEW_SECRET,
        "CUTOVER_R2_SECRET": KNOWN_R2_SECRET,
        **(env or {}),
    }
    sampler = ArgvSampler(KNOWN_SECRETS, markers=watch_argv, interval=0.01) if watch_argv else None
    with sampler or contextlib.nullcontext():
        proc = subprocess.run(
            command,
            cwd=REPO_ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    runs = sorted(report_dir.glob("*/summary.json")) if report_dir.is_dir() else []
    return RehearsalRun(
        returncode=proc.returncode,
        output=proc.stdout + proc.stderr,
        run_dir=runs[-1].parent if runs else None,
        argv=sampler,
    )


def profile_copy(directory: Path, **changes: Any) -> Path:
    """The rehearsal profile with top-level keys replaced, written where a test can pass it."""
    import yaml

    data = yaml.safe_load((REPO_ROOT / "targets" / "rehearsal.yml").read_text(encoding="utf-8"))
    data["manifest"] = str(REPO_ROOT / "data-plane" / "datasets.yml")
    data.update(changes)
    path = directory / "profile.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path

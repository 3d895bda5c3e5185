"""The change record of one run: who ran what against which target, and what was measured.

It feeds the HTML report header and the JSON summary beside it. Secrets are never stored
here; `scrub` is a last line of defence for anything a failing check might have printed.
"""

from __future__ import annotations

import getpass
import json
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cutover import redact

REDACTED = redact.REDACTED


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def operator_name() -> str:
    return os.environ.get("CUTOVER_OPERATOR") or getpass.getuser()


@dataclass
class ImageRecord:
    role: str
    ref: str
    image_id: str
    origin: str
    engine: str
    version: str = ""
    digest: str = ""  # registry digest of an official image
    binary_sha256: str = ""  # sha256 of the engine binary in a locally built image


@dataclass
class RunRecord:
    run_id: str
    mode: str
    target_profile: str
    ticket: str
    operator: str = field(default_factory=operator_name)
    started_at: str = field(default_factory=utc_now)
    ended_at: str | None = None
    dataset_path: str = ""
    dataset_owner: str = ""
    target_engine: str = ""
    target_standin: bool = False
    images: dict[str, ImageRecord] = field(default_factory=dict)
    seeded: dict[str, Any] = field(default_factory=dict)
    baseline: dict[str, Any] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    inventory_diff: dict[str, Any] | None = None
    downtime_seconds: float | None = None
    artifacts: dict[str, str] = field(default_factory=dict)
    confirmed: str = ""  # the dataset --confirm named; "" = plan only (production)
    dress: str = ""  # a dress rehearsal: on what copy of the real data ("" = not one)
    plan: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # shown in red: what the operator must know
    _stop_clock: float | None = field(default=None, repr=False)

    def action(self, text: str) -> None:
        """Record what was done; a `NAME=value` whose name says secret is masked on the way in."""
        self.actions.append(f"{utc_now()} {redact.mask_assignments(text)}")

    def note_baseline(self, inventory: Any, file_name: str) -> None:
        """The baseline's counts for the report header (`inventory` is a cutover Inventory)."""
        self.baseline = {
            "buckets": len(inventory.buckets),
            "objects": inventory.object_count,
            "versions": inventory.version_count,
            "content_sampled": len(inventory.content_sha256),
            "sse_encrypted": len(inventory.encrypted),
            "file": file_name,
        }

    def source_stopped(self) -> None:
        self._stop_clock = time.monotonic()

    def target_ready(self, at: float) -> None:
        if self._stop_clock is not None:
            self.downtime_seconds = round(at - self._stop_clock, 2)

    @property
    def standin_notice(self) -> str | None:
        if not self.target_standin:
            return None
        return (
            f"TARGET WAS A MINIO STAND-IN (--target-engine minio): MinIO played the "
            f"{self.target_engine} target. The cutover mechanics were rehearsed; RustFS's own "
            "adoption of the data was NOT."
        )

    def metadata(self) -> dict[str, str]:
        """The report's environment table, in the order a reviewer reads it."""
        rows = {
            "Ticket": self.ticket,
            "Mode": self.mode,
            "Target profile": self.target_profile,
            "Operator": self.operator,
            "Started (UTC)": self.started_at,
            "Ended (UTC)": self.ended_at or "(running)",
            **({"DRESS REHEARSAL on": self.dress} if self.dress else {}),
            "Dataset path": self.dataset_path,
            **(
                {"Confirmed for": self.confirmed or "(not confirmed: read-only checks and plan)"}
                if self.mode == "production"
                else {}
            ),
            "Dataset owner": self.dataset_owner,
            "Target engine": self.target_engine
            + (" (MinIO stand-in)" if self.target_standin else ""),
            "Downtime (MinIO stop -> target ready)": (
                f"{self.downtime_seconds:.2f} s"
                if self.downtime_seconds is not None
                else "(not reached)"
            ),
        }
        if self.baseline:
            b = self.baseline
            rows["Baseline (MinIO, before stop)"] = (
                f"{b['buckets']} buckets, {b['objects']} objects, {b['versions']} versions, "
                f"{b['content_sampled']} contents hashed"
            )
        for role, image in sorted(self.images.items()):
            pin = image.digest or (
                f"binary sha256:{image.binary_sha256}" if image.binary_sha256 else ""
            )
            parts = (image.ref, f"[{image.origin}]", image.image_id, pin, image.version)
            rows[f"Image ({role})"] = " ".join(p for p in parts if p)
        if self.standin_notice:
            rows["NOTICE"] = self.standin_notice
        return rows

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("_stop_clock", None)
        data["standin_notice"] = self.standin_notice
        return data


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Every form of every secret replaced (see cutover.redact)."""
    return redact.scrub(text, secrets)


def scrub_file(path: Path, secrets: Iterable[str]) -> bool:
    """Redact secrets in place; True when something had to be redacted."""
    return redact.scrub_path(path, secrets)


def write_summary(
    path: Path, record: RunRecord, tests: list[dict[str, Any]], secrets: Iterable[str]
) -> None:
    counts: dict[str, int] = {}
    for t in tests:
        counts[t["outcome"]] = counts.get(t["outcome"], 0) + 1
    payload = {"run": record.to_dict(), "outcomes": counts, "tests": tests}
    path.write_text(
        scrub(json.dumps(payload, indent=2, ensure_ascii=False), secrets), encoding="utf-8"
    )

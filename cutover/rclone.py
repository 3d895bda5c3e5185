"""rclone as the runbook uses it: remotes from RCLONE_CONFIG_<NAME>_* variables, `sync` for the R2
tier, and `rclone check` read so that an unverified object can never pass as a verified one.

Why the check needs care (rclone's fs/operations/check.go, confirmed with rclone 1.60.1 against
real engines): `rclone check` first compares sizes, then hashes (MD5 for S3). An object uploaded
in parts has an ETag that is not an MD5 (`<md5 of part md5s>-<parts>`), so rclone has no hash for
it. It then logs `OK - could not check hash` at DEBUG level, counts it in `N hashes could not be
checked`, and lists it as `= path` in `--combined`, exactly like a verified match, with exit code
0. A same-size change to such an object passes that check. `--size-only` would miss same-size
changes to every object. So the check here is two passes: hashes for everything, then
`--download` (byte-for-byte) over every object the first pass could not hash.

Nothing here runs anything; commands are built and outputs parsed.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

from cutover.redact import mask_value

# The `--combined` sigils (rclone check --help): what happened to each path.
MATCH, DIFFER, MISSING_ON_DST, MISSING_ON_SRC, ERROR = "=", "*", "+", "-", "!"
NOT_HASHED = "OK - could not check hash"
_STATS_LINE = re.compile(r"[\d.]+ [KMGTPE]?i?B / [\d.]+ [KMGTPE]?i?B, (?:-|\d+%), ")
_SUMMARY = re.compile(
    r"^(?P<n>\d+) (?P<what>differences found|hashes could not be checked|matching files|"
    r"files missing|errors while checking)$"
)


@dataclass(frozen=True)
class Remote:
    """An rclone S3 remote given entirely by environment variables (runbook Step 4)."""

    name: str
    provider: str
    endpoint: str
    access_key: str
    secret: SecretStr
    secret_source: str = "the secret"

    def env(self) -> dict[str, str | SecretStr]:
        prefix = f"RCLONE_CONFIG_{self.name}_"
        return {
            prefix + "TYPE": "s3",
            prefix + "PROVIDER": self.provider,
            prefix + "ENDPOINT": self.endpoint,
            prefix + "ACCESS_KEY_ID": self.access_key,
            prefix + "SECRET_ACCESS_KEY": self.secret,
        }

    def path(self, bucket: str = "") -> str:
        return f"{self.name}:{bucket}"


def remotes_env(*remotes: Remote) -> dict[str, str | SecretStr]:
    """Every remote's variables, and no config file: the environment is the whole config."""
    env: dict[str, str | SecretStr] = {"RCLONE_CONFIG": "/notfound"}
    for remote in remotes:
        env.update(remote.env())
    return env


def shown_env(env: Mapping[str, str | SecretStr], sources: Mapping[str, str]) -> dict[str, str]:
    """The environment as it may be shown: each secret replaced by where it comes from, and a
    plain value whose name says secret masked."""
    return {
        k: (f"<{sources.get(k, 'secret')}>" if isinstance(v, SecretStr) else mask_value(k, v))
        for k, v in env.items()
    }


def revealed_env(env: Mapping[str, str | SecretStr]) -> dict[str, str]:
    """Only for the command handed to docker, never for anything recorded."""
    return {k: v.get_secret_value() if isinstance(v, SecretStr) else v for k, v in env.items()}


def sync_args(local: Remote, r2: Remote, bucket: str, *, transfers: int, stats: str) -> list[str]:
    """The runbook's long job, verbatim: checksums, not mod-times, decide what is copied."""
    return [
        "sync",
        local.path(bucket),
        r2.path(bucket),
        "--checksum",
        "--transfers",
        str(transfers),
        "--stats",
        stats,
        "--stats-one-line",
        "-v",
    ]


SYNC_MARK = "r2-sync:"


def sync_script(local: Remote, r2: Remote, buckets: Iterable[str], *, transfers: int, stats: str):
    """One container syncs every r2-tier bucket in turn, so one cron job (`docker start -a
    <container>`) re-runs them all. Each bucket is bracketed by marker lines carrying its exit
    code; a failed bucket does not stop the others, and the container exits non-zero."""
    lines = ["rc=0"]
    for bucket in buckets:
        args = " ".join(
            shlex.quote(a)
            for a in ["rclone", *sync_args(local, r2, bucket, transfers=transfers, stats=stats)]
        )
        b = shlex.quote(bucket)
        lines.append(f"echo {SYNC_MARK} start {b}")
        lines.append(f"{args} 2>&1; code=$?")
        lines.append(f'echo {SYNC_MARK} end {b} exit "$code"')
        lines.append('[ "$code" -eq 0 ] || rc=$code')
    lines.append('exit "$rc"')
    return "; ".join(lines)


def check_args(local: Remote, r2: Remote, bucket: str) -> list[str]:
    """Pass 1: sizes and hashes both ways; DEBUG in JSON so unhashed objects are named."""
    return [
        "check",
        local.path(bucket),
        r2.path(bucket),
        "--combined",
        "-",
        "--use-json-log",
        "-vv",
    ]


def download_check_args(local: Remote, r2: Remote, bucket: str) -> list[str]:
    """Pass 2: byte-for-byte over the objects named on stdin (one key a line, taken verbatim)."""
    return [
        "check",
        local.path(bucket),
        r2.path(bucket),
        "--download",
        "--files-from-raw",
        "-",
        "--combined",
        "-",
        "--use-json-log",
    ]


def list_buckets_args(r2: Remote) -> list[str]:
    return ["lsjson", r2.path(), "--dirs-only"]


# --- reading what rclone said ---------------------------------------------------------------


@dataclass
class CheckReport:
    """One `rclone check` run, read from its exit code, `--combined` stdout and JSON log.

    Only what matters is kept from the log: per-object errors, the summary counts, objects it
    could not hash, and non-debug messages. Debug records are dropped at once, because rclone
    logs every RCLONE_CONFIG_* value it reads at DEBUG, secrets included.
    """

    exit_code: int
    entries: list[tuple[str, str]] = field(default_factory=list)  # (sigil, path)
    reasons: dict[str, str] = field(default_factory=dict)  # path -> rclone's error message
    not_hashed: list[str] = field(default_factory=list)  # "OK - could not check hash"
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # messages not about one object

    def paths(self, sigil: str) -> list[str]:
        return [p for s, p in self.entries if s == sigil]

    @property
    def hashes_not_checked(self) -> int:
        return self.counts.get("hashes could not be checked", 0)

    @property
    def naive_pass(self) -> bool:
        """What reading the exit code and `--combined` alone concludes: the trap."""
        return self.exit_code == 0 and all(s == MATCH for s, _ in self.entries)

    @property
    def combined(self) -> str:
        return "".join(f"{s} {p}\n" for s, p in self.entries)


def parse_combined(text: str) -> list[tuple[str, str]]:
    entries = []
    for line in text.splitlines():
        if len(line) >= 3 and line[0] in "=*+-!" and line[1] == " ":
            entries.append((line[0], line[2:]))
    return entries


def parse_check(exit_code: int, combined: str, log: str) -> CheckReport:
    report = CheckReport(exit_code=exit_code, entries=parse_combined(combined))
    for line in log.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = None
        if not isinstance(record, dict):
            # rclone prints a few plain lines (before the JSON log starts, and its final
            # "Failed to check ..."): keep them unless they are DEBUG.
            if " DEBUG : " not in line:
                report.errors.append(line)
            continue
        level, msg = record.get("level", ""), str(record.get("msg", ""))
        obj = record.get("object")
        if level == "debug":
            if msg == NOT_HASHED and isinstance(obj, str):
                report.not_hashed.append(obj)
            continue
        summary = _SUMMARY.match(msg)
        if summary and record.get("objectType", "").endswith("Fs"):
            what = summary.group("what")
            report.counts[what] = report.counts.get(what, 0) + int(summary.group("n"))
            continue
        if level == "error":
            if isinstance(obj, str) and record.get("objectType", "").endswith("Object"):
                report.reasons[obj] = msg
            else:
                report.errors.append(msg)
    return report


def parse_buckets(text: str) -> list[str]:
    """`rclone lsjson <remote>: --dirs-only`: at the root of an S3 remote, the buckets."""
    data = json.loads(text or "[]")
    if not isinstance(data, list):
        raise ValueError(f"rclone lsjson printed {type(data).__name__}, expected a list")
    return sorted(item["Name"] for item in data if isinstance(item, dict) and item.get("IsDir"))


@dataclass(frozen=True)
class SyncOutcome:
    """One bucket's part of the sync container's log."""

    bucket: str
    exit_code: int | None  # None: the container died before the bucket finished
    stats: str  # rclone's last one-line stats ("" when it printed none)
    log: list[str]


def stats_line(lines: Iterable[str]) -> str:
    """The last `--stats-one-line` line: transferred / total, percent, speed, ETA."""
    last = ""
    for line in lines:
        if _STATS_LINE.search(line):
            last = line.split(" : ", 1)[-1].strip() if " : " in line else line.strip()
    return last


def parse_sync_log(text: str) -> list[SyncOutcome]:
    """Split the container's log at the marker lines the sync script prints."""
    outcomes: list[SyncOutcome] = []
    bucket: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith(f"{SYNC_MARK} start "):
            bucket, lines = line.split(" ", 2)[2], []
            continue
        if line.startswith(f"{SYNC_MARK} end ") and bucket is not None:
            code = line.rsplit(" ", 1)[-1]
            outcomes.append(
                SyncOutcome(bucket, int(code) if code.isdigit() else None, stats_line(lines), lines)
            )
            bucket, lines = None, []
            continue
        lines.append(line)
    if bucket is not None:
        outcomes.append(SyncOutcome(bucket, None, stats_line(lines), lines))
    return outcomes


def is_multipart_etag(etag: str) -> bool:
    """`"<hex>-<parts>"`: an ETag of a multipart upload, which is no MD5 of the content."""
    return "-" in etag.strip('"')

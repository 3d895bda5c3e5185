"""The R2 exposure tier's rules: what "in sync", "not exposed" and "scheduled" mean.

Runbook: R2 "holds only buckets that must reach the rest of the Cloudflare infrastructure ...
Anything that does not need public/Cloudflare/website exposure stays local and is not
mirrored", and Step 6 schedules the rclone sync as a TrueNAS cron job. Pure logic: the
fixtures run rclone and midclt, this module judges what they said.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from cutover.detached import DockerRun, SecretFile
from cutover.manifest import Manifest, Tier
from cutover.rclone import (
    CONFIG_IN_CONTAINER,
    DIFFER,
    ERROR,
    MATCH,
    MISSING_ON_DST,
    MISSING_ON_SRC,
    CheckReport,
    Remote,
    remotes_env,
    secrets_config,
    sync_script,
)
from cutover.truenas import CronJob


def local_engine_url(bind: str, port: int) -> str:
    """The local engine as rclone on the NAS reaches it (host networking, as runbook Step 4)."""
    host = "127.0.0.1" if bind in {"0.0.0.0", "", "::"} else bind
    return f"http://{host}:{port}"


def rclone_config_file(host_path: str, *remotes: Remote) -> SecretFile:
    """The remotes' secrets as an rclone config file at `host_path`, for the container to read."""
    holds = ", ".join(f"the secret of {r.name} ({r.secret_source})" for r in remotes)
    return SecretFile(host_path, CONFIG_IN_CONTAINER, secrets_config(*remotes), holds)


def rclone_run(
    image: str,
    args: list[str],
    *remotes: Remote,
    config_file: str,
    name: str | None = None,
    entrypoint: str | None = None,
    labels: dict[str, str] | None = None,
) -> DockerRun:
    """rclone in a container on host networking: its remotes given by environment variables,
    their secrets by the config file written at `config_file` on the host."""
    return DockerRun(
        image=image,
        args=tuple(args),
        env=remotes_env(*remotes),
        name=name,
        entrypoint=entrypoint,
        labels=labels or {},
        secret_files=(rclone_config_file(config_file, *remotes),),
    )


def sync_container(
    image: str,
    name: str,
    local: Remote,
    r2: Remote,
    buckets: list[str],
    *,
    config_file: str,
    transfers: int,
    stats: str,
    labels: dict[str, str] | None = None,
) -> DockerRun:
    """The runbook's `docker run -d --name r2-sync ... rclone sync LOCAL:<b> R2:<b> ...`, one
    container for every r2-tier bucket, so `docker start -a r2-sync` (the cron job) re-runs it."""
    script = sync_script(local, r2, buckets, transfers=transfers, stats=stats)
    return rclone_run(
        image,
        ["-c", script],
        local,
        r2,
        config_file=config_file,
        name=name,
        entrypoint="/bin/sh",
        labels=labels,
    )


@dataclass
class BucketCheck:
    """Both passes of `rclone check` over one bucket, and the verdict an operator reads."""

    bucket: str
    hash_pass: CheckReport
    multipart: set[str] = field(default_factory=set)  # local keys whose ETag is no MD5
    download: CheckReport | None = None
    downloaded: list[str] = field(default_factory=list)

    def unverified(self) -> list[str]:
        """Objects the hash pass listed as matching without comparing content."""
        matched = set(self.hash_pass.paths(MATCH))
        return sorted(matched & (set(self.hash_pass.not_hashed) | self.multipart))

    def _where(self, path: str) -> str:
        return f"{self.bucket}/{path}"

    def problems(self) -> list[str]:
        first, lines = self.hash_pass, []
        for path in first.paths(DIFFER):
            reason = first.reasons.get(path, "differs")
            if reason.lower().startswith("sizes differ"):
                lines.append(f"{self._where(path)}: sizes differ between local and R2")
            else:
                lines.append(
                    f"{self._where(path)}: content differs on R2 ({reason}; same size, so a "
                    "--size-only check would have passed it)"
                )
        missing = first.paths(MISSING_ON_DST)
        if missing and len(missing) == len(first.entries):
            lines.append(
                f"{self.bucket}: all {len(missing)} object(s) missing on R2 (the bucket is absent "
                f"or empty there), e.g. {', '.join(missing[:3])}"
            )
        else:
            lines += [f"{self._where(p)}: missing on R2" for p in missing]
        lines += [
            f"{self._where(p)}: on R2 but not on the local engine (R2 still serves it publicly)"
            for p in first.paths(MISSING_ON_SRC)
        ]
        lines += [
            f"{self._where(p)}: could not be checked ({first.reasons.get(p, 'error')})"
            for p in first.paths(ERROR)
        ]
        if first.exit_code != 0 and not lines:
            said = "; ".join(first.errors[-3:]) or "no message"
            lines.append(f"{self.bucket}: rclone check failed (exit {first.exit_code}): {said}")
        named = len(set(first.not_hashed))
        if first.hashes_not_checked > named:
            lines.append(
                f"{self.bucket}: rclone could not check {first.hashes_not_checked} hash(es) but "
                f"named only {named} object(s): the unnamed ones were never compared"
            )
        lines += self._download_problems()
        return lines

    def _download_problems(self) -> list[str]:
        todo = self.unverified()
        if not todo:
            return []
        second = self.download
        if second is None:
            return [
                f"{self._where(p)}: listed as matching but its hash could not be checked, and no "
                "--download pass compared it"
                for p in todo
            ]
        lines = [
            f"{self._where(p)}: content differs on R2 (found by the --download pass; the hash "
            "pass listed it as matching '=' because its hash could not be checked: multipart "
            "ETag, no MD5)"
            for p in second.paths(DIFFER)
        ]
        lines += [
            f"{self._where(p)}: could not be downloaded for comparison "
            f"({second.reasons.get(p, 'error')})"
            for p in second.paths(ERROR)
        ]
        confirmed = set(second.paths(MATCH))
        flagged = set(second.paths(DIFFER)) | set(second.paths(ERROR))
        unconfirmed = [p for p in todo if p not in confirmed and p not in flagged]
        if unconfirmed:
            said = "; ".join(second.errors[-3:])
            lines.append(
                f"{self.bucket}: the --download pass (exit {second.exit_code}) did not confirm "
                f"{len(unconfirmed)} object(s) the hash pass could not verify: "
                + ", ".join(unconfirmed[:20])
                + (f" ({said})" if said else "")
            )
        return lines

    def summary(self) -> str:
        first = self.hash_pass
        text = (
            f"{self.bucket}: {len(first.paths(MATCH))} matching, "
            f"{len(first.paths(DIFFER))} differing, {len(first.paths(MISSING_ON_DST))} missing "
            f"on R2, {len(first.paths(MISSING_ON_SRC))} only on R2; "
            f"{first.hashes_not_checked} hash(es) rclone could not check"
        )
        if self.download is not None:
            text += (
                f"; --download pass over {len(self.downloaded)} object(s): "
                f"{len(self.download.paths(MATCH))} identical, "
                f"{len(self.download.paths(DIFFER))} differing"
            )
        return text

    def report(self) -> str:
        """The --combined outputs of both passes, for the change record."""
        text = (
            f"== rclone check LOCAL:{self.bucket} R2:{self.bucket} (sizes and hashes), exit "
            f"{self.hash_pass.exit_code}\n{self.hash_pass.combined}"
        )
        for line in self.hash_pass.errors:
            text += f"rclone: {line}\n"
        if self.download is not None:
            text += (
                f"== rclone check --download over {len(self.downloaded)} object(s) whose hash "
                f"could not be checked, exit {self.download.exit_code}\n{self.download.combined}"
            )
            for line in self.download.errors:
                text += f"rclone: {line}\n"
        return text


@dataclass(frozen=True)
class Exposure:
    """R2's bucket list held against the manifest."""

    local_tier: list[str]  # local-tier buckets present on R2: the exposure the tier forbids
    undeclared: list[str]  # buckets the manifest does not name at all


def exposure(listed: Iterable[str], manifest: Manifest) -> Exposure:
    listed = set(listed)
    local = {b.name for b in manifest.in_tier(Tier.LOCAL)}
    return Exposure(
        local_tier=sorted(listed & local), undeclared=sorted(listed - set(manifest.names))
    )


def _names(command: str, word: str) -> bool:
    """`word` appears in `command` as a whole name (bucket or container), not inside another."""
    return re.search(rf"(?<![\w.-]){re.escape(word)}(?![\w.-])", command) is not None


@dataclass(frozen=True)
class ScheduleFinding:
    covering: dict[str, list[CronJob]]  # bucket -> enabled jobs that sync it
    problems: list[str]


def cron_coverage(
    jobs: list[CronJob],
    buckets: list[str],
    *,
    container: str,
    container_command: str,
    schedule: str | None,
) -> ScheduleFinding:
    """Which enabled TrueNAS cron jobs sync each r2-tier bucket.

    A job syncs a bucket when its command runs rclone naming the bucket, or starts the sync
    container (`docker start -a r2-sync`) whose own command names it.
    """

    def syncs(job: CronJob, bucket: str) -> bool:
        cmd = job.command
        if "rclone" in cmd and _names(cmd, bucket):
            return True
        return "docker" in cmd and _names(cmd, container) and _names(container_command, bucket)

    covering = {b: [j for j in jobs if j.enabled and syncs(j, b)] for b in buckets}
    problems = []
    for bucket, found in covering.items():
        if found:
            continue
        disabled = [f"#{j.id}" for j in jobs if not j.enabled and syncs(j, bucket)]
        problems.append(
            f"no enabled TrueNAS cron job syncs {bucket} to R2"
            + (f" (job {', '.join(disabled)} would, but is disabled)" if disabled else "")
        )
    if schedule:
        for bucket, found in covering.items():
            off = [j for j in found if " ".join(j.schedule.split()) != schedule]
            if found and len(off) == len(found):
                problems.append(
                    f"the cron job syncing {bucket} runs on "
                    + ", ".join(f"'{j.schedule}' (#{j.id})" for j in off)
                    + f", not on the profile's r2.schedule '{schedule}'"
                )
    return ScheduleFinding(covering, problems)

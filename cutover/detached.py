"""Containers run through the `docker` CLI of the machine holding the data: the NAS over SSH (with
sudo) in production, this machine in a rehearsal. One door for both, so the rehearsal runs the
very commands production runs.

The runbook's "Running long S3 jobs detached": `docker run -d --name r2-sync ...` so the Docker
daemon owns the job and a dropped shell cannot SIGHUP it; `docker logs` to follow it, `docker
wait` to block until it is done. Short jobs (an `rclone check`) run attached with `--rm`.

Commands that carry a secret (an `-e NAME=value` for rclone's remote config) are built twice:
shown, with the secret as a reference to where it comes from, and executed. Errors never quote
the executed form.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import SecretStr

from cutover.nas import Nas, NasError
from cutover.redact import mask_value


@dataclass(frozen=True)
class DockerRun:
    """One `docker run`: image, command, environment (secrets as SecretStr), name and labels."""

    image: str
    args: tuple[str, ...]
    env: Mapping[str, str | SecretStr] = field(default_factory=dict)
    name: str | None = None
    entrypoint: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    secret_sources: Mapping[str, str] = field(default_factory=dict)  # env key -> where from

    def command(self, *, detach: bool = False, stdin: bool = False, reveal: bool = False) -> str:
        parts = ["docker", "run"]
        parts += ["-d"] if detach else ["--rm"]
        if stdin:
            parts.append("-i")
        if self.name:
            parts += ["--name", self.name]
        parts += ["--network", "host"]
        for key, value in self.labels.items():
            parts += ["--label", f"{key}={value}"]
        for key, value in self.env.items():
            if isinstance(value, SecretStr):
                shown = (
                    value.get_secret_value()
                    if reveal
                    else f"<{self.secret_sources.get(key, 'secret')}>"
                )
            else:
                shown = value if reveal else mask_value(key, value)
            parts += ["-e", f"{key}={shown}"]
        if self.entrypoint:
            parts += ["--entrypoint", self.entrypoint]
        parts.append(self.image)
        parts += list(self.args)
        return " ".join(shlex.quote(p) for p in parts)


@dataclass(frozen=True)
class Finished:
    """What an attached run left: its exit code and both streams."""

    exit_code: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class JobState:
    """A detached container as `docker inspect` sees it."""

    name: str
    status: str  # created, running, exited, dead...
    exit_code: int | None
    started_at: str
    finished_at: str
    error: str
    command: tuple[str, ...]
    image: str

    @property
    def running(self) -> bool:
        return self.status in {"running", "restarting"}


class Containers:
    """`docker run`, `inspect`, `wait`, `logs`, `rm` on one host."""

    def __init__(self, nas: Nas) -> None:
        self.nas = nas

    def _secret_run(self, command: str, what: str) -> Finished:
        """Run a command that carries a secret; an SSH failure names the host, never the command."""
        try:
            result = self.nas.host.run(command)
        except RuntimeError as exc:  # ssh itself failed; its result's stderr is ssh's own word
            result = exc.args[0] if exc.args else None
            said = [s for s in (getattr(result, "stderr", "") or "").splitlines() if s.strip()]
            raise NasError(
                f"{what} could not be run on {self.nas.where}: {said[-1] if said else 'ssh failed'}"
            ) from None
        return Finished(result.rc, result.stdout, result.stderr)

    def run(self, spec: DockerRun, *, stdin_lines: Sequence[str] = ()) -> Finished:
        """An attached, removed-afterwards run; `stdin_lines` are fed to the container's stdin."""
        command = spec.command(stdin=bool(stdin_lines), reveal=True)
        if stdin_lines:
            command = (
                "printf '%s\\n' " + " ".join(shlex.quote(s) for s in stdin_lines) + " | " + command
            )
        return self._secret_run(command, f"`{spec.command()}`")

    def start(self, spec: DockerRun) -> str:
        """`docker run -d`: returns the container id. A refusal says what docker said."""
        done = self._secret_run(
            spec.command(detach=True, reveal=True), f"`{spec.command(detach=True)}`"
        )
        if done.exit_code != 0:
            raise NasError(
                f"docker refused to start {spec.name or spec.image} on {self.nas.where} "
                f"(exit {done.exit_code}): {done.stderr.strip() or done.stdout.strip()}"
            )
        return done.stdout.strip()

    def state(self, name: str) -> JobState | None:
        """The container's state, or None when there is no container by that name."""
        out = self.nas.run(
            f"docker inspect --type container {shlex.quote(name)} 2>/dev/null", ok=(0, 1)
        )
        data = json.loads(out or "[]")
        if not data:
            return None
        attrs = data[0]
        state = attrs.get("State") or {}
        config = attrs.get("Config") or {}
        return JobState(
            name=name,
            status=state.get("Status", ""),
            exit_code=state.get("ExitCode") if state.get("Status") in {"exited", "dead"} else None,
            started_at=state.get("StartedAt", ""),
            finished_at=state.get("FinishedAt", ""),
            error=state.get("Error", ""),
            command=tuple((config.get("Entrypoint") or []) + (config.get("Cmd") or [])),
            image=config.get("Image", ""),
        )

    def wait(self, name: str, timeout: int) -> int | None:
        """`docker wait`, bounded: the exit code, or None when it still runs after `timeout` s."""
        out = self.nas.run(
            f"timeout {int(timeout)} docker wait {shlex.quote(name)}", ok=(0, 124)
        ).strip()
        return int(out.splitlines()[-1]) if out and out.splitlines()[-1].isdigit() else None

    def logs(self, name: str, tail: int | None = None) -> str:
        lines = f"--tail {int(tail)} " if tail else ""
        return self.nas.run(f"docker logs {lines}{shlex.quote(name)} 2>&1", ok=(0, 1))

    def remove(self, names: Iterable[str]) -> None:
        quoted = " ".join(shlex.quote(n) for n in names)
        if quoted:
            self.nas.run(f"docker rm -f {quoted} >/dev/null 2>&1", ok=(0, 1))

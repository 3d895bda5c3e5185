"""Containers run through the `docker` CLI of the machine holding the data: the NAS over SSH (with
sudo) in production, this machine in a rehearsal. One door for both, so the rehearsal runs the
very commands production runs.

The runbook's "Running long S3 jobs detached": `docker run -d --name r2-sync ...` so the Docker
daemon owns the job and a dropped shell cannot SIGHUP it; `docker logs` to follow it, `docker
wait` to block until it is done. Short jobs (an `rclone check`) run attached with `--rm`.

No secret is on a command line: `docker run -e NAME=secret` would put it in the NAS's process
list, in sudo's syslog line and, for as long as the container exists, in `docker inspect`. A
container's secrets are a `SecretFile`: written root-only on the host from stdin, mounted
read-only. A detached job keeps its file (`docker start` re-reads it, the cron job needs it);
an attached run's file is removed when the run ends.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pydantic import SecretStr

from cutover.nas import Done, Nas, NasError
from cutover.redact import is_reference, is_secret_name


@dataclass(frozen=True)
class SecretFile:
    """A file of secrets a container reads: `host_path` on the host, mounted read-only."""

    host_path: str
    container_path: str
    content: SecretStr
    holds: str  # what it holds and where that comes from, for the record

    def mount(self) -> str:
        return f"{self.host_path}:{self.container_path}:ro"


@dataclass(frozen=True)
class DockerRun:
    """One `docker run`: image, command, environment (never a secret), name, labels, and the
    files its secrets are read from."""

    image: str
    args: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    name: str | None = None
    entrypoint: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    secret_files: tuple[SecretFile, ...] = ()
    user: str | None = None
    volumes: tuple[str, ...] = ()  # host:container[:mode]
    env_file: SecretFile | None = None  # `--env-file`: docker reads KEY=value lines itself

    def __post_init__(self) -> None:
        secret = [
            k
            for k, v in self.env.items()
            if isinstance(v, SecretStr) or (v and is_secret_name(k) and not is_reference(v))
        ]
        if secret:
            raise TypeError(f"{secret[0]} is a secret: give it in a SecretFile, never with -e")

    def command(self, *, detach: bool = False, stdin: bool = False) -> str:
        """The exact command line run; it holds no secret, so it is also the one recorded."""
        parts = ["docker", "run"]
        parts += ["-d"] if detach else ["--rm"]
        if stdin:
            parts.append("-i")
        if self.name:
            parts += ["--name", self.name]
        parts += ["--network", "host"]
        for key, value in self.labels.items():
            parts += ["--label", f"{key}={value}"]
        if self.user:
            parts += ["--user", self.user]
        for volume in self.volumes:
            parts += ["-v", volume]
        for secret in self.secret_files:
            parts += ["-v", secret.mount()]
        if self.env_file is not None:
            parts += ["--env-file", self.env_file.host_path]
        for key, value in self.env.items():
            parts += ["-e", f"{key}={value}"]
        if self.entrypoint:
            parts += ["--entrypoint", self.entrypoint]
        parts.append(self.image)
        parts += list(self.args)
        return " ".join(shlex.quote(p) for p in parts)

    def secrets_note(self) -> str:
        """Where its secrets are, for the record: each file and what it holds."""
        notes = [
            f"{f.host_path} (root-only, 0600, mounted read-only) holds {f.holds}"
            for f in self.secret_files
        ]
        if self.env_file is not None:
            notes.append(
                f"{self.env_file.host_path} (root-only, 0600, docker --env-file) holds "
                f"{self.env_file.holds}"
            )
        return "; ".join(notes)

    @property
    def private_files(self) -> tuple[SecretFile, ...]:
        return self.secret_files + ((self.env_file,) if self.env_file is not None else ())


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

    def _write_secrets(self, spec: DockerRun) -> None:
        for secret in spec.private_files:
            self.nas.write_private(secret.host_path, secret.content)

    def _remove_secrets(self, spec: DockerRun) -> None:
        for secret in spec.private_files:
            self.nas.remove_private(secret.host_path)

    def run(self, spec: DockerRun, *, stdin_lines: Sequence[str] = ()) -> Finished:
        """An attached, removed-afterwards run; `stdin_lines` are fed to the container's stdin.
        Its secret files exist only while it runs."""
        self._write_secrets(spec)
        try:
            command = spec.command(stdin=bool(stdin_lines))
            data = "".join(f"{line}\n" for line in stdin_lines).encode() if stdin_lines else None
            done: Done = self.nas.execute(command, data=data)
        finally:
            self._remove_secrets(spec)
        return Finished(done.rc, done.stdout, done.stderr)

    def start(self, spec: DockerRun) -> str:
        """`docker run -d`: returns the container id. A refusal says what docker said. The
        secret files stay: `docker start` (the cron job) reads them again."""
        self._write_secrets(spec)
        done = self.nas.execute(spec.command(detach=True))
        if done.rc != 0:
            raise NasError(
                f"docker refused to start {spec.name or spec.image} on {self.nas.where} "
                f"(exit {done.rc}): {done.stderr.strip() or done.stdout.strip()}"
            )
        return done.stdout.strip()

    def state(self, name: str) -> JobState | None:
        """The container's state, or None when there is no container by that name."""
        out = self.nas.run(
            f"docker inspect --type container {shlex.quote(name)} 2>/dev/null",
            ok=(0, 1),
            secret_output=True,
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

    def stop(self, name: str, timeout: int = 30) -> None:
        """`docker stop`: SIGTERM, then SIGKILL after `timeout` s, as TrueNAS stops an app."""
        self.nas.run(f"docker stop -t {int(timeout)} {shlex.quote(name)} >/dev/null")

    def remove(self, names: Iterable[str]) -> None:
        quoted = " ".join(shlex.quote(n) for n in names)
        if quoted:
            self.nas.run(f"docker rm -f {quoted} >/dev/null 2>&1", ok=(0, 1))

"""The NAS as the production phases reach it: testinfra over SSH with sudo, tools by absolute path.

Every failure becomes one operator sentence (`NasError`): which command, on which host, what
the tool said. testinfra raises a bare RuntimeError when ssh itself fails (exit 255: host
unreachable, key refused); that is translated here too, so nobody reads a traceback at 3 a.m.

No secret ever travels on a command line: a command line is visible to every user of the NAS
(/proc/<pid>/cmdline, `ps`), in sudo's syslog line and in testinfra's DEBUG log. Secrets go on
stdin (`run_with_input`), into root-only files (`write_private`) that the apps and containers
read themselves.
"""

from __future__ import annotations

import json
import logging
import posixpath
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from typing import Any

import testinfra
from pydantic import SecretStr

from cutover import truenas, zfs
from cutover.errors import CutoverError
from cutover.profile import HostSpec, ToolsSpec

log = logging.getLogger("cutover.nas")
SSH_FAILED = 255  # ssh's own exit code: the command never ran
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._/-]+$")


class NasError(CutoverError):
    """A command on the NAS failed, or the NAS could not be reached."""


def _ssh_failure(where: str, stderr: str) -> NasError:
    said = [line for line in (stderr or "").strip().splitlines() if line.strip()]
    text = said[-1] if said else "no message"
    if "Permission denied" in text:
        hint = (
            "the NAS refused the SSH key: check host.identity_file (or your ssh-agent) and that "
            "its public key is in the admin user's authorized keys"
        )
    elif "Host key verification failed" in text:
        hint = "the NAS's host key is not the one known_hosts pins: verify it before trusting it"
    else:
        hint = "check host.ssh, host.port and that SSH is enabled on the NAS (System -> Services)"
    return NasError(f"cannot reach the NAS over SSH at {where}: {text}. {hint}")


def _raised_stderr(exc: RuntimeError) -> str:
    """testinfra raises RuntimeError(result) when ssh exits 255: ssh's own words are its stderr."""
    result = exc.args[0] if exc.args else None
    return getattr(result, "stderr", "") or str(exc)


@dataclass(frozen=True)
class Done:
    """What one command left: its exit code and both streams."""

    rc: int
    stdout: str
    stderr: str


def _private_path(path: str) -> str:
    """An absolute path of safe characters: it is written into a shell command as is."""
    if not _SAFE_PATH.match(path) or "/../" in f"{path}/" or path.endswith("/"):
        raise NasError(
            f"{path!r} is not a plain absolute path (letters, digits, '.', '_', '-', '/'): "
            "secret files are written only to such paths"
        )
    return path


@dataclass(frozen=True)
class Nas:
    """A host that holds the dataset and runs the apps; `local://` for a rehearsal."""

    host: Any  # testinfra.host.Host
    where: str
    tools: ToolsSpec = field(default_factory=ToolsSpec)

    @classmethod
    def connect(cls, spec: HostSpec) -> Nas:
        """Reach the NAS once up front: an unreachable host or a refused key stops the run here."""
        nas = cls(testinfra.get_host(spec.testinfra_url()), f"{spec.ssh}:{spec.port}", spec.tools)
        out = nas.run("id -u")
        if spec.sudo and out.strip() != "0":
            raise NasError(
                f"sudo on {nas.where} does not run commands as root (id -u said {out.strip()!r}): "
                "the admin user needs passwordless sudo for zfs, midclt and docker"
            )
        return nas

    @classmethod
    def local(cls) -> Nas:
        return cls(testinfra.get_host("local://"), "this machine")

    def execute(self, command: str, *, data: bytes | None = None) -> Done:
        """Run `command` as testinfra runs it (sudo wrapper included), `data` on its stdin.

        Raises NasError only when ssh itself fails; the exit code is the caller's to judge.
        """
        if data is None:
            try:
                result = self.host.run(command)
            except RuntimeError as exc:
                raise _ssh_failure(self.where, _raised_stderr(exc)) from None
            return Done(result.rc, result.stdout, result.stderr)
        backend = self.host.backend
        line = backend.get_command(command)
        ssh = hasattr(backend, "_build_ssh_command")
        if ssh:  # testinfra's own ssh command line (its SshBackend.run_ssh), data aside
            cmd, args = backend._build_ssh_command(line)
            line = backend.quote(" ".join(cmd), *args)
        proc = subprocess.run(line, shell=True, input=data, capture_output=True, check=False)
        stdout = proc.stdout.decode("utf-8", errors="replace")
        stderr = proc.stderr.decode("utf-8", errors="replace")
        log.debug("RUN %r with %d byte(s) on stdin: exit %s", command, len(data), proc.returncode)
        if ssh and proc.returncode == SSH_FAILED:
            raise _ssh_failure(self.where, stderr)
        return Done(proc.returncode, stdout, stderr)

    def run(self, command: str, *, ok: tuple[int, ...] = (0,), secret_output: bool = False) -> str:
        """`secret_output`: what the command prints holds secrets (a container's environment),
        so it bypasses testinfra, whose DEBUG log records every command's output."""
        done = self.execute(command, data=b"" if secret_output else None)
        return self._checked(command, done, ok)

    def run_with_input(self, command: str, data: bytes, *, ok: tuple[int, ...] = (0,)) -> str:
        """`command` with `data` on its stdin: how a secret reaches the NAS. An error names the
        command and what it said, never the data."""
        return self._checked(command, self.execute(command, data=data), ok)

    def _checked(self, command: str, done: Done, ok: tuple[int, ...]) -> str:
        if done.rc not in ok:
            said = (done.stderr or done.stdout).strip()
            raise NasError(f"`{command}` failed on {self.where} (exit {done.rc}): {said}")
        return done.stdout

    # Secret files: root-only, written from stdin

    def write_private(self, path: str, content: SecretStr | bytes) -> None:
        """Write `content` to `path`, owned by the user commands run as (root under sudo), mode
        0600, through a temporary file, so a reader never sees half of it. Directories it
        creates are 0700; an existing one keeps its mode (it may be a pool's root).

        The content travels on stdin only: it is on no command line and in no log.
        """
        path = _private_path(path)
        data = content.get_secret_value().encode() if isinstance(content, SecretStr) else content
        folder, name = posixpath.split(path)
        d, p = shlex.quote(folder), shlex.quote(path)
        tmp = shlex.quote(f"{folder}/.{name}.XXXXXX")
        command = (
            f"umask 077 && mkdir -p {d} && t=$(mktemp {tmp}) && "
            f'{{ cat > "$t" && chmod 0600 "$t" && mv -f "$t" {p} || {{ rm -f "$t"; exit 1; }}; }}'
        )
        done = self.execute(command, data=data)
        if done.rc != 0:
            said = (done.stderr or done.stdout).strip() or f"exit {done.rc}"
            raise NasError(
                f"could not write the secret file {path} on {self.where}: {said}; check that "
                "its directory can be created there and that the disk is not full"
            )

    def remove_private(self, path: str) -> None:
        self.run(f"rm -f {shlex.quote(_private_path(path))}")

    # ZFS

    def snapshots(self, dataset: str) -> list[zfs.Snapshot]:
        return zfs.parse_snapshots(
            self.run(zfs.list_snapshots_command(dataset, zfs=self.tools.zfs))
        )

    def children(self, dataset: str) -> list[str]:
        text = self.run(zfs.list_children_command(dataset, zfs=self.tools.zfs))
        return zfs.parse_children(text, dataset)

    def snapshot(self, dataset: str, name: str, *, recursive: bool = False) -> str:
        command = zfs.snapshot_command(dataset, name, recursive=recursive, zfs=self.tools.zfs)
        self.run(command)
        return command

    def rollback(self, dataset: str, name: str) -> str:
        command = zfs.rollback_command(dataset, name, zfs=self.tools.zfs)
        self.run(command)
        return command

    def dataset(self, dataset: str) -> zfs.DatasetInfo | None:
        """The dataset's mountpoint and origin, or None when there is no such dataset."""
        done = self.execute(zfs.dataset_info_command(dataset, zfs=self.tools.zfs))
        if done.rc != 0 and "dataset does not exist" in done.stderr:
            return None
        return zfs.parse_dataset_info(
            self._checked(zfs.dataset_info_command(dataset, zfs=self.tools.zfs), done, (0,))
        )

    def clone(self, dataset: str, snapshot: str, clone: str) -> str:
        command = zfs.clone_command(dataset, snapshot, clone, zfs=self.tools.zfs)
        self.run(command)
        return command

    def destroy_dataset(self, dataset: str) -> str:
        command = zfs.destroy_dataset_command(dataset, zfs=self.tools.zfs)
        self.run(command)
        return command

    def destroy_snapshot(self, dataset: str, name: str) -> str:
        command = zfs.destroy_snapshot_command(dataset, name, zfs=self.tools.zfs)
        self.run(command)
        return command

    # TrueNAS apps and cron

    def app(self, name: str) -> truenas.App | None:
        apps = truenas.parse_apps(
            self.run(truenas.app_query_command(name, midclt=self.tools.midclt))
        )
        return next((a for a in apps if a.name == name), None)

    def stop_app(self, name: str) -> str:
        command = truenas.app_stop_command(name, midclt=self.tools.midclt)
        self.run(command)
        return command

    def start_app(self, name: str) -> str:
        command = truenas.app_start_command(name, midclt=self.tools.midclt)
        self.run(command)
        return command

    def create_app(self, name: str, compose_yaml: str) -> str:
        """A Custom App from YAML that holds no secret (its secrets are in an env_file)."""
        return self._submit_app("app.create", name, truenas.app_create_command, compose_yaml)

    def update_app(self, name: str, compose_yaml: str) -> str:
        return self._submit_app("app.update", name, truenas.app_update_command, compose_yaml)

    def _submit_app(self, method: str, name: str, build, compose_yaml: str) -> str:
        command = build(name, compose_yaml, midclt=self.tools.midclt)
        done = self.execute(command)
        if done.rc != 0:  # the whole YAML in the message would bury what the middleware said
            said = (done.stderr or done.stdout).strip()
            raise NasError(f"{method} {name} failed on {self.where} (exit {done.rc}): {said}")
        return command

    def cronjobs(self) -> list[truenas.CronJob]:
        return truenas.parse_cronjobs(
            self.run(truenas.cronjob_query_command(midclt=self.tools.midclt))
        )

    # Docker, which TrueNAS SCALE runs its apps on

    def inspect_container(self, container: str) -> dict[str, Any]:
        # Config.Env holds the app's secrets (compose puts its env_file there).
        data = json.loads(self.run(f"docker inspect {shlex.quote(container)}", secret_output=True))
        return data[0]

    def image_attrs(self, image: str) -> dict[str, Any]:
        """`docker image inspect`, or {} when the NAS does not have the image (yet)."""
        out = self.run(f"docker image inspect {shlex.quote(image)} 2>/dev/null", ok=(0, 1))
        data = json.loads(out or "[]")
        return data[0] if data else {}

    def container_logs(self, container: str, lines: int = 40) -> str:
        return self.run(f"docker logs --tail {lines} {shlex.quote(container)} 2>&1", ok=(0, 1))

    def listeners(self, port: int) -> list[str]:
        """Sockets listening on `port` on the NAS, as `ss` prints them (empty: the port is free)."""
        out = self.run(f"ss -Hltn 'sport = :{int(port)}'")
        return [line.split()[3] for line in out.splitlines() if len(line.split()) > 3]

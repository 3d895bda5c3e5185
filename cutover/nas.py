"""The NAS as the production phases reach it: testinfra over SSH with sudo, tools by absolute path.

Every failure becomes one operator sentence (`NasError`): which command, on which host, what
the tool said. testinfra raises a bare RuntimeError when ssh itself fails (exit 255: host
unreachable, key refused); that is translated here too, so nobody reads a traceback at 3 a.m.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

import testinfra

from cutover import truenas, zfs
from cutover.errors import CutoverError
from cutover.profile import HostSpec, ToolsSpec


class NasError(CutoverError):
    """A command on the NAS failed, or the NAS could not be reached."""


def _ssh_failure(where: str, exc: RuntimeError) -> NasError:
    result = exc.args[0] if exc.args else None
    said = (getattr(result, "stderr", "") or str(exc)).strip().splitlines()
    said = [line for line in said if line.strip()]
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

    def run(self, command: str, *, ok: tuple[int, ...] = (0,)) -> str:
        try:
            result = self.host.run(command)
        except RuntimeError as exc:
            raise _ssh_failure(self.where, exc) from None
        if result.rc not in ok:
            said = (result.stderr or result.stdout).strip()
            raise NasError(f"`{command}` failed on {self.where} (exit {result.rc}): {said}")
        return result.stdout

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

    def create_app(self, name: str, compose_yaml: str) -> None:
        """The YAML carries the revealed secret: the command is run, never logged or returned."""
        self._submit_app("app.create", name, truenas.app_create_command, compose_yaml)

    def update_app(self, name: str, compose_yaml: str) -> None:
        """Like create_app, the YAML carries the revealed secret and never leaves this call."""
        self._submit_app("app.update", name, truenas.app_update_command, compose_yaml)

    def _submit_app(self, method: str, name: str, build, compose_yaml: str) -> None:
        try:
            self.run(build(name, compose_yaml, midclt=self.tools.midclt))
        except NasError as exc:  # the message would quote the command, secret and all
            raise NasError(
                f"{method} {name} failed on {self.where}: {str(exc).rpartition('): ')[2]}"
            ) from None

    def cronjobs(self) -> list[truenas.CronJob]:
        return truenas.parse_cronjobs(
            self.run(truenas.cronjob_query_command(midclt=self.tools.midclt))
        )

    # Docker, which TrueNAS SCALE runs its apps on

    def inspect_container(self, container: str) -> dict[str, Any]:
        data = json.loads(self.run(f"docker inspect {shlex.quote(container)}"))
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

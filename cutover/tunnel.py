"""An SSH local forward to a loopback port of the NAS.

A dress rehearsal's engines listen on the NAS's 127.0.0.1 only: a copy of production data, served
with production's root keys, must not appear on the LAN. This machine reaches them through the
SSH connection it already trusts (`ssh -N -L`), with the profile's key, config and port.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from cutover.errors import CutoverError
from cutover.ports import free_port, port_in_use
from cutover.profile import HostSpec
from cutover.wait import NotYet, WaitTimeout, wait_until

OPEN_TIMEOUT = 20


class TunnelError(CutoverError):
    """The forward could not be opened."""


class SshForward:
    """`ssh -N -L 127.0.0.1:<local>:127.0.0.1:<remote> user@nas`, for as long as it is open."""

    def __init__(self, host: HostSpec, remote_port: int) -> None:
        self.host = host
        self.remote_port = remote_port
        self.local_port = 0
        self.proc: subprocess.Popen | None = None

    def command(self, local_port: int) -> list[str]:
        line = ["ssh", "-N", "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes"]
        if self.host.ssh_config:
            line += ["-F", str(Path(self.host.ssh_config).expanduser())]
        if self.host.identity_file:
            line += ["-i", str(Path(self.host.identity_file).expanduser())]
        line += ["-p", str(self.host.port)]
        line += ["-L", f"127.0.0.1:{local_port}:127.0.0.1:{self.remote_port}", self.host.ssh]
        return line

    def open(self) -> int:
        """Start the forward; the local port once it accepts connections."""
        self.local_port = free_port("127.0.0.1")
        self.proc = subprocess.Popen(
            self.command(self.local_port),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        proc = self.proc

        def forwarding() -> bool | NotYet:
            if port_in_use("127.0.0.1", self.local_port):
                return True
            if proc.poll() is not None:
                raise self._refused(proc)
            return NotYet("port not open")

        try:
            wait_until(
                forwarding,
                timeout=OPEN_TIMEOUT,
                interval=0.05,
                what=f"127.0.0.1:{self.local_port} accepting connections",
            )
        except WaitTimeout:
            raise self._refused(proc) from None
        return self.local_port

    def _refused(self, proc: subprocess.Popen) -> TunnelError:
        """Close the forward; the error carries what ssh said about it."""
        self.close()
        said = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
        return TunnelError(
            f"could not forward 127.0.0.1:{self.local_port} to port {self.remote_port} "
            f"of {self.host.ssh} over SSH: {said or 'no answer'}; the NAS's sshd must "
            "allow TCP forwarding (AllowTcpForwarding yes, the default)"
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.local_port}"

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

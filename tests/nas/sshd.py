"""A real OpenSSH server on a loopback port, playing the NAS's SSH door in tests.

Started as a child process with its own keys and config (nothing system-wide changes), and
reached through an ssh_config that pins its host key: host key checking stays on.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from cutover.ports import free_port, port_in_use

SSHD = "/usr/sbin/sshd"


@dataclass(frozen=True)
class LoopbackNas:
    host: str
    port: int
    user: str
    identity_file: Path
    ssh_config: Path

    def testinfra_url(self, *, sudo: bool = True) -> str:
        return (
            f"ssh://{self.user}@{self.host}:{self.port}?sudo={'true' if sudo else 'false'}"
            f"&ssh_config={self.ssh_config}&ssh_identity_file={self.identity_file}"
        )


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)


def start_sshd(workdir: Path) -> tuple[subprocess.Popen, LoopbackNas]:
    """sshd -D on 127.0.0.1:<free port>; key-only root login (the NAS admin uses sudo)."""
    if not Path(SSHD).exists() or shutil.which("ssh") is None:
        raise RuntimeError("openssh-server/openssh-client missing: run scripts/setup.sh")
    workdir.mkdir(parents=True, exist_ok=True)
    host_key, client_key = workdir / "host_ed25519", workdir / "client_ed25519"
    _keygen(host_key)
    _keygen(client_key)
    (workdir / "authorized_keys").write_text(client_key.with_suffix(".pub").read_text())
    port = free_port()
    (workdir / "sshd_config").write_text(
        "\n".join(
            [
                "ListenAddress 127.0.0.1",
                f"Port {port}",
                f"HostKey {host_key}",
                f"AuthorizedKeysFile {workdir / 'authorized_keys'}",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "StrictModes no",
                "UsePAM no",
                f"PidFile {workdir / 'sshd.pid'}",
                "",
            ]
        )
    )
    known_hosts = workdir / "known_hosts"
    known_hosts.write_text(f"[127.0.0.1]:{port} {host_key.with_suffix('.pub').read_text()}")
    ssh_config = workdir / "ssh_config"
    ssh_config.write_text(
        "\n".join(
            [
                "Host *",
                f"  UserKnownHostsFile {known_hosts}",
                "  StrictHostKeyChecking yes",
                "  BatchMode yes",
                "  ConnectTimeout 5",
                "",
            ]
        )
    )
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    proc = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(workdir / "sshd_config")],
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "sshd.log").open("w"),
    )
    deadline = time.monotonic() + 10
    while not port_in_use("127.0.0.1", port):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"sshd did not listen: {(workdir / 'sshd.log').read_text()[-2000:]}")
        time.sleep(0.05)
    return proc, LoopbackNas("127.0.0.1", port, "root", client_key, ssh_config)

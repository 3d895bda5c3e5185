"""Watch every process's command line while a test runs: a secret there is visible to every user
of the machine (/proc/<pid>/cmdline, `ps`), and in sudo's syslog line.

A thread reads /proc/*/cmdline every few milliseconds. Processes of this test's own tree (its
descendants: the rehearsal's pytest, ssh, the loopback sshd and what it runs, sudo, sh, docker,
the midclt double...) count; a hit elsewhere on this shared machine (another run using the same
test secrets) is kept apart and never fails the test. `markers` are substrings of command lines
the run is known to produce: seeing them proves the sampler was watching when it mattered.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PROC = Path("/proc")


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:  # the process ended, or is not ours to read
        return None


def _parent(pid: int) -> int | None:
    stat = _read(PROC / str(pid) / "stat")
    if stat is None:
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'
    fields = stat[stat.rfind(b")") + 2 :].split()
    return int(fields[1]) if len(fields) > 1 else None


@dataclass
class ArgvSampler:
    secrets: Iterable[str]
    markers: Iterable[str] = ()
    interval: float = 0.002
    root: int = field(default_factory=os.getpid)
    hits: dict[str, str] = field(default_factory=dict)  # command line (redacted) -> secret's name
    foreign: list[str] = field(default_factory=list)  # hits outside this test's process tree
    seen: set[str] = field(default_factory=set)  # markers seen in this tree
    sweeps: int = 0

    def __post_init__(self) -> None:
        self._secrets = {s.encode(): f"secret #{n}" for n, s in enumerate(self.secrets) if s}
        self._markers = [m.encode() for m in self.markers]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="argv-sampler", daemon=True)
        self._known: dict[bytes, bool] = {}  # (pid, cmdline) already judged

    def __enter__(self) -> ArgvSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _ours(self, pid: int) -> bool | None:
        """True: a descendant of the test; False: not; None: the chain broke (a process ended)."""
        for _ in range(64):
            if pid == self.root:
                return True
            if pid <= 1:
                return False
            parent = _parent(pid)
            if parent is None:
                return None
            pid = parent
        return False

    def _judge(self, pid: int, cmdline: bytes) -> None:
        secret = next((name for s, name in self._secrets.items() if s in cmdline), None)
        marker = [m for m in self._markers if m in cmdline]
        if secret is None and not marker:
            return
        ours = self._ours(pid)
        shown = cmdline.replace(b"\0", b" ").decode("utf-8", errors="replace")
        for s, name in self._secrets.items():
            shown = shown.replace(s.decode(), f"<{name}>")
        if ours is False:
            if secret is not None:
                self.foreign.append(shown[:300])
            return
        # A broken chain counts as ours: a secret must not slip through because its process ended.
        if secret is not None:
            self.hits[shown[:2000]] = secret
        self.seen.update(m.decode() for m in marker)

    def sweep(self) -> None:
        for entry in os.scandir(PROC):
            if not entry.name.isdigit():
                continue
            cmdline = _read(PROC / entry.name / "cmdline")
            if not cmdline:
                continue
            key = entry.name.encode() + b"\0" + cmdline
            if key in self._known:
                continue
            self._known[key] = True
            self._judge(int(entry.name), cmdline)
        self.sweeps += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sweep()
            time.sleep(self.interval)
        self.sweep()

    def report(self) -> str:
        return "\n".join(f"{name}: {line}" for line, name in self.hits.items())

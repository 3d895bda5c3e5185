"""Loopback ports: pick a free one for a rehearsal, and tell whether one is still taken."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(host: str, port: int, timeout: float = 1.0) -> bool:
    """True when something accepts connections on host:port (the engine we stopped, or another)."""
    target = "127.0.0.1" if host in {"0.0.0.0", ""} else host
    try:
        with socket.create_connection((target, port), timeout=timeout):
            return True
    except OSError:
        return False

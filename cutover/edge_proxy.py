"""A small reverse proxy: the rehearsal's stand-in for the Cloudflare tunnel in front of the NAS.

In production the S3 API is published through a Cloudflare hostname (runbook Step 3, "Console
behind Cloudflare is buggy"): a tunnel forwards that hostname to the API port and nothing else.
A rehearsal has no hostname, so this process plays the tunnel on a loopback port: each request
goes to the upstream whose path prefix matches longest, with the Host header passed through
unchanged (as cloudflared does), so S3 signatures made for the public URL still verify.

It is a real separate process (`python -m cutover.edge_proxy`), standard library only, and is
said to be a stand-in wherever it is used. It only ever forwards to the upstreams it is given.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import socket
import subprocess
import sys
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar, TextIO
from urllib.parse import urlsplit

from cutover.wait import NotYet, WaitTimeout, wait_until

# Hop-by-hop headers (RFC 9110 7.6.1) end at the proxy; everything else is passed through.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
CHUNK = 64 * 1024


def pick_upstream(routes: dict[str, str], path: str) -> str | None:
    """The upstream of the longest route prefix that `path` falls under (segment-wise)."""
    best = None
    for prefix in routes:
        bare = prefix.rstrip("/")
        matches = not bare or path == bare or path.startswith(bare + "/")
        if matches and (best is None or len(bare) > len(best.rstrip("/"))):
            best = prefix
    return routes[best] if best is not None else None


class TunnelHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: ClassVar[dict[str, str]] = {}
    log: ClassVar[TextIO] = sys.stderr
    server_version = "rustfs-cutover-edge-proxy"

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _forward(self) -> None:
        path = urlsplit(self.path).path or "/"
        upstream = pick_upstream(self.routes, path)
        body = self._body()
        if upstream is None:
            self._answer(404, b"no route for this path on the stand-in tunnel\n")
            return
        target = urlsplit(upstream)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = self.client_address[0]
        if body or "Content-Length" in self.headers or self.command in {"POST", "PUT"}:
            headers["Content-Length"] = str(len(body))
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        try:
            conn.request(self.command, self.path, body=body or None, headers=headers)
            response = conn.getresponse()
        except OSError as exc:
            self._answer(502, f"upstream {upstream} did not answer: {exc}\n".encode())
            return
        self.log_message('"%s" %s via %s', self.requestline, response.status, upstream)
        self.send_response_only(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        no_body = self.command == "HEAD" or response.status in {204, 304}
        length = response.getheader("Content-Length")
        if no_body:
            if length is not None:
                self.send_header("Content-Length", length)
            self.end_headers()
        elif length is not None:
            self.send_header("Content-Length", length)
            self.end_headers()
            while chunk := response.read(CHUNK):
                self.wfile.write(chunk)
        else:
            data = response.read()
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        conn.close()

    def _answer(self, status: int, text: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(text)

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = do_OPTIONS = _forward

    def log_message(self, format: str, *args) -> None:
        self.log.write(f"{self.log_date_time_string()} {self.address_string()} {format % args}\n")
        self.log.flush()


def serve(bind: str, port: int, routes: dict[str, str], log=sys.stderr) -> None:
    handler = type("Routes", (TunnelHandler,), {"routes": dict(routes), "log": log})
    with ThreadingHTTPServer((bind, port), handler) as server:
        print(f"edge-proxy listening on http://{bind}:{port}", flush=True)
        server.serve_forever()


@dataclass
class EdgeProxy:
    """The proxy as a child process of this run, stopped by whoever started it."""

    url: str
    routes: dict[str, str]
    process: subprocess.Popen

    @classmethod
    def start(
        cls,
        bind: str,
        port: int,
        routes: dict[str, str],
        *,
        log: Path | None = None,
        timeout: float = 15,
    ) -> EdgeProxy:
        """Start the process; its access log (one line per request) goes to `log`."""
        command = [sys.executable, "-m", "cutover.edge_proxy", "--listen", f"{bind}:{port}"]
        for prefix, upstream in routes.items():
            command += ["--route", f"{prefix}={upstream}"]
        if log is not None:
            command += ["--log", str(log)]
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=Path(__file__).parent.parent,
        )
        proxy = cls(f"http://{bind}:{port}", dict(routes), process)
        proxy._wait_listening(bind, port, timeout)
        return proxy

    def _wait_listening(self, bind: str, port: int, timeout: float) -> None:
        def listening() -> bool | NotYet:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"the stand-in tunnel exited with code {self.process.returncode} before "
                    f"listening on {bind}:{port}"
                )
            try:
                with socket.create_connection((bind, port), timeout=1):
                    return True
            except OSError as exc:
                return NotYet(exc)

        try:
            wait_until(listening, timeout=timeout, interval=0.1, what=f"listening on {bind}:{port}")
        except WaitTimeout:
            self.stop()
            raise RuntimeError(
                f"the stand-in tunnel did not listen on {bind}:{port} within {timeout:.0f} s"
            ) from None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cutover.edge_proxy", description=__doc__)
    parser.add_argument("--listen", required=True, help="bind:port, e.g. 127.0.0.1:18443")
    parser.add_argument(
        "--route",
        action="append",
        required=True,
        help="PREFIX=UPSTREAM, e.g. /=http://127.0.0.1:9000 (longest prefix wins)",
    )
    parser.add_argument("--log", help="append the access log here (default: stderr)")
    args = parser.parse_args(argv)
    bind, _, port = args.listen.rpartition(":")
    routes = dict(r.split("=", 1) for r in args.route)
    log = open(args.log, "a", encoding="utf-8") if args.log else sys.stderr  # noqa: SIM115
    with contextlib.suppress(KeyboardInterrupt):
        serve(bind, int(port), routes, log)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

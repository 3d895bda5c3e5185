"""Unit tests for the stand-in tunnel (cutover/edge_proxy.py) and the exposure probes
(cutover/exposure.py), against small real HTTP servers on loopback ports."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from cutover.edge_proxy import EdgeProxy, pick_upstream
from cutover.exposure import HttpAnswer, console_answers, fetch, s3_error_code
from cutover.ports import free_port

S3_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
    b"<Message>Signature is required</Message></Error>"
)


class Upstream(BaseHTTPRequestHandler):
    """Answers like RustFS's API port (`role` api) or its console port (`role` console)."""

    role = "api"
    seen: ClassVar[list[tuple[str, str, str]]] = []

    def do_GET(self):
        self.seen.append((self.role, self.path, self.headers.get("Host", "")))
        if self.role == "console" and self.path == "/rustfs/console/health":
            body, kind, status = (
                json.dumps({"service": "rustfs-console"}).encode(),
                "application/json",
                200,
            )
        elif self.role == "console" and self.path == "/rustfs/console/":
            body, kind, status = b"<html>console</html>", "text/html", 200
        else:
            body, kind, status = S3_DENIED, "application/xml", 403
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        data = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.role, self.path, data.decode()))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def upstreams():
    servers = {}
    Upstream.seen = []
    for role in ("api", "console"):
        handler = type(role, (Upstream,), {"role": role})
        server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers[role] = f"http://127.0.0.1:{server.server_address[1]}"
    yield servers
    Upstream.seen.clear()


@pytest.fixture
def start_proxy(tmp_path):
    started = []

    def _start(routes):
        proxy = EdgeProxy.start("127.0.0.1", free_port(), routes, log=tmp_path / "proxy.log")
        started.append(proxy)
        return proxy

    yield _start
    for proxy in started:
        proxy.stop()


def test_longest_route_prefix_wins_segment_wise():
    routes = {"/": "api", "/rustfs/console": "console"}
    assert pick_upstream(routes, "/bucket/key") == "api"
    assert pick_upstream(routes, "/rustfs/console/health") == "console"
    assert pick_upstream(routes, "/rustfs/console") == "console"
    assert pick_upstream(routes, "/rustfs/consoleX") == "api"
    assert pick_upstream({"/only": "x"}, "/other") is None


def test_s3_error_code_reads_only_s3_xml_errors():
    assert s3_error_code(HttpAnswer("u", 403, "application/xml", S3_DENIED)) == "AccessDenied"
    assert s3_error_code(HttpAnswer("u", 502, "text/html", b"<html>Bad gateway</html>")) is None
    assert s3_error_code(HttpAnswer("u", 200, "application/json", b"{}")) is None


def test_proxy_forwards_to_the_api_only_keeping_the_host_header(upstreams, start_proxy, tmp_path):
    proxy = start_proxy({"/": upstreams["api"]})
    answer = fetch(proxy.url + "/")
    assert answer.status == 403 and s3_error_code(answer) == "AccessDenied"
    assert console_answers(proxy.url) == []
    host = proxy.url.removeprefix("http://")
    assert all(role == "api" and seen_host == host for role, _, seen_host in Upstream.seen)
    log = (tmp_path / "proxy.log").read_text()
    assert f'"GET / HTTP/1.1" 403 via {upstreams["api"]}' in log


def test_proxy_passes_request_bodies(upstreams, start_proxy):
    import urllib.request

    proxy = start_proxy({"/": upstreams["api"]})
    request = urllib.request.Request(proxy.url + "/bucket/key", data=b"payload", method="PUT")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200
    assert ("api", "/bucket/key", "payload") in Upstream.seen


def test_console_routed_on_the_public_hostname_is_found(upstreams, start_proxy):
    proxy = start_proxy({"/": upstreams["api"], "/rustfs/console": upstreams["console"]})
    found = console_answers(proxy.url)
    assert len(found) == 2
    assert "/rustfs/console/health answered 200 application/json" in found[0]
    assert "the console service's health route" in found[0]
    assert found[1].endswith("answered 200 text/html (the console UI)")


def test_fetch_without_an_answer_says_why():
    answer = fetch(f"http://127.0.0.1:{free_port()}/", timeout=2)
    assert answer.status is None and "no answer" in answer.describe()

"""The rehearsal's stand-in for JumpCloud: a real OpenID provider process on loopback.

`oidc-provider-mock` (PyPI) is a complete OpenID Connect provider built on authlib: discovery
document, JWKS, authorization endpoint, token endpoint, RS256-signed ID tokens. Started with
`--require-registration` it issues each client its own id and secret at dynamic registration
(RFC 7591) and refuses any other secret at the token endpoint (`invalid_client`), as JumpCloud
does. Its users are set through its test API (`PUT /users/<sub>` with their claims); signing in
as one is a POST of the subject to the authorization endpoint, the form a person would submit.

What differs from JumpCloud: plain HTTP on 127.0.0.1, the issuer is the base URL without a
trailing slash, and claims other than the standard scoped ones are emitted whatever the scope.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from cutover.errors import CutoverError
from cutover.ports import free_port
from cutover.redact import remember
from cutover.wait import NotYet, WaitTimeout, wait_until

STARTUP_TIMEOUT = 30.0
HTTP_TIMEOUT = 10.0


class IdpError(CutoverError):
    """The stand-in IdP did not start or refused a request."""


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    client_secret: SecretStr


class StandinIdp:
    """`python -m oidc_provider_mock` as a separate process on a free loopback port."""

    name = "oidc-provider-mock (stand-in for JumpCloud)"

    @property
    def version(self) -> str:
        from importlib.metadata import version

        return version("oidc-provider-mock")

    def __init__(self, log_path: Path, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = free_port(host)
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def issuer(self) -> str:
        """What the provider puts in `iss`: its base URL as requested, without a trailing slash."""
        return self.base_url

    @property
    def discovery_url(self) -> str:
        return f"{self.base_url}/.well-known/openid-configuration"

    def start(self) -> StandinIdp:
        command = [
            sys.executable,
            "-m",
            "oidc_provider_mock",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--require-registration",
        ]
        env = {**os.environ, "NO_COLOR": "1", "PYTHONWARNINGS": "ignore"}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
            )
        self._wait_for_discovery()
        return self

    def _wait_for_discovery(self) -> None:
        process = self.process
        assert process is not None

        def served() -> bool | NotYet:
            if process.poll() is not None:
                raise IdpError(
                    f"{self.name} exited with {process.returncode} before serving "
                    f"{self.discovery_url}; its log: {self._log_tail()}"
                )
            try:
                status = httpx.get(self.discovery_url, timeout=2).status_code
            except httpx.HTTPError as exc:
                return NotYet(type(exc).__name__)
            return True if status == 200 else NotYet(f"HTTP {status}")

        try:
            wait_until(
                served, timeout=STARTUP_TIMEOUT, interval=0.2, what=f"{self.discovery_url} served"
            )
        except WaitTimeout as exc:
            raise IdpError(
                f"{self.name} did not serve {self.discovery_url} within {STARTUP_TIMEOUT:.0f} s "
                f"(last: {exc.last}); its log: {self._log_tail()}"
            ) from None

    def _log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.strip().splitlines()[-lines:])

    def register_client(self, redirect_uri: str) -> RegisteredClient:
        """Dynamic client registration: the provider issues the client id and secret."""
        response = httpx.post(
            f"{self.base_url}/oauth2/clients",
            json={
                "redirect_uris": [redirect_uri],
                "token_endpoint_auth_method": "client_secret_post",
            },
            timeout=HTTP_TIMEOUT,
        )
        if response.status_code != 201:
            raise IdpError(f"client registration answered {response.status_code}: {response.text}")
        body = response.json()
        remember(body["client_secret"], "OIDC client secret")
        return RegisteredClient(body["client_id"], SecretStr(body["client_secret"]))

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        response = httpx.put(f"{self.base_url}/users/{sub}", json=claims, timeout=HTTP_TIMEOUT)
        if response.status_code != 204:
            raise IdpError(f"setting user {sub} answered {response.status_code}: {response.text}")

    def sign_in(self, authorize_url: str, sub: str) -> str:
        """Submit the login form as `sub`: the redirect (to the client's redirect URI) it answers."""
        response = httpx.post(authorize_url, data={"sub": sub}, timeout=HTTP_TIMEOUT)
        if response.status_code != 302:
            raise IdpError(
                f"signing in as {sub} at {authorize_url.split('?', 1)[0]} answered "
                f"{response.status_code}: {response.text[:300]}"
            )
        return response.headers["location"]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

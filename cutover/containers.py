"""Engine containers for rehearsals: MinIO and RustFS share one base, readiness is a strategy.

Containers run with host networking on 127.0.0.1 ports (no bridge exists on a machine whose
engine was started with --bridge=none), as the data owner, with the dataset bind-mounted rw.
"""

from __future__ import annotations

import contextlib
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from testcontainers.core.container import DockerContainer
from testcontainers.core.waiting_utils import WaitStrategy, WaitStrategyTarget

from cutover.appspec import AppSpec
from cutover.errors import CutoverError
from cutover.profile import EngineKind
from cutover.wait import NotYet, WaitTimeout, wait_until

LABEL = "rustfs-cutover.run"
OWNER_LABEL = "rustfs-cutover.pid"  # the pytest process that owns the container
READY_PATHS = {EngineKind.MINIO: "/minio/health/ready", EngineKind.RUSTFS: "/health/ready"}
# (health of the console service, the UI page); MinIO's console has no health route.
CONSOLE_PATHS = {
    EngineKind.MINIO: ("/", "/"),
    EngineKind.RUSTFS: ("/rustfs/console/health", "/rustfs/console/"),
}


class EngineNotReady(CutoverError):
    """The engine did not answer its readiness probe; carries its own last log lines."""

    def __init__(self, message: str, *, exit_code: int | None, log_tail: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.log_tail = log_tail


_PERMISSION_MARKERS = (
    "permission denied",
    "os error 13",
    "raw_os_error=some(13)",
    "file access denied",
    "write permissions",
)


def diagnose(exc: EngineNotReady, *, run_as: str, data_owner: str) -> str:
    """The engine's failure, its own log lines, and the fix when the log shows a known cause."""
    text = f"{exc}.\nThe engine's own last log lines:\n{exc.log_tail}"
    if any(marker in exc.log_tail.lower() for marker in _PERMISSION_MARKERS):
        text += (
            f"\nDiagnosis: permission denied on the dataset. The container runs as {run_as}, the "
            f'data is owned by {data_owner}: set user: "{data_owner}" in the app (container user '
            "must equal the data owner; never the image default 10001, never chown in place)."
        )
    return text


def log_tail(container: DockerContainer, lines: int = 40) -> str:
    try:
        raw = container.get_wrapped_container().logs(stdout=True, stderr=True, tail=lines)
    except Exception as exc:  # the container may be gone already
        return f"(no logs: {exc})"
    return raw.decode("utf-8", errors="replace").rstrip()


class EngineReady(WaitStrategy):
    """Poll the engine's own health endpoint; give up at once if the process has exited."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def wait_until_ready(self, container: WaitStrategyTarget) -> None:
        def answer() -> bool | NotYet:
            container.reload()
            if container.status in {"exited", "dead"}:
                state = container.get_wrapped_container().attrs["State"]
                code = state.get("ExitCode")
                raise EngineNotReady(
                    f"the engine exited with code {code} before {self.url} answered",
                    exit_code=code,
                    log_tail=log_tail(container),  # type: ignore[arg-type]
                )
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return True
                    return NotYet(f"HTTP {response.status}")
            except urllib.error.HTTPError as exc:
                return NotYet(f"HTTP {exc.code}")
            except OSError as exc:
                return NotYet(str(exc))

        try:
            wait_until(
                answer,
                timeout=self._startup_timeout,
                interval=self._poll_interval,
                what=f"{self.url} answering 200",
            )
        except WaitTimeout as exc:
            raise EngineNotReady(
                f"{self.url} did not answer 200 within {self._startup_timeout:.0f} s "
                f"(last: {exc.last})",
                exit_code=None,
                log_tail=log_tail(container),  # type: ignore[arg-type]
            ) from None


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@dataclass(frozen=True)
class RunningTarget:
    """The deployed target as the verify phase sees it, whichever way it was started.

    A rehearsal's container and a TrueNAS app over SSH both end up as this: what engine runs,
    the spec it really runs with, and where its API and console answer.
    """

    kind: EngineKind
    spec: AppSpec
    api_url: str
    console_url: str

    @property
    def ready_url(self) -> str:
        return self.api_url + READY_PATHS[self.kind]

    @property
    def console_urls(self) -> tuple[str, str]:
        """(health of the console service, its UI page)."""
        health, page = CONSOLE_PATHS[self.kind]
        return self.console_url + health, self.console_url + page


def wait_http_ok(url: str, timeout: float, poll: float = 0.5) -> float | str:
    """Poll `url` until it answers 200: the monotonic time it did, or the last answer seen."""

    def answered_at() -> float | NotYet:
        status = http_status(url, timeout=5)
        return time.monotonic() if status == 200 else NotYet(str(status))

    try:
        return wait_until(answered_at, timeout=timeout, interval=poll, what=f"{url} answering 200")
    except WaitTimeout as exc:
        return str(exc.last)


class EngineContainer(DockerContainer):
    """An S3 engine started from an app spec, the way TrueNAS would run it, on host networking."""

    kind: EngineKind

    def __init__(self, spec: AppSpec, *, name: str, run_id: str, api: Endpoint) -> None:
        super().__init__(spec.image)
        self.spec = spec
        self.api = api
        self.with_name(name)
        self.with_kwargs(
            network_mode="host",
            user=spec.user,
            labels={LABEL: run_id, OWNER_LABEL: str(os.getpid())},
        )
        for key, value in spec.container_env().items():
            self.with_env(key, value)
        for volume in spec.volumes:
            self.with_volume_mapping(volume.host, volume.container, volume.mode)
        if spec.command:
            self.with_command(list(spec.command))
        self.readiness = EngineReady(api.url + READY_PATHS[self.kind]).with_poll_interval(0.25)

    def wait_ready(self, timeout: float = 60) -> float:
        """Block until ready; returns the monotonic time at which readiness was seen."""
        self.readiness.with_startup_timeout(int(timeout)).wait_until_ready(self)
        return time.monotonic()

    def graceful_stop(self, timeout: int = 30) -> None:
        """`docker stop`: SIGTERM, as TrueNAS's Apps -> Stop does, keeping the container for inspection."""
        self.get_wrapped_container().stop(timeout=timeout)
        self.reload()

    def inspect(self) -> dict:
        self.reload()
        return self.get_wrapped_container().attrs

    def remove(self) -> None:
        with contextlib.suppress(Exception):  # already gone: nothing left to clean
            self.stop(force=True)


class MinioContainer(EngineContainer):
    kind = EngineKind.MINIO


class RustfsContainer(EngineContainer):
    kind = EngineKind.RUSTFS


def container_class(kind: EngineKind) -> type[EngineContainer]:
    return {EngineKind.MINIO: MinioContainer, EngineKind.RUSTFS: RustfsContainer}[kind]


def remove_orphans(client) -> list[str]:
    """Remove rehearsal containers whose pytest process is gone (a run killed mid-way).

    They would hold the dataset and a loopback port; live runs' containers are left alone.
    """
    removed = []
    for container in client.containers.list(all=True, filters={"label": OWNER_LABEL}):
        pid = container.labels.get(OWNER_LABEL, "")
        if pid.isdigit() and _alive(int(pid)):
            continue
        with contextlib.suppress(Exception):
            container.remove(force=True)
            removed.append(container.name)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def http_status(url: str, timeout: float = 5) -> int | str:
    """The status a GET of `url` gets, or why there was none."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError as exc:
        return f"no answer ({exc})"

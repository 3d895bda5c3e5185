"""TEST DOUBLE for TrueNAS SCALE's `docker compose up` of a Custom App: not docker compose.

The `midclt` double's app.create hands every new Custom App's YAML to a runner (see
tests/doubles/README.md); this is the runner that really starts it, in the local Docker engine:

    <repo venv python> tests/doubles/app_runner.py [--label VALUE] <app name> <compose yaml>

It models only what the runbook's Custom App YAML holds: exactly one service with `image`,
`user`, `environment`, `env_file` (the secrets, read at every `up` as compose does),
`volumes` (`host:container[:ro|rw]`), `command`, `ports` and `restart`.
It creates and starts one container named `ix-<app>-<service>-1` (TrueNAS's compose naming) with
TrueNAS's compose labels, prints that name as its last stdout line and returns: like TrueNAS's
app.create job it does not wait for the service to become ready.

Differences from TrueNAS, on purpose:
- host networking, `ports:` not published: this machine's dockerd runs with --bridge=none, so
  there is no bridge to publish from; the engine binds its own address (RUSTFS_ADDRESS etc.);
- restart policy "no" whatever `restart:` says, so a crash stays visible as CRASHED;
- it never pulls an image: a missing one is an error (exit 1) naming how to get it.

Anything the compose file holds beyond that exits 2, like the other doubles. Runs with the repo
venv's python (the `docker` SDK and PyYAML); the `bin/` doubles themselves stay stdlib only.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docker.errors  # binds `docker` too (docker.from_env)
import yaml

EXIT_ERROR = 1
EXIT_UNSUPPORTED = 2
DOUBLE_LABEL = "io.rustfs-cutover.nas-double"
SERVICE_KEYS = {
    "image",
    "user",
    "environment",
    "env_file",
    "volumes",
    "command",
    "ports",
    "restart",
}
VOLUME_MODES = {"ro", "rw"}


class RunnerError(Exception):
    """One clear line for stderr, and the exit code (1: failed, 2: not modelled)."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def unsupported(message: str) -> RunnerError:
    return RunnerError(f"app runner double: unsupported: {message}", EXIT_UNSUPPORTED)


def load_service(compose_path: Path) -> tuple[str, dict[str, Any]]:
    """The compose file's one service (name, definition); refuses what it cannot model."""
    try:
        document = yaml.safe_load(compose_path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise RunnerError(f"app runner double: cannot read {compose_path}: {exc}") from None
    if not isinstance(document, dict) or set(document) != {"services"}:
        raise unsupported(f"{compose_path} must hold only a `services` mapping")
    services = document["services"]
    if not isinstance(services, dict) or len(services) != 1:
        count = len(services) if isinstance(services, dict) else 0
        raise unsupported(
            f"{compose_path} must define exactly one service under `services` (found {count})"
        )
    ((name, service),) = services.items()
    if not isinstance(service, dict) or not isinstance(service.get("image"), str):
        raise unsupported(f"service {name!r} needs an `image`")
    extra = sorted(set(service) - SERVICE_KEYS)
    if extra:
        raise unsupported(f"service {name!r} uses {', '.join(extra)}")
    return str(name), service


def _scalar(value: Any, what: str) -> str:
    """A compose scalar as the string docker gets (YAML may have parsed 9000 or true)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise unsupported(f"{what} must be a string, number or boolean, not {value!r}")


def environment(value: Any) -> dict[str, str]:
    """`environment:` as a mapping, or a list of K=V strings (compose accepts both)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): _scalar(v, f"environment {k}") for k, v in value.items()}
    if isinstance(value, list):
        env = {}
        for item in value:
            if not isinstance(item, str) or "=" not in item:
                raise unsupported(f"environment entry {item!r} is not K=V")
            key, _, val = item.partition("=")
            env[key] = val
        return env
    raise unsupported("environment must be a mapping or a list of K=V")


def _env_file_value(raw: str, where: str) -> str:
    """A value as compose reads it: single-quoted is literal; unquoted is taken as is only when
    compose would not interpolate or cut it (no `$`, `#`, quotes, backslash)."""
    if len(raw) >= 2 and raw[0] == raw[-1] == "'" and "'" not in raw[1:-1]:
        return raw[1:-1]
    if any(c in raw for c in "$#'\"\\") or raw != raw.strip():
        raise unsupported(f"{where}: only 'single-quoted' or plain values are modelled")
    return raw


def env_file(value: Any, compose_path: Path) -> dict[str, str]:
    """`env_file:` (a path or a list of paths, relative to the compose file): every file read
    now, as compose reads them at each `up`, so a changed file means a changed container."""
    if value is None:
        return {}
    paths = [value] if isinstance(value, str) else value
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise unsupported("env_file must be a path or a list of paths")
    env: dict[str, str] = {}
    for item in paths:
        path = compose_path.parent / item
        try:
            text = path.read_text()
        except FileNotFoundError:
            raise RunnerError(
                f"env file {path} not found: stat {path}: no such file or directory"
            ) from None
        except OSError as exc:
            raise RunnerError(f"app runner double: cannot read env file {path}: {exc}") from None
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, raw = line.partition("=")
            where = f"{path} line {number}"
            if not sep or not key.strip() or not key.strip().replace("_", "").isalnum():
                raise unsupported(f"{where} is not KEY=VALUE")
            env[key.strip()] = _env_file_value(raw, where)
    return env


def volumes(value: Any) -> list[str]:
    """`host:container[:ro|rw]` binds, each with an explicit mode (rw unless :ro).

    Named volumes and the long syntax are not modelled: the runbook mounts a dataset path.
    """
    binds = []
    for item in value or []:
        parts = item.split(":") if isinstance(item, str) else []
        if len(parts) not in {2, 3} or not parts[0].startswith("/") or not parts[1].startswith("/"):
            raise unsupported(f"volume {item!r} is not /host/path:/container/path[:ro|rw]")
        mode = parts[2] if len(parts) == 3 else "rw"
        if mode not in VOLUME_MODES:
            raise unsupported(f"volume {item!r}: mode must be ro or rw")
        binds.append(f"{parts[0]}:{parts[1]}:{mode}")
    return binds


def command(value: Any) -> list[str] | None:
    """`command:` as a list; a string is split like a shell would (as compose does)."""
    if value is None:
        return None
    if isinstance(value, str):
        return shlex.split(value)
    if isinstance(value, list):
        return [_scalar(v, "command item") for v in value]
    raise unsupported("command must be a list or a string")


def container_name(app: str, service: str) -> str:
    """TrueNAS runs a Custom App as compose project `ix-<app>`; compose names its container."""
    return f"ix-{app}-{service}-1"


def create_kwargs(
    app: str, service: str, spec: dict[str, Any], label: str, compose_path: Path
) -> dict[str, Any]:
    """The `client.containers.create` arguments for the service (never `run`: it would pull).
    As in compose, `environment:` wins over `env_file:`."""
    kwargs: dict[str, Any] = {
        "image": spec["image"],
        "name": container_name(app, service),
        "environment": {
            **env_file(spec.get("env_file"), compose_path),
            **environment(spec.get("environment")),
        },
        "volumes": volumes(spec.get("volumes")),
        "network_mode": "host",
        "restart_policy": {"Name": "no"},
        "labels": {
            "com.docker.compose.project": f"ix-{app}",
            "com.docker.compose.service": service,
            DOUBLE_LABEL: label,
        },
    }
    if spec.get("user") is not None:
        kwargs["user"] = _scalar(spec["user"], "user")
    cmd = command(spec.get("command"))
    if cmd is not None:
        kwargs["command"] = cmd
    return kwargs


def up(client: Any, app: str, compose_path: Path, label: str) -> str:
    """Create and start the app's container; returns its name. Replaces a same-named one."""
    service, spec = load_service(compose_path)
    kwargs = create_kwargs(app, service, spec, label, compose_path)
    name = kwargs["name"]
    with contextlib.suppress(docker.errors.NotFound):
        client.containers.get(name).remove(force=True)
    try:
        container = client.containers.create(**kwargs)
    except docker.errors.ImageNotFound:
        raise RunnerError(
            f"image {spec['image']} is not in the local Docker engine; build or load it "
            "(scripts/setup.sh); the NAS double never pulls"
        ) from None
    try:
        container.start()
    except docker.errors.APIError as exc:
        container.remove(force=True)
        raise RunnerError(f"app runner double: starting {name} failed: {exc}") from None
    return name


def main(argv: list[str], client_factory: Callable[[], Any] = docker.from_env) -> int:
    parser = argparse.ArgumentParser(
        prog="app_runner.py", description="NAS double: `docker compose up` for one Custom App"
    )
    parser.add_argument("--label", default="1", help=f"value of the {DOUBLE_LABEL} label")
    parser.add_argument("app")
    parser.add_argument("compose", type=Path)
    args = parser.parse_args(argv)
    try:
        try:
            client = client_factory()
        except docker.errors.DockerException as exc:
            raise RunnerError(f"app runner double: no Docker engine ({exc})") from None
        name = up(client, args.app, args.compose, args.label)
    except RunnerError as exc:
        print(exc, file=sys.stderr)
        return exc.code
    except docker.errors.DockerException as exc:
        print(f"app runner double: docker failed: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

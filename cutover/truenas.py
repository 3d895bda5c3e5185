"""TrueNAS SCALE's app and cron control through `midclt`, the middleware's own CLI.

`midclt call <method> <json args...>` prints JSON; long operations are jobs and need
`-job` to wait for them. Commands are built here and run through the testinfra host.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class AppState(StrEnum):
    RUNNING = "RUNNING"
    STOPPED = "STOPPED"
    DEPLOYING = "DEPLOYING"
    STOPPING = "STOPPING"
    CRASHED = "CRASHED"


@dataclass(frozen=True)
class Mount:
    source: str
    destination: str


@dataclass(frozen=True)
class App:
    """One `app.query` item: what the middleware knows, which it reads from Docker."""

    name: str
    state: str
    custom_app: bool
    container_ids: tuple[str, ...] = ()
    mounts: tuple[Mount, ...] = ()

    @property
    def stopped(self) -> bool:
        return self.state in {AppState.STOPPED, AppState.CRASHED}

    def mount_map(self) -> dict[str, str]:
        """Container path -> host path, as the runbook's "Host Path ... mounted at" reads."""
        return {m.destination: m.source for m in self.mounts}


def _midclt(*args: str, job: bool = False, midclt: str = "midclt") -> str:
    return (
        f"{shlex.quote(midclt)} call "
        + ("-job " if job else "")
        + " ".join(shlex.quote(a) for a in args)
    )


def app_query_command(name: str, *, midclt: str = "midclt") -> str:
    return _midclt("app.query", json.dumps([["name", "=", name]]), midclt=midclt)


def app_stop_command(name: str, *, midclt: str = "midclt") -> str:
    return _midclt("app.stop", name, job=True, midclt=midclt)


def app_start_command(name: str, *, midclt: str = "midclt") -> str:
    return _midclt("app.start", name, job=True, midclt=midclt)


def app_config_command(name: str, *, midclt: str = "midclt") -> str:
    return _midclt("app.config", name, midclt=midclt)


def app_create_command(name: str, compose_yaml: str, *, midclt: str = "midclt") -> str:
    """A Custom App from YAML (Apps -> Discover Apps -> Custom App -> Install via YAML)."""
    payload = {"app_name": name, "custom_app": True, "custom_compose_config_string": compose_yaml}
    return _midclt("app.create", json.dumps(payload), job=True, midclt=midclt)


def app_update_command(name: str, compose_yaml: str, *, midclt: str = "midclt") -> str:
    """Edit a Custom App's YAML; the middleware redeploys it (compose up with the new spec)."""
    payload = {"custom_compose_config_string": compose_yaml}
    return _midclt("app.update", name, json.dumps(payload), job=True, midclt=midclt)


def cronjob_query_command(*, midclt: str = "midclt") -> str:
    return _midclt("cronjob.query", midclt=midclt)


def parse_apps(text: str) -> list[App]:
    data = _json(text, "app.query")
    if not isinstance(data, list):
        raise ValueError(f"app.query answered {type(data).__name__}, expected a list")
    return [_app(a) for a in data]


def _app(item: dict[str, Any]) -> App:
    workloads = item.get("active_workloads") or {}
    details = workloads.get("container_details") or []
    mounts = workloads.get("volumes") or [
        m for d in details for m in (d.get("volume_mounts") or [])
    ]
    return App(
        name=item["name"],
        state=item.get("state", ""),
        custom_app=bool(item.get("custom_app")),
        container_ids=tuple(d["id"] for d in details if d.get("id")),
        mounts=tuple(Mount(m.get("source", ""), m.get("destination", "")) for m in mounts),
    )


@dataclass(frozen=True)
class CronJob:
    id: int
    command: str
    schedule: str  # "minute hour dom month dow"
    enabled: bool
    user: str
    description: str


def parse_cronjobs(text: str) -> list[CronJob]:
    data = _json(text, "cronjob.query")
    if not isinstance(data, list):
        raise ValueError(f"cronjob.query answered {type(data).__name__}, expected a list")
    jobs = []
    for item in data:
        s = item.get("schedule") or {}
        schedule = " ".join(str(s.get(k, "*")) for k in ("minute", "hour", "dom", "month", "dow"))
        jobs.append(
            CronJob(
                id=int(item.get("id", 0)),
                command=item.get("command", ""),
                schedule=schedule,
                enabled=bool(item.get("enabled")),
                user=item.get("user", ""),
                description=item.get("description", ""),
            )
        )
    return jobs


def _json(text: str, method: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"midclt {method} did not print JSON ({exc}): {text[:200]!r}") from None

"""The runbook's acting steps as objects: one object both describes a step for the plan and
performs it, so the plan an operator approves cannot drift from what the run does.

Each step says what it will do (`describe`, the plan's line and exact command), looks at the
site once (`observe`), says from that whether it is already done (`already_done`, which makes a
resumed run safe) and does it (`perform`, on a Site, with what it saw). The record line of every step names the plan's step, so a test can hold the performed
steps against the plan, in order (`planned` / `performed`).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from cutover import truenas, zfs
from cutover.appspec import AppSpec
from cutover.profile import Profile, ToolsSpec
from cutover.truenas import App, AppState


@dataclass(frozen=True)
class Step:
    """One step as the plan prints it."""

    phase: str
    action: str
    command: str
    already_done_when: str  # "" when the step always runs
    notes: tuple[str, ...] = ()  # printed under the step, one per line


class Site(Protocol):
    """Where the runbook acts: the NAS over SSH (cutover.nas.Nas), or its doubles in CI."""

    where: str

    def snapshots(self, dataset: str) -> list[zfs.Snapshot]: ...
    def children(self, dataset: str) -> list[str]: ...
    def snapshot(self, dataset: str, name: str, *, recursive: bool = False) -> str: ...
    def rollback(self, dataset: str, name: str) -> str: ...
    def app(self, name: str) -> App | None: ...
    def stop_app(self, name: str) -> str: ...
    def start_app(self, name: str) -> str: ...
    def create_app(self, name: str, compose_yaml: str) -> str: ...


@dataclass(frozen=True)
class Outcome:
    step: Step
    did: str  # the record's sentence: what ran (with its command), or why nothing had to
    performed: bool
    seen: Any = None  # what the step observed on the site before acting

    @property
    def line(self) -> str:
        return f"[{self.step.phase}] {self.step.action} -> {self.did}"


class RunbookStep:
    """Describe, observe, check, perform: what the plan and the run share. The site is read
    once per step (each read is an SSH round trip on the NAS)."""

    def describe(self) -> Step:
        raise NotImplementedError

    def observe(self, site: Site) -> Any:
        return None

    def already_done(self, seen: Any) -> str | None:
        """Why nothing needs doing (a resumed run), or None."""
        return None

    def perform(self, site: Site, seen: Any) -> str:
        raise NotImplementedError


def run(step: RunbookStep, site: Site, before: Callable[[], None] | None = None) -> Outcome:
    """The step, unless already done; `before` runs only when it acts (the downtime clock,
    lost writes read before a rollback)."""
    seen = step.observe(site)
    done = step.already_done(seen)
    if done is not None:
        return Outcome(step.describe(), done, performed=False, seen=seen)
    if before is not None:
        before()
    return Outcome(step.describe(), step.perform(site, seen), performed=True, seen=seen)


def tagged(step: Step, did: str) -> str:
    """A record line naming the plan's step, for the steps (60, 70, 80) whose acting is still
    spread over their fixtures: the plan comparison sees them too."""
    return Outcome(step, did, performed=True).line


def tools(profile: Profile) -> ToolsSpec:
    return profile.host.tools if profile.host else ToolsSpec()


@dataclass(frozen=True)
class SnapshotSeen:
    existing: zfs.Snapshot | None
    children: tuple[str, ...]


@dataclass(frozen=True)
class TakeSnapshot(RunbookStep):
    profile: Profile

    def describe(self) -> Step:
        ds, snap = self.profile.dataset.zfs, self.profile.dataset.snapshot
        return Step(
            "10 snapshot",
            f"snapshot {ds}@{snap}, the only rollback",
            zfs.snapshot_command(ds, snap, zfs=tools(self.profile).zfs),
            f"{ds}@{snap} already exists (kept as is; taken with -r when {ds} has child datasets)",
        )

    def observe(self, site: Site) -> SnapshotSeen:
        ds, snap = self.profile.dataset.zfs, self.profile.dataset.snapshot
        children = tuple(site.children(ds))
        return SnapshotSeen(zfs.find_snapshot(site.snapshots(ds), ds, snap), children)

    def already_done(self, seen: SnapshotSeen) -> str | None:
        if seen.existing is None:
            return None
        return (
            f"snapshot {seen.existing.full_name} already there (creation "
            f"{seen.existing.creation}): kept"
        )

    def perform(self, site: Site, seen: SnapshotSeen) -> str:
        ds, snap = self.profile.dataset.zfs, self.profile.dataset.snapshot
        command = site.snapshot(ds, snap, recursive=bool(seen.children))
        return f"took the rollback snapshot: sudo {command}"


@dataclass(frozen=True)
class StopApp(RunbookStep):
    """Stop an app; a stopped one is kept (a resumed run)."""

    profile: Profile
    name: str
    phase: str
    action: str = ""
    done_text: str = "{name} already {state}: kept (resumed run)"
    did_text: str = "stopped the {name} app: sudo {command}"

    def describe(self) -> Step:
        return Step(
            self.phase,
            self.action or f"stop the {self.name} app",
            truenas.app_stop_command(self.name, midclt=tools(self.profile).midclt),
            f"app.query shows {self.name} STOPPED",
        )

    def observe(self, site: Site) -> App | None:
        return site.app(self.name)

    def already_done(self, seen: App | None) -> str | None:
        if seen is None or seen.stopped:
            state = seen.state if seen else "not deployed"
            return self.done_text.format(name=self.name, state=state)
        return None

    def perform(self, site: Site, seen: App) -> str:
        command = site.stop_app(self.name)
        return self.did_text.format(name=self.name, state=seen.state, command=command)


@dataclass(frozen=True)
class StartApp(RunbookStep):
    profile: Profile
    name: str
    phase: str

    def describe(self) -> Step:
        return Step(
            self.phase,
            f"start the {self.name} app again",
            truenas.app_start_command(self.name, midclt=tools(self.profile).midclt),
            f"app.query shows {self.name} RUNNING",
        )

    def observe(self, site: Site) -> App | None:
        return site.app(self.name)

    def already_done(self, seen: App | None) -> str | None:
        return f"{self.name} already RUNNING" if seen and seen.state == AppState.RUNNING else None

    def perform(self, site: Site, seen: App | None) -> str:
        return f"started the {self.name} app again: sudo {site.start_app(self.name)}"


def env_file_note(app: AppSpec) -> tuple[str, ...]:
    """What runs before the YAML is submitted: its secrets, into the file it names."""
    if not app.env_file:
        return ()
    return (
        f"first writes {app.env_file} (root-only, mode 0600; {', '.join(app.secret_keys())}), "
        "sent over SSH on stdin: the YAML names it as env_file and holds no secret",
    )


@dataclass(frozen=True)
class DeployTarget(RunbookStep):
    """Runbook Step 3: the RustFS Custom App, created once; a stopped one is started."""

    profile: Profile
    spec: AppSpec

    def describe(self) -> Step:
        app, name = self.spec, self.profile.target.app
        return Step(
            "30 deploy",
            f"create the {name} Custom App ({app.image}, user {app.user}, "
            f"{', '.join(f'{v.host}:{v.container}' for v in app.volumes)})",
            truenas.app_create_command(name, app.to_yaml(), midclt=tools(self.profile).midclt),
            f"app.query shows {name} RUNNING (started if it exists STOPPED)",
            notes=env_file_note(app),
        )

    def observe(self, site: Site) -> App | None:
        return site.app(self.profile.target.app)

    def already_done(self, seen: App | None) -> str | None:
        if seen is not None and seen.state == AppState.RUNNING:
            return f"{self.profile.target.app} already deployed and RUNNING: kept (resumed run)"
        return None

    def perform(self, site: Site, seen: App | None) -> str:
        name = self.profile.target.app
        if seen is not None:
            return f"{name} was {seen.state}: started it: sudo {site.start_app(name)}"
        site.create_app(name, self.spec.to_yaml())
        return (
            f"created the {name} Custom App (sudo {tools(self.profile).midclt} call -job "
            "app.create, YAML exactly as in rustfs-app.yaml: its secrets are in its env_file)"
        )


@dataclass(frozen=True)
class RollbackDataset(RunbookStep):
    profile: Profile

    def describe(self) -> Step:
        ds, snap = self.profile.dataset.zfs, self.profile.dataset.snapshot
        return Step(
            "50 rollback",
            f"roll {ds} back to @{snap}: every write after the snapshot is lost",
            zfs.rollback_command(ds, snap, zfs=tools(self.profile).zfs),
            f"{self.profile.source.app} already RUNNING on a dataset without .rustfs.sys "
            "(never twice)",
        )

    def observe(self, site: Site) -> zfs.Snapshot | None:
        ds, snap = self.profile.dataset.zfs, self.profile.dataset.snapshot
        return zfs.find_snapshot(site.snapshots(ds), ds, snap)

    def perform(self, site: Site, seen: zfs.Snapshot | None) -> str:
        ds, snap = self.profile.dataset.zfs, self.profile.dataset.snapshot
        creation = seen.creation if seen else "?"
        return f"rolled {ds} back to @{snap} (creation {creation}): sudo {site.rollback(ds, snap)}"


@dataclass(frozen=True)
class RollbackChildren(RunbookStep):
    """Child datasets hold their own data: each with the snapshot goes back with the parent."""

    profile: Profile

    def describe(self) -> Step:
        ds, snap = self.profile.dataset.zfs, self.profile.dataset.snapshot
        zfs_tool = shlex.quote(tools(self.profile).zfs)
        return Step(
            "50 rollback",
            f"roll back each child dataset of {ds} that has @{snap}",
            f"{zfs_tool} rollback -r {ds}/<child>@{snap}",
            f"no child dataset of {ds} has @{snap}",
        )

    def observe(self, site: Site) -> list[str]:
        """The children that have the snapshot."""
        ds, snap = self.profile.dataset.zfs, self.profile.dataset.snapshot
        return [
            child
            for child in site.children(ds)
            if zfs.find_snapshot(site.snapshots(child), child, snap) is not None
        ]

    def already_done(self, seen: list[str]) -> str | None:
        if seen:
            return None
        ds, snap = self.profile.dataset.zfs, self.profile.dataset.snapshot
        return f"no child dataset of {ds} has @{snap}: nothing more to roll back"

    def perform(self, site: Site, seen: list[str]) -> str:
        snap = self.profile.dataset.snapshot
        done = [f"sudo {site.rollback(child, snap)}" for child in seen]
        return "rolled back child dataset(s): " + "; ".join(done)


def cutover_steps(profile: Profile, spec: AppSpec) -> tuple[RunbookStep, ...]:
    """Phases 10, 20 and 30: what acts on the dataset and the apps."""
    return (
        TakeSnapshot(profile),
        StopApp(profile, profile.source.app, "20 stop"),
        DeployTarget(profile, spec),
    )


def rollback_steps(profile: Profile) -> tuple[RunbookStep, ...]:
    """Phase 50: the target stopped, MinIO stopped if something started it on the dataset,
    the dataset and its children rolled back, MinIO started again."""
    source, target = profile.source.app, profile.target.app
    return (
        StopApp(profile, target, "50 rollback"),
        StopApp(
            profile,
            source,
            "50 rollback",
            action=f"stop the {source} app if it runs on the dataset",
            done_text="{name} not running on the dataset ({state})",
            did_text="{name} was {state} on the dataset: stopped it: sudo {command}",
        ),
        RollbackDataset(profile),
        RollbackChildren(profile),
        StartApp(profile, source, "50 rollback"),
    )


_PLANNED = re.compile(r"^\d+\. \[(?P<phase>[^\]]+)\] (?P<action>.+)$")
_PERFORMED = re.compile(r"\[(?P<phase>\d\d [^\]]+)\] (?P<action>.+?) -> ")


def planned(plan: Iterable[str]) -> list[tuple[str, str]]:
    """(phase, action) of every plan step that acts (has a command), in plan order."""
    lines = list(plan)
    steps = []
    for i, line in enumerate(lines):
        match = _PLANNED.match(line)
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if match and following.startswith("$ "):
            steps.append((match["phase"], match["action"]))
    return steps


def performed(actions: Iterable[str]) -> list[tuple[str, str]]:
    """(phase, action) of every runbook step the record says ran or was found done."""
    found = (_PERFORMED.search(line) for line in actions)
    return [(m["phase"], m["action"]) for m in found if m]

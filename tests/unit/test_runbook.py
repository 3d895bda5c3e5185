"""Runbook steps on an in-memory site double: what each performs or finds done, and that the
record's lines name the plan's steps in the plan's order (tests/nas does the same over SSH
against the zfs/midclt doubles)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cutover import runbook, zfs
from cutover.plan import planned_app, render_plan, rollback_plan
from cutover.profile import load_profile
from cutover.truenas import App

PROFILE = load_profile("truenas.example")
DS, SNAP = PROFILE.dataset.zfs, PROFILE.dataset.snapshot
SOURCE, TARGET = PROFILE.source.app, PROFILE.target.app


@dataclass
class SiteDouble:
    """A test double of the NAS: datasets, snapshots and app states in memory; every acting
    call is kept, with the command the real Nas would have run."""

    apps: dict[str, str] = field(default_factory=lambda: {SOURCE: "RUNNING"})
    children_of: dict[str, list[str]] = field(default_factory=dict)
    snaps: set[str] = field(default_factory=set)
    ran: list[str] = field(default_factory=list)
    where: str = "site double"

    def snapshots(self, dataset: str) -> list[zfs.Snapshot]:
        return [
            zfs.Snapshot(d, n, 1)
            for d, _, n in (s.partition("@") for s in self.snaps)
            if d == dataset
        ]

    def children(self, dataset: str) -> list[str]:
        return self.children_of.get(dataset, [])

    def snapshot(self, dataset: str, name: str, *, recursive: bool = False) -> str:
        for d in [dataset, *(self.children(dataset) if recursive else [])]:
            self.snaps.add(f"{d}@{name}")
        return self._ran(zfs.snapshot_command(dataset, name, recursive=recursive))

    def rollback(self, dataset: str, name: str) -> str:
        return self._ran(zfs.rollback_command(dataset, name))

    def app(self, name: str) -> App | None:
        state = self.apps.get(name)
        return App(name, state, True) if state else None

    def stop_app(self, name: str) -> str:
        self.apps[name] = "STOPPED"
        return self._ran(f"app.stop {name}")

    def start_app(self, name: str) -> str:
        self.apps[name] = "RUNNING"
        return self._ran(f"app.start {name}")

    def create_app(self, name: str, compose_yaml: str) -> str:
        self.apps[name] = "RUNNING"
        return self._ran(f"app.create {name}")

    def _ran(self, command: str) -> str:
        self.ran.append(command)
        return command


def steps_on(site: SiteDouble, steps) -> list[runbook.Outcome]:
    return [runbook.run(step, site) for step in steps]


def test_cutover_steps_act_once_then_find_everything_done():
    site = SiteDouble(children_of={DS: [f"{DS}/logs"]})
    steps = runbook.cutover_steps(PROFILE, planned_app(PROFILE))
    first = steps_on(site, steps)
    assert [o.performed for o in first] == [True, True, True]
    assert site.ran[0].endswith(f"snapshot -r {DS}@{SNAP}")  # -r: the child is covered
    assert site.ran[1:] == [f"app.stop {SOURCE}", f"app.create {TARGET}"]
    again = steps_on(site, steps)  # a resumed run changes nothing
    assert [o.performed for o in again] == [False, False, False]
    assert len(site.ran) == 3
    assert "already there" in again[0].did and "kept (resumed run)" in again[2].did


def test_rollback_stops_a_minio_started_on_the_dataset_and_rolls_back_children():
    site = SiteDouble(
        apps={SOURCE: "RUNNING", TARGET: "RUNNING"},
        children_of={DS: [f"{DS}/logs", f"{DS}/new"]},
        snaps={f"{DS}@{SNAP}", f"{DS}/logs@{SNAP}"},  # the child made after it has none
    )
    outcomes = steps_on(site, runbook.rollback_steps(PROFILE))
    assert [o.performed for o in outcomes] == [True, True, True, True, True]
    assert site.ran == [
        f"app.stop {TARGET}",
        f"app.stop {SOURCE}",
        zfs.rollback_command(DS, SNAP),
        zfs.rollback_command(f"{DS}/logs", SNAP),
        f"app.start {SOURCE}",
    ]
    assert "was RUNNING on the dataset: stopped it" in outcomes[1].did


def test_performed_lines_name_the_plans_steps_in_order():
    site = SiteDouble(apps={SOURCE: "STOPPED", TARGET: "RUNNING"}, snaps={f"{DS}@{SNAP}"})
    outcomes = steps_on(site, runbook.rollback_steps(PROFILE))
    actions = [f"2026-12-06T00:00:00Z {o.line}" for o in outcomes]
    plan = ["Rollback plan for x:", *render_plan(rollback_plan(PROFILE), sudo=True).splitlines()]
    assert runbook.performed(actions) == runbook.planned(plan)
    assert len(runbook.planned(plan)) == 5  # the re-verify step is read-only
    assert not outcomes[1].performed and not outcomes[3].performed  # found so, said so
    assert "no child dataset" in outcomes[3].did

"""Unit tests for the production cutover and rollback plans (cutover/plan.py)."""

from __future__ import annotations

import json
import shlex

import pytest
import yaml
from pydantic import SecretStr

from cutover.appspec import AppSpec, Listen, render_rustfs_app
from cutover.plan import cutover_plan, main, render_plan, rollback_plan
from cutover.profile import load_profile

SECRET = "zz-top-secret-zz"
PROFILE = load_profile("truenas.example")


@pytest.fixture
def app() -> AppSpec:
    return render_rustfs_app(
        PROFILE,
        data_owner="473:473",
        host_path=PROFILE.dataset.host_path,
        secret=SecretStr(SECRET),
        listen=Listen("0.0.0.0", 9000, 9001),
    )


def _deployed_compose(command: str) -> dict:
    payload = json.loads(shlex.split(command)[-1])
    assert payload["app_name"] == "rustfs"
    assert payload["custom_app"] is True
    return yaml.safe_load(payload["custom_compose_config_string"])


def test_cutover_plan_phases_and_commands(app):
    steps = cutover_plan(PROFILE, app)
    assert [s.phase for s in steps] == [
        "10 snapshot",
        "20 stop",
        "30 deploy",
        "40 verify",
        "70 rotate key",  # the example profile has a rotation: section
        "80 sso",  # and an oidc: section
    ]
    snapshot, stop, deploy, verify = (s.command for s in steps[:4])
    assert verify == ""  # read-only: nothing to run on the NAS
    assert snapshot == "/usr/sbin/zfs snapshot marathon/minio-dataset@pre-rustfs"
    assert stop == "/usr/bin/midclt call -job app.stop minio"
    assert shlex.split(deploy)[:4] == ["/usr/bin/midclt", "call", "-job", "app.create"]
    assert _deployed_compose(deploy)


def test_deploy_yaml_is_the_runbook_spec_with_secret_as_reference(app):
    compose = _deployed_compose(cutover_plan(PROFILE, app)[2].command)
    service = compose["services"]["rustfs"]
    assert service["image"] == "rustfs/rustfs:1.0.1"
    assert service["user"] == "473:473"
    assert service["environment"]["RUSTFS_VOLUMES"] == "/data"
    assert service["volumes"] == ["/mnt/marathon/minio-dataset:/data"]
    assert service["environment"]["RUSTFS_SECRET_KEY"] == "<secret from $CUTOVER_ROOT_SECRET>"


def test_rollback_plan_stops_rustfs_rolls_back_and_starts_minio():
    """Every step the rollback performs is in its plan: a MinIO someone started on the
    dataset is stopped first, and child datasets go back with the parent."""
    steps = rollback_plan(PROFILE)
    assert [s.command for s in steps] == [
        "/usr/bin/midclt call -job app.stop rustfs",
        "/usr/bin/midclt call -job app.stop minio",
        "/usr/sbin/zfs rollback -r marathon/minio-dataset@pre-rustfs",
        "/usr/sbin/zfs rollback -r marathon/minio-dataset/<child>@pre-rustfs",
        "/usr/bin/midclt call -job app.start minio",
        "",
    ]
    assert "if it runs on the dataset" in steps[1].action
    assert "every write after the snapshot is lost" in steps[2].action
    assert "never twice" in steps[2].already_done_when
    assert "child dataset" in steps[3].action
    assert "baseline.json" in steps[5].action


def test_render_plan_with_sudo_numbers_steps_and_hides_the_secret(app):
    steps = cutover_plan(PROFILE, app) + rollback_plan(PROFILE)
    text = render_plan(steps, sudo=True)
    commands = [line.strip() for line in text.splitlines() if line.strip().startswith("$ ")]
    assert commands == [f"$ sudo {s.command}" for s in steps if s.command]
    assert text.count("(read-only)") == 2
    headings = [line for line in text.splitlines() if line[:1].isdigit()]
    assert [h.split(".", 1)[0] for h in headings] == [str(n) for n in range(1, len(steps) + 1)]
    assert (
        headings[0]
        == "1. [10 snapshot] snapshot marathon/minio-dataset@pre-rustfs, the only rollback"
    )
    assert "skipped when" in text
    assert SECRET not in text


def test_render_plan_without_sudo(app):
    text = render_plan(cutover_plan(PROFILE, app), sudo=False)
    assert "sudo" not in text
    assert "   $ /usr/sbin/zfs snapshot marathon/minio-dataset@pre-rustfs" in text.splitlines()


def test_dress_rehearsal_plan_for_a_production_profile_names_clone_and_cleanup(capsys):
    assert main(["--target", "targets/truenas.example.yml", "--dress-rehearsal"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Dress rehearsal plan for truenas on admin@truenas.lan")
    assert "zfs clone marathon/minio-dataset@dress-rehearsal-<UTC time>" in out
    assert "zfs destroy marathon/minio-dataset-dress-rehearsal" in out
    assert "test_60_r2_sync" in out  # named as not run


def test_dress_rehearsal_plan_refuses_a_rehearsal_profile(capsys):
    assert main(["--target", "rehearsal", "--dress-rehearsal"]) == 2
    assert "a dress rehearsal runs on a copy of real data" in capsys.readouterr().err

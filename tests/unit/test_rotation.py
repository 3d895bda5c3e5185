"""Unit tests for runbook Step 7 (cutover/rotation.py): the profile section, the new secret,
the clients that hold the root keys, and the phase-70 step of the plan."""

from __future__ import annotations

import json
import shlex

import pytest
import yaml
from pydantic import SecretStr, ValidationError

from cutover.errors import ConfigError
from cutover.inventory import IamSnapshot
from cutover.plan import plan_text, rotation_step
from cutover.profile import (
    REPO_ROOT,
    TARGETS_DIR,
    PublicSpec,
    RotationSpec,
    load_profile,
    resolve_new_root_secret,
)
from cutover.rotation import PROBE_POLICY, PROBE_USER, root_key_clients, without_probe
from cutover.truenas import CronJob

EXAMPLE = load_profile("truenas.example")
NEW_ENV = "CUTOVER_NEW_ROOT_SECRET"


def _job(id: int, command: str, description: str = "") -> CronJob:
    return CronJob(id, command, "0 * * * *", True, "root", description)


# --- the profile sections ------------------------------------------------------------------


def test_example_profiles_have_rotation_and_public_sections():
    assert EXAMPLE.rotation is not None and EXAMPLE.rotation.new_secret_env == NEW_ENV
    assert EXAMPLE.public == PublicSpec(api_url="https://s3.example.com")
    rehearsal = load_profile("rehearsal")
    assert rehearsal.rotation.generate_if_missing is True
    assert rehearsal.public.standin_proxy is True


def test_rotation_needs_a_source_for_the_new_secret():
    with pytest.raises(ValidationError, match="new_secret_env or new_secret_file"):
        RotationSpec()


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"api_url": "s3.example.com"}, r"an http\(s\) URL"),
        ({}, "exactly one of api_url"),
        ({"api_url": "https://s3.example.com", "standin_proxy": True}, "exactly one of api_url"),
    ],
)
def test_public_section_is_validated(section, expected):
    with pytest.raises(ValidationError, match=expected):
        PublicSpec(**section)


def _production_copy(tmp_path, **changes) -> str:
    data = yaml.safe_load((TARGETS_DIR / "truenas.example.yml").read_text(encoding="utf-8"))
    data["manifest"] = str(REPO_ROOT / "data-plane" / "datasets.yml")
    for section, values in changes.items():
        data[section] = values
    path = tmp_path / "prod.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"rotation": {"generate_if_missing": True}},
            "rotation.generate_if_missing is for rehearsals",
        ),
        ({"public": {"standin_proxy": True}}, "public.standin_proxy is for rehearsals"),
    ],
)
def test_production_refuses_rehearsal_only_settings(tmp_path, changes, expected):
    with pytest.raises(ConfigError, match=expected):
        load_profile(_production_copy(tmp_path, **changes))


def test_inline_new_secret_is_refused_without_echoing_it(tmp_path):
    path = _production_copy(tmp_path, rotation={"new_secret": "hunter2-rotated-secret"})
    with pytest.raises(ConfigError) as exc_info:
        load_profile(path)
    message = str(exc_info.value)
    assert "rotation.new_secret holds a secret inline" in message
    assert "new_secret_env" in message and "hunter2" not in message


# --- the new secret ------------------------------------------------------------------------


def test_new_secret_from_environment_and_file(tmp_path):
    spec = RotationSpec(new_secret_env=NEW_ENV)
    assert resolve_new_root_secret(spec, {NEW_ENV: "s3cr3t-new"}).get_secret_value() == "s3cr3t-new"
    secret_file = tmp_path / "new-secret"
    secret_file.write_text("from-a-file\n", encoding="utf-8")
    spec = RotationSpec(new_secret_file=str(secret_file))
    assert resolve_new_root_secret(spec, {}).get_secret_value() == "from-a-file"


def test_missing_new_secret_is_one_sentence(tmp_path):
    with pytest.raises(ConfigError) as exc_info:
        resolve_new_root_secret(RotationSpec(new_secret_env=NEW_ENV), {})
    assert str(exc_info.value) == (
        f"no new root secret for the rotation: set the environment variable {NEW_ENV} "
        "(rotation.new_secret_env) to the new secret and rerun; nothing was changed"
    )
    spec = RotationSpec(new_secret_file=str(tmp_path / "absent"))
    with pytest.raises(ConfigError, match="does not exist; nothing was changed"):
        resolve_new_root_secret(spec, {})


def test_rehearsal_generates_a_fresh_secret_each_time():
    spec = RotationSpec(new_secret_env=NEW_ENV, generate_if_missing=True)
    first, second = (resolve_new_root_secret(spec, {}) for _ in range(2))
    assert first.get_secret_value() != second.get_secret_value()
    assert len(first.get_secret_value()) >= 30


# --- the clients that hold the root keys ---------------------------------------------------


def test_clients_from_profile_and_cron_jobs_that_use_the_keys():
    jobs = [
        _job(1, "rclone sync nas:website-assets r2:website-assets", "R2 sync"),
        _job(2, f"AWS_ACCESS_KEY_ID={EXAMPLE.credentials.access_key} aws s3 ls"),
        _job(3, "curl -s http://127.0.0.1:9000/health/ready", "health"),
        _job(4, "zpool scrub marathon", "scrub"),
        _job(5, "echo 19000"),  # another port that merely contains 9000
    ]
    clients = [str(c) for c in root_key_clients(EXAMPLE, jobs)]
    assert clients == [
        "rclone remote 'nas' on the analytics VM (listed in rotation.clients)",
        "lakehouse Spark jobs (s3a secret in the cluster's vault) (listed in rotation.clients)",
        "the R2 sync job's local-side rclone remote (the profile's r2 section syncs from this "
        "store with the root keys)",
        "TrueNAS cron job #2 'AWS_ACCESS_KEY_ID=IJDY6D4LMF3Z34F1BY7S aws s3 ls' (its command "
        "holds the root access key)",
        "TrueNAS cron job #3 'health' (its command talks to the API port 9000)",
    ]


def test_plan_step_updates_the_app_with_the_secret_as_a_reference():
    text = "\n".join(
        plan_text(
            EXAMPLE, cron_jobs=[_job(7, "mc mirror /mnt/exports http://nas:9000/x", "mirror")]
        )
    )
    step = text.split("[70 rotate key]", 1)[1]
    command = next(line.strip() for line in step.splitlines() if line.strip().startswith("$ "))
    argv = shlex.split(command.removeprefix("$ "))
    assert argv[:6] == ["sudo", "/usr/bin/midclt", "call", "-job", "app.update", "rustfs"]
    text = json.loads(argv[6])["custom_compose_config_string"]
    service = yaml.safe_load(text)["services"]["rustfs"]
    assert "RUSTFS_SECRET_KEY" not in service["environment"]
    assert service["environment"]["RUSTFS_ACCESS_KEY"] == EXAMPLE.credentials.access_key
    # The new secret goes first into a new env file, which the updated YAML names.
    assert service["env_file"] == ["/root/rustfs-cutover/rustfs-<UTC time>.env"]
    assert f"# RUSTFS_SECRET_KEY: new secret from ${NEW_ENV}, read from env_file" in text
    assert (
        "first writes /root/rustfs-cutover/rustfs-<UTC time>.env (root-only, mode 0600; "
        "RUSTFS_SECRET_KEY), sent over SSH on stdin" in step
    )
    assert "then update every client that holds the old secret:" in step
    assert "- rclone remote 'nas' on the analytics VM" in step
    assert "- TrueNAS cron job #7 'mirror' (its command talks to the API port 9000)" in step
    assert "skipped when the rustfs app already runs with the new secret" in step


def test_plan_says_when_cron_jobs_were_not_listed():
    text = "\n".join(plan_text(EXAMPLE))
    assert "(TrueNAS cron jobs not listed: the NAS was not reached for this plan)" in text


def test_plan_without_rotation_section_has_no_phase_70():
    profile = EXAMPLE.model_copy(update={"rotation": None})
    assert "70 rotate key" not in "\n".join(plan_text(profile))


def test_rotation_step_never_shows_the_secret():
    from cutover.plan import planned_app

    app = planned_app(EXAMPLE).with_changes(
        environment={**planned_app(EXAMPLE).environment, "RUSTFS_SECRET_KEY": SecretStr("zz-old")}
    )
    step = rotation_step(EXAMPLE, app)
    assert "zz-old" not in step.command and "unused" not in step.command


def test_probe_user_is_not_part_of_the_compared_iam():
    iam = IamSnapshot(
        users={PROBE_USER: {}, "etl-reader": {"status": "enabled"}},
        groups={"data-readers": {}},
        policies={PROBE_POLICY: {}, "lakehouse-read": {}},
    )
    kept = without_probe(iam)
    assert set(kept.users) == {"etl-reader"} and set(kept.policies) == {"lakehouse-read"}
    assert kept.groups == iam.groups

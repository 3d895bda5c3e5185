"""Unit tests for the R2 tier's rules (cutover/r2.py), its profile section and the docker runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from cutover.detached import DockerRun
from cutover.errors import ConfigError
from cutover.manifest import Tier, load_manifest
from cutover.profile import REPO_ROOT, R2Spec, load_profile, resolve_r2_secret
from cutover.r2 import cron_coverage, exposure, rclone_run, sync_container
from cutover.rclone import Remote
from cutover.truenas import parse_cronjobs

MANIFEST = load_manifest(REPO_ROOT / "data-plane" / "datasets.yml")
R2_BUCKETS = ["rerun-recordings", "website-assets"]


def test_manifest_r2_tier():
    assert sorted(b.name for b in MANIFEST.in_tier(Tier.R2)) == R2_BUCKETS


def test_exposure_names_local_tier_and_undeclared_buckets():
    found = exposure(["rerun-recordings", "raw", "scratch-share", "audit-logs"], MANIFEST)
    assert found.local_tier == ["audit-logs", "raw"]
    assert found.undeclared == ["scratch-share"]
    assert exposure(R2_BUCKETS, MANIFEST) == type(found)([], [])


# --- the schedule: TrueNAS cron jobs ---------------------------------------------------------


def jobs(*items):
    return parse_cronjobs(
        json.dumps(
            [
                {
                    "id": i,
                    "user": "root",
                    "command": cmd,
                    "description": "",
                    "enabled": enabled,
                    "schedule": dict(
                        zip(("minute", "hour", "dom", "month", "dow"), sched.split(), strict=True)
                    ),
                }
                for i, (cmd, enabled, sched) in enumerate(items, start=1)
            ]
        )
    )


SYNC_CMD = "/bin/sh -c rclone sync LOCAL:rerun-recordings R2:rerun-recordings ... website-assets"


def test_docker_start_of_the_sync_container_covers_what_it_syncs():
    found = cron_coverage(
        jobs(("docker start -a r2-sync", True, "15 * * * *")),
        R2_BUCKETS,
        container="r2-sync",
        container_command=SYNC_CMD,
        schedule="15 * * * *",
    )
    assert found.problems == []
    assert [j.id for j in found.covering["website-assets"]] == [1]


def test_rclone_in_the_cron_command_covers_the_buckets_it_names():
    found = cron_coverage(
        jobs(
            (
                "docker run --rm rclone/rclone sync LOCAL:rerun-recordings R2:rerun-recordings",
                True,
                "0 * * * *",
            ),
        ),
        R2_BUCKETS,
        container="r2-sync",
        container_command="",
        schedule=None,
    )
    assert found.problems == ["no enabled TrueNAS cron job syncs website-assets to R2"]


def test_no_cron_job_at_all():
    found = cron_coverage(
        jobs(("mc mirror minio/curated /mnt/backup", True, "0 2 * * *")),
        R2_BUCKETS,
        container="r2-sync",
        container_command=SYNC_CMD,
        schedule="15 * * * *",
    )
    assert found.problems == [
        "no enabled TrueNAS cron job syncs rerun-recordings to R2",
        "no enabled TrueNAS cron job syncs website-assets to R2",
    ]


def test_disabled_job_and_wrong_schedule_are_named():
    disabled = cron_coverage(
        jobs(("docker start -a r2-sync", False, "15 * * * *")),
        ["website-assets"],
        container="r2-sync",
        container_command=SYNC_CMD,
        schedule=None,
    )
    assert disabled.problems == [
        "no enabled TrueNAS cron job syncs website-assets to R2 (job #1 would, but is disabled)"
    ]
    elsewhere = cron_coverage(
        jobs(("docker start -a r2-sync", True, "0 3 * * *")),
        ["website-assets"],
        container="r2-sync",
        container_command=SYNC_CMD,
        schedule="15 * * * *",
    )
    assert elsewhere.problems == [
        "the cron job syncing website-assets runs on '0 3 * * *' (#1), not on the profile's "
        "r2.schedule '15 * * * *'"
    ]


def test_container_name_must_match_whole():
    found = cron_coverage(
        jobs(("docker start -a r2-sync-old", True, "15 * * * *")),
        ["website-assets"],
        container="r2-sync",
        container_command=SYNC_CMD,
        schedule=None,
    )
    assert found.problems


# --- the profile's r2: section ---------------------------------------------------------------


def test_shipped_profiles_have_an_r2_section():
    rehearsal = load_profile("rehearsal").r2
    assert rehearsal is not None and rehearsal.standin and rehearsal.schedule == "15 * * * *"
    assert rehearsal.image.official == "rclone/rclone:1.60.1"
    assert rehearsal.image.build.version == "1.60.1"
    production = load_profile("truenas.example").r2
    assert production.endpoint.endswith(".r2.cloudflarestorage.com")
    assert production.container == "r2-sync" and not production.generate_if_missing


def write(tmp_path: Path, name: str, edit) -> Path:
    data = yaml.safe_load((REPO_ROOT / "targets" / f"{name}.yml").read_text())
    data["manifest"] = str(REPO_ROOT / "data-plane" / "datasets.yml")
    edit(data)
    path = tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("name", "edit", "message"),
    [
        (
            "rehearsal",
            lambda d: d["r2"].update(endpoint="https://x.r2.cloudflarestorage.com"),
            "never sends traffic beyond this machine",
        ),
        ("truenas.example", lambda d: d["r2"].update(endpoint="standin"), "for rehearsals"),
        (
            "truenas.example",
            lambda d: d["r2"].update(secret_access_key="abc"),
            "r2.secret_access_key holds a secret inline",
        ),
        ("rehearsal", lambda d: d["r2"].update(schedule="every hour"), "needs 5 fields"),
        ("rehearsal", lambda d: d["r2"].update(schedule="15 * * * mon?"), "not cron syntax"),
        ("rehearsal", lambda d: d["r2"].update(remote="r2-cloud"), "RCLONE_CONFIG_<NAME>_"),
        ("rehearsal", lambda d: d["r2"].update(remote="LOCAL"), "are both 'LOCAL'"),
        ("rehearsal", lambda d: d["r2"].update(endpoint="r2.example"), "http(s) URL"),
    ],
)
def test_r2_section_refuses(tmp_path, name, edit, message):
    with pytest.raises(ConfigError) as exc_info:
        load_profile(str(write(tmp_path, name, edit)))
    assert message in str(exc_info.value)


def test_profile_without_r2_section_loads(tmp_path):
    assert load_profile(str(write(tmp_path, "rehearsal", lambda d: d.pop("r2")))).r2 is None


def spec(**changes) -> R2Spec:
    data = {"endpoint": "standin", "access_key": "AKIA", "image": {"official": "rclone/rclone:1"}}
    return R2Spec.model_validate({**data, **changes})


def test_r2_secret_sources(tmp_path):
    assert resolve_r2_secret(spec(secret_env="R2S"), {"R2S": "x1"}).get_secret_value() == "x1"
    file = tmp_path / "secret"
    file.write_text("from-file\n")
    assert resolve_r2_secret(spec(secret_file=str(file)), {}).get_secret_value() == "from-file"
    assert len(resolve_r2_secret(spec(generate_if_missing=True), {}).get_secret_value()) > 20
    with pytest.raises(ConfigError, match="set environment variable R2S"):
        resolve_r2_secret(spec(secret_env="R2S"), {})
    with pytest.raises(ConfigError, match=r"\(r2.secret_file\) does not exist"):
        resolve_r2_secret(spec(secret_file=str(tmp_path / "none")), {})


# --- the docker runs: no secret on the command line, nor in docker inspect --------------------

LOCAL_R = Remote("LOCAL", "Other", "http://127.0.0.1:9000", "ROOTACCESS", SecretStr("root-s3cr3t"))
R2_R = Remote(
    "R2",
    "Cloudflare",
    "https://a.r2",
    "ak",
    SecretStr("r2-s3cr3t"),
    "secret from $CUTOVER_R2_SECRET",
)


def test_sync_container_command_holds_no_secret_and_mounts_the_config_file():
    job = sync_container(
        "rclone/rclone:1.60.1",
        "r2-sync",
        LOCAL_R,
        R2_R,
        ["rerun-recordings"],
        config_file="/root/rustfs-cutover/r2-sync.rclone.conf",
        transfers=16,
        stats="30s",
    )
    for command in (job.command(detach=True), job.command(), job.command(stdin=True)):
        assert "root-s3cr3t" not in command and "r2-s3cr3t" not in command
        assert "SECRET_ACCESS_KEY" not in command
    shown = job.command(detach=True)
    assert shown.startswith("docker run -d --name r2-sync --network host ")
    assert (
        "-v /root/rustfs-cutover/r2-sync.rclone.conf:/config/rclone/rclone.conf:ro "
        "-e RCLONE_CONFIG=/config/rclone/rclone.conf "
    ) in shown
    assert "-e RCLONE_CONFIG_R2_ACCESS_KEY_ID=ak" in shown
    assert "--entrypoint /bin/sh rclone/rclone:1.60.1 -c 'rc=0; echo r2-sync: start " in shown
    # The secrets are the file's, and only the file's.
    (secret_file,) = job.secret_files
    content = secret_file.content.get_secret_value()
    assert "[LOCAL]\nsecret_access_key = `root-s3cr3t`" in content
    assert "[R2]\nsecret_access_key = `r2-s3cr3t`" in content
    note = job.secrets_note()
    assert note.startswith("/root/rustfs-cutover/r2-sync.rclone.conf (root-only, 0600")
    assert "the secret of R2 (secret from $CUTOVER_R2_SECRET)" in note
    assert "s3cr3t" not in note


def test_a_secret_can_never_be_given_with_e():
    with pytest.raises(TypeError, match="RCLONE_CONFIG_R2_SECRET_ACCESS_KEY is a secret"):
        DockerRun(
            image="rclone/rclone:1.60.1",
            args=("version",),
            env={"RCLONE_CONFIG_R2_SECRET_ACCESS_KEY": SecretStr("s3cr3t")},  # type: ignore[dict-item]
        )


def test_attached_rclone_run_holds_no_secret():
    job = rclone_run(
        "rclone/rclone:1.60.1", ["lsjson", "R2:", "--dirs-only"], R2_R, config_file="/s/x.conf"
    )
    assert job.command() == (
        "docker run --rm --network host -v /s/x.conf:/config/rclone/rclone.conf:ro "
        "-e RCLONE_CONFIG=/config/rclone/rclone.conf -e RCLONE_CONFIG_R2_TYPE=s3 "
        "-e RCLONE_CONFIG_R2_PROVIDER=Cloudflare -e RCLONE_CONFIG_R2_ENDPOINT=https://a.r2 "
        "-e RCLONE_CONFIG_R2_ACCESS_KEY_ID=ak rclone/rclone:1.60.1 lsjson R2: --dirs-only"
    )


# --- the production plan's phase 60 -----------------------------------------------------------


def test_plan_shows_the_detached_sync_and_where_its_secrets_are():
    from cutover.plan import plan_text

    text = "\n".join(plan_text(load_profile("truenas.example"), manifest=MANIFEST))
    assert (
        "5. [60 R2 sync] sync the r2-tier buckets (rerun-recordings, website-assets) to R2" in text
    )
    assert "$ sudo docker run -d --name r2-sync --network host " in text
    assert "RCLONE_CONFIG_LOCAL_ENDPOINT=http://127.0.0.1:9000" in text
    assert "SECRET_ACCESS_KEY" not in text
    assert "-v /root/rustfs-cutover/r2-sync.rclone.conf:/config/rclone/rclone.conf:ro" in text
    assert (
        "its secrets: /root/rustfs-cutover/r2-sync.rclone.conf (root-only, 0600, mounted "
        "read-only) holds the secret of LOCAL (secret from $CUTOVER_ROOT_SECRET), the secret of "
        "R2 (secret from $CUTOVER_R2_SECRET); written first, over SSH on stdin"
    ) in text
    assert "rclone sync LOCAL:website-assets R2:website-assets --checksum --transfers 16" in text
    assert "raw" not in text.split("[60 R2 sync]", 1)[1]  # local-tier buckets are never synced
    assert "6. [60 R2 sync] check R2 against the local engine" in text
    assert "docker start -a r2-sync` on '15 * * * *'" in text
    rollback = "\n".join(plan_text(load_profile("truenas.example"), rollback=True))
    assert "R2" not in rollback

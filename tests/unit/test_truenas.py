"""Unit tests for `midclt` command builders and answer parsers (cutover/truenas.py)."""

from __future__ import annotations

import json
import shlex

import pytest

from cutover.truenas import (
    App,
    CronJob,
    app_create_command,
    app_query_command,
    app_start_command,
    app_stop_command,
    parse_apps,
    parse_cronjobs,
)


def _app(name: str, state: str, *, custom_app: bool = False) -> dict:
    """One entry of `midclt call app.query`, trimmed to the fields TrueNAS SCALE prints."""
    return {
        "name": name,
        "id": name,
        "active_workloads": {
            "containers": 1 if state == "RUNNING" else 0,
            "used_ports": [{"container_port": 9000, "protocol": "tcp", "host_ports": []}],
            "container_details": [],
            "volumes": [],
            "images": ["quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z"],
            "networks": [],
        },
        "state": state,
        "upgrade_available": False,
        "image_updates_available": False,
        "custom_app": custom_app,
        "human_version": "2025.09.07_1.2.3",
        "metadata": {"name": name, "train": "community"},
        "migrated": False,
        "notes": None,
        "portals": {"Web UI": "http://0.0.0.0:9001/"},
        "version": "1.2.3",
    }


APP_QUERY = json.dumps(
    [
        _app("minio", "RUNNING"),
        _app("rustfs", "STOPPED", custom_app=True),
        _app("nextcloud", "CRASHED"),
        _app("jellyfin", "DEPLOYING"),
    ]
)

# --- parse_apps -------------------------------------------------------------------------


def test_parse_apps_reads_name_state_and_custom_app():
    assert parse_apps(APP_QUERY) == [
        App("minio", "RUNNING", False),
        App("rustfs", "STOPPED", True),
        App("nextcloud", "CRASHED", False),
        App("jellyfin", "DEPLOYING", False),
    ]


@pytest.mark.parametrize(
    ("state", "stopped"),
    [("STOPPED", True), ("CRASHED", True), ("RUNNING", False), ("DEPLOYING", False)],
)
def test_app_stopped(state, stopped):
    assert App("minio", state, False).stopped is stopped


def test_parse_apps_empty_list():
    assert parse_apps("[]") == []


def test_parse_apps_non_json_names_the_method():
    with pytest.raises(ValueError, match=r"app\.query"):
        parse_apps("Failed to connect to middleware\n")


def test_parse_apps_object_instead_of_list_is_refused():
    with pytest.raises(ValueError, match="expected a list"):
        parse_apps(json.dumps(_app("minio", "RUNNING")))


# --- command builders -------------------------------------------------------------------


def test_app_query_command_is_exact():
    assert app_query_command("minio") == """midclt call app.query '[["name", "=", "minio"]]'"""


@pytest.mark.parametrize(
    ("build", "method"), [(app_stop_command, "app.stop"), (app_start_command, "app.start")]
)
def test_stop_and_start_wait_for_the_job(build, method):
    assert build("minio") == f"midclt call -job {method} minio"


def test_app_create_command_embeds_the_yaml_payload():
    compose = 'services:\n  rustfs:\n    image: rustfs/rustfs:1.0.1\n    user: "473:473"\n'
    argv = shlex.split(app_create_command("rustfs", compose))
    assert argv[:4] == ["midclt", "call", "-job", "app.create"]
    assert len(argv) == 5
    assert json.loads(argv[4]) == {
        "app_name": "rustfs",
        "custom_app": True,
        "custom_compose_config_string": compose,
    }


@pytest.mark.parametrize("name", ["it's-minio", 'say "hi"; rm -rf /'])
def test_app_name_with_quotes_survives_shell_splitting(name):
    assert shlex.split(app_stop_command(name))[-1] == name
    assert json.loads(shlex.split(app_query_command(name))[-1]) == [["name", "=", name]]
    assert json.loads(shlex.split(app_create_command(name, "x: 1\n"))[-1])["app_name"] == name


# --- parse_cronjobs ---------------------------------------------------------------------

CRONJOB_QUERY = json.dumps(
    [
        {
            "id": 3,
            "user": "root",
            "command": "mc mirror --overwrite minio/curated /mnt/backup/curated",
            "description": "mirror curated bucket",
            "enabled": True,
            "stdout": True,
            "stderr": False,
            "schedule": {"minute": "0", "hour": "*/6", "dom": "*", "month": "*", "dow": "*"},
        },
        {
            "id": 7,
            "user": "admin",
            "command": "/mnt/marathon/scripts/prune.sh",
            "description": "",
            "enabled": False,
            "stdout": False,
            "stderr": True,
            "schedule": {"minute": "30", "hour": "2", "dom": "*", "month": "*", "dow": "0"},
        },
    ]
)


def test_parse_cronjobs():
    assert parse_cronjobs(CRONJOB_QUERY) == [
        CronJob(
            id=3,
            command="mc mirror --overwrite minio/curated /mnt/backup/curated",
            schedule="0 */6 * * *",
            enabled=True,
            user="root",
            description="mirror curated bucket",
        ),
        CronJob(
            id=7,
            command="/mnt/marathon/scripts/prune.sh",
            schedule="30 2 * * 0",
            enabled=False,
            user="admin",
            description="",
        ),
    ]


def test_parse_cronjobs_non_json_names_the_method():
    with pytest.raises(ValueError, match=r"cronjob\.query"):
        parse_cronjobs("not json")


@pytest.mark.parametrize("text", ["{}", '{"error": "denied"}'], ids=["empty", "error"])
def test_parse_cronjobs_object_instead_of_list_is_refused(text):
    with pytest.raises(ValueError, match=r"cronjob\.query"):
        parse_cronjobs(text)


def test_midclt_path_is_one_shell_word():
    midclt = "/opt/mid clt/midclt;id"
    for command in (
        app_query_command("minio", midclt=midclt),
        app_stop_command("minio", midclt=midclt),
    ):
        assert shlex.split(command)[0] == midclt

"""Every environment or mapping the record shows masks what its name says is a secret, not only
the two root-secret names (cutover/appspec.py, cutover/detached.py, cutover/rotation.py)."""

from __future__ import annotations

import pytest
import yaml
from pydantic import SecretStr

from cutover.appspec import AppSpec, Volume, spec_from_container
from cutover.detached import DockerRun
from cutover.profile import RotationSpec
from cutover.redact import MASKED
from cutover.rotation import rotated_app

ROOT = "root-Secret-7d4c2a91&<x>"
CLIENT = "client-Secret-&\"'<>-1234"
KMS = "rehearsal-kms:QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo="
R2 = "r2-Secret-5e1f09c3a7d2/+="


def inspected() -> dict:
    """`docker inspect` of a target after SSO was configured and an R2 job ran beside it."""
    return {
        "Name": "/rustfs",
        "Config": {
            "Image": "rustfs/rustfs:1.0.1",
            "User": "473:473",
            "Env": [
                "RUSTFS_VOLUMES=/data",
                "RUSTFS_ACCESS_KEY=IJDY6D4LMF3Z34F1BY7S",
                f"RUSTFS_SECRET_KEY={ROOT}",
                "RUSTFS_IDENTITY_OPENID_CLIENT_ID=rustfs-client",
                f"RUSTFS_IDENTITY_OPENID_CLIENT_SECRET={CLIENT}",
                f"MINIO_KMS_SECRET_KEY={KMS}",
                f"RCLONE_CONFIG_R2_SECRET_ACCESS_KEY={R2}",
                "RCLONE_CONFIG_R2_ACCESS_KEY_ID=R2STANDINACCESSKEY01",
            ],
        },
        "Mounts": [{"Source": "/mnt/marathon/minio-dataset", "Destination": "/data", "RW": True}],
    }


def test_spec_from_container_masks_every_secret_named_variable():
    spec = spec_from_container(inspected())
    shown = spec.to_yaml()
    for value in (ROOT, CLIENT, KMS, R2):
        assert value not in shown
    env = yaml.safe_load(shown)["services"]["rustfs"]["environment"]
    assert env["RUSTFS_IDENTITY_OPENID_CLIENT_SECRET"] == MASKED
    assert env["MINIO_KMS_SECRET_KEY"] == MASKED
    assert env["RCLONE_CONFIG_R2_SECRET_ACCESS_KEY"] == MASKED
    # identities stay readable: the record says which keys were used
    assert env["RUSTFS_ACCESS_KEY"] == "IJDY6D4LMF3Z34F1BY7S"
    assert env["RCLONE_CONFIG_R2_ACCESS_KEY_ID"] == "R2STANDINACCESSKEY01"
    assert env["RUSTFS_IDENTITY_OPENID_CLIENT_ID"] == "rustfs-client"
    # the engine still gets every value
    assert spec.container_env()["RUSTFS_IDENTITY_OPENID_CLIENT_SECRET"] == CLIENT
    assert spec.container_env()["MINIO_KMS_SECRET_KEY"] == KMS
    # ...through the root-only env_file, never the YAML (which travels on a command line)
    # (a single quote is more than a compose env_file carries: that is refused, see test_appspec)
    plain_client = {"RUSTFS_IDENTITY_OPENID_CLIENT_SECRET": SecretStr("client-secret-plain-1234")}
    with_file = spec.with_changes(
        env_file="/root/rustfs-cutover/rustfs.env", environment={**spec.environment, **plain_client}
    )
    assert KMS in with_file.env_file_text().get_secret_value()
    assert KMS not in with_file.to_yaml()


def test_rotated_app_yaml_leaks_nothing_from_the_running_app():
    """rustfs-app-rotated.yaml is written from the running app's spec (production: docker
    inspect); the client secret, the KMS key and rclone's secret were in it in plain text."""
    rotation = RotationSpec(new_secret_env="CUTOVER_NEW_ROOT_SECRET")
    shown = rotated_app(spec_from_container(inspected()), rotation).to_yaml()
    for value in (ROOT, CLIENT, KMS, R2):
        assert value not in shown
    env = yaml.safe_load(shown)["services"]["rustfs"]["environment"]
    assert env["RUSTFS_SECRET_KEY"] == "<new secret from $CUTOVER_NEW_ROOT_SECRET>"
    assert env["RUSTFS_IDENTITY_OPENID_CLIENT_SECRET"] == MASKED  # not "the new root secret"


def test_plain_string_under_a_secret_name_is_masked_when_shown():
    spec = AppSpec(
        service="minio",
        image="minio:x",
        user="473:473",
        environment={
            "MINIO_KMS_SECRET_KEY": KMS,
            "RUSTFS_SECRET_KEY": "<secret from $CUTOVER_ROOT_SECRET>",
            "RUSTFS_IAM_MASTER_KEY": "",
        },
        volumes=(Volume("/a", "/data"),),
    )
    env = spec.to_compose()["services"]["minio"]["environment"]
    assert env == {
        "MINIO_KMS_SECRET_KEY": MASKED,
        "RUSTFS_SECRET_KEY": "<secret from $CUTOVER_ROOT_SECRET>",  # a reference, kept
        "RUSTFS_IAM_MASTER_KEY": "",
    }
    assert spec.container_env()["MINIO_KMS_SECRET_KEY"] == KMS


def test_docker_run_refuses_a_secret_named_value_even_as_a_plain_string():
    """A docker run's command line is both what runs and what is recorded: a secret there is
    on argv (ps, sudo's log) and in the record, so it must come through a SecretFile."""
    for value in (R2, SecretStr(ROOT)):
        with pytest.raises(TypeError, match="RCLONE_CONFIG_R2_SECRET_ACCESS_KEY is a secret"):
            DockerRun(
                image="rclone/rclone:1.60.1",
                args=("version",),
                env={"RCLONE_CONFIG_R2_SECRET_ACCESS_KEY": value},
            )
    run = DockerRun(
        image="rclone/rclone:1.60.1",
        args=("version",),
        env={
            "RCLONE_CONFIG_R2_ACCESS_KEY_ID": "R2KEY",  # an identity, not a secret
            "RCLONE_CONFIG_R2_SECRET_ACCESS_KEY": "<from the rclone config file>",  # a reference
        },
    )
    assert "RCLONE_CONFIG_R2_ACCESS_KEY_ID=R2KEY" in run.command()

"""The sync container is given a wrong R2 secret: rclone is refused and exits non-zero."""

from dataclasses import replace

from pydantic import SecretStr


def pytest_cutover_r2_prepare(plan, rehearsal):
    plan.sync_remote = replace(plan.sync_remote, secret=SecretStr("not-the-r2-secret-0000"))

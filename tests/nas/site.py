"""A NAS site for the production code path: real sshd on loopback, the zfs/midclt doubles, and a
real, seeded MinIO container that the `minio` app record points at.

Everything the production phases do goes through SSH with sudo to the doubles, which drive
real containers; nothing here is called by the phases themselves.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr

from cutover.appspec import AppSpec, Listen, Volume, render_minio_app
from cutover.containers import Endpoint, MinioContainer
from cutover.manifest import load_manifest
from cutover.ports import free_port
from cutover.profile import REPO_ROOT, load_profile
from cutover.s3 import S3Endpoint
from cutover.seed import seed_from_manifest
from tests.nas.sshd import LoopbackNas, start_sshd
from tests.rehearsal.harness import KNOWN_R2_SECRET, KNOWN_SECRET

DOUBLES = REPO_ROOT / "tests" / "doubles"
DATASET = "marathon/minio-dataset"
DOUBLE_LABEL = "io.rustfs-cutover.nas-double"
R2_ACCESS_KEY = "R2NASDOUBLEACCESS01"


@dataclass
class NasSite:
    work: Path
    ssh: LoopbackNas
    sshd: subprocess.Popen
    root: Path  # the dataset's mountpoint (its host path)
    state: Path  # the doubles' JSON state
    profile: Path
    api_port: int
    console_port: int
    minio: MinioContainer
    label: str
    r2_standin: MinioContainer | None = None

    @property
    def secrets_dir(self) -> Path:
        """host.secrets_dir of this site's profile: the NAS's root-only secret files."""
        return self.work / "nas-secrets"

    @property
    def r2_container(self) -> str:
        """The r2-sync container of this site (its own name: parallel sites share one engine)."""
        return f"r2-sync-{self.label}"

    def read_state(self) -> dict[str, Any]:
        return json.loads(self.state.read_text())

    def write_state(self, state: dict[str, Any]) -> None:
        self.state.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")

    def app_state(self, name: str) -> str | None:
        proc = subprocess.run(
            [str(DOUBLES / "bin" / "midclt"), "call", "app.query", f'[["name", "=", "{name}"]]'],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "NAS_DOUBLE_STATE": str(self.state)},
        )
        apps = json.loads(proc.stdout)
        return apps[0]["state"] if apps else None

    def profile_variant(self, name: str, **host_changes: Any) -> Path:
        data = yaml.safe_load(self.profile.read_text())
        data["host"].update(host_changes)
        path = self.work / f"{name}.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    def profile_with_lying_tools(self, name: str, **no_ops: tuple[str, ...]) -> Path:
        """This site's profile, with zfs/midclt that report success for some calls and do
        nothing (`no_ops`: tool -> substrings of the command lines to swallow)."""
        tools = write_tool_wrappers(self.work / name / "bin", self.state, no_ops=no_ops)
        return self.profile_variant(name, tools=tools)

    def profile_with_r2(self) -> Path:
        """This site's profile with phase 60: a second real MinIO on loopback plays R2 (its
        endpoint an http URL, as a production profile's must be) and the rehearsal's rclone
        image plays the official one."""
        if self.r2_standin is None:
            self.r2_standin = start_r2_standin(self.work / "r2", self.label)
        rehearsal = load_profile("rehearsal")
        assert rehearsal.r2 is not None
        data = yaml.safe_load(self.profile.read_text())
        data["r2"] = {
            "remote": "R2",
            "local_remote": "LOCAL",
            "provider": "Cloudflare",
            "endpoint": self.r2_standin.api.url,
            "access_key": R2_ACCESS_KEY,
            "secret_env": "CUTOVER_R2_SECRET",
            "schedule": "15 * * * *",
            "image": {"official": rehearsal.r2.image.local},
            "container": self.r2_container,
            "sync_timeout": 180,
        }
        path = self.work / "nas-double-r2.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    def endpoint(self, secret: str = KNOWN_SECRET) -> S3Endpoint:
        return S3Endpoint(
            f"http://127.0.0.1:{self.api_port}", "IJDY6D4LMF3Z34F1BY7S", SecretStr(secret)
        )

    def close(self) -> None:
        import docker

        client = docker.from_env()
        for c in client.containers.list(
            all=True, filters={"label": f"{DOUBLE_LABEL}={self.label}"}
        ):
            c.remove(force=True)
        for name in (self.r2_container,):
            with contextlib.suppress(docker.errors.NotFound):
                client.containers.get(name).remove(force=True)
        if self.r2_standin is not None:
            self.r2_standin.remove()
        self.minio.remove()
        self.sshd.terminate()
        self.sshd.wait(timeout=10)
        # Files the engines wrote as 473 and root: remove as root, the doubles' copies too.
        subprocess.run(["rm", "-rf", str(self.work)], check=False)


def write_tool_wrappers(
    bin_dir: Path, state: Path, *, no_ops: dict[str, tuple[str, ...]] | None = None
) -> dict[str, str]:
    """Per-site `zfs`/`midclt` that name this site's state: SSH and sudo drop the environment,
    so the doubles would otherwise need the shared pointer file (which parallel runs fight over).

    `no_ops` injects a fault: calls whose command line contains one of the given strings report
    success (midclt prints a job's `null`) and do nothing, like a tool that lies."""
    bin_dir.mkdir(parents=True)
    tools = {}
    for tool in ("zfs", "midclt"):
        answer = "echo null; " if tool == "midclt" else ""
        faults = "".join(
            f'  *"{call}"*) {answer}exit 0 ;;\n' for call in (no_ops or {}).get(tool, ())
        )
        case = f'case "$*" in\n{faults}esac\n' if faults else ""
        wrapper = bin_dir / tool
        wrapper.write_text(
            "#!/bin/sh\n# NAS DOUBLE wrapper (tests/nas/site.py): the test double, with this site's state\n"
            + case
            + f'NAS_DOUBLE_STATE={state} exec {DOUBLES / "bin" / tool} "$@"\n'
        )
        wrapper.chmod(0o755)
        tools[tool] = str(wrapper)
    return tools


def start_r2_standin(scratch: Path, label: str) -> MinioContainer:
    """A second real MinIO playing R2 for phase 60 (production profiles name an http URL)."""
    scratch.mkdir(parents=True)
    image = load_profile("rehearsal").source.image.local
    api, console = free_port("127.0.0.1"), free_port("127.0.0.1")
    spec = AppSpec(
        service="r2-standin",
        image=image,
        user=f"{os.getuid()}:{os.getgid()}",
        environment={"MINIO_ROOT_USER": R2_ACCESS_KEY, "MINIO_ROOT_PASSWORD": KNOWN_R2_SECRET},
        volumes=(Volume(str(scratch), "/data"),),
        command=(
            "server",
            "/data",
            "--address",
            f"127.0.0.1:{api}",
            "--console-address",
            f"127.0.0.1:{console}",
        ),
    )
    standin = MinioContainer(
        spec, name=f"r2-standin-{label}", run_id=label, api=Endpoint("127.0.0.1", api)
    )
    standin.start()
    standin.wait_ready(timeout=60)
    return standin


def write_profile(
    path: Path, ssh: LoopbackNas, root: Path, api: int, console: int, tools: dict[str, str]
) -> None:
    """A production profile for the double NAS: the same fields an operator fills in."""
    rehearsal = load_profile("rehearsal")
    profile = {
        "name": "nas-double",
        "mode": "production",
        "ticket": "AURA-667",
        "manifest": str(REPO_ROOT / "data-plane" / "datasets.yml"),
        "host": {
            "ssh": f"{ssh.user}@{ssh.host}",
            "port": ssh.port,
            "sudo": True,
            "identity_file": str(ssh.identity_file),
            "ssh_config": str(ssh.ssh_config),
            "tools": tools,
            "secrets_dir": str(path.parent / "nas-secrets"),
        },
        "dataset": {
            "zfs": DATASET,
            "snapshot": "pre-rustfs",
            "host_path": str(root),
            "owner": "473:473",
        },
        "source": {
            "engine": "minio",
            "app": "minio",
            "mount_path": "/export",
            "image": {"official": rehearsal.source.image.local},
        },
        "target": {
            "engine": "rustfs",
            "app": "rustfs",
            "image": {"official": rehearsal.target.image.local},
        },
        "network": {
            "bind": "127.0.0.1",
            "address": "127.0.0.1",
            "api_port": api,
            "console_port": console,
        },
        "credentials": {"access_key": "IJDY6D4LMF3Z34F1BY7S", "secret_env": "CUTOVER_ROOT_SECRET"},
        "verify": {"content_sample": 12},
        # Phase 70 through app.update on the double; the harness sets the new secret.
        "rotation": {"new_secret_env": "CUTOVER_NEW_ROOT_SECRET", "clients": ["the e2e test"]},
        # Loopback plays the public hostname: the API port itself, as a tunnel would publish it.
        "public": {"api_url": f"http://127.0.0.1:{api}"},
        "preflight": {"acknowledged_sse": []},
    }
    path.write_text(yaml.safe_dump(profile, sort_keys=False))


def start_site(work: Path) -> NasSite:
    label = f"site-{secrets.token_hex(4)}"
    sshd, ssh = start_sshd(work / "sshd")
    root = work / "mnt" / "marathon" / "minio-dataset"
    root.mkdir(parents=True)
    os.chown(root, 473, 473)
    api, console = free_port("127.0.0.1"), free_port("127.0.0.1")
    state = work / "nas" / "state.json"
    state.parent.mkdir()
    profile_path = work / "nas-double.yml"
    tools = write_tool_wrappers(work / "nas" / "bin", state)
    write_profile(profile_path, ssh, root, api, console, tools)
    profile = load_profile(str(profile_path))
    minio = MinioContainer(
        render_minio_app(
            profile,
            data_owner="473:473",
            host_path=str(root),
            secret=SecretStr(KNOWN_SECRET),
            listen=Listen("127.0.0.1", api, console),
            image=profile.source.image.official,
        ),
        name=f"ix-minio-minio-{label}",
        run_id=label,
        api=Endpoint("127.0.0.1", api),
    )
    minio.start()
    minio.wait_ready(timeout=60)
    site_endpoint = S3Endpoint(
        f"http://127.0.0.1:{api}", profile.credentials.access_key, SecretStr(KNOWN_SECRET)
    )
    seed_from_manifest(
        site_endpoint.client(), site_endpoint.admin(), load_manifest(profile.manifest_path())
    )

    site = NasSite(work, ssh, sshd, root, state, profile_path, api, console, minio, label)
    site.write_state(
        {
            "datasets": {DATASET: str(root)},
            "snapshots": [],
            "apps": {
                "minio": {
                    "state": "RUNNING",
                    "custom_app": False,
                    "container": minio.get_wrapped_container().name,
                }
            },
            "cronjobs": [
                {
                    "id": 1,
                    "user": "root",
                    "command": f"docker start -a r2-sync-{label}",
                    "description": "rclone sync of the r2-tier buckets to R2",
                    "enabled": True,
                    "stdout": True,
                    "stderr": True,
                    "schedule": {"minute": "15", "hour": "*", "dom": "*", "month": "*", "dow": "*"},
                }
            ],
            "app_runner": f"{sys.executable} {DOUBLES / 'app_runner.py'} --label {label}",
        }
    )
    return site

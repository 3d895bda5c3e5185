"""Secrets reach the machine holding the data on stdin, never on a command line (cutover/nas.py,
cutover/detached.py), here on `local://`, as a rehearsal runs them; tests/nas does the same
over the loopback sshd with sudo."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from pydantic import SecretStr

from cutover import nas as nas_module
from cutover.detached import Containers
from cutover.nas import Nas, NasError
from cutover.r2 import rclone_run
from cutover.rclone import Remote, secrets_config
from tests.argv_sampler import ArgvSampler

SECRET = "unit-Secret-3f9a0c1e7b"


@pytest.fixture
def local() -> Nas:
    return Nas.local()


def test_write_private_is_root_only_and_exact(local, tmp_path):
    folder = tmp_path / "secrets"
    path = folder / "rustfs.env"
    local.write_private(str(path), SecretStr(f"RUSTFS_SECRET_KEY='{SECRET}'\n"))
    assert path.read_text() == f"RUSTFS_SECRET_KEY='{SECRET}'\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert path.stat().st_uid == os.getuid()
    # Rewritten in place of the old one, never left half-written beside it.
    local.write_private(str(path), b"second")
    assert path.read_text() == "second"
    assert sorted(p.name for p in folder.iterdir()) == ["rustfs.env"]
    local.remove_private(str(path))
    assert not path.exists()


def test_write_private_creates_private_directories_and_leaves_existing_ones(local, tmp_path):
    """A directory it creates is 0700, parents too; an existing one may be a pool's root that
    other apps traverse: its mode stays, the file itself is 0600 all the same."""
    folder = tmp_path / "open"
    folder.mkdir(mode=0o755)
    local.write_private(str(folder / "new" / "deeper" / "x.env"), b"x")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    for created in (folder / "new", folder / "new" / "deeper"):
        assert stat.S_IMODE(created.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "new" / "deeper" / "x.env").stat().st_mode) == 0o600


def test_the_secret_goes_on_stdin_never_in_the_command(local, tmp_path, monkeypatch):
    """What write_private hands to the shell: the secret only as input."""
    calls = []
    real = subprocess.run

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(nas_module.subprocess, "run", spy)
    local.write_private(str(tmp_path / "s" / "f.env"), SecretStr(SECRET))
    ((args, kwargs),) = calls
    assert SECRET not in repr(args) and kwargs["input"] == SECRET.encode()


def test_no_process_ever_shows_the_secret(local, tmp_path):
    """Sampled for real: the shell that reads the secret runs a while; its argv stays clean."""
    out = tmp_path / "out"
    with ArgvSampler([SECRET], markers=["sleep 0.3"]) as sampler:
        said = local.run_with_input(f"cat > {out} && sleep 0.3 && echo done", SECRET.encode())
        local.write_private(str(tmp_path / "s" / "f.env"), SecretStr(SECRET))
    assert said.strip() == "done" and out.read_text() == SECRET
    assert sampler.seen == {"sleep 0.3"}, "the sampler never saw the command run"
    assert not sampler.hits, sampler.report()


def test_the_sampler_sees_a_secret_on_a_command_line(local):
    """The sampler is not blind: what the old code did (the secret as an argument) is caught,
    with the secret itself redacted from what it reports."""
    with ArgvSampler([SECRET], markers=["sleep 0.2"]) as sampler:
        local.run(f"echo {SECRET} >/dev/null; sleep 0.2")
    assert sampler.seen == {"sleep 0.2"}
    assert list(sampler.hits.values()) == ["secret #0"]
    assert "<secret #0>" in sampler.report() and SECRET not in sampler.report()


def test_a_failure_names_the_command_never_the_data(local):
    with pytest.raises(NasError) as raised:
        local.run_with_input("cat >/dev/null; echo 'disk full' >&2; exit 3", SECRET.encode())
    message = str(raised.value)
    assert message.startswith("`cat >/dev/null; echo 'disk full' >&2; exit 3` failed on this")
    assert "(exit 3): disk full" in message and SECRET not in message


def test_write_private_failure_is_one_sentence_without_the_secret(local, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(NasError) as raised:
        local.write_private(f"{blocker}/sub/f.env", SecretStr(SECRET))
    message = str(raised.value)
    assert message.startswith(f"could not write the secret file {blocker}/sub/f.env on this")
    assert SECRET not in message and "\n" not in message


@pytest.mark.parametrize("path", ["relative/f.env", "/tmp/a b/f.env", "/tmp/../etc/f", "/tmp/$x"])
def test_write_private_takes_only_plain_absolute_paths(local, path):
    with pytest.raises(NasError, match="is not a plain absolute path"):
        local.write_private(path, b"x")


FAKE_DOCKER = """#!/bin/sh
# Records its argv, and what the mounted secret file held (and its mode) while it ran.
printf '%s\\n' "$@" > "$FAKE_DOCKER_LOG/argv"
for arg in "$@"; do
  case "$arg" in
    *:/config/rclone/rclone.conf:ro)
      f="${arg%%:*}"
      stat -c %a "$f" > "$FAKE_DOCKER_LOG/mode"
      cat "$f" > "$FAKE_DOCKER_LOG/content" ;;
  esac
done
cat > "$FAKE_DOCKER_LOG/stdin"
echo '[]'
"""


def test_an_attached_rclone_run_reads_its_secrets_from_a_file_removed_afterwards(
    local, tmp_path, monkeypatch
):
    bin_dir, log = tmp_path / "bin", tmp_path / "log"
    bin_dir.mkdir()
    log.mkdir()
    (bin_dir / "docker").write_text(FAKE_DOCKER)
    (bin_dir / "docker").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(log))
    remote = Remote("R2", "Other", "http://127.0.0.1:1", "ak", SecretStr(SECRET))
    config = tmp_path / "secrets" / "rclone-1.conf"
    job = rclone_run("rclone:x", ["check", "R2:a", "R2:b"], remote, config_file=str(config))
    done = Containers(local).run(job, stdin_lines=["key one", "key two"])
    assert done.exit_code == 0 and done.stdout.strip() == "[]"
    argv = (log / "argv").read_text()
    assert SECRET not in argv and "SECRET_ACCESS_KEY" not in argv
    assert f"{config}:/config/rclone/rclone.conf:ro" in argv.splitlines()
    assert (log / "content").read_text() == secrets_config(remote).get_secret_value()
    assert (log / "mode").read_text().strip() == "600"
    assert (log / "stdin").read_text() == "key one\nkey two\n"
    assert not config.exists(), "an attached run's secret file outlives it"


def test_a_detached_job_keeps_its_secret_file_for_docker_start(local, tmp_path, monkeypatch):
    bin_dir, log = tmp_path / "bin", tmp_path / "log"
    bin_dir.mkdir()
    log.mkdir()
    (bin_dir / "docker").write_text(FAKE_DOCKER.replace("echo '[]'", "echo 0123abcd"))
    (bin_dir / "docker").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(log))
    remote = Remote("R2", "Other", "http://127.0.0.1:1", "ak", SecretStr(SECRET))
    config = Path(tmp_path / "secrets" / "r2-sync.rclone.conf")
    job = rclone_run("rclone:x", ["sync", "R2:a", "R2:b"], remote, config_file=str(config))
    assert Containers(local).start(job) == "0123abcd"
    assert SECRET not in (log / "argv").read_text()
    assert config.read_text() == secrets_config(remote).get_secret_value()


def test_output_holding_secrets_stays_out_of_testinfras_debug_log(local, caplog, tmp_path):
    """`docker inspect` of the app prints its environment (the env_file's secrets): testinfra
    would log that output at DEBUG (`pytest -vv` shows it)."""
    env = tmp_path / "env"
    env.write_text(SECRET)
    caplog.set_level("DEBUG")
    assert local.run(f"cat {env}", secret_output=True) == SECRET
    assert f"cat {env}" in caplog.text and SECRET not in caplog.text
    local.run(f"cat {env}")  # the default: testinfra runs it, and logs what it printed
    assert SECRET in caplog.text

"""The NAS is reached through testinfra's SSH backend with sudo, against a real sshd.

The preflight's layout reading (stat, find, cat) must give the same answer over SSH as it
does locally: production preflight runs exactly this code path.
"""

import json
import os
import stat

import pytest
import testinfra
from pydantic import SecretStr

from cutover.layout import inspect_dataset, tree_hashes
from cutover.nas import Nas, NasError
from tests.argv_sampler import ArgvSampler
from tests.nas.sshd import start_sshd


@pytest.fixture(scope="module")
def nas(tmp_path_factory):
    proc, nas = start_sshd(tmp_path_factory.mktemp("sshd"))
    yield nas
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def dataset(tmp_path):
    root = tmp_path / "mnt" / "marathon" / "minio-dataset"
    (root / ".minio.sys").mkdir(parents=True)
    (root / ".minio.sys" / "format.json").write_text(
        json.dumps({"version": "1", "format": "xl-single"})
    )
    (root / "raw").mkdir()
    for path in (root, root / ".minio.sys", root / "raw"):
        os.chown(path, 473, 473)
    return root


def test_layout_over_ssh_with_sudo_equals_local(nas, dataset):
    remote = testinfra.get_host(nas.testinfra_url(sudo=True))
    local = testinfra.get_host("local://")
    over_ssh = inspect_dataset(remote, str(dataset))
    assert over_ssh == inspect_dataset(local, str(dataset))
    assert over_ssh.owner == "473:473" and over_ssh.bucket_dirs == ["raw"]
    assert over_ssh.format_kind == "xl-single"
    assert tree_hashes(remote, str(dataset / ".minio.sys")) == tree_hashes(
        local, str(dataset / ".minio.sys")
    )


def test_commands_run_through_sudo(nas):
    remote = testinfra.get_host(nas.testinfra_url(sudo=True))
    assert remote.run("id -u").stdout.strip() == "0"
    assert remote.sudo  # testinfra wraps every command in sudo for this host


def test_wrong_key_is_refused(nas, tmp_path):
    stranger = tmp_path / "stranger"
    os.system(f"ssh-keygen -q -t ed25519 -N '' -f {stranger}")
    url = nas.testinfra_url().replace(str(nas.identity_file), str(stranger))
    # testinfra raises (ssh exits 255) rather than returning a result: the production path
    # must turn this into an operator sentence (issue 4's "wrong SSH key" case).
    with pytest.raises(RuntimeError, match=r"Permission denied \(publickey\)"):
        testinfra.get_host(url).run("true")


# --- secrets over SSH: on stdin, never on a command line ------------------------------------

SSH_SECRET = "ssh-Secret-8c2d41fa90"


def _nas(nas_door, **changes) -> Nas:
    url = nas_door.testinfra_url(sudo=True)
    for old, new in changes.items():
        url = url.replace(old, new)
    return Nas(testinfra.get_host(url), f"{nas_door.user}@{nas_door.host}:{nas_door.port}")


def test_write_private_over_ssh_with_sudo_is_root_only_and_on_no_command_line(nas, tmp_path):
    folder = tmp_path / "secrets"
    path = folder / "rustfs.env"
    remote = _nas(nas)
    with ArgvSampler([SSH_SECRET], markers=["umask 077", "sleep 0.3"]) as sampler:
        remote.write_private(str(path), SecretStr(f"RUSTFS_SECRET_KEY='{SSH_SECRET}'\n"))
        said = remote.run_with_input("cat > /dev/null && sleep 0.3 && id -u", SSH_SECRET.encode())
    assert said.strip() == "0"  # ran through sudo, as root
    assert path.read_text() == f"RUSTFS_SECRET_KEY='{SSH_SECRET}'\n"
    info = path.stat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o600)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # ssh, the sshd session, sudo and sh all ran while sampled; none carried the secret.
    assert sampler.seen == {"umask 077", "sleep 0.3"}, "the sampler never saw the commands run"
    assert not sampler.hits, sampler.report()


def test_run_with_input_over_ssh_translates_a_refused_key(nas, tmp_path):
    stranger = tmp_path / "stranger"
    os.system(f"ssh-keygen -q -t ed25519 -N '' -f {stranger}")
    remote = _nas(nas, **{str(nas.identity_file): str(stranger)})
    with pytest.raises(NasError) as raised:
        remote.write_private(str(tmp_path / "x.env"), SecretStr(SSH_SECRET))
    message = str(raised.value)
    assert message.startswith(f"cannot reach the NAS over SSH at root@127.0.0.1:{nas.port}")
    assert "Permission denied (publickey)" in message and "the NAS refused the SSH key" in message
    assert SSH_SECRET not in message

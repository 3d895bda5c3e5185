"""The NAS is reached through testinfra's SSH backend with sudo, against a real sshd.

The preflight's layout reading (stat, find, cat) must give the same answer over SSH as it
does locally: production preflight runs exactly this code path.
"""

import json
import os

import pytest
import testinfra

from cutover.layout import inspect_dataset, tree_hashes
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

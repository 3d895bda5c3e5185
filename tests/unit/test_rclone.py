"""Unit tests for reading rclone (cutover/rclone.py), on outputs the real rclone 1.60.1 printed
against two real MinIO servers (tests/unit/data/rclone/capture.sh regenerates them)."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from pydantic import SecretStr

from cutover.r2 import BucketCheck
from cutover.rclone import (
    CONFIG_IN_CONTAINER,
    ConfigValueError,
    Remote,
    check_args,
    download_check_args,
    is_multipart_etag,
    parse_buckets,
    parse_check,
    parse_sync_log,
    remotes_env,
    secrets_config,
    stats_line,
    sync_args,
    sync_script,
)
from tests.prereq import require

DATA = Path(__file__).parent / "data" / "rclone"
CAPTURE_SECRETS = ("asecret123", "bsecret123", "wrong-secret-0")
LOCAL = Remote("LOCAL", "Other", "http://127.0.0.1:9000", "IJDY6D4LMF3Z34F1BY7S", SecretStr("s1"))
R2 = Remote("R2", "Cloudflare", "https://acct.r2.cloudflarestorage.com", "ak", SecretStr("s2"))


def captured(name: str):
    rc = int((DATA / f"{name}.rc").read_text())
    combined = (DATA / f"{name}.combined").read_text()
    log = (DATA / f"{name}.log").read_text()
    return parse_check(rc, combined, log)


def everything_said(report) -> str:
    return "\n".join(
        [report.combined, *report.errors, *report.reasons.values(), *report.not_hashed]
    )


# --- the trap: a multipart object's same-size change passes a plain rclone check ------------


def test_multipart_change_passes_the_hash_check_alone():
    """What rclone's exit code and --combined say: all '=' and exit 0, with a changed object."""
    first = captured("multipart_changed")
    assert first.exit_code == 0
    assert ("=", "rec/big.rrd") in first.entries
    assert first.naive_pass, "without a second pass this check would have passed"
    assert first.hashes_not_checked == 1
    assert first.not_hashed == ["rec/big.rrd"]


def test_clean_and_changed_multipart_look_the_same_to_the_hash_pass():
    clean, changed = captured("clean"), captured("multipart_changed")
    assert sorted(clean.entries) == sorted(changed.entries)
    assert clean.exit_code == changed.exit_code == 0


def test_second_pass_catches_the_multipart_change():
    first = captured("multipart_changed")
    second = captured("multipart_changed_download")
    check = BucketCheck("pub", first, multipart={"rec/big.rrd"})
    assert check.unverified() == ["rec/big.rrd"]
    check.download, check.downloaded = second, ["rec/big.rrd"]
    assert second.paths("*") == ["rec/big.rrd"]
    problems = check.problems()
    assert len(problems) == 1
    assert problems[0].startswith("pub/rec/big.rrd: content differs on R2 (found by the --download")
    assert "listed it as matching '='" in problems[0]


def test_without_a_download_pass_an_unhashed_match_is_a_problem():
    check = BucketCheck("pub", captured("clean"))
    assert check.unverified() == ["rec/big.rrd"]
    assert check.problems() == [
        "pub/rec/big.rrd: listed as matching but its hash could not be checked, and no "
        "--download pass compared it"
    ]


def test_clean_bucket_with_its_multipart_object_downloaded_passes():
    first = captured("clean")
    second = parse_check(0, "= rec/big.rrd\n", "")
    check = BucketCheck("pub", first, download=second, downloaded=["rec/big.rrd"])
    assert check.problems() == []
    assert "1 hash(es) rclone could not check" in check.summary()
    assert "--download pass over 1 object(s): 1 identical" in check.summary()


def test_rclone_counting_more_unhashed_than_it_named_is_not_trusted():
    first = captured("clean")
    first.not_hashed = []  # as if the DEBUG records were lost
    check = BucketCheck("pub", first, download=parse_check(0, "", ""), downloaded=[])
    assert any("could not check 1 hash(es) but named only 0" in p for p in check.problems())


def test_multipart_etag_alone_sends_an_object_to_the_second_pass():
    """Even where rclone named nothing, a local multipart ETag means no MD5 was compared."""
    first = parse_check(0, "= big.bin\n= small.txt\n", "")
    check = BucketCheck("pub", first, multipart={"big.bin"})
    assert check.unverified() == ["big.bin"]


# --- the rest of what rclone check says ---------------------------------------------------


def test_drift_names_every_object_and_why():
    report = captured("drift")
    assert report.exit_code == 1
    assert report.paths("*") == ["a.txt"]
    assert report.paths("+") == ["dir/b.bin"]
    assert report.paths("-") == ["stale/old.html"]
    assert report.reasons["a.txt"] == "md5 differ"
    assert report.counts["differences found"] == 3
    problems = BucketCheck(
        "pub", report, download=parse_check(0, "= rec/big.rrd\n", ""), downloaded=["rec/big.rrd"]
    ).problems()
    assert problems == [
        "pub/a.txt: content differs on R2 (md5 differ; same size, so a --size-only check "
        "would have passed it)",
        "pub/dir/b.bin: missing on R2",
        "pub/stale/old.html: on R2 but not on the local engine (R2 still serves it publicly)",
    ]


def test_size_only_misses_the_same_size_change():
    """The same drift read with --size-only: a.txt, changed on R2, counts as matching."""
    report = captured("drift_size_only")
    assert ("=", "a.txt") in report.entries
    assert "a.txt" not in report.reasons
    assert "--size-only" not in check_args(LOCAL, R2, "pub")


def test_refused_key_has_no_entries_and_still_fails():
    report = captured("denied")
    assert report.exit_code == 1 and report.entries == []
    problems = BucketCheck("pub", report).problems()
    assert len(problems) == 1
    assert problems[0].startswith("pub: rclone check failed (exit 1): ")
    assert "SignatureDoesNotMatch" in problems[0]


@pytest.mark.parametrize(
    "name", ["clean", "multipart_changed", "drift", "drift_size_only", "denied"]
)
def test_debug_records_with_secrets_never_leave_the_parser(name):
    raw = (DATA / f"{name}.log").read_text()
    assert any(secret in raw for secret in CAPTURE_SECRETS), "capture lost its debug lines"
    said = everything_said(captured(name)) + "\n".join(
        BucketCheck("pub", captured(name)).problems()
    )
    for secret in CAPTURE_SECRETS:
        assert secret not in said


def test_parse_buckets_reads_lsjson():
    assert parse_buckets((DATA / "lsjson_buckets.json").read_text()) == ["pub"]
    assert parse_buckets("") == []
    with pytest.raises(ValueError, match="lsjson"):
        parse_buckets('{"Name": "x"}')


@pytest.mark.parametrize(
    ("etag", "multipart"),
    [('"30ce06c494d8aefec9b188f852815beb-2"', True), ('"5eb63bbbe01eeed093cb22bb8f5acdc3"', False)],
)
def test_multipart_etag(etag, multipart):
    assert is_multipart_etag(etag) is multipart


# --- commands ------------------------------------------------------------------------------


def test_remote_env_is_runbook_step_4_without_the_secrets():
    env = remotes_env(LOCAL, R2)
    assert env["RCLONE_CONFIG"] == CONFIG_IN_CONTAINER
    assert env["RCLONE_CONFIG_R2_TYPE"] == "s3"
    assert env["RCLONE_CONFIG_R2_PROVIDER"] == "Cloudflare"
    assert env["RCLONE_CONFIG_R2_ENDPOINT"] == "https://acct.r2.cloudflarestorage.com"
    assert env["RCLONE_CONFIG_LOCAL_ACCESS_KEY_ID"] == "IJDY6D4LMF3Z34F1BY7S"
    # A variable would be on `docker run -e` (the NAS's command lines, docker inspect).
    assert not any(k.endswith("SECRET_ACCESS_KEY") for k in env)
    assert all(isinstance(v, str) for v in env.values())
    assert "s1" not in env.values() and "s2" not in env.values()


TRICKY_SECRETS = [
    "plain",
    " lead and trail ",
    'dq"in"side',
    "single'quote",
    "semi;colon #hash = equals",
    "back\\slash\\",
    "`backquoted`",
    'both`and"""',
    "$dollar%percent",
]


@pytest.mark.parametrize("secret", TRICKY_SECRETS)
def test_secrets_config_reads_back_exactly_with_the_real_rclone(tmp_path, secret):
    """rclone 1.60.1's own config parser reads the file back to the same secret; the rest of
    the remote comes from the variables."""
    require(shutil.which("rclone") is not None, "rclone is not installed: run scripts/setup.sh")
    remote = Remote("R2", "Cloudflare", "https://acct.r2.example", "ak", SecretStr(secret))
    conf = tmp_path / "rclone.conf"
    conf.write_text(secrets_config(LOCAL, remote).get_secret_value())
    env = {**remotes_env(LOCAL, remote), "RCLONE_CONFIG": str(conf), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        ["rclone", "config", "dump"], env=env, capture_output=True, text=True, check=True
    )
    dumped = json.loads(proc.stdout)
    assert dumped["R2"]["secret_access_key"] == secret
    assert dumped["LOCAL"]["secret_access_key"] == "s1"


def test_secrets_config_refuses_a_line_break():
    remote = Remote(
        "R2", "Cloudflare", "https://a", "ak", SecretStr("two\nlines"), "secret from $X"
    )
    with pytest.raises(ConfigValueError) as raised:
        secrets_config(remote)
    assert "two" not in str(raised.value)
    assert str(raised.value).startswith("the secret of rclone remote R2 (secret from $X) holds")


def test_sync_args_are_the_runbooks():
    runbook = "sync LOCAL:rerun-recordings R2:rerun-recordings --checksum --transfers 16 --stats 30s --stats-one-line -v"
    args = sync_args(LOCAL, R2, "rerun-recordings", transfers=16, stats="30s")
    assert " ".join(args) == runbook


def test_check_passes_use_hashes_then_download_never_size_only():
    first, second = check_args(LOCAL, R2, "b"), download_check_args(LOCAL, R2, "b")
    assert first[:3] == ["check", "LOCAL:b", "R2:b"] and "--download" not in first
    assert "--download" in second and second[second.index("--files-from-raw") + 1] == "-"
    for args in (first, second):
        assert "--size-only" not in args and "--one-way" not in args
        assert args[args.index("--combined") + 1] == "-"


def test_sync_script_runs_every_bucket_and_keeps_the_failure(tmp_path):
    """The script itself, run by a real sh with a stand-in `rclone` that fails for one bucket."""
    fake = tmp_path / "rclone"
    fake.write_text(
        '#!/bin/sh\necho "INFO  :   1.0 KiB / 1.0 KiB, 100%, 0 B/s, ETA - $2"\n'
        'case "$2" in *bad*) echo "ERROR : refused" >&2; exit 7;; esac\n'
    )
    fake.chmod(0o755)
    script = sync_script(LOCAL, R2, ["good-one", "bad-one", "good-two"], transfers=4, stats="5s")
    proc = subprocess.run(
        ["sh", "-c", script],
        capture_output=True,
        text=True,
        env={"PATH": f"{tmp_path}:/usr/bin:/bin"},
    )
    assert proc.returncode == 7
    outcomes = parse_sync_log(proc.stdout)
    assert [(o.bucket, o.exit_code) for o in outcomes] == [
        ("good-one", 0),
        ("bad-one", 7),
        ("good-two", 0),
    ]
    assert outcomes[1].stats.startswith("1.0 KiB / 1.0 KiB, 100%")
    assert "ERROR : refused" in outcomes[1].log


def test_sync_log_of_a_container_that_died_mid_bucket():
    outcomes = parse_sync_log("r2-sync: start a\nr2-sync: end a exit 0\nr2-sync: start b\nboom\n")
    assert [(o.bucket, o.exit_code) for o in outcomes] == [("a", 0), ("b", None)]


def test_stats_line_from_real_sync_logs():
    ok = (DATA / "sync_ok.log").read_text().splitlines()
    assert stats_line(ok).endswith("100%, 0 B/s, ETA -")
    assert " / " in stats_line(ok) and not stats_line(ok).startswith("20")
    denied = (DATA / "sync_denied.log").read_text().splitlines()
    assert stats_line(denied) == "0 B / 0 B, -, 0 B/s, ETA -"


def test_sync_script_quotes_what_it_runs():
    script = sync_script(LOCAL, R2, ["website-assets"], transfers=16, stats="30s")
    assert "rclone sync LOCAL:website-assets R2:website-assets --checksum" in script
    assert shlex.split(script)  # parses as shell words


# --- the real binary: what --size-only does ------------------------------------------------


def test_real_rclone_size_only_passes_a_same_size_change(tmp_path):
    require(
        shutil.which("rclone") is not None, "Debian's rclone is not installed (scripts/setup.sh)"
    )
    src, dst = tmp_path / "src", tmp_path / "dst"
    for side, body in ((src, b"hello world"), (dst, b"HELLO WORLD")):
        side.mkdir()
        (side / "a.txt").write_bytes(body)
    env = {"PATH": "/usr/bin:/bin", "RCLONE_CONFIG": "/notfound", "HOME": str(tmp_path)}
    base = ["rclone", "check", str(src), str(dst), "--combined", "-"]
    hashed = subprocess.run(base, capture_output=True, text=True, env=env)
    sized = subprocess.run([*base, "--size-only"], capture_output=True, text=True, env=env)
    assert (hashed.returncode, hashed.stdout) == (1, "* a.txt\n")
    assert (sized.returncode, sized.stdout) == (0, "= a.txt\n")


def test_a_bucket_missing_whole_is_one_line():
    report = parse_check(1, "+ a\n+ b\n+ c\n+ d\n", "")
    assert BucketCheck("web", report).problems() == [
        "web: all 4 object(s) missing on R2 (the bucket is absent or empty there), e.g. a, b, c"
    ]

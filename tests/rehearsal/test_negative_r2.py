"""Negative rehearsals of phase 60, the R2 exposure tier: each fault plugin in tests/faults/r2_*
breaks one thing a check exists for, against real engines and the real rclone, and the check
must fail saying what is wrong and what to do.

The faults that touch R2's contents act on disjoint objects and buckets after the sync, so one
rehearsal carries them all and each test reads its own check's message (one suite run instead
of six on shared cores). The sync that dies runs alone: it takes every later check with it.
"""

import base64
import re

import pytest

from tests.rehearsal.harness import KNOWN_R2_SECRET, KNOWN_SECRET, rehearse

DATA_FAULTS = (
    "r2_object_changed_same_size",
    "r2_multipart_changed_same_size",
    "r2_object_missing",
    "r2_local_bucket_exposed",
    "r2_undeclared_bucket",
    "r2_schedule_missing",
)


def report_extras(run) -> list[str]:
    """The text extras of the run's report.html (pytest-html embeds them base64-encoded)."""
    html = (run.run_dir / "report.html").read_text(encoding="utf-8")
    blobs = re.findall(r"data:text/plain;charset=utf-8;base64,([A-Za-z0-9+/=]+)", html)
    return [base64.b64decode(b).decode("utf-8", errors="replace") for b in sorted(set(blobs))]


# The r2-sync start and the attached rclone runs, all through this machine's shell and docker
# CLI, as production runs them on the NAS.
R2_COMMANDS = ("docker run -d", "lsjson", "--download")


@pytest.fixture(scope="module")
def drifted(tmp_path_factory):
    return rehearse(
        tmp_path_factory.mktemp("reports"), "r2", faults=DATA_FAULTS, watch_argv=R2_COMMANDS
    )


@pytest.fixture(scope="module")
def sync_died(tmp_path_factory):
    return rehearse(tmp_path_factory.mktemp("reports"), "r2", faults=("r2_sync_dies",))


def test_same_size_change_is_caught_by_hash(drifted):
    message = drifted.failed("test_r2_buckets_in_sync")
    assert (
        "rerun-recordings/dt=2026-06-01/part-00001.parquet: content differs on R2 (md5 differ; "
        "same size, so a --size-only check would have passed it)"
    ) in message
    assert "Run the sync again (docker start -a r2-sync)" in message


def test_same_size_change_to_a_multipart_object_is_caught_by_download(drifted):
    key = "rerun-recordings/recordings/2026-06-01/session-0001.rrd"
    message = drifted.failed("test_r2_buckets_in_sync")
    assert f"{key}: content differs on R2 (found by the --download pass" in message
    assert "listed it as matching '=' because its hash could not be checked" in message
    # The record shows both passes: the hash pass alone called it identical.
    (extra,) = [
        e for e in report_extras(drifted) if e.startswith("== rclone check LOCAL:rerun-recordings")
    ]
    hash_pass, download_pass = extra.split("== rclone check --download", 1)
    assert "= recordings/2026-06-01/session-0001.rrd" in hash_pass
    assert "* recordings/2026-06-01/session-0001.rrd" in download_pass
    actions = "\n".join(drifted.summary["run"]["actions"])
    assert (
        "1 hash(es) rclone could not check; --download pass over 1 object(s): 0 identical, 1 differing"
        in actions
    )


def test_object_missing_on_r2_is_named(drifted):
    message = drifted.failed("test_r2_buckets_in_sync")
    assert "website-assets/README.txt: missing on R2" in message


def test_local_tier_bucket_on_r2_is_exposure(drifted):
    message = drifted.failed("test_no_local_tier_bucket_on_r2")
    assert "R2 holds local-tier bucket(s) raw" in message
    assert "Remove them from R2 now (rclone purge R2:<bucket>)" in message
    # raw is declared (tier local), so it is not also reported as undeclared
    assert "raw" not in drifted.failed("test_r2_holds_only_manifest_buckets")


def test_undeclared_bucket_on_r2_is_named(drifted):
    message = drifted.failed("test_r2_holds_only_manifest_buckets")
    assert "R2 holds bucket(s) datasets.yml does not name: scratch-share" in message
    assert "declare them in datasets.yml (tier: r2)" in message


def test_missing_schedule_fails(drifted):
    message = drifted.failed("test_sync_scheduled")
    assert "has no r2.schedule" in message
    assert "rerun-recordings, website-assets" in message
    assert "docker start -a r2-sync" in message


def test_faults_leave_the_rest_of_phase_60_green(drifted):
    drifted.passed("test_r2_remote_answers")
    drifted.passed("test_sync_job_finished_cleanly")


def test_sync_container_that_dies_is_reported_with_its_log(sync_died):
    message = sync_died.failed("test_sync_job_finished_cleanly")
    assert "-r2-sync exited 1" in message
    assert "rerun-recordings: exit 1, last stats: 0 B / 0 B, -, 0 B/s, ETA -" in message
    assert "Its last log lines (docker logs " in message
    assert "SignatureDoesNotMatch" in message
    assert "Fix what rclone says" in message
    # What the failed sync left behind: R2 holds nothing, and the check says so per object.
    in_sync = sync_died.failed("test_r2_buckets_in_sync")
    assert "website-assets: all 11 object(s) missing on R2 (the bucket is absent" in in_sync


def test_secrets_never_reach_the_record(drifted, sync_died):
    for run in (drifted, sync_died):
        text = run.report_text() + "\n".join(report_extras(run))
        assert KNOWN_R2_SECRET not in text and KNOWN_SECRET not in text
        assert "holds the secret of LOCAL (the target's root secret), the secret of R2" in text


def test_no_secret_on_any_command_line(drifted):
    """Every process of the run sampled: the docker CLI, its shell, rclone's containers'
    starters never carried the root or the R2 secret (rclone reads them from a file)."""
    argv = drifted.argv
    assert argv is not None and argv.seen == set(R2_COMMANDS), argv and argv.seen
    assert not argv.hits, "secrets on command lines:\n" + argv.report()


def test_sync_containers_are_removed_at_teardown(drifted, sync_died):
    import docker

    run_ids = {drifted.run_dir.name, sync_died.run_dir.name}
    left = [
        c.name
        for c in docker.from_env().containers.list(all=True)
        if any(c.name.startswith(r) for r in run_ids)
    ]
    assert left == []

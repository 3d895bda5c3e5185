"""Phase 60 — the R2 exposure tier.

Runbook Step 6: "R2 stays the cloud/exposure tier; only the local engine changed. Schedule an
rclone → R2 sync for the public/website buckets via System → Advanced → Cron Jobs (R2 has no
native inbound replication; consistency is eventual)." R2 "holds only buckets that must reach
the rest of the Cloudflare infrastructure ... Anything that does not need public/Cloudflare/
website exposure stays local and is not mirrored." And "Running long S3 jobs detached":
`docker run -d --name r2-sync --network host <env...> rclone/rclone sync LOCAL:bucket R2:bucket
--checksum --transfers 16 --stats 30s --stats-one-line -v`, then `docker wait r2-sync`.
"""

import pytest
from pytest_html import extras as html_extras

from cutover.r2 import exposure

pytestmark = pytest.mark.cutover


def test_r2_remote_answers(r2_listing, r2_remote, r2_spec):
    assert r2_listing.exit_code == 0, (
        f"R2 at {r2_remote.endpoint} did not list its buckets with access key "
        f"{r2_remote.access_key} (rclone exit {r2_listing.exit_code}: {r2_listing.error}). Check "
        f"r2.endpoint, r2.access_key and the secret ({r2_remote.secret_source}); the exposure "
        "guard needs an R2 API token that may list the account's buckets"
    )


def test_sync_job_finished_cleanly(r2_sync_result, r2_buckets, extras):
    result = r2_sync_result
    extras.append(html_extras.text(result.log_tail, name=f"{result.name} log tail"))
    where = f"docker logs {result.name}"
    assert result.exit_code is not None, (
        f"the R2 sync {result.name} still runs after {result.waited} s. It keeps running "
        f"detached (follow it: docker logs -f {result.name}); rerun once `docker wait "
        f"{result.name}` has returned. Its last log lines:\n{result.log_tail}"
    )
    per_bucket = {o.bucket: o for o in result.outcomes}
    lines = [
        f"{b}: "
        + (
            f"exit {per_bucket[b].exit_code}, last stats: {per_bucket[b].stats or 'none'}"
            if b in per_bucket
            else "never started"
        )
        for b in r2_buckets
    ]
    failed = [b for b in r2_buckets if b not in per_bucket or per_bucket[b].exit_code != 0]
    assert result.exit_code == 0 and not failed, (
        f"the R2 sync container {result.name} exited {result.exit_code}"
        + (f" ({result.state.error})" if result.state and result.state.error else "")
        + ":\n"
        + "\n".join(lines)
        + f"\nIts last log lines ({where}):\n{result.log_tail}\n"
        "Fix what rclone says (a refused key: the R2 token's access key and secret; an "
        "unreachable endpoint: r2.endpoint), then rerun; R2 is not in sync until it exits 0"
    )


def test_r2_buckets_in_sync(r2_checks, r2_check_reports, extras):
    for bucket, report in r2_check_reports.items():
        extras.append(html_extras.text(report, name=f"rclone check {bucket}"))
    problems = [line for check in r2_checks for line in check.problems()]
    assert not problems, (
        f"R2 does not hold what the local engine holds ({len(problems)} problem(s)):\n"
        + "\n".join(problems[:60])
        + ("\n..." if len(problems) > 60 else "")
        + "\nRun the sync again (docker start -a r2-sync) and recheck; an object only on R2 is "
        "deleted by the next sync, so restore it locally first if it must stay public"
    )


def test_no_local_tier_bucket_on_r2(r2_listing, manifest):
    exposed = exposure(r2_listing.buckets, manifest).local_tier
    assert not exposed, (
        f"R2 holds local-tier bucket(s) {', '.join(exposed)}: datasets.yml keeps them on the NAS "
        "only, and R2 is the public exposure tier. Remove them from R2 now (rclone purge "
        "R2:<bucket>) and find which job copied them there"
    )


def test_r2_holds_only_manifest_buckets(r2_listing, manifest):
    undeclared = exposure(r2_listing.buckets, manifest).undeclared
    assert not undeclared, (
        f"R2 holds bucket(s) datasets.yml does not name: {', '.join(undeclared)}. Whatever is "
        "on R2 is exposed: declare them in datasets.yml (tier: r2) if they are meant to be, or "
        "remove them from R2"
    )


def test_sync_scheduled(r2_schedule):
    problems = r2_schedule.problems
    assert not problems, (
        f"the R2 sync is not scheduled as it must be ({r2_schedule.where}):\n"
        + "\n".join(problems)
        + "\nR2 has no inbound replication: without the cron job it drifts from the local "
        "engine. Add a TrueNAS cron job (System -> Advanced -> Cron Jobs, user root) running "
        "`docker start -a r2-sync` on the schedule r2.schedule names"
    )

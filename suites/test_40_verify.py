"""Phase 40 — verify.

Runbook Step 4: "S3 API round-trip (same keys, port 9000) ... should list your MinIO buckets.
Cross-check the bucket list against data-plane/datasets.yml". Beyond the runbook's listing,
every object version, bucket setting and IAM entity must equal the baseline MinIO served.
"""

import pytest
from botocore.exceptions import BotoCoreError, ClientError
from pytest_html import extras as html_extras

from cutover.containers import http_status
from cutover.diff import diff_bucket_config, diff_iam, diff_names
from cutover.hazards import read_back_problems
from cutover.inventory import CONFIG_KINDS, describe_key
from cutover.layout import ACCEPTED_FORMATS, format_kind, tree_changes
from cutover.s3 import error_code

pytestmark = pytest.mark.cutover


def test_health_ready(ready_target):
    url = ready_target.ready_url
    status = http_status(url)
    assert status == 200, (
        f"{url} answered {status}, not 200: the target is not ready; do not reopen the store"
    )


def test_s3_round_trip_with_minio_root_keys(minio_keys_on_target, manifest):
    s3 = minio_keys_on_target.client()
    try:
        listed = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
    except ClientError as exc:
        raise AssertionError(
            f"the target refuses MinIO's root keys ({error_code(exc)}): RUSTFS_ACCESS_KEY and "
            "RUSTFS_SECRET_KEY must be MinIO's root user and password, or clients and IAM break"
        ) from None
    assert listed, (
        "the target lists no buckets with MinIO's root keys: is RUSTFS_VOLUMES=/data and the "
        "host path mounted at /data?"
    )
    # The write probe goes to an unversioned bucket only, where deleting it leaves no trace.
    bucket = next((b.name for b in manifest.buckets if not b.versioning and b.name in listed), None)
    if bucket is not None:
        key = ".rustfs-cutover/round-trip-probe"
        s3.put_object(Bucket=bucket, Key=key, Body=b"round trip")
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"round trip", (
            f"a probe written to {bucket} with MinIO's keys read back different bytes"
        )
        s3.delete_object(Bucket=bucket, Key=key)


def test_buckets_match_manifest_and_baseline(target_inventory, baseline_inventory, manifest):
    served = set(target_inventory.buckets)
    lost, resurrected = diff_names(baseline_inventory.buckets, served)
    undeclared_missing, undeclared_extra = diff_names(manifest.names, served)
    problems = []
    if lost:
        problems.append(
            f"the target is missing {len(lost)} bucket(s) MinIO served: {', '.join(lost)}. Is it "
            "pointed at the MinIO dataset (RUSTFS_VOLUMES=/data, host path mounted at /data), not an "
            "empty store like the catalog app's /rustfs/data0? Roll back if unsure"
        )
    if resurrected:
        problems.append(
            f"the target serves bucket(s) MinIO did not serve at the baseline: {', '.join(resurrected)} "
            "(deleted on MinIO before the cutover and re-created by RustFS from what was left under "
            ".minio.sys?). Delete or reconcile them before reopening the store"
        )
    if undeclared_missing:
        problems.append(
            f"datasets.yml lists bucket(s) the target lacks: {', '.join(undeclared_missing)}"
        )
    if undeclared_extra:
        problems.append(
            f"the target serves bucket(s) datasets.yml does not list: {', '.join(undeclared_extra)}"
        )
    assert not problems, "\n".join(problems)


def test_object_inventory_matches_baseline(inventory_diff, baseline_inventory, extras):
    extras.append(
        html_extras.text(
            inventory_diff.report(baseline_inventory.version_count), name="inventory diff"
        )
    )
    assert inventory_diff.clean, (
        f"object versions differ from the baseline ({inventory_diff.summary()}):\n"
        + "\n".join(inventory_diff.lines(limit=30))
        + "\nDo not reopen the store to clients: investigate, or roll back from the snapshot"
    )


@pytest.mark.parametrize("kind", CONFIG_KINDS)
def test_bucket_config_matches_baseline(kind, target_inventory, baseline_inventory):
    lines = diff_bucket_config(baseline_inventory.buckets, target_inventory.buckets, kind)
    assert not lines, (
        f"bucket {kind} settings changed during the cutover:\n"
        + "\n".join(lines)
        + ("\nRe-apply the baseline setting (see baseline.json) or roll back")
    )


def test_iam_carried_over(target_inventory, baseline_inventory):
    lines = diff_iam(baseline_inventory.iam, target_inventory.iam)
    assert not lines, (
        "IAM differs from MinIO's:\n"
        + "\n".join(lines)
        + "\nRustFS decrypts MinIO's IAM with keys derived from the root credentials: the target's "
        "root access/secret key must equal MinIO's"
    )


def test_sampled_content_checksums_match(baseline_inventory, target_content_sha256):
    assert baseline_inventory.content_sha256, "the baseline sampled no object content"
    bad = [
        f"{key.replace(chr(0), ' ')}: sha256 was {want[:12]}…, now {target_content_sha256.get(key, 'absent')[:24]}"
        for key, want in baseline_inventory.content_sha256.items()
        if target_content_sha256.get(key) != want
    ]
    assert not bad, (
        f"{len(bad)} of {len(baseline_inventory.content_sha256)} sampled object versions read back "
        "different bytes:\n" + "\n".join(bad)
    )


def test_console_reachable(ready_target, target_choice, run_record):
    health, page = ready_target.console_urls
    status = http_status(health)
    assert status == 200, (
        f'the console at {health} answered {status}: set RUSTFS_CONSOLE_ENABLE: "true" and '
        "RUSTFS_CONSOLE_ADDRESS to the console port, and reach it over the LAN, not Cloudflare"
    )
    ui = http_status(page)
    if target_choice.image.origin == "local-build":
        run_record.action(f"console service answers on {health}; its UI page {page} answered {ui}")
    else:
        assert ui == 200, f"the console service runs but its UI page {page} answered {ui}"


def test_rustfs_wrote_its_own_format(rustfs_target, rustfs_format):
    assert rustfs_format is not None, (
        ".rustfs.sys/format.json is missing after RustFS's first start: RustFS did not adopt the "
        "MinIO format (check its log for 'could not migrate it safely'); roll back and do not "
        "reopen the store"
    )
    kind = format_kind(rustfs_format)
    assert kind in ACCEPTED_FORMATS, f".rustfs.sys/format.json says format {kind!r}"


def test_minio_metadata_untouched(rustfs_target, minio_meta_before_deploy, minio_meta_after_verify):
    assert minio_meta_before_deploy, "no files under .minio.sys were hashed before the deploy"
    changes = tree_changes(minio_meta_before_deploy, minio_meta_after_verify)
    assert not changes, (
        f"RustFS changed {len(changes)} file(s) under .minio.sys, which it promises to only read:\n"
        + "\n".join(changes[:40])
        + "\nThe rollback path (zfs rollback, restart MinIO) is what protects you now: keep the snapshot"
    )


def test_sse_objects_unreadable_as_acknowledged(rustfs_target, baseline_inventory, target_endpoint):
    s3 = target_endpoint.client()
    readable = []
    for key in sorted(baseline_inventory.encrypted):
        bucket, name, version = key.split("\0")
        vid = {} if version == "null" else {"VersionId": version}
        try:
            s3.get_object(Bucket=bucket, Key=name, **vid)["Body"].read()
        except (ClientError, BotoCoreError):
            continue
        readable.append(describe_key(key))
    assert not readable, (
        "these SSE-encrypted objects read back on the target although RustFS is known not to "
        "decrypt MinIO's SSE: "
        + ", ".join(readable)
        + ". Check they are intact before relying on it, "
        "and update preflight.acknowledged_sse"
    )


def test_compressed_objects_read_back_whole(
    compressed_source_objects, baseline_inventory, target_endpoint
):
    """Objects MinIO stored compressed (the preflight names them): does the target serve them?"""
    wanted = set(compressed_source_objects)
    versions = [
        o
        for o in baseline_inventory.objects
        if o.is_latest and not o.delete_marker and f"{o.bucket}/{o.key}" in wanted
    ]
    problems = read_back_problems(target_endpoint.client(), versions)
    assert not problems, (
        f"{len(problems)} of the {len(versions)} object(s) MinIO stored compressed do not read "
        "back whole from the target:\n"
        + "\n".join(problems)
        + "\nThe target cannot decompress MinIO's S2 data: roll back, re-write them uncompressed "
        "with MinIO (see the preflight check), and cut over again"
    )


def test_service_accounts_survive_restarts(service_accounts_through_restarts):
    """Every service account MinIO had must still be there, not only after the deploy: RustFS
    loads IAM at every start. Last in this phase: in a rehearsal the fixture restarts the
    target twice."""
    lost = [
        f"{when}: {account} ({problem})"
        for when, answers in service_accounts_through_restarts.items()
        for account, problem in answers.items()
        if problem
    ]
    assert not lost, (
        "service account(s) MinIO had are gone or refused on the target: "
        + "; ".join(lost)
        + ". RustFS 1.0.1 drops the accounts MinIO created with an expiry date (the preflight "
        "lists them). Re-create each on the target with the same keys (mc admin user svcacct add "
        "ALIAS USER --access-key K --secret-key S [--expiry DATE]; the secrets are in MinIO's "
        "identity.json in the @pre-rustfs snapshot) and run phase 40 again"
    )

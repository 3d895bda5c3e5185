"""Phase 00 — preflight, while MinIO still runs.

Runbook: "Mount the host path, not MinIO's /export ... `ls -la /mnt/marathon/minio-dataset`
should show .minio.sys and your buckets at the top level; if they're nested a level down,
mount that subdirectory instead." and "Match user: to the data owner — check it first:
`stat -c '%U:%G (%u:%g)' /mnt/marathon/minio-dataset`". Also what will not carry over:
objects MinIO encrypted (SSE-S3, SSE-KMS, SSE-C) or a bucket encrypts by default, objects MinIO
stored compressed or still in the pre-2021 xl.json format, multipart uploads still in progress;
and what RustFS does not adopt at all (notifications, replication, LDAP/OpenID): recorded.
"""

import pytest

from cutover.hazards import WHAT_TO_DO_SSE, by_bucket, describe_sse_counts, first, sse_counts
from cutover.layout import ACCEPTED_FORMATS, MINIO_META
from cutover.preflight import unacknowledged_keys, unacknowledged_sse
from cutover.service_accounts import dated

pytestmark = pytest.mark.cutover


def test_dataset_is_the_host_path_not_minios_export(profile, dataset_layout, source_mounts):
    mount = profile.source.mount_path
    assert dataset_layout.path.rstrip("/") != mount, (
        f"the dataset path is {mount}, MinIO's in-container mount point; use the Host Path of the "
        f"MinIO app (e.g. {profile.dataset.host_path})"
    )
    assert dataset_layout.exists and dataset_layout.is_directory, (
        f"{dataset_layout.path} does not exist or is not a directory on the NAS; check the "
        "MinIO app's Host Path"
    )
    assert source_mounts.get(mount) == dataset_layout.path, (
        f"the MinIO app mounts {source_mounts.get(mount)!r} at {mount}, not {dataset_layout.path}: "
        "point the profile's dataset.host_path at the app's real Host Path"
    )


def test_dataset_owner_is_the_expected_uid(profile, dataset_layout):
    expected = profile.dataset.owner
    assert dataset_layout.owner == expected, (
        f"{dataset_layout.path} is owned by {dataset_layout.owner}, the profile expects {expected}. "
        f'RustFS must run as the data owner: deploy with user: "{dataset_layout.owner}" and set '
        f"dataset.owner to match, or chown deliberately before the cutover (never 10001)"
    )


def test_minio_metadata_and_buckets_at_top_level(dataset_layout):
    if not dataset_layout.has_minio_meta and dataset_layout.nested_meta_dirs:
        nested = dataset_layout.nested_meta_dirs[0]
        raise AssertionError(
            f"no {MINIO_META} at the top of {dataset_layout.path}: the data is nested one level "
            f"down in {nested}. Mount that subdirectory instead: - {nested}:/data"
        )
    assert dataset_layout.has_minio_meta, (
        f"{dataset_layout.path} holds no {MINIO_META}: this is not a MinIO data directory "
        "(wrong Host Path, or an empty dataset)"
    )
    assert dataset_layout.bucket_dirs, (
        f"{dataset_layout.path} has {MINIO_META} but no bucket directories at the top level"
    )


def test_format_is_erasure_not_legacy_fs(dataset_layout):
    kind = dataset_layout.format_kind
    assert kind in ACCEPTED_FORMATS, (
        f"{MINIO_META}/format.json says format {kind!r}; RustFS adopts only "
        f"{' or '.join(ACCEPTED_FORMATS)}. A legacy 'fs' deployment (MinIO before 2022-10) must be "
        "copied over the S3 API instead (see the runbook's versitygw appendix for the copy path)"
    )
    assert not dataset_layout.legacy_fs_json, (
        f"{MINIO_META}/buckets holds fs.json files: this is legacy FS-mode data, which RustFS "
        "cannot read in place; migrate it with an S3 copy"
    )


def test_buckets_match_manifest(manifest, baseline_inventory):
    served = set(baseline_inventory.buckets)
    missing = sorted(set(manifest.names) - served)
    undeclared = sorted(served - set(manifest.names))
    assert not missing, (
        f"datasets.yml lists bucket(s) MinIO does not have: {', '.join(missing)}; "
        "fix the manifest or find where that data went before cutting over"
    )
    assert not undeclared, (
        f"MinIO serves bucket(s) datasets.yml does not list: {', '.join(undeclared)}; "
        "add them to the manifest (with their tier) so verify can account for them"
    )


def test_no_multipart_uploads_in_progress(open_uploads):
    assert not open_uploads, (
        f"{len(open_uploads)} multipart upload(s) in progress will NOT carry over to RustFS: "
        + "; ".join(open_uploads)
        + ". Let the writers finish (or abort the uploads) and stop them before the cutover"
    )


def test_iam_store_not_sealed_with_kms(sealed_iam_entries):
    entries = sorted({e.removesuffix("/xl.meta") for e in sealed_iam_entries})
    assert not entries, (
        f"{len(entries)} IAM entr(ies) under .minio.sys/config/iam are sealed with MinIO's KMS key: "
        + ", ".join(entries[:20])
        + '. RustFS cannot decrypt KMS-sealed IAM: 1.0.1 refuses to start on it ("incompatible '
        'legacy metadata: config/iam/..."), older releases silently dropped the users and '
        "policies. Export them (mc admin user/policy list), move the sealed config/iam aside "
        "after the snapshot, and recreate them on RustFS; plan for it in the change"
    )


def test_no_empty_iam_groups(baseline_inventory):
    empty = sorted(
        name for name, group in baseline_inventory.iam.groups.items() if not group["members"]
    )
    assert not empty, (
        f"IAM group(s) with no members: {', '.join(empty)}. MinIO keeps them as "
        '{"members":[]} and RustFS 1.0.1 refuses to start on them ("incompatible legacy metadata: '
        'config/iam/groups/<group>/members.json"): add a member or delete the group on MinIO first'
    )


def test_sse_objects_acknowledged(sse_objects, profile, run_record):
    unacknowledged = unacknowledged_sse(sse_objects, profile.preflight.acknowledged_sse)
    kinds = describe_sse_counts(sse_objects)
    run_record.action(
        f"preflight: {len(sse_objects)} SSE-encrypted object version(s) RustFS will not be able "
        f"to read ({kinds}), {len(sse_objects) - len(unacknowledged)} acknowledged in the profile"
    )
    patterns = profile.preflight.acknowledged_sse
    left = {k: sse_objects[k] for k in unacknowledged_keys(sse_objects, patterns)}
    todo = "; ".join(
        f"{kind}: {WHAT_TO_DO_SSE[kind]}" for kind in sse_counts(left) if kind in WHAT_TO_DO_SSE
    )
    assert not unacknowledged, (
        f"{len(sse_objects)} object version(s) are stored encrypted ({kinds}); RustFS lists them "
        f"but cannot read them back (GET fails with 500). Not acknowledged: {len(unacknowledged)} "
        f"({describe_sse_counts(left)}):\n"
        + "\n".join(unacknowledged[:40])
        + ("\n..." if len(unacknowledged) > 40 else "")
        + f"\nRe-write them unencrypted through MinIO before the cutover ({todo}), or accept "
        "their loss by listing them under preflight.acknowledged_sse in the target profile"
    )


def test_no_bucket_default_encryption(bucket_default_encryption):
    found = bucket_default_encryption.buckets
    unreadable = bucket_default_encryption.unreadable
    assert not found, (
        f"{len(found)} bucket(s) have a default encryption on MinIO: "
        + ", ".join(f"{b} ({kind})" for b, kind in sorted(found.items()))
        + ". Every object written there since is sealed with MinIO's KMS, which RustFS cannot "
        "read, and the setting names a key RustFS does not have. Remove it on MinIO "
        "(mc encrypt clear ALIAS/BUCKET), re-write the bucket's encrypted objects unencrypted "
        "(the SSE check lists them), then re-run the preflight"
    )
    assert not unreadable, (
        "the default encryption of bucket(s) could not be read from MinIO: "
        + "; ".join(f"{b}: {why}" for b, why in sorted(unreadable.items()))
        + ". Check them by hand (mc encrypt info ALIAS/BUCKET) before the cutover"
    )


def test_no_objects_stored_compressed(compressed_source_objects):
    found = compressed_source_objects
    assert not found, (
        f"{len(found)} object(s) are stored compressed by MinIO (MINIO_COMPRESSION_ENABLE, "
        f"klauspost/compress/s2) in {by_bucket(found)}:\n{first(found)}\nRustFS 1.0.1 reads "
        "MinIO's S2-compressed data only when built with its rio-v2 feature, which the "
        "published build lacks: these objects would be served garbled or not at all. Before "
        "the cutover turn compression off on MinIO (mc admin config set ALIAS compression "
        "enable=off, then restart it) and re-write each object uncompressed "
        "(mc cp ALIAS/BUCKET/KEY ALIAS/BUCKET/KEY, or mc mirror to a new bucket), then re-run "
        "the preflight"
    )


def test_no_legacy_xl_json_objects(legacy_xl_json_objects):
    found = legacy_xl_json_objects
    assert not found, (
        f"{len(found)} object(s) are still in MinIO's pre-2021 xl.json format in "
        f"{by_bucket(found)}:\n{first(found)}\nRustFS reads xl.meta only: these objects would "
        "simply be missing after the cutover. Rewrite them with this MinIO first: heal them "
        "(mc admin heal -r ALIAS/BUCKET) or copy each onto itself (mc cp ALIAS/BUCKET/KEY "
        "ALIAS/BUCKET/KEY), until this check finds none"
    )


def test_no_dated_service_accounts(disk_service_accounts):
    found = dated(disk_service_accounts)
    shown = [f"{key} (expires {when})" for key, when in list(found.items())[:30]]
    assert not found, (
        f"{len(found)} service account(s) carry an expiry date: {', '.join(shown)}"
        + (" ..." if len(found) > 30 else "")
        + ". RustFS 1.0.1 does not take these over: in the rehearsal such an account is gone "
        "from the target's first start (its key refused with InvalidAccessKeyId, the admin API "
        "answering 'service account not exist'), while accounts without an expiry survive. On "
        "MinIO, re-create each without --expiry and with the same keys (mc admin user svcacct "
        "info ALIAS KEY; the secret is in its identity.json), then set the expiry again on the "
        "target after the cutover (mc admin user svcacct edit ALIAS KEY --expiry DATE)"
    )


def test_features_not_migrated_are_recorded(features_not_migrated, run_record):
    """Not a failure: what RustFS will not carry is a red NOT MIGRATED notice in the record."""
    for item in features_not_migrated:
        assert item.notice() in run_record.notices

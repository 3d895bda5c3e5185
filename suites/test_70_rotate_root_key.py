"""Phase 70 — rotate the root key.

Runbook Step 7: "If the MinIO secret was ever exposed, change RUSTFS_SECRET_KEY in the app and
update clients." After the change the new secret must work, the old one must be refused, and
IAM (users, groups, policies, and the users' own keys) must be what MinIO had: RustFS reads IAM
entries it cannot parse as plaintext with keys derived from the current root credentials.
"""

import json

import pytest
from botocore.exceptions import BotoCoreError, ClientError
from pytest_html import extras as html_extras

from cutover.diff import diff_iam
from cutover.inventory import IamSnapshot
from cutover.rotation import IAM_LOSS_ADVICE, IamUnreadable, without_probe
from cutover.s3 import REFUSED_KEY_CODES, error_code

pytestmark = pytest.mark.cutover

PROBE_KEY = ".rustfs-cutover/rotation-probe"


def test_new_root_secret_works(rotated_endpoint, manifest):
    s3 = rotated_endpoint.client()
    try:
        listed = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
    except (ClientError, BotoCoreError) as exc:
        raise AssertionError(
            f"the target at {rotated_endpoint.url} refuses the NEW root secret ({error_code(exc)}): "
            "the rotation did not take effect. The app's YAML must carry the new RUSTFS_SECRET_KEY "
            "(midclt call app.config <app>); do not hand the new secret to clients until it works"
        ) from None
    assert listed, "the new root secret lists no buckets: the target lost its data directory?"
    # The write probe goes to an unversioned bucket only, where deleting it leaves no trace.
    bucket = next((b.name for b in manifest.buckets if not b.versioning and b.name in listed), None)
    assert bucket is not None, "no unversioned bucket to write the probe object into"
    try:
        s3.put_object(Bucket=bucket, Key=PROBE_KEY, Body=b"rotated")
        body = s3.get_object(Bucket=bucket, Key=PROBE_KEY)["Body"].read()
        s3.delete_object(Bucket=bucket, Key=PROBE_KEY)
    except (ClientError, BotoCoreError) as exc:
        raise AssertionError(
            f"the new root secret lists buckets but a put/get/delete of {bucket}/{PROBE_KEY} "
            f"failed ({error_code(exc)}): check the target's log before reopening the store"
        ) from None
    assert body == b"rotated", f"a probe written to {bucket} with the new secret read back {body!r}"


def test_old_root_secret_refused(old_root_endpoints, rotated_target, run_record):
    assert old_root_endpoints, "no old root secret to try (the new one equals every old one)"
    problems = []
    for endpoint in old_root_endpoints:
        try:
            endpoint.client(retries=1).list_buckets()
        except ClientError as exc:
            if error_code(exc) in REFUSED_KEY_CODES:
                run_record.action(f"ListBuckets with the old root secret: {error_code(exc)}")
                continue
            problems.append(
                f"answered {error_code(exc)}, not InvalidAccessKeyId/SignatureDoesNotMatch"
            )
            continue
        problems.append(
            "still lists the buckets: the app still runs with the old RUSTFS_SECRET_KEY (the change "
            "was not applied). Apply it again (midclt call -job app.update, see the plan) and check "
            "the app's YAML; until then the exposed secret is still good"
        )
    assert not problems, f"the OLD root secret at {rotated_target.api_url}: " + "; ".join(problems)


def test_iam_unchanged_by_rotation(
    iam_after_rotation, iam_before_rotation, baseline_inventory, extras
):
    if isinstance(iam_after_rotation, IamUnreadable):
        if iam_after_rotation.key_refused:
            pytest.fail(
                f"IAM could not be judged: the admin API refuses the new root secret itself "
                f"({iam_after_rotation.code}), so the rotation did not take effect (see "
                "test_new_root_secret_works). Apply it, then rerun this phase",
                pytrace=False,
            )
        pytest.fail(
            f"IAM could not be read with the new root secret after the rotation "
            f"({iam_after_rotation}). {IAM_LOSS_ADVICE}",
            pytrace=False,
        )
    after = without_probe(iam_after_rotation)
    extras.append(
        html_extras.text(
            json.dumps(after.__dict__, indent=1, sort_keys=True), name="IAM after rotation"
        )
    )
    lines = diff_iam(baseline_inventory.iam, after)
    already = (
        set(diff_iam(baseline_inventory.iam, without_probe(iam_before_rotation)))
        if isinstance(iam_before_rotation, IamSnapshot)
        else set()
    )
    caused = [line for line in lines if line not in already]
    earlier = [
        f"{line} (already so before the rotation: see phase 40)"
        for line in lines
        if line in already
    ]
    assert not lines, (
        "IAM differs from the baseline after the root key rotation:\n"
        + "\n".join([*caused, *earlier])
        + (f"\n{IAM_LOSS_ADVICE}" if caused else "\nThe rotation did not cause this: see phase 40")
    )


def test_iam_user_keys_still_work(user_keys_after_rotation, user_keys_before_rotation, run_record):
    problems = []
    for user, refusal in sorted(user_keys_after_rotation.items()):
        if not refusal:
            run_record.action(f"IAM user {user}'s own key still works after the rotation")
            continue
        before = user_keys_before_rotation.get(user, "")
        if before:
            problems.append(
                f"{user}: refused ({refusal}), as it already was before the rotation ({before})"
            )
        else:
            problems.append(
                f"{user}: its own key worked before the rotation and is refused now ({refusal})"
            )
    assert not problems, (
        "IAM users' own keys after the root key rotation:\n"
        + "\n".join(problems)
        + "\nA user's own key does not depend on the root secret: it is refused only when RustFS "
        f"lost or cannot read the user's identity (see test_iam_unchanged_by_rotation). "
        f"{IAM_LOSS_ADVICE}"
    )

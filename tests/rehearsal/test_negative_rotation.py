"""Negative rehearsals of phase 70 (root key rotation) and phase 75 (public exposure), against
real RustFS: each check fails with what is wrong and what to do."""

import pytest

from tests.rehearsal.harness import KNOWN_NEW_SECRET, KNOWN_SECRET, profile_copy, rehearse


@pytest.fixture
def reports(tmp_path):
    return tmp_path / "reports"


# --- phase 70: rotate the root key ---------------------------------------------------------


def test_rotation_not_applied_keeps_the_old_secret_working(reports):
    run = rehearse(reports, "rotation", faults=("rotation_not_applied",))
    message = run.failed("test_old_root_secret_refused")
    assert "the OLD root secret at http://127.0.0.1:" in message
    assert "still lists the buckets: the app still runs with the old RUSTFS_SECRET_KEY" in message
    assert "Apply it again (midclt call -job app.update" in message
    assert "refuses the NEW root secret (SignatureDoesNotMatch)" in run.failed(
        "test_new_root_secret_works"
    )
    iam = run.failed("test_iam_unchanged_by_rotation")
    assert "IAM could not be judged: the admin API refuses the new root secret itself" in iam
    run.passed("test_iam_user_keys_still_work")


def test_iam_user_deleted_during_rotation_is_named(reports):
    run = rehearse(reports, "rotation", faults=("iam_user_deleted_during_rotation",))
    message = run.failed("test_iam_unchanged_by_rotation")
    assert "IAM differs from the baseline after the root key rotation" in message
    assert "user 'etl-reader' is missing" in message
    assert "(already so before the rotation" not in message
    assert "Re-create the missing users, groups and policies from baseline.json" in message
    assert "rotate by adding a new admin user" in message
    keys = run.failed("test_iam_user_keys_still_work")
    assert "etl-reader: its own key worked before the rotation and is refused now" in keys
    run.passed("test_new_root_secret_works")
    run.passed("test_old_root_secret_refused")


def test_new_secret_missing_is_one_sentence(reports, tmp_path):
    profile = profile_copy(
        tmp_path,
        rotation={
            "new_secret_env": "CUTOVER_NEW_ROOT_SECRET_NOT_SET",
            "generate_if_missing": False,
        },
    )
    run = rehearse(reports, "rotation", args=("--target", str(profile)))
    message = run.failed("test_new_root_secret_works")
    assert message.strip() == (
        "no new root secret for the rotation: set the environment variable "
        "CUTOVER_NEW_ROOT_SECRET_NOT_SET (rotation.new_secret_env) to the new secret and rerun; "
        "nothing was changed"
    )
    assert "Traceback" not in run.output and "Error" not in message
    actions = run.summary["run"]["actions"]
    assert not any("redeployed" in a for a in actions), actions


def test_secrets_never_reach_the_record(reports):
    run = rehearse(reports, "rotation", "exposure")
    assert run.returncode == 0, run.output[-4000:]
    text = run.report_text()
    assert KNOWN_SECRET not in text and KNOWN_NEW_SECRET not in text
    assert (
        "<new secret from $CUTOVER_NEW_ROOT_SECRET>"
        in (run.run_dir / "rustfs-app-rotated.yaml").read_text()
    )


# --- phase 75: public exposure -------------------------------------------------------------


def test_console_on_public_hostname_warns_and_fails(reports):
    run = rehearse(reports, "exposure", faults=("console_on_public_hostname",))
    message = run.failed("test_console_not_served_on_public_hostname")
    assert "THE RUSTFS CONSOLE IS SERVED ON THE STAND-IN TUNNEL (LOOPBACK PROXY)" in message
    assert "/rustfs/console/health answered 200" in message
    assert "Route only the API port (9000) to this hostname" in message
    assert "public.console_exposure_accepted: true" in message
    notices = run.summary["run"]["notices"]
    assert any("THE RUSTFS CONSOLE IS SERVED ON" in n for n in notices), notices
    assert "THE RUSTFS CONSOLE IS SERVED ON" in run.output  # red in the terminal summary
    run.passed("test_public_hostname_answers_as_the_s3_api")
    run.passed("test_public_api_lists_buckets_with_current_root_keys")


def test_console_exposure_accepted_in_profile_xfails_but_still_warns(reports, tmp_path):
    profile = profile_copy(
        tmp_path, public={"standin_proxy": True, "console_exposure_accepted": True}
    )
    run = rehearse(
        reports,
        "exposure",
        faults=("console_on_public_hostname",),
        args=("--target", str(profile)),
    )
    entry = run.result("test_console_not_served_on_public_hostname")
    assert entry["outcome"] == "xfailed" and "accepted in the profile" in entry["message"], entry
    assert any("THE RUSTFS CONSOLE IS SERVED ON" in n for n in run.summary["run"]["notices"])

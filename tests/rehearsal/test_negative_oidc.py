"""Negative rehearsals of phase 80 (SSO via JumpCloud OIDC): each fault is injected between
the real RustFS and a real OpenID provider process (the stand-in for JumpCloud), and the check
it exists for must fail saying what is wrong and what to do.
"""

import re

import pytest

from tests.rehearsal.harness import rehearse

ISSUER = re.compile(r"is '(http://127\.0\.0\.1:\d+/?)'.*says '(http://127\.0\.0\.1:\d+/?)'")


@pytest.fixture
def reports(tmp_path):
    return tmp_path / "reports"


def test_issuer_trailing_slash_names_both_strings(reports):
    run = rehearse(reports, "oidc", faults=("oidc_issuer_trailing_slash",))
    message = run.failed("test_engine_issuer_matches_idp_issuer_exactly")
    configured, published = ISSUER.search(message).groups()
    assert configured == published + "/", message
    assert "(RUSTFS_IDENTITY_OPENID_ISSUER)" in message
    assert "only by the trailing slash" in message and "rustfs#2349" in message
    # RustFS's own refusal, quoted from its log, and the fix.
    assert "unexpected issuer URI" in message
    assert f"set oidc.issuer to '{published}', character for character" in message
    # The document itself was reachable: the discovery check does not blame the network.
    run.passed("test_idp_discovery_reachable_from_the_engine")
    sts = run.failed("test_assume_role_with_web_identity_returns_credentials")
    assert "no OIDC provider configured for issuer" in sts


def test_user_without_groups_is_named_with_the_fix(reports):
    run = rehearse(reports, "oidc", faults=("oidc_user_without_groups",))
    message = run.failed("test_idp_token_carries_groups_claim")
    assert "issued to alice has no 'groups' claim" in message
    assert "include the groups attribute (named 'groups')" in message
    assert "attach the user groups data-admins to the app" in message
    # What RustFS itself does with such a token.
    sts = run.failed("test_assume_role_with_web_identity_returns_credentials")
    assert "no policies are available for this OIDC token" in sts


def test_groups_claim_name_differs_from_the_idp(reports):
    run = rehearse(reports, "oidc", faults=("oidc_groups_claim_renamed",))
    message = run.failed("test_idp_token_carries_groups_claim")
    assert "has no 'memberOf' claim, which RustFS reads groups from" in message
    assert "the groups are in the 'groups' claim: set oidc.groups_claim to 'groups'" in message
    assert "no policies are available" in run.failed(
        "test_assume_role_with_web_identity_returns_credentials"
    )


def test_wrong_client_secret_fails_the_console_login_only(reports):
    run = rehearse(reports, "oidc", faults=("oidc_wrong_client_secret",))
    message = run.failed("test_console_sso_login_completes")
    assert "invalid_client" in message
    assert "the client secret RustFS holds is not the one JumpCloud issued" in message
    assert "oidc.client_secret_env" in message
    # ID tokens are RS256-signed: STS never uses the client secret, and still works.
    run.passed("test_assume_role_with_web_identity_returns_credentials")
    run.passed("test_group_policies_enforced")
    # Neither the secret the engine was given nor the one the IdP issued reaches the record.
    record = run.report_text()
    assert "not-the-issued-secret-0" not in record
    assert "secret='[REDACTED]'" in record and not re.search(r"secret='(?!\[REDACTED\])", record)


def test_idp_group_named_like_an_iam_group(reports):
    run = rehearse(reports, "oidc", faults=("oidc_group_is_iam_group",))
    message = run.failed("test_mapped_groups_are_not_iam_groups")
    assert "data-viewers (members etl-reader; policies lakehouse-read)" in message
    assert "would get lakehouse-read instead of readonly" in message
    assert "rename the group in JumpCloud and in oidc.policies" in message
    # And what it does: bob, a reader by the mapping, cannot even list the probe bucket.
    mapping = run.failed("test_group_policies_enforced")
    assert "bob (groups data-viewers, mapped to readonly)" in mapping
    assert "list answered AccessDenied, expected ok" in mapping


def test_root_keys_dropped_by_the_sso_change_are_named(reports):
    run = rehearse(reports, "oidc", faults=("oidc_root_keys_dropped",))
    message = run.failed("test_root_keys_still_work_as_break_glass")
    assert "no longer carries its static root keys (RUSTFS_ACCESS_KEY" in message
    assert "break-glass admin the runbook keeps is gone" in message
    assert "Keep both keys in the app's YAML" in message

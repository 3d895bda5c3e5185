"""Phase 80 — SSO via JumpCloud OIDC (optional).

Runbook Step 8: "RustFS: configure the OIDC provider with the keys above (config_url,
client_id, client_secret, groups_claim). RustFS IAM: define policies and map claim values ->
policies (e.g. group data-admins -> admin policy, data-readers -> read-only). Test the console
Login with SSO flow; programmatic clients can use AssumeRoleWithWebIdentity with a JumpCloud
JWT ... Match JumpCloud's issuer URL exactly (with/without the trailing /). Keep the static
root access key as a break-glass admin in case SSO misbehaves."

A rehearsal plays JumpCloud with a real OpenID provider process on loopback (cutover/idp.py).
"""

import json

import pytest
from botocore.exceptions import BotoCoreError, ClientError
from minio.error import MinioAdminException
from pytest_html import extras as html_extras

from cutover import oidc
from cutover.s3 import error_code, root_endpoint

pytestmark = pytest.mark.cutover

REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


def _engine_said(target_log) -> str:
    errors = oidc.engine_oidc_errors(target_log())
    return f" The engine logged: {' | '.join(errors[-3:])}." if errors else ""


def test_idp_discovery_reachable_from_the_engine(
    idp_discovery, engine_discovered, target_log, nas, sso_settings
):
    where = nas.where
    assert idp_discovery.document is not None, (
        f"{where}, where RustFS runs, cannot fetch the IdP's discovery document "
        f"{idp_discovery.url}: {idp_discovery.error}. RustFS discovers the provider from there at "
        "every start: check config_url (JumpCloud's is "
        "https://oauth.id.jumpcloud.com/.well-known/openid-configuration), DNS and outbound "
        "HTTPS from the NAS"
    )
    missing = [k for k in REQUIRED_METADATA if not idp_discovery.document.get(k)]
    assert not missing, (
        f"the discovery document at {idp_discovery.url} lacks {', '.join(missing)}: it is not an "
        "OpenID provider's; check config_url"
    )
    if oidc.PROVIDER_ID in engine_discovered:
        return
    errors = oidc.engine_oidc_errors(target_log())
    # An issuer mismatch is found after the document was fetched: the issuer check reports it.
    if any("unexpected issuer URI" in e for e in errors):
        return
    said = " | ".join(errors[-3:]) or "nothing about OIDC"
    hint = (
        f"add {oidc.restricted_origin(sso_settings.config_url) or 'the IdP origin'} to "
        f"{oidc.ALLOW_ORIGINS_ENV} in the app's environment"
        if "outbound policy" in said
        else "check that the app's container resolves and reaches the IdP and has CA "
        "certificates (RustFS cannot build its HTTP client without /etc/ssl/certs; the official "
        "image ships them), then restart the app"
    )
    pytest.fail(
        f"{where} fetches {idp_discovery.url}, but the target engine did not discover the "
        f"provider at startup (its login page lists {engine_discovered or 'no provider'}); it "
        f"logged: {said}. Fix: {hint}",
        pytrace=False,
    )


def test_engine_issuer_matches_idp_issuer_exactly(
    engine_oidc_config, idp_discovery, target_log, extras
):
    # What the engine parsed (it reports only whether a client secret is set, never the secret).
    extras.append(
        html_extras.json(engine_oidc_config or {}, name="the engine's OIDC provider config")
    )
    extras.append(html_extras.json(idp_discovery.document or {}, name="IdP discovery document"))
    assert engine_oidc_config is not None, (
        "the target engine has no OIDC provider: RUSTFS_IDENTITY_OPENID_CONFIG_URL is missing "
        "from the app's environment; redeploy it with the oidc: settings of the profile"
    )
    assert idp_discovery.document is not None, (
        f"the IdP's issuer is unknown: {idp_discovery.url} could not be fetched "
        f"({idp_discovery.error}); see the discovery check"
    )
    configured, source = oidc.configured_issuer(engine_oidc_config)
    published = idp_discovery.document["issuer"]
    if configured == published:
        return
    slash = (
        " (they differ only by the trailing slash, the bug class of rustfs#2349 and #2049)"
        if configured.rstrip("/") == published.rstrip("/")
        else ""
    )
    pytest.fail(
        f"the issuer the target engine demands ({source}) is {configured!r}, but the IdP's "
        f"discovery document {idp_discovery.url} says {published!r}{slash}. RustFS then rejects "
        f"the provider and every token whose 'iss' is {published!r}.{_engine_said(target_log)} "
        f"Fix: set oidc.issuer to {published!r}, character for character, so the app carries "
        "RUSTFS_IDENTITY_OPENID_ISSUER with it, and redeploy",
        pytrace=False,
    )


def _groups_hint(claims: dict, wanted: list[str], claim: str, provider: str) -> str:
    """Where the groups went: another claim, or nowhere (the app does not emit them)."""
    elsewhere = [
        name
        for name in sorted(claims)
        if name != claim and set(wanted) & set(oidc.claim_values(claims, name) or [])
    ]
    if elsewhere:
        return (
            f"the groups are in the {elsewhere[0]!r} claim: set oidc.groups_claim to "
            f"{elsewhere[0]!r} (RUSTFS_IDENTITY_OPENID_GROUPS_CLAIM), or name the groups "
            f"attribute {claim!r} in the {provider} app"
        )
    return (
        f"in the {provider} app's SSO tab, include the groups attribute (named {claim!r}) and "
        f"attach the user groups {', '.join(wanted) or 'that RustFS maps'} to the app"
    )


def test_idp_token_carries_groups_claim(sso_tokens, engine_oidc_config, sso_spec, extras):
    claim = (engine_oidc_config or {}).get("groups_claim") or sso_spec.groups_claim
    claims = {name: token.claims for name, token in sso_tokens.items() if token.id_token}
    extras.append(html_extras.text(json.dumps(claims, indent=2), name="ID token claims"))
    if all(t.missing_input for t in sso_tokens.values()):
        pytest.skip("; ".join(t.error for t in sso_tokens.values()))
    problems = []
    for user in sso_spec.test_users:
        token = sso_tokens[user.username]
        if token.missing_input:
            continue
        if token.id_token is None:
            problems.append(f"{user.username}: no ID token from the IdP: {token.error}")
            continue
        claims = token.claims
        values = oidc.claim_values(claims, claim)
        if values is None:
            problems.append(
                f"the ID token {sso_spec.provider} issued to {user.username} has no {claim!r} "
                f"claim, which RustFS reads groups from (groups_claim); it carries "
                f"{', '.join(sorted(claims))}. Fix: "
                + _groups_hint(claims, user.groups, claim, sso_spec.provider)
            )
            continue
        lacking = [g for g in user.groups if g not in values]
        if lacking:
            problems.append(
                f"{user.username}'s {claim!r} claim is {values}, without {', '.join(lacking)}. "
                f"Fix: add {user.username} to {', '.join(lacking)} in {sso_spec.provider} and "
                "attach the group to the app"
            )
    assert not problems, "\n".join(problems)


def test_mapped_groups_are_not_iam_groups(target_iam_groups, sso_spec):
    clashes = oidc.colliding_iam_groups(target_iam_groups, list(sso_spec.policies))
    described = "; ".join(
        f"{name} (members {', '.join(info['members']) or 'none'}; policies "
        f"{', '.join(info['policies']) or 'none'})"
        for name, info in clashes.items()
    )
    assert not clashes, (
        f"the target already has IAM group(s) named like mapped {sso_spec.provider} groups: "
        f"{described}. RustFS 1.0.1 grants an SSO session the policies attached to an IAM group "
        "of the same name as a token group, and then ignores the policy named after the group, "
        f"so {sso_spec.provider} members of {', '.join(clashes)} would get "
        f"{' / '.join(', '.join(i['policies']) or 'nothing' for i in clashes.values())} instead "
        f"of {', '.join(sso_spec.policies[g] for g in clashes)}. Fix: rename the group in "
        f"{sso_spec.provider} and in oidc.policies, or rename the IAM group (carried over from "
        "MinIO) before opening SSO"
    )


def _sts_hint(error: str, provider: str) -> str:
    if "no policies are available" in error:
        return (
            "the token's groups map to no RustFS policy: check the groups claim (previous check) "
            "and that oidc.policies names the group"
        )
    if "no OIDC provider configured for issuer" in error:
        return "the engine did not take the provider: see the discovery and issuer checks"
    if "token verification failed" in error:
        return f"the engine could not verify {provider}'s signature, audience or expiry"
    return "read the engine's answer above"


def test_assume_role_with_web_identity_returns_credentials(
    sso_tokens, sso_sessions, sso_configured, sso_spec
):
    if not sso_sessions:
        reasons = "; ".join(t.error for t in sso_tokens.values())
        if all(t.missing_input for t in sso_tokens.values()):
            pytest.skip(reasons)
        pytest.fail(f"no test user has an ID token to present: {reasons}", pytrace=False)
    problems = []
    for name, session in sso_sessions.items():
        if session.credentials is None:
            problems.append(
                f"AssumeRoleWithWebIdentity for {name} on {sso_configured.api_url} was refused: "
                f"{session.error}. Fix: {_sts_hint(session.error, sso_spec.provider)}"
            )
            continue
        s3 = session.endpoint_client(sso_configured.api_url)
        outcome = oidc.s3_probe(s3.list_buckets)
        if outcome != "ok":
            problems.append(
                f"the temporary credentials issued to {name} do not work: ListBuckets answered "
                f"{outcome}"
            )
    assert not problems, "\n".join(problems)


def test_group_policies_enforced(sso_sessions, sso_spec, sso_probe, sso_configured):
    checked, problems = [], []
    for user in sso_spec.test_users:
        session = sso_sessions.get(user.username)
        access = sso_spec.access_of(user)
        if session is None or session.credentials is None or access is None:
            continue
        s3 = session.endpoint_client(sso_configured.api_url)
        bucket = sso_probe.bucket
        outcomes = oidc.access_outcomes(s3, bucket, sso_probe.key, sso_probe.put_key(user.username))
        expected = {
            "list": "ok",
            "get": "ok",
            "put": "AccessDenied" if access == "readonly" else "ok",
        }
        wrong = {a: o for a, o in outcomes.items() if o != expected[a]}
        groups = ", ".join(user.groups)
        checked.append(f"{user.username} ({groups}: {access})")
        if wrong:
            problems.append(
                f"{user.username} (groups {groups}, mapped to {access}) in {bucket}: "
                + ", ".join(f"{a} answered {o}, expected {expected[a]}" for a, o in wrong.items())
                + f". Fix: RustFS grants {access} through the IAM policy named after the group: "
                "check oidc.policies, the policies on the target (admin policy list), and that no "
                "IAM group bears the group's name (the IAM group check)"
            )
    assert checked, (
        "no test user holds temporary credentials, so the group -> policy mapping could not be "
        "checked (see the AssumeRoleWithWebIdentity check)"
    )
    assert not problems, "\n".join(problems)


def test_console_sso_login_completes(console_sso_login, sso_settings):
    if console_sso_login.landed_on_console:
        return
    detail = console_sso_login.detail
    if "invalid_client" in detail:
        fix = (
            f"the client secret RustFS holds is not the one {sso_settings.provider} issued for "
            f"client_id {sso_settings.client_id}: copy it from the app's SSO tab into the secret "
            "the profile names (oidc.client_secret_env / _file) and redeploy"
        )
    elif "redirect" in detail:
        fix = f"register exactly {sso_settings.redirect_uri} as the app's redirect URI"
    elif "no policies" in detail or "policy mapping" in detail:
        fix = "the user's groups map to no RustFS policy (see the groups and mapping checks)"
    elif "unknown OIDC provider" in detail:
        fix = "the engine did not take the provider: see the discovery and issuer checks"
    else:
        fix = "read the engine's answer above; the engine's log has the OIDC stage that failed"
    pytest.fail(
        f"the console's Login with SSO did not complete: {detail}. Fix: {fix}", pytrace=False
    )


def test_root_keys_still_work_as_break_glass(sso_configured, target_app):
    root = root_endpoint(sso_configured.api_url, target_app.spec)
    assert root.access_key, oidc.ROOT_KEYS_DROPPED
    try:
        root.client().list_buckets()
        root.admin().policy_list()
    except (ClientError, BotoCoreError) as exc:
        code = error_code(exc)
        pytest.fail(
            f"the static root keys ({root.access_key}) are refused on S3 ({code}) with SSO on: "
            "they are the break-glass admin if SSO misbehaves; do not hand the store to SSO "
            "until they work",
            pytrace=False,
        )
    except MinioAdminException as exc:
        pytest.fail(
            f"the static root keys ({root.access_key}) are refused by the admin API with SSO on "
            f"({exc}): they are the break-glass admin if SSO misbehaves",
            pytrace=False,
        )

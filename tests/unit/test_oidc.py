"""Unit tests of RustFS's OIDC settings as the cutover renders and reads them (cutover/oidc.py)."""

import base64
import json

import pytest
from pydantic import SecretStr

from cutover import oidc
from cutover.oidc import SsoSettings


def settings(**changes) -> SsoSettings:
    values = {
        "provider": "JumpCloud",
        "config_url": "https://oauth.id.jumpcloud.com/.well-known/openid-configuration",
        "issuer": "https://oauth.id.jumpcloud.com/",
        "client_id": "client-1",
        "client_secret": SecretStr("s3cr3t"),
        "scopes": ("openid", "profile", "email"),
        "groups_claim": "groups",
        "redirect_uri": "http://nas:9000/rustfs/admin/v3/oidc/callback/default",
    }
    return SsoSettings(**{**values, **changes})


def test_engine_env_names_every_key_and_keeps_the_secret_secret():
    env = settings().engine_env()
    assert env["RUSTFS_IDENTITY_OPENID_CONFIG_URL"].endswith("/.well-known/openid-configuration")
    assert env["RUSTFS_IDENTITY_OPENID_ISSUER"] == "https://oauth.id.jumpcloud.com/"
    assert env["RUSTFS_IDENTITY_OPENID_SCOPES"] == "openid,profile,email"
    assert env["RUSTFS_IDENTITY_OPENID_REDIRECT_URI_DYNAMIC"] == "off"
    # The claim naming policies is the groups claim itself: one claim, no fallback to `groups`.
    assert env["RUSTFS_IDENTITY_OPENID_CLAIM_NAME"] == env["RUSTFS_IDENTITY_OPENID_GROUPS_CLAIM"]
    assert isinstance(env["RUSTFS_IDENTITY_OPENID_CLIENT_SECRET"], SecretStr)
    assert "RUSTFS_OUTBOUND_ALLOW_ORIGINS" not in env  # JumpCloud is a public address


def test_engine_env_without_issuer_lets_rustfs_derive_it():
    assert "RUSTFS_IDENTITY_OPENID_ISSUER" not in settings(issuer=None).engine_env()


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://127.0.0.1:9400/.well-known/openid-configuration", "http://127.0.0.1:9400"),
        ("http://localhost:9400/x", "http://localhost:9400"),
        ("https://10.0.0.5/realms/a", "https://10.0.0.5"),
        ("https://oauth.id.jumpcloud.com/.well-known/openid-configuration", None),
        ("https://8.8.8.8/", None),
    ],
)
def test_loopback_and_private_idps_need_the_outbound_allow_list(url, origin):
    assert oidc.restricted_origin(url) == origin


@pytest.mark.parametrize(
    ("config_url", "issuer"),
    [
        (
            "https://oauth.id.jumpcloud.com/.well-known/openid-configuration",
            "https://oauth.id.jumpcloud.com",
        ),
        (
            "https://kc.example/realms/r/.well-known/openid-configuration/",
            "https://kc.example/realms/r",
        ),
        (
            "https://auth.example/application/o/rustfs/",
            "https://auth.example/application/o/rustfs/",
        ),
        ("http://127.0.0.1:9400", "http://127.0.0.1:9400"),
        ("http://127.0.0.1:9400/", "http://127.0.0.1:9400"),
    ],
)
def test_derived_issuer_follows_rustfs_normalize_config_url(config_url, issuer):
    assert oidc.derived_issuer(config_url) == issuer


def test_configured_issuer_prefers_the_explicit_one():
    explicit = {"issuer": "https://oauth.id.jumpcloud.com/", "config_url": "https://x/"}
    assert oidc.configured_issuer(explicit) == (
        "https://oauth.id.jumpcloud.com/",
        "RUSTFS_IDENTITY_OPENID_ISSUER",
    )
    derived = {
        "issuer": None,
        "config_url": "https://oauth.id.jumpcloud.com/.well-known/openid-configuration",
    }
    value, source = oidc.configured_issuer(derived)
    assert value == "https://oauth.id.jumpcloud.com" and "derived" in source


def _jwt(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


def test_jwt_claims_and_group_values():
    claims = oidc.jwt_claims(_jwt({"sub": "alice", "groups": ["a", "b"], "roles": "x, y"}))
    assert claims["sub"] == "alice"
    assert oidc.claim_values(claims, "groups") == ["a", "b"]
    assert oidc.claim_values(claims, "roles") == ["x", "y"]
    assert oidc.claim_values(claims, "memberOf") is None
    with pytest.raises(ValueError, match="not a JWT"):
        oidc.jwt_claims("opaque-access-token")


def test_iam_groups_named_like_idp_groups_are_found():
    iam = {"data-readers": {"members": ["etl-reader"], "policies": ["lakehouse-read"]}}
    assert oidc.colliding_iam_groups(iam, ["data-admins", "data-readers"]) == iam
    assert oidc.colliding_iam_groups(iam, ["data-viewers"]) == {}


def test_access_policies_let_readers_list_and_read_but_not_write():
    actions = oidc.ACCESS_POLICIES["readonly"]["Statement"][0]["Action"]
    assert {"s3:ListBucket", "s3:GetObject"} <= set(actions)
    assert not any(a.startswith("s3:Put") or a == "s3:*" for a in actions)
    assert oidc.ACCESS_POLICIES["readwrite"]["Statement"][0]["Action"] == ["s3:*"]


def test_engine_oidc_errors_reads_rustfs_json_log_lines():
    log = "\n".join(
        [
            '{"level":"INFO","message":"started","subsystem":"startup"}',
            '{"level":"ERROR","message":"oidc provider discovery failed","subsystem":"oidc",'
            '"error":"unexpected issuer URI `http://a` (expected `http://a/`)"}',
            "[FATAL] not json",
            '{"level":"ERROR","message":"oidc provider discovery failed","subsystem":"oidc",'
            '"error":"unexpected issuer URI `http://a` (expected `http://a/`)"}',
        ]
    )
    assert oidc.engine_oidc_errors(log) == [
        "oidc provider discovery failed: unexpected issuer URI `http://a` (expected `http://a/`)"
    ]


def test_code_from_redirect_checks_state_and_errors():
    assert oidc.code_from_redirect("http://rp/cb?code=abc&state=s1", "s1") == "abc"
    with pytest.raises(oidc.TokenError, match="another state"):
        oidc.code_from_redirect("http://rp/cb?code=abc&state=s2", "s1")
    with pytest.raises(oidc.TokenError, match="access_denied"):
        oidc.code_from_redirect("http://rp/cb?error=access_denied&state=s1", "s1")


def test_pkce_challenge_is_s256_of_the_verifier():
    pkce = oidc.Pkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert pkce.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"  # RFC 7636, App. B

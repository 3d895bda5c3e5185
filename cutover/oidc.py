"""Runbook Step 8 on the engine side: RustFS's OIDC settings, its claim -> policy mapping, and
the flows that prove them (STS AssumeRoleWithWebIdentity, the console's code exchange).

What RustFS 1.0.1 does, from its source (rustfs-iam-1.0.1/src/oidc.rs, rustfs-1.0.1
src/admin/handlers/{oidc,sts}.rs), and confirmed against the running engine:

- A provider comes from `RUSTFS_IDENTITY_OPENID_<KEY>` variables (provider id `default`) and is
  discovered once at startup; a failed discovery is logged and the provider is simply absent.
- With `RUSTFS_IDENTITY_OPENID_ISSUER` set, the discovery document's `issuer` must equal it
  byte for byte ("unexpected issuer URI"); without it, the issuer is derived from config_url
  and both slash variants are tried. That fallback changed across releases (rustfs#2049,
  #2349, #2360), so the cutover pins the issuer and checks it exactly.
- Each value of the groups claim becomes a policy name (no role_policy set): group
  `data-admins` is granted the IAM policy named `data-admins`. A token whose claims map to no
  policy is refused ("no policies are available for this OIDC token").
- Outbound calls to loopback or private addresses are refused unless their origin is listed in
  `RUSTFS_OUTBOUND_ALLOW_ORIGINS`.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import secrets
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import boto3
import httpx
from botocore import UNSIGNED
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import SecretStr

from cutover.admin import EngineAdmin
from cutover.redact import remember
from cutover.s3 import S3Endpoint, error_code

PROVIDER_ID = "default"
CALLBACK_PATH = f"/rustfs/admin/v3/oidc/callback/{PROVIDER_ID}"
AUTHORIZE_PATH = f"/rustfs/admin/v3/oidc/authorize/{PROVIDER_ID}"
PROVIDERS_PATH = "/rustfs/admin/v3/oidc/providers"
CONSOLE_CALLBACK_MARK = "/auth/oidc-callback/"
ENV_PREFIX = "RUSTFS_IDENTITY_OPENID_"
ALLOW_ORIGINS_ENV = "RUSTFS_OUTBOUND_ALLOW_ORIGINS"
HTTP_TIMEOUT = 15.0

# What each access level of the profile grants. RustFS's built-in `readonly` cannot list a
# bucket (GetBucketLocation, GetObject, GetBucketQuota only), so readers get their own document.
_ALL = ["arn:aws:s3:::*"]
ACCESS_POLICIES: dict[str, dict[str, Any]] = {
    "admin": {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["admin:*"]},
            {"Effect": "Allow", "Action": ["s3:*"], "Resource": _ALL},
        ],
    },
    "readwrite": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": _ALL}],
    },
    "readonly": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "s3:ListAllMyBuckets",
                    "s3:GetBucketLocation",
                    "s3:ListBucket",
                    "s3:ListBucketVersions",
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                ],
                "Resource": _ALL,
            }
        ],
    },
}


@dataclass(frozen=True)
class SsoSettings:
    """One provider's settings as RustFS is given them (the rehearsal fills `auto` values)."""

    provider: str
    config_url: str
    issuer: str | None
    client_id: str
    client_secret: SecretStr
    scopes: tuple[str, ...]
    groups_claim: str
    redirect_uri: str

    def engine_env(self) -> dict[str, str | SecretStr]:
        """The app's environment for this provider. The claim that names policies is the groups
        claim itself, so the mapping reads one claim only (no hidden fallback to `groups`)."""
        env: dict[str, str | SecretStr] = {
            f"{ENV_PREFIX}ENABLE": "on",
            f"{ENV_PREFIX}DISPLAY_NAME": self.provider,
            f"{ENV_PREFIX}CONFIG_URL": self.config_url,
            f"{ENV_PREFIX}CLIENT_ID": self.client_id,
            f"{ENV_PREFIX}CLIENT_SECRET": self.client_secret,
            f"{ENV_PREFIX}SCOPES": ",".join(self.scopes),
            f"{ENV_PREFIX}GROUPS_CLAIM": self.groups_claim,
            f"{ENV_PREFIX}CLAIM_NAME": self.groups_claim,
            f"{ENV_PREFIX}REDIRECT_URI": self.redirect_uri,
            f"{ENV_PREFIX}REDIRECT_URI_DYNAMIC": "off",
        }
        if self.issuer:
            env[f"{ENV_PREFIX}ISSUER"] = self.issuer
        origin = restricted_origin(self.config_url)
        if origin:
            env[ALLOW_ORIGINS_ENV] = origin
        return env


def restricted_origin(url: str) -> str | None:
    """The origin RustFS must be told to allow: an IdP on a loopback or private address."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").strip("[]")
    if host.lower() == "localhost":
        restricted = True
    else:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return None
        restricted = not address.is_global
    return f"{parsed.scheme}://{parsed.netloc}" if restricted else None


def derived_issuer(config_url: str) -> str:
    """The issuer RustFS 1.0.1 derives from config_url when none is set (normalize_config_url):
    the URL without `/.well-known/openid-configuration`, everything else kept as written."""
    parsed = urlparse(config_url.strip())
    path = parsed.path.removesuffix("/")
    suffix = "/.well-known/openid-configuration"
    if path.endswith(suffix):
        path = path[: -len(suffix)]
    elif parsed.path == "/":
        path = ""
    else:
        path = parsed.path
    return f"{parsed.scheme}://{parsed.netloc}{path}"


def configured_issuer(engine_config: dict[str, Any]) -> tuple[str, str]:
    """(the issuer the engine will demand, where it comes from) for one provider's config."""
    explicit = engine_config.get("issuer")
    if explicit:
        return explicit, f"{ENV_PREFIX}ISSUER"
    return derived_issuer(engine_config.get("config_url", "")), (
        f"derived by RustFS from {ENV_PREFIX}CONFIG_URL"
    )


def policy_name(group: str) -> str:
    """RustFS grants a group claim value the IAM policy of the same name (no claim_prefix)."""
    return group


# --- the engine's admin API ----------------------------------------------------------------


def _admin_json(admin: EngineAdmin, method: str, path: str) -> Any:
    # minio-py signs any admin path; RustFS serves /minio/admin/v3 as an alias of its own.
    response = admin._url_open(method=method, command=SimpleNamespace(value=path))
    return json.loads(response.data.decode() or "null")


def engine_provider_config(admin: EngineAdmin, provider_id: str = PROVIDER_ID) -> dict | None:
    """The provider as the running engine parsed it (GET oidc/config), None when it has none."""
    listed = _admin_json(admin, "GET", "oidc/config") or {}
    return next(
        (p for p in listed.get("providers", []) if p.get("provider_id") == provider_id), None
    )


def discovered_providers(api_url: str) -> list[str]:
    """Provider ids the engine discovered at startup (its public login-page list)."""
    response = httpx.get(api_url + PROVIDERS_PATH, timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    return [p.get("provider_id", "") for p in response.json()]


def colliding_iam_groups(
    iam_groups: dict[str, dict[str, Any]], mapped: list[str]
) -> dict[str, dict[str, Any]]:
    """Mapped IdP groups that are also RustFS IAM groups. For those, RustFS 1.0.1 grants an SSO
    session the IAM group's attached policies instead of the policy named after the claim
    (rustfs-1.0.1 admin/service/federated_identity.rs: `sts_policy_db_get(parent, groups)` is
    consulted first, the claim-named policies only when it finds nothing)."""
    return {g: iam_groups[g] for g in mapped if g in iam_groups}


def create_group_policies(admin: EngineAdmin, policies: dict[str, str]) -> list[str]:
    """One IAM policy per mapped group, named as RustFS looks it up; returns what was created."""
    created = []
    for group, access in sorted(policies.items()):
        name = policy_name(group)
        admin.policy_add(name, policy=ACCESS_POLICIES[access])
        created.append(f"{name} ({access})")
    return created


# --- tokens ----------------------------------------------------------------------------------


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified: for reading claims only (RustFS verifies signatures)."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as exc:
        raise ValueError(f"not a JWT ({exc})") from None


def claim_values(claims: dict[str, Any], name: str) -> list[str] | None:
    """The claim as a list of names (None when absent), as RustFS reads a groups claim."""
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


@dataclass(frozen=True)
class Pkce:
    verifier: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    def __post_init__(self) -> None:
        remember(self.verifier, "PKCE code verifier")

    @property
    def challenge(self) -> str:
        digest = hashlib.sha256(self.verifier.encode()).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorization_request(
    discovery: dict[str, Any], settings: SsoSettings, pkce: Pkce, state: str
) -> str:
    """The authorization endpoint URL a browser would open (code flow with PKCE S256)."""
    query = {
        "response_type": "code",
        "client_id": settings.client_id,
        "redirect_uri": settings.redirect_uri,
        "scope": " ".join(settings.scopes),
        "state": state,
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
    }
    return f"{discovery['authorization_endpoint']}?{urlencode(query)}"


class TokenError(Exception):
    """The IdP refused to issue a token; the message is its own error, secret-free."""


def code_from_redirect(location: str, state: str) -> str:
    """The authorization code in the IdP's redirect back to the registered redirect URI."""
    query = parse_qs(urlparse(location).query)
    if "error" in query:
        raise TokenError(
            f"the IdP refused the login: {query['error'][0]} {query.get('error_description', [''])[0]}"
        )
    if query.get("state", [""])[0] != state:
        raise TokenError(f"the IdP's redirect carries another state than was sent ({location})")
    if "code" not in query:
        raise TokenError(f"the IdP's redirect carries no code: {location}")
    return query["code"][0]


def exchange_code(
    discovery: dict[str, Any], settings: SsoSettings, code: str, pkce: Pkce
) -> dict[str, Any]:
    """The token endpoint exchange (client_secret_post, as RustFS sends it)."""
    response = httpx.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": settings.redirect_uri,
            "client_id": settings.client_id,
            "client_secret": settings.client_secret.get_secret_value(),
            "code_verifier": pkce.verifier,
        },
        timeout=HTTP_TIMEOUT,
    )
    body = (
        response.json()
        if response.headers.get("content-type", "").startswith("application/json")
        else {}
    )
    if response.status_code != 200 or "id_token" not in body:
        said = body.get("error_description") or body.get("error") or response.text[:200]
        raise TokenError(f"the token endpoint answered {response.status_code}: {said}")
    for name in ("id_token", "access_token", "refresh_token"):
        remember(body.get(name), f"IdP {name}")
    return body


# --- what the engine makes of a token -----------------------------------------------------------


@dataclass(frozen=True)
class StsResult:
    """AssumeRoleWithWebIdentity's answer: credentials, or the engine's refusal."""

    credentials: dict[str, Any] | None
    error: str = ""

    def endpoint(self, api_url: str) -> S3Endpoint:
        """The engine's S3 API signed with this session's temporary keys."""
        assert self.credentials is not None
        return S3Endpoint(
            api_url,
            self.credentials["AccessKeyId"],
            SecretStr(self.credentials["SecretAccessKey"]),
            session_token=SecretStr(self.credentials["SessionToken"]),
        )

    def endpoint_client(self, api_url: str) -> BaseClient:
        """One attempt per call: a refusal is the answer being checked, not a fault to retry."""
        return self.endpoint(api_url).client(retries=1, timeout=60)


def assume_role_with_web_identity(api_url: str, id_token: str, session: str) -> StsResult:
    """STS on the engine's own endpoint: the JWT is the authentication, no keys are sent."""
    sts = boto3.client(
        "sts",
        endpoint_url=api_url,
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    try:
        answer = sts.assume_role_with_web_identity(
            RoleArn="arn:aws:iam::000000000000:role/rustfs-sso",  # RustFS maps claims, not roles
            RoleSessionName=session,
            WebIdentityToken=id_token,
            DurationSeconds=900,
        )
    except ClientError as exc:
        message = exc.response.get("Error", {}).get("Message", "")
        return StsResult(None, f"{error_code(exc)}: {message}")
    except BotoCoreError as exc:
        return StsResult(None, str(exc))
    credentials = answer["Credentials"]
    remember(credentials.get("SecretAccessKey"), "STS session's secret key")
    remember(credentials.get("SessionToken"), "STS session token")
    return StsResult(credentials)


def s3_probe(call) -> str:
    """'ok' or the S3 error code of one call made with temporary credentials."""
    try:
        call()
    except ClientError as exc:
        return error_code(exc)
    except BotoCoreError as exc:
        return type(exc).__name__
    return "ok"


def access_outcomes(s3, bucket: str, key: str, put_key: str) -> dict[str, str]:
    """What one session may do in a bucket: list it, read `key`, write `put_key`."""
    return {
        "list": s3_probe(lambda: s3.list_objects_v2(Bucket=bucket, MaxKeys=5)),
        "get": s3_probe(lambda: s3.get_object(Bucket=bucket, Key=key)["Body"].read()),
        "put": s3_probe(lambda: s3.put_object(Bucket=bucket, Key=put_key, Body=b"sso put")),
    }


@dataclass(frozen=True)
class ConsoleLogin:
    """The console's SSO round trip: where it ended, and the engine's message if it failed."""

    landed_on_console: bool
    detail: str


def console_login(api_url: str, sign_in) -> ConsoleLogin:
    """Open the console's "Login with SSO", let `sign_in(authorize_url) -> callback URL` play the
    person at the IdP, then follow the callback: RustFS exchanges the code with its client
    secret and redirects to the console with temporary credentials (never printed)."""
    start = httpx.get(api_url + AUTHORIZE_PATH, timeout=HTTP_TIMEOUT)
    if start.status_code != 302:
        return ConsoleLogin(
            False, f"{AUTHORIZE_PATH} answered {start.status_code}: {_s3_message(start)}"
        )
    callback = sign_in(start.headers["location"])
    done = httpx.get(callback, timeout=HTTP_TIMEOUT)
    location = done.headers.get("location", "")
    if done.status_code == 302 and CONSOLE_CALLBACK_MARK in location and "accessKey=" in location:
        return ConsoleLogin(True, location.split("#", 1)[0])
    return ConsoleLogin(False, f"the callback answered {done.status_code}: {_s3_message(done)}")


def _s3_message(response: httpx.Response) -> str:
    text = response.text
    if "<Message>" in text:
        return text.split("<Message>", 1)[1].split("</Message>", 1)[0].replace("&apos;", "'")
    return text[:300] or "(empty)"


# The message both the SSO fixture and the break-glass check give when the app lost its root keys.
ROOT_KEYS_DROPPED = (
    "the target app no longer carries its static root keys (RUSTFS_ACCESS_KEY / "
    "RUSTFS_SECRET_KEY) after the SSO change: RustFS falls back to its built-in default "
    "credentials and the break-glass admin the runbook keeps is gone. Keep both keys in the "
    "app's YAML next to the OIDC settings"
)


def engine_oidc_errors(log: str) -> list[str]:
    """What the engine logged about OIDC going wrong (its JSON log lines), oldest first."""
    found: list[str] = []
    for line in log.splitlines():
        start = line.find("{")
        if start < 0 or '"oidc"' not in line:
            continue
        try:
            entry = json.loads(line[start:])
        except ValueError:
            continue
        if entry.get("subsystem") != "oidc" or entry.get("level") not in {"ERROR", "WARN"}:
            continue
        said = entry.get("error") or entry.get("error_description") or ""
        text = f"{entry.get('message', '')}: {said}" if said else str(entry.get("message", ""))
        if text not in found:
            found.append(text)
    return found

"""Phase 75 — public exposure: the S3 API on the public hostname, the console off it.

Runbook Step 3, "Console behind Cloudflare is buggy": "S3 API (:9000) → Cloudflare — a plain S3
endpoint proxies fine ... Console (:9001) → reach over LAN / Tailscale, not Cloudflare. It's an
admin UI; it doesn't need public ingress, and this sidesteps the proxy bug" (rustfs#966, #3062).
The console's LAN port is checked in phase 40 (test_console_reachable).
"""

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from cutover.exposure import console_answers, fetch, s3_error_code
from cutover.s3 import error_code

pytestmark = pytest.mark.cutover


def test_public_hostname_answers_as_the_s3_api(public_api):
    answer = fetch(public_api.url + "/", user_agent="rustfs-cutover")
    code = s3_error_code(answer)
    assert code is not None, (
        f"{public_api.what} does not answer like the S3 API: {answer.describe()}. An anonymous "
        "request must get an S3 XML error (AccessDenied) from RustFS: point the tunnel's ingress "
        "for this hostname at the API port (9000), not the console or another service"
    )


def test_public_api_lists_buckets_with_current_root_keys(
    public_api, public_root_endpoint, lan_root_endpoint
):
    try:
        public = sorted(b["Name"] for b in public_root_endpoint.client().list_buckets()["Buckets"])
    except (ClientError, BotoCoreError) as exc:
        hint = (
            ": the proxy changes the signed request. It must pass the Host header through "
            "unchanged (cloudflared: no httpHostHeader/originServerName rewrite) and not alter "
            "the path or query"
            if error_code(exc) == "SignatureDoesNotMatch"
            else ""
        )
        raise AssertionError(
            f"ListBuckets through {public_api.what} ({public_api.url}) with the current root keys "
            f"failed: {error_code(exc)}{hint}"
        ) from None
    lan = sorted(b["Name"] for b in lan_root_endpoint.client().list_buckets()["Buckets"])
    assert public == lan, (
        f"{public_api.url} lists {public}, the API port on the LAN lists {lan}: the public "
        "hostname reaches another store; fix the tunnel's ingress"
    )


def test_console_not_served_on_public_hostname(public_api, public_spec, run_record):
    """Fails when the console is served on the public hostname; xfails (still warning in red)
    when the profile accepts it on purpose (public.console_exposure_accepted).

    Why fail: the runbook's split is explicit, the console is an admin login page (root keys)
    that has no business on a public hostname, and behind Cloudflare it does not even work
    (rustfs#966, #3062). An experienced platform engineer treats an unplanned public admin UI as
    a finding that blocks sign-off, but respects a recorded decision to expose it: the runbook
    allows it "if you must" (same hostname as the API, the two *_CORS_ALLOWED_ORIGINS set), so a
    profile that says so turns the failure into an expected failure, never a silent pass.
    """
    found = console_answers(public_api.url)
    if not found:
        return
    warning = (
        f"THE RUSTFS CONSOLE IS SERVED ON {public_api.what.upper()} {public_api.url}: "
        + "; ".join(found)
        + ". The runbook keeps the console on the LAN / Tailscale: it is an admin UI and breaks "
        "behind Cloudflare (rustfs#966, #3062). Route only the API port (9000) to this hostname."
    )
    run_record.notices.append(warning)
    if public_spec.console_exposure_accepted:
        pytest.xfail(
            "console exposed on the public hostname, accepted in the profile "
            "(public.console_exposure_accepted): keep API and console on the same hostname and "
            "set RUSTFS_CONSOLE_CORS_ALLOWED_ORIGINS / RUSTFS_CORS_ALLOWED_ORIGINS to it"
        )
    pytest.fail(
        warning + " Remove the console route from the tunnel, or record the decision with "
        "public.console_exposure_accepted: true",
        pytrace=False,
    )

"""What a public hostname serves: the S3 API (wanted) and the RustFS console (not wanted).

Runbook Step 3: publish the API port through Cloudflare, keep the console (port 9001) on the LAN
or Tailscale, because the console embeds its internal port in API calls and breaks behind a
proxy on 443 (rustfs#966, #3062). These are plain HTTP reads, no credentials involved.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) rustfs-cutover exposure check"
CONSOLE_HEALTH = "/rustfs/console/health"
CONSOLE_PAGE = "/rustfs/console/"


@dataclass(frozen=True)
class HttpAnswer:
    url: str
    status: int | None  # None: no answer at all
    content_type: str = ""
    body: bytes = b""
    location: str = ""
    error: str = ""

    def describe(self) -> str:
        if self.status is None:
            return f"{self.url}: no answer ({self.error})"
        what = f"{self.url} answered {self.status} {self.content_type or '(no content type)'}"
        if self.location:
            what += f" -> {self.location}"
        snippet = self.body[:120].decode("utf-8", errors="replace").strip()
        return what + (f": {snippet!r}" if snippet else "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer to look at
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, *, user_agent: str = BROWSER, timeout: float = 10) -> HttpAnswer:
    """An anonymous GET, redirects not followed; the first 4 KiB of the body."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return HttpAnswer(
                url,
                response.status,
                response.headers.get("Content-Type", ""),
                response.read(4096),
                response.headers.get("Location", ""),
            )
    except urllib.error.HTTPError as exc:
        return HttpAnswer(
            url,
            exc.code,
            exc.headers.get("Content-Type", "") if exc.headers else "",
            exc.read(4096),
            exc.headers.get("Location", "") if exc.headers else "",
        )
    except OSError as exc:
        return HttpAnswer(url, None, error=str(getattr(exc, "reason", exc)))


def s3_error_code(answer: HttpAnswer) -> str | None:
    """The <Code> of an S3 XML error body, or None when the body is not one."""
    try:
        root = ET.fromstring(answer.body.decode("utf-8", errors="replace").strip())
    except ET.ParseError:
        return None
    tag = root.tag.rsplit("}", 1)[-1]
    if tag != "Error":
        return None
    code = next((c.text for c in root if c.tag.rsplit("}", 1)[-1] == "Code"), None)
    return code or None


def console_answers(base_url: str) -> list[str]:
    """Each way `base_url` serves the RustFS console: its health route (the console service,
    also in builds without the UI bundle), its UI page, or a browser redirect to it."""
    base = base_url.rstrip("/")
    found = []
    health = fetch(base + CONSOLE_HEALTH)
    if health.status == 200 and _is_console_health(health.body):
        found.append(f"{health.describe()} (the console service's health route)")
    page = fetch(base + CONSOLE_PAGE)
    if page.status == 200 and "html" in page.content_type.lower():
        found.append(f"{page.url} answered 200 {page.content_type} (the console UI)")
    root = fetch(base + "/")
    if root.status in {301, 302, 303, 307, 308} and CONSOLE_PAGE.rstrip("/") in root.location:
        found.append(f"{root.url} redirects a browser to the console ({root.location})")
    return found


def _is_console_health(body: bytes) -> bool:
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and "console" in str(data.get("service", ""))

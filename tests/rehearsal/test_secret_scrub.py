"""A full rehearsal whose secrets hold every character an encoding rewrites, with a planted check
that fails holding them all while `--showlocals --tb=long` is on: no file the run wrote and no
line of its terminal output may hold any of them, in any encoding (raw, HTML-escaped once or
twice, JSON, repr, URL-encoded, base64 at any offset, hex, inside pytest-html's data: URIs)."""

from __future__ import annotations

import base64
import html
import re

import pytest

from cutover.redact import leaks
from tests.rehearsal.harness import rehearse

# Accepted by MinIO (root password, and the R2 stand-in's) and RustFS (RUSTFS_SECRET_KEY), and
# by rclone through RCLONE_CONFIG_*_SECRET_ACCESS_KEY.
HOSTILE_ROOT = "s3cr&t<\"x'>+/=%ab"
HOSTILE_NEW = "n3w&amp;<\"r0t'>+/=%2Bé"
HOSTILE_R2 = "r2&<\"k3y'>+/=%41%%"
SECRETS = (HOSTILE_ROOT, HOSTILE_NEW, HOSTILE_R2)
DATA_URI = re.compile(r"base64,([A-Za-z0-9+/=]+)")


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    return rehearse(
        tmp_path_factory.mktemp("reports"),
        faults=("secret_in_failing_check",),
        args=("--showlocals", "--tb=long"),
        env={
            "CUTOVER_ROOT_SECRET": HOSTILE_ROOT,
            "CUTOVER_NEW_ROOT_SECRET": HOSTILE_NEW,
            "CUTOVER_R2_SECRET": HOSTILE_R2,
        },
    )


def test_engines_took_the_hostile_secrets_and_only_the_planted_check_failed(hostile_run):
    outcomes = hostile_run.outcomes()
    bad = {t: o for t, o in outcomes.items() if o not in {"passed", "skipped"}}
    phases = {t["phase"] for t in hostile_run.summary["tests"] if t["test"] in bad}
    assert phases == {"test_75_public_exposure"}, bad
    assert "planted failure: the tunnel was handed '[REDACTED]'" in hostile_run.failed(
        "test_public_hostname_answers_as_the_s3_api"
    )
    for phase in (
        "test_40_verify",
        "test_60_r2_sync",
        "test_70_rotate_root_key",
        "test_80_oidc_sso",
    ):
        ran = [t for t in hostile_run.summary["tests"] if t["phase"] == phase]
        assert ran and all(t["outcome"] == "passed" for t in ran), ran


def _independent_look(data: bytes) -> list[str]:
    """The raw secret in the bytes, in the text HTML-unescaped up to three times, and in every
    base64 data: URI decoded: a check that does not trust the module under test."""
    found = []
    text = data.decode("utf-8", errors="replace")
    views = [text]
    for _ in range(3):
        views.append(html.unescape(views[-1]))
    for blob in DATA_URI.findall(text):
        decoded = base64.b64decode(blob + "=" * (-len(blob) % 4)).decode("utf-8", "replace")
        views += [decoded, html.unescape(decoded)]
    for secret in SECRETS:
        if secret.encode() in data or any(secret in v for v in views):
            found.append(secret[:2] + "...")
    return found


def test_no_file_the_run_wrote_holds_a_secret_in_any_encoding(hostile_run):
    files = [p for p in hostile_run.run_dir.rglob("*") if p.is_file()]
    assert {"report.html", "summary.json", "rustfs-app.yaml", "rustfs-app-rotated.yaml"} <= {
        p.name for p in files
    }
    for path in files:
        data = path.read_bytes()
        assert _independent_look(data) == [], path.name
        assert leaks(data.decode("utf-8", errors="replace"), SECRETS) == [], path.name
    report = (hostile_run.run_dir / "report.html").read_text(encoding="utf-8")
    assert "[REDACTED]" in report  # the planted failure is in the report, scrubbed


def test_showlocals_terminal_output_holds_no_secret(hostile_run):
    assert _independent_look(hostile_run.output.encode()) == []
    assert leaks(hostile_run.output, SECRETS) == []
    # the locals were printed, scrubbed
    assert "root       = '[REDACTED]'" in hostile_run.output
    assert "'RCLONE_CONFIG_R2_SECRET_ACCESS_KEY': '[REDACTED]'" in hostile_run.output
    assert "SECRET LEFT IN THE RECORD" not in hostile_run.output


def test_a_secret_the_scrub_cannot_rewrite_fails_the_run_naming_the_file(tmp_path):
    run = rehearse(
        tmp_path / "reports",
        "preflight",
        faults=("secret_left_in_a_file",),
        env={"CUTOVER_ROOT_SECRET": HOSTILE_ROOT},
    )
    assert all(o in {"passed", "skipped"} for o in run.outcomes().values()), run.outcomes()
    assert run.returncode == 1, run.output[-3000:]
    leak = run.run_dir / "planted-leak.html"
    said = f"SECRET LEFT IN THE RECORD: {leak} still holds root secret (HTML entities decoded"
    assert said in run.output
    assert any(n.startswith(said) for n in run.summary["run"]["notices"])
    assert "do not attach or share it" in run.output
    assert HOSTILE_ROOT not in run.output and leaks(run.output, SECRETS) == []

"""A failing check whose locals, message, output and report extras hold a secret, run by a real
pytest with pytest-html and `--showlocals`: neither the terminal nor the HTML report may show
the secret in any encoding, before any file scrub (fixtures/scrubbing.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cutover.redact import REDACTED, leaks

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cr&t<\"x'>+/=%ab-ünï"

CONFTEST = """
import os

from cutover.redact import SecretRegistry
from fixtures.scrubbing import ReportScrubber


def pytest_configure(config):
    if os.environ.get("SCRUB") == "1":
        registry = SecretRegistry()
        registry.add(os.environ["PLANTED_SECRET"], "planted secret")
        config.pluginmanager.register(ReportScrubber(registry), "scrubber")
"""

CHECKS = """
import os

import pytest
from pytest_html import extras as html_extras

SECRET = os.environ["PLANTED_SECRET"]


def test_check_fails_holding_the_secret(extras):
    held = {"RUSTFS_SECRET_KEY": SECRET, "where": "a local"}
    value = SECRET
    cut = "p" * 110 + SECRET + "q" * 200  # --showlocals cuts this repr inside the secret
    print("printed:", value)
    extras.append(html_extras.text(f"engine log: signing with {value}", name="log tail"))
    extras.append(html_extras.json({"client_secret": value, "note": f"x {value}"}, name="config"))
    assert value == "something else", f"planted failure holding {value} and {held}"


@pytest.fixture
def broken_fixture():
    secret = SECRET
    raise RuntimeError(f"the fixture failed holding {secret!r}")


def test_fixture_fails_holding_the_secret(broken_fixture):
    pass
"""


def planted_run(tmp_path: Path, *, scrub: bool) -> tuple[str, str]:
    """The terminal output and report.html of a run with --showlocals and long tracebacks."""
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_planted.py").write_text(CHECKS)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "PLANTED_SECRET": SECRET,
        "SCRUB": "1" if scrub else "0",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-l",
            "--tb=long",
            "-rA",
            "--html=report.html",
            "--self-contained-html",
            "-p",
            "no:randomly",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr, (tmp_path / "report.html").read_text(encoding="utf-8")


def test_the_planted_run_leaks_without_the_scrubber(tmp_path):
    """The control: the secret does reach the terminal and the report when nothing scrubs."""
    terminal, report = planted_run(tmp_path, scrub=False)
    assert SECRET in terminal
    assert leaks(report, [SECRET])


@pytest.fixture(scope="module")
def scrubbed_run(tmp_path_factory):
    return planted_run(tmp_path_factory.mktemp("planted"), scrub=True)


def test_showlocals_terminal_output_holds_no_secret(scrubbed_run):
    terminal, _ = scrubbed_run
    assert leaks(terminal, [SECRET]) == []
    assert "value      = '[REDACTED]'" in terminal  # the locals were shown, scrubbed
    assert f"printed: {REDACTED}" in terminal
    assert "planted failure holding [REDACTED]" in terminal
    assert "the fixture failed holding" in terminal
    assert "cut        = 'ppp" in terminal and SECRET[:3] not in terminal


def test_html_report_holds_no_secret_in_any_encoding(scrubbed_run):
    _, report = scrubbed_run
    assert leaks(report, [SECRET]) == []
    assert "data:text/plain;charset=utf-8;base64," in report  # the extras are there
    assert "data:application/json;charset=utf-8;base64," in report

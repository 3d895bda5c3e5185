"""Command-line options and the fixture plugins behind the runbook suites.

The plugins that act are loaded per mode by fixtures.startup: fixtures.phases (every phase
fixture, once) with the mode's `site`: fixtures.staging and fixtures.deploy for a rehearsal,
fixtures.production for the NAS.

`pytest` alone runs the rehearsal (suites/); `pytest tests` runs the project's own tests.
"""

import os

# Ryuk, testcontainers' reaper, is an image pulled from Docker Hub: never reachable offline, and
# a pull attempt is traffic to a public address. Fixtures remove their own containers instead.
os.environ["TESTCONTAINERS_RYUK_DISABLED"] = "true"

import pytest

import fixtures.hookspecs

pytest_plugins = [
    "fixtures.session",
    "fixtures.startup",
    "fixtures.verify",
    "fixtures.rotation",
    "fixtures.exposure",
    "fixtures.oidc",
    "fixtures.ondisk",
    "fixtures.hazards",
    "fixtures.objectmeta",
    "fixtures.r2",
]


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(fixtures.hookspecs)

"""Loaded with `-p tests.nas.debug_log` into a production run: testinfra's DEBUG log (every command
it runs, as `pytest -vv` shows it to an operator) and cutover's, written to $CUTOVER_DEBUG_LOG so
a test can read it for secrets afterwards."""

from __future__ import annotations

import logging
import os

import pytest

LOGGERS = ("testinfra", "cutover")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    handler = logging.FileHandler(os.environ["CUTOVER_DEBUG_LOG"], encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)

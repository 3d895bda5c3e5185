"""The one piece of this checkout pytest loads before it knows where the checkout is.

The cutover options (`--target`, `--confirm`, ...) are registered by conftest.py, which pytest
finds from the paths on the command line. Those paths are found before any option of a
conftest is known, so in `pytest --target /elsewhere/p.yml` pytest takes `/elsewhere/p.yml` for
the test path: it roots the run in /elsewhere, never loads this checkout's conftest.py, and
stops at `unrecognized arguments: --target`. Installed as a `pytest11` entry point (see
pyproject.toml), this plugin is loaded in every case and turns that into a sentence saying how
to write it. It imports nothing of the checkout, so it cannot shadow another checkout's code.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

# The options conftest.py registers (fixtures/startup.py).
CUTOVER_OPTIONS = (
    "--target",
    "--target-engine",
    "--datasets",
    "--report-dir",
    "--confirm",
    "--rollback",
    "--state-dir",
    "--dress-rehearsal",
    "--source-dir",
)


def _given(args: list[str]) -> list[str]:
    return [a for a in args if a.split("=", 1)[0] in CUTOVER_OPTIONS]


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> Generator[None, None, None]:
    """After the conftests pytest found are loaded: were the cutover options among them?"""
    result = yield
    given = _given(args)
    if given and not hasattr(parser.parse_known_args(args), "target"):
        option = given[0]
        value = args[args.index(option) + 1] if option in args[:-1] else ""
        spelled = f"{option}={value}" if value and "=" not in option else option
        raise pytest.UsageError(
            f"pytest did not load the rustfs-cutover options ({option}): it looks for the "
            f"checkout's conftest.py only along the test paths named, and took "
            f"{value or 'the command line'} for one. "
            f"Write {spelled} (with '='), or name the suites first (pytest suites {option} ...), "
            "from the rustfs-cutover checkout"
        )
    return result

"""Fault: something writes the root secret into the report directory in a form no scrub
rewrites (one character as a decimal HTML entity), after every check passed. The final pass
must find it, name the file and fail the run."""

import pytest

from cutover.profile import resolve_root_secret
from fixtures.session import CONTEXT


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    config = session.config
    secret = resolve_root_secret(config.stash[CONTEXT].profile.credentials).get_secret_value()
    odd = f"&#{ord(secret[0])};{secret[1:]}"
    (config.stash[CONTEXT].run_dir / "planted-leak.html").write_text(
        f"<p>{odd}</p>", encoding="utf-8"
    )

"""Every bad input in cases.py answers its one sentence, with its exit code, no traceback and
nothing touched; docs/bad-input.md is exactly the table of these cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cutover.profile import REPO_ROOT
from tests.badinput.cases import CASES, Case
from tests.badinput.table import DOC, render


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _expected(case: Case, scratch: Path) -> str:
    return _flat(case.says.replace("<dir>", str(scratch)).replace("<checkout>", str(REPO_ROOT)))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_gets_one_sentence(case: Case, tmp_path: Path) -> None:
    outcome = case.act(tmp_path)
    text = outcome.text
    assert "Traceback" not in text, text[-3000:]
    assert "(!) change records written" not in text, text[-3000:]
    assert _expected(case, tmp_path) in _flat(text), text[-3000:]
    assert outcome.exit == case.exit, f"exit {outcome.exit}, expected {case.exit}:\n{text[-3000:]}"
    for secret in case.hidden:
        assert secret not in text, "a pasted secret was echoed back"


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


def test_doc_is_the_table_of_the_cases() -> None:
    assert DOC.is_file(), (
        "docs/bad-input.md is missing: python -m tests.badinput > docs/bad-input.md"
    )
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/bad-input.md differs from tests/badinput/cases.py: regenerate it with "
        "python -m tests.badinput > docs/bad-input.md"
    )


def test_the_option_guard_is_a_pytest11_entry_point() -> None:
    """Only an entry point is loaded before pytest knows the checkout (see the module)."""
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "pytest_cutover_guard" in project["project"]["entry-points"]["pytest11"].values()
    assert "pytest_cutover_guard" in project["tool"]["setuptools"]["py-modules"]


def test_readme_quotes_the_count() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"[docs/bad-input.md](docs/bad-input.md): {len(CASES)} bad inputs" in readme

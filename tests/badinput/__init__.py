"""Bad input, table-driven: `cases.py` lists every bad input with the sentence the tool answers,
`test_bad_input.py` runs them, and `python -m tests.badinput` prints docs/bad-input.md from the
same list (a test keeps the two equal)."""

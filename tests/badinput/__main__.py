"""`python -m tests.badinput > docs/bad-input.md`: the bad-input table, from the cases."""

from tests.badinput.table import main

raise SystemExit(main())

"""A live count and rate for long inventories (rich), shown only where someone watches.

Scanning a million xl.meta files or listing a large bucket takes long enough that an operator
must see it moving; a captured or piped run gets no bar, only the final rate in the record.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


@contextmanager
def counting(
    description: str, unit: str = "objects", *, enabled: bool | None = None
) -> Iterator[Callable[[int], None]]:
    """Yields `update(count)`; draws a transient rich line on the real stderr when a TTY."""
    stream = sys.__stderr__
    if enabled is None:
        enabled = bool(stream and stream.isatty())
    if not enabled:
        yield lambda count: None
        return
    columns = (
        SpinnerColumn(),
        TextColumn(description),
        TextColumn("{task.completed:,.0f} " + unit),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    started = time.monotonic()
    with Progress(*columns, console=Console(file=stream), transient=True) as progress:
        task = progress.add_task(description, total=None, rate="")

        def update(count: int) -> None:
            elapsed = time.monotonic() - started
            rate = f"{count / elapsed:,.0f}/s" if elapsed > 0 else ""
            progress.update(task, completed=count, rate=rate)

        yield update

"""Waiting on a condition with a timeout, in one place (house rule: no bare sleeps).

Every wait in the library (an engine's readiness, a tunnel's port, a stand-in IdP) is the same
loop: probe, stop when the condition holds, give up at the deadline saying what was last seen.
A probe that sees the wait can never succeed (the process exited) raises its own error at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class NotYet:
    """A probe's answer while the awaited condition does not hold: what it saw instead."""

    observed: object


class WaitTimeout(TimeoutError):
    """The deadline passed; `last` is the last observation, for the caller's own sentence."""

    def __init__(self, what: str, timeout: float, last: object) -> None:
        super().__init__(f"gave up waiting for {what} after {timeout:.0f} s (last: {last})")
        self.what = what
        self.timeout = timeout
        self.last = last


def wait_until(probe: Callable[[], T | NotYet], *, timeout: float, interval: float, what: str) -> T:
    """Call `probe` every `interval` seconds until it returns something other than `NotYet`.

    It gives up only when a probe made after the deadline still answers `NotYet`, so a slow
    probe never cuts the wait short and a condition that holds by then is not a timeout.
    """
    deadline = time.monotonic() + timeout
    while True:
        answer = probe()
        if not isinstance(answer, NotYet):
            return answer
        if time.monotonic() > deadline:
            raise WaitTimeout(what, timeout, answer.observed)
        time.sleep(interval)

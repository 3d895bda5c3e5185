"""One wait loop for the library: the probe's value when the condition holds, the last
observation when it never does, and the probe's own error at once when it cannot hold."""

import pytest

from cutover.wait import NotYet, WaitTimeout, wait_until


def test_returns_what_the_probe_answered_once_the_condition_holds():
    answers = iter([NotYet("starting"), NotYet("HTTP 503"), 42])
    assert wait_until(lambda: next(answers), timeout=5, interval=0, what="the answer") == 42


def test_timeout_carries_the_last_observation_and_is_a_timeout_error():
    seen = iter(range(1000))
    with pytest.raises(TimeoutError) as caught:
        wait_until(lambda: NotYet(f"try {next(seen)}"), timeout=0, interval=0, what="port 9000")
    assert isinstance(caught.value, WaitTimeout)
    assert caught.value.last == "try 0"
    assert str(caught.value) == "gave up waiting for port 9000 after 0 s (last: try 0)"


def test_a_probe_that_knows_the_wait_is_hopeless_raises_at_once():
    def exited() -> NotYet:
        raise RuntimeError("the process exited with code 1")

    with pytest.raises(RuntimeError, match="exited with code 1"):
        wait_until(exited, timeout=60, interval=60, what="a process that died")

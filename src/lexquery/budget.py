"""A time budget for one piece of work, checked where the work loops (cooperative cancellation).

A Python thread cannot be stopped from outside: the server gives each request's work a
:class:`Budget` (a deadline, and a flag it sets when it answers 504), and the loops of the work —
the statements of a .lq text (and its lexer, line by line), the cases of a batch, the chunks of a
screening — call :func:`check`, which raises :class:`Cancelled` once the deadline has passed or
the request was given up. Outside a budget (the command line), :func:`check` costs one lookup.

The lowest floor: no lexquery import.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

_local = threading.local()


class Cancelled(Exception):
    """The work of a request went past its budget, or its request was given up: stop."""


class Budget:
    def __init__(self, seconds: float | None):
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()


@contextmanager
def running(budget: Budget):
    """Run the ``with`` block (in this thread) under ``budget``."""
    before = getattr(_local, "budget", None)
    _local.budget = budget
    try:
        yield budget
    finally:
        _local.budget = before


def check() -> None:
    """Raise :class:`Cancelled` if the work of this thread is past its budget."""
    b = getattr(_local, "budget", None)
    if b is not None and (b.cancelled or (b.deadline is not None and time.monotonic() > b.deadline)):
        raise Cancelled()

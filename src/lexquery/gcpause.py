"""Python's cyclic garbage collector paused while a command's process starts (issue 16).

A process's start-up — the imports (numpy, polars, lexquery's modules), the knowledge base, the
compiled program of the rules — allocates objects that live as long as the process, and
CPython's collector, run every 700 allocations, scans them again and again as they age: ≈ 130
collections, ≈ 0.05 s of the ≈ 0.5 s of CPU a 1-row columnar screening costs
(docs/performance.md, « Start-up of a screening process »). Paused here (:func:`pause`) until the
start-up is over (:func:`resume`); then the objects it left are moved to the permanent
generation (``gc.freeze``, as the Python documentation advises for a process's start-up), so the
collections of the work that follows never scan them. Reference counting frees what it frees as
before: only reference cycles wait for :func:`resume`.

Only in a process of its own: the command line's (:func:`lexquery.cli.main` reading ``sys.argv``
calls ``pause(entry=True)``; a call from Python with its own ``argv`` — the tests — leaves the
collector as it is, and so do the later :func:`pause` calls in that process). A worker of the
columnar screening does the same around its setup (:mod:`lexquery.workers`, ``_child``).
Nothing of an answer depends on it: the collector frees memory, it computes nothing.
"""
from __future__ import annotations

import gc

_ENTRY = False    # a command line's own process: the collector may be paused
_PAUSED = False   # paused by pause(), not yet resumed


def pause(entry: bool = False) -> None:
    """The collector paused — in the command line's own process only (``entry``: that process's
    first call, from :func:`lexquery.cli.main`); a no-op elsewhere, when already paused, or when
    the collector was disabled by someone else."""
    global _ENTRY, _PAUSED
    if entry:
        _ENTRY = True
    if _ENTRY and not _PAUSED and gc.isenabled():
        gc.disable()
        _PAUSED = True


def resume() -> None:
    """The start-up's objects frozen (``gc.freeze``) and the collector running again, if
    :func:`pause` paused it; a no-op otherwise."""
    global _PAUSED
    if _PAUSED:
        _PAUSED = False
        gc.freeze()
        gc.enable()

"""Validate a stream of cases in chunks, on several processes, results in input order.

:func:`validate_stream` reads :class:`Item` s lazily, cuts them into chunks of ``chunk``
cases, validates each chunk with :func:`lexquery.caserdf.validate.validate_many` — inline
for a single process, else on ``jobs`` worker processes with at most ``2 × jobs`` chunks in
flight — and yields one list of results per case in the input order. Memory stays bounded
by the chunks in flight, whatever the file's length (docs/validation.md).
"""
from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import dataclass, field
from itertools import islice
from typing import Iterable, Iterator

from .validate import ValidationResult, checker, default_engine, validate_many


@dataclass
class Item:
    """One case to validate: its label, the raw JSON value, problems found before (CSV cells, JSON syntax)."""
    source: str
    raw: object
    problems: list = field(default_factory=list)   # lexquery.errors.Problem
    case_id: str | None = None
    covers: list = field(default_factory=list)     # JSON paths ("removal_measures[].kind") the problems are about


def _check_chunk(chunk: list[Item], engine: str, render=None) -> list:
    readable = [it for it in chunk if it.raw is not None]
    done = iter(validate_many([it.raw for it in readable], [it.source for it in readable], engine))
    out = []
    for it in chunk:
        pre = [ValidationResult.of_problem(p) for p in it.problems]
        res = pre + _uncovered(next(done), it.covers) if it.raw is not None else pre
        out.append(render(it, res) if render is not None else res)
    return out


def _uncovered(results, covers):
    """Drop SHACL findings about a field already reported (one message per mistake: a bad
    CSV cell is left out of the case, SHACL would then call the fact unknown)."""
    if not covers:
        return results
    def covered(where):
        w = _INDEX.sub("[]", where)
        return any(c == w or c.startswith(w + ".") or c.startswith(w + "[") for c in covers)
    return [r for r in results if r.shape is None or not covered(r.where)]


_INDEX = re.compile(r"\[\d+\]")


def default_jobs() -> int:
    """Worker processes: the CPUs this process may use (2 on the reference machine)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def validate_stream(items: Iterable[Item], jobs: int | None = None, chunk: int = 250,
                    engine: str | None = None, render=None) -> Iterator[tuple[Item, object]]:
    """(item, results) for every item, in input order; chunks on ``jobs`` processes.

    ``render``: a picklable ``(item, results) -> value`` applied in the worker (the
    CLI formats its text there, so the main process only reads and writes). A stream
    that fits in two chunks is validated in this process (no start-up cost).
    """
    engine = engine or default_engine()
    jobs = default_jobs() if jobs is None else max(1, jobs)
    it = iter(items)
    first = list(islice(it, chunk))
    second = list(islice(it, chunk)) if first else []
    if jobs == 1 or not second:
        for c in (first, second):
            if c:
                yield from zip(c, _check_chunk(c, engine, render))
        while c := list(islice(it, chunk)):
            yield from zip(c, _check_chunk(c, engine, render))
        return
    yield from _parallel(iter([first, second]), it, jobs, chunk, engine, render)


def _parallel(head, it, jobs, chunk, engine, render):
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    checker()                     # compiled before the workers fork: they inherit it
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    chunks = _chain_chunks(head, it, chunk)
    pending: deque = deque()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        for c in chunks:
            pending.append((c, pool.submit(_check_chunk, c, engine, render)))
            if len(pending) >= 2 * jobs:
                c0, fut = pending.popleft()
                yield from zip(c0, fut.result())
        while pending:
            c0, fut = pending.popleft()
            yield from zip(c0, fut.result())


def _chain_chunks(head, it, chunk):
    yield from head
    while c := list(islice(it, chunk)):
        yield c

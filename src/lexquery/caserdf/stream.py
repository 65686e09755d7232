"""Validate a stream of cases in chunks, on several processes, results in input order.

:func:`validate_stream` reads :class:`Item` s lazily, cuts them into chunks of ``chunk``
cases, validates each chunk with :func:`lexquery.caserdf.validate.validate_many` — inline
for a single process, else on ``jobs`` forked worker processes (:func:`lexquery.workers.in_order`)
with at most ``2 × jobs`` chunks in flight — and yields one list of results per case in the input
order. Memory stays bounded by the chunks in flight, whatever the file's length (docs/validation.md).

No case is lost and no run hangs: a chunk whose worker dies (the OOM killer, a signal) or stalls
is given to another worker; one that has cost :data:`lexquery.workers.MAX_TRIES` workers, or whose
validation raised in a worker, gives each of its cases a violation saying it was not validated and
what to do (:func:`lost_result`) — never « conforme » for a case nobody checked.
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


def lost_result(reason: str) -> ValidationResult:
    """The finding of a case whose chunk no worker could validate (``reason``: the signal that
    ended the worker, ``exit code N``, ``> N s`` for a stalled one, or the error raised): a violation
    on the whole case (``$``), so that the run fails (exit 6) instead of passing it unchecked."""
    return ValidationResult(
        where="$", severity="violation",
        message=f"cas non validé : la validation de son lot n'a pas abouti dans un processus de calcul ({reason})",
        message_en=f"case not validated: the validation of its batch failed in a worker process ({reason})",
        expected="une validation menée à son terme", expected_en="a validation carried through",
        hint="validez ce fichier à nouveau ; si cela se reproduit, avec --jobs 1 (un seul processus) "
             "et --debug, et signalez-le",
        hint_en="validate this file again; if it happens again, with --jobs 1 (one process) and "
                "--debug, and report it")


def _lost_chunk(chunk: list[Item], reason: str, render=None) -> list:
    """A chunk no worker could validate, as :func:`_check_chunk` gives it: each case's reading
    problems (known without validating) and, for a case that was to be validated, :func:`lost_result`."""
    out = []
    for it in chunk:
        res = [ValidationResult.of_problem(p) for p in it.problems]
        if it.raw is not None:
            res.append(lost_result(reason))
        out.append(render(it, res) if render is not None else res)
    return out


def _parallel(head, it, jobs, chunk, engine, render):
    """The chunks on ``jobs`` forked workers (:func:`lexquery.workers.in_order`: a worker's own
    pipe, one chunk at a time, a lost worker's chunk given again or reported; in this process if
    forking is unsafe), at most ``2 × jobs`` chunks read ahead of the first not yet given back."""
    from contextlib import closing
    from ..workers import in_order
    checker()                     # compiled before the workers fork: they inherit it
    given: deque = deque()        # the chunks read, in order, until their results come back

    def chunks():
        for c in _chain_chunks(head, it, chunk):
            given.append(c)
            yield c

    def work(c):
        return _check_chunk(c, engine, render)

    def lost(c, reason):
        return _lost_chunk(c, reason, render)

    with closing(in_order(chunks(), work, jobs, lost, ahead=2)) as results:
        for out in results:
            yield from zip(given.popleft(), out)


def _chain_chunks(head, it, chunk):
    yield from head
    while c := list(islice(it, chunk)):
        yield c

"""What Program.run spends outside the rule evaluation (issue 16), function by function, and
what of it is per distinct value recurring from batch to batch — the measurement behind
docs/columnar.md « Memos across batches for the work around the procedures: measured, not
worth it ».

Run:  .venv/bin/python bench/bench_outside.py [N] [--block 35000] [--blank 0.25] [--calls]

The frame is built as bench_columnar.py builds it (``lexquery synth`` seed 0, as of 2026-12-01),
outside the timing; Program.run is run over blocks of ``--block`` rows (chunks of ≈ 10,000).
Printed: the CPU of the run (time.process_time, timers included) and the inclusive CPU of
each step around the procedures (a step called inside itself counted once). With ``--calls``,
also the functions called once per distinct value or combination of a batch —
``candidate_states``, those :func:`lexquery.columnar.compile._objwise` applies,
``parse_duration`` —: their calls, CPU and how many distinct arguments they had over the whole
run (what a memo kept across batches would save at most); their timers and keys then inflate
their callers' CPU (``_candidates``, ``_objwise``). cProfile inflates these small Python calls
several times over: not used.
The machine is shared: give the load average with every figure.
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

CPU = collections.Counter()
CALLS = collections.Counter()
KEYS: dict = collections.defaultdict(set)
_DEPTH = collections.Counter()


def _timed(owner, name, label=None, key=None):
    """``owner.name`` wrapped: its inclusive CPU under ``label`` (a call inside another counted
    once), and ``key(*args)`` of each call (its distinct arguments over the run)."""
    f = getattr(owner, name)
    label = label or name
    static = isinstance(owner.__dict__.get(name), staticmethod)

    def w(*a, **k):
        if _DEPTH[label]:
            return f(*a, **k)
        _DEPTH[label] += 1
        t = time.process_time()
        try:
            return f(*a, **k)
        finally:
            CPU[label] += time.process_time() - t
            CALLS[label] += 1
            _DEPTH[label] -= 1
            if key is not None:
                try:
                    KEYS[label].add(key(*a))
                except TypeError:
                    KEYS[label].add(("unhashable", CALLS[label]))
    setattr(owner, name, staticmethod(w) if static else w)


def _reads(case, only=False):
    """What ``candidate_states`` reads of a case: the nationalities (alone per nationality), the
    habitual residence, the State fled to, the measures' destinations, the designated State."""
    p = case.get("person", {})
    nat = p.get("nationalities")
    nat = tuple(nat) if isinstance(nat, list) else repr(nat)
    if only:
        return (only, nat)
    rm = case.get("removal_measures")
    rm = tuple(m.get("destination") for m in rm) if isinstance(rm, list) else repr(rm)
    return (only, nat, repr(p.get("habitual_residence")), repr(p.get("fled_to")), rm, repr(case.get("receiving_state")))


def _count_objwise(C):
    """The functions :func:`lexquery.columnar.compile._objwise` applies, timed and their
    arguments counted."""
    objwise = C._objwise

    def counted(fn, xs):
        def g(env, *args):
            t = time.process_time()
            try:
                return fn(env, *args)
            finally:
                CPU["_objwise's function"] += time.process_time() - t
                CALLS["_objwise's function"] += 1
                KEYS["_objwise's function"].add((fn, repr(args)))
        return objwise(g, xs)
    C._objwise = counted


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=100_000)
    ap.add_argument("--block", type=int, default=35_000)
    ap.add_argument("--blank", type=float, default=0.0)
    ap.add_argument("--calls", action="store_true", help="also time and count the calls per distinct value")
    a = ap.parse_args()
    from columnar_helpers import engine, frame_from_cases, synth_cases
    from lexquery.columnar import compile as C, compile_rows as R, origins as O, program as P
    from lexquery.engine import candidates
    frame = frame_from_cases(synth_cases(a.n, 0, a.blank))
    eng = engine()
    prog = P.compile_book(eng.book, eng.ref)
    prog.run(frame[:200])   # warm
    for owner, name in ((P, "facts_from_frame"), (P, "_groupings"), (R, "_candidates"), (R, "_flat_candidates"),
                        (P.Program, "env_groups"), (P.Program, "_env_grouping"), (P.Program, "lookup"),
                        (P.Program, "_look_groups"), (P, "_codes_of"), (O, "distinct"), (O, "_layout"),
                        (O, "_fields"), (C, "_member"), (C, "_list_shape"), (C, "_objwise"), (C, "from_objects")):
        _timed(owner, name)
    # called once per distinct value (or combination) of a batch: the same come back batch after batch
    if a.calls:
        _timed(candidates, "candidate_states", key=_reads)
        _timed(P, "parse_duration", key=lambda v: v)
        _count_objwise(C)
    t = time.process_time()
    for start in range(0, frame.height, a.block):
        prog.run(frame[start:start + a.block])
    total = time.process_time() - t
    print(f"Program.run: {frame.height} cases, blocks of {a.block}: {total:.2f} s CPU (timers included); "
          f"load average {os.getloadavg()}")
    for k, v in CPU.most_common():
        extra = f", {len(KEYS[k])} distinct over the run" if k in KEYS else ""
        print(f"  {k:22s} {v:6.3f} s {100 * v / total:5.1f} %  {CALLS[k]} calls{extra}")


if __name__ == "__main__":
    main()

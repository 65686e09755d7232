"""How many missing-fact and evidence masks a batch makes (issue 16): the masks of ``V.miss`` /
``V.ev`` / ``CondV.miss`` that go through ``V.take``, ``CondV.take``, ``restrict`` and ``merge``
while ``Program.run`` evaluates one batch — calls, masks, bytes made, how many of the masks
made hold no row, and what ``restrict`` did to each mask it was given (already empty, emptied,
unchanged: within the rows kept, or cut). Counters wrapped around those functions here (nothing in src), then the same
batch timed without them (CPU, min of ``--repeat``).

Run:  PYTHONPATH=src .venv/bin/python bench/mark_counts.py [N] [--blank 0.25] [--repeat 5]
      (N cases of ``lexquery synth N --seed 0`` as of 2026-12-01; the batch: its first 10,000)
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

C = collections.Counter()
T = collections.Counter()   # seconds inside each wrapped function (a call inside another counted once)
_depth = [0]


def _timed(tag, fn, *args, **kw):
    if _depth[0]:
        return fn(*args, **kw)
    _depth[0] += 1
    t = time.perf_counter()
    try:
        return fn(*args, **kw)
    finally:
        T[tag] += time.perf_counter() - t
        _depth[0] -= 1


def _count_dict(tag, d):
    for m in d.values():
        if isinstance(m, np.ndarray):
            C[tag + " masks"] += 1
            C[tag + " bytes"] += m.nbytes
            if not m.any():
                C[tag + " empty"] += 1


def instrument():
    from lexquery.columnar import compile as K, compile_conditions as CC, compile_settle as CS, program as PG
    mods = [K, CC, CS, PG]
    take0, ctake0, restrict0, merge0 = K.V.take, CC.CondV.take, K.restrict, K.merge

    def take(self, idx):
        C["V.take calls"] += 1
        out = _timed("V.take", take0, self, idx)
        _count_dict("V.take out", out.miss)
        _count_dict("V.take out", out.ev)
        return out

    def ctake(self, idx):
        C["CondV.take calls"] += 1
        out = _timed("CondV.take", ctake0, self, idx)
        _count_dict("CondV.take out", out.miss)
        return out

    def restrict(d, mask):
        C["restrict calls"] += 1
        if d:   # what restricting did to each mask (outside the timing)
            C["restrict mask holds everywhere"] += bool(mask.all())
            C["restrict mask holds nowhere"] += not mask.any()
            for x in d.values():
                if not x.any():
                    C["restrict in: mask empty already"] += 1
                elif not (x & mask).any():
                    C["restrict in: emptied"] += 1
                elif ((x & mask) == x).all():
                    C["restrict in: unchanged (within)"] += 1
                else:
                    C["restrict in: cut"] += 1
        out = _timed("restrict", restrict0, d, mask)
        if out and any(out[k] is not d[k] for k in out):
            _count_dict("restrict out", out)
        return out

    def merge(*dicts, masks=None):
        C["merge calls"] += 1
        before = {id(m) for d in dicts for m in d.values()}
        out = _timed("merge", merge0, *dicts, masks=masks)
        new = {k: m for k, m in out.items() if id(m) not in before}
        _count_dict("merge out (new)", new)
        return out

    K.V.take, CC.CondV.take = take, ctake
    for m in mods:
        if hasattr(m, "restrict"):
            m.restrict = restrict
        if hasattr(m, "merge"):
            m.merge = merge
    return lambda: (setattr(K.V, "take", take0), setattr(CC.CondV, "take", ctake0),
                    [setattr(m, "restrict", restrict0) for m in mods if hasattr(m, "restrict")],
                    [setattr(m, "merge", merge0) for m in mods if hasattr(m, "merge")])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=20_000)
    ap.add_argument("--blank", type=float, default=0.0)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    from columnar_helpers import engine, frame_from_cases, synth_cases
    from lexquery.columnar.program import compile_book
    frame = frame_from_cases(synth_cases(a.n, 0, a.blank))
    eng = engine()
    prog = compile_book(eng.book, eng.ref)
    prog.run(frame[10_000:10_500])   # warm
    batch = frame[:10_000]
    undo = instrument()
    prog.run(batch)
    undo()
    for k in sorted(C):
        v = C[k]
        print(f"{k:32} {v / 2**20:10.1f} MiB" if k.endswith("bytes") else f"{k:32} {v:10,}")
    for k in sorted(T):
        print(f"{k + ' seconds':32} {T[k]:10.4f}")
    cpu = []
    for _ in range(a.repeat):
        c = time.process_time()
        prog.run(batch)
        cpu.append(time.process_time() - c)
    print(f"Program.run of the batch, CPU min {min(cpu):.3f} s median {sorted(cpu)[len(cpu) // 2]:.3f} s; "
          f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()

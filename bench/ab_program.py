"""Two trees' ``Program.run`` interleaved batch by batch (issue 16): an A/B that both sides see
the same machine minute by minute. On two shared cores the speed of one process moves by a third
from one minute to the next (other sessions' work); runs of one tree then the other compare the
minutes, not the code. Here two worker processes (A: an old tree, B: a new one — each its own
``src`` on ``sys.path``) load the same frame (``lexquery synth N --seed 0`` as of 2026-12-01,
read by tests/columnar_helpers.frame_from_cases; ``--blank``: that share of cells emptied), then
answer its 10,000-row batches in turn — A then B, B then A, alternately — each timing its own
CPU per batch (``time.process_time``).

Run:  .venv/bin/python bench/ab_program.py OLD_TREE NEW_TREE [N] [--rounds 10] [--blank 0.25]
      (a tree: a checkout's root, e.g. ``git archive REF | tar -x -C /tmp/old``)

Prints each side's CPU per round, the total ratio B / A and the median of the paired batches'
ratios, and the load average before and after. ``--phases``: also the CPU inside
``Program.prove`` and ``Program.verify`` (the proof's trials and the verification's reruns,
each call timed by a wrapper), summed and paired the same way.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

TESTS = str(Path(__file__).resolve().parent.parent / "tests")

WORKER = r'''
import sys, time
src, tests, n, share = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
sys.path.insert(0, src + "/src"); sys.path.insert(0, tests)
import lexquery
assert lexquery.__file__.startswith(src), lexquery.__file__
from columnar_helpers import engine, frame_from_cases, synth_cases
from lexquery.columnar.program import compile_book
frame = frame_from_cases(synth_cases(n, 0, share))
eng = engine()
prog = compile_book(eng.book, eng.ref)
acc = {"prove": 0.0, "verify": 0.0}


def timed(name):   # the CPU inside one of the program's steps, summed per batch
    orig = getattr(type(prog), name)

    def call(self, *a, **k):
        c = time.process_time()
        try:
            return orig(self, *a, **k)
        finally:
            acc[name] += time.process_time() - c
    setattr(type(prog), name, call)


timed("prove")
timed("verify")
prog.run(frame[:300])   # warm: reference look-ups of the common States
batches = [frame[s:s + 10000] for s in range(0, frame.height, 10000)]
print("ready", len(batches), flush=True)
for line in sys.stdin:
    acc["prove"] = acc["verify"] = 0.0
    c = time.process_time()
    prog.run(batches[int(line)])
    print(time.process_time() - c, acc["prove"], acc["verify"], flush=True)
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("n", type=int, nargs="?", default=20_000)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--blank", type=float, default=0.0)
    ap.add_argument("--phases", action="store_true", help="also the CPU of prove and verify")
    a = ap.parse_args()
    trees = [str(Path(t).resolve()) for t in (a.old, a.new)]
    ps = [subprocess.Popen([sys.executable, "-c", WORKER, t, TESTS, str(a.n), str(a.blank)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for t in trees]
    nb = [int(p.stdout.readline().split()[1]) for p in ps][0]

    def run(p, i):
        p.stdin.write(f"{i}\n")
        p.stdin.flush()
        return [float(x) for x in p.stdout.readline().split()]

    load0 = os.getloadavg()[0]
    names = ["run", "prove", "verify"] if a.phases else ["run"]
    sums = {k: ([], []) for k in names}
    ratios = {k: [] for k in names}
    for r in range(a.rounds):
        got = {k: [0.0, 0.0] for k in names}
        for i in range(nb):
            t = {}
            for k in ((0, 1) if (r + i) % 2 == 0 else (1, 0)):
                t[k] = run(ps[k], i)
            for j, name in enumerate(names):
                got[name][0] += t[0][j]
                got[name][1] += t[1][j]
                if t[0][j] > 0:
                    ratios[name].append(t[1][j] / t[0][j])
        for name in names:
            sums[name][0].append(got[name][0])
            sums[name][1].append(got[name][1])
    for p in ps:
        p.stdin.close()
        p.wait()
    s = sums["run"]
    for side, tree, x in (("A", trees[0], s[0]), ("B", trees[1], s[1])):
        print(f"{side} {tree}: rounds {' '.join(f'{v:.3f}' for v in x)}  sum {sum(x):.3f} s CPU")
    for name in names:
        a_, b_ = sum(sums[name][0]), sum(sums[name][1])
        print(f"{name}: A {a_:.3f} s, B {b_:.3f} s CPU; B/A: total {b_ / a_:.3f}, median of "
              f"{len(ratios[name])} paired batches {statistics.median(ratios[name]):.3f}")
    print(f"load average {load0:.2f} -> {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()

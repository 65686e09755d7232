"""Measurement spike (issue 16, docs/columnar.md « Evaluating once per shape »): where Program.run's CPU
goes per procedure, and how many distinct « shapes » its rows have — not a benchmark of a change.

Run:  PYTHONPATH=src .venv/bin/python bench/shape_spike.py [N] [--blank 0.25] [--no-time]

1. CPU split per procedure (time.process_time around wrapped methods, set on the Program class here,
   nothing edited in src/): the top-level calls of ``_run_procedure_on`` — ``eval_proc`` (the first
   evaluation), ``verify``, ``prove``, ``_cells`` — each split into the time spent inside the compiled
   conditions / expressions (``cond``: the closures of ``procs[pid]``: index, until, consent, notes'
   when/date, and ``prec_when``; derived values they read included) and the rest (``settle``: eval_on's
   settling, the reruns' and trials' own bookkeeping). The wrappers cost CPU themselves: compare the
   total with an uninstrumented run (printed first).
2. Signatures: per row of each procedure, the rank code (``CondV.eff``, in ``pv.conds`` after the
   first evaluation) of every condition evaluated, plus the unknown mask (``V.unk``) of every fact
   column the first evaluation read (``TakenFacts.get``); distinct counts at the first chunk (≈ 10,000
   cases) and over all.
3. Whether the output cells other than dates are a function of the signature (and of the signature
   with the candidate State): groups whose rows differ, by column.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

PT = time.process_time
T = defaultdict(float)          # (pid, phase, "cond"|"rest") -> s
CALLS = defaultdict(int)
STATE = {"phase": None, "pid": None, "depth": 0, "reads": None}
SIG = defaultdict(list)         # pid -> list of (chunk, {col: int8 array}, outputs dict)
CHUNK_NO = [0]
PENDING = {}
VERBOSE = "--quiet" not in sys.argv


def wrap_cond(f):
    def g(*a, **k):
        if STATE["depth"] or STATE["phase"] is None:
            STATE["depth"] += 1
            try:
                return f(*a, **k)
            finally:
                STATE["depth"] -= 1
        STATE["depth"] = 1
        t = PT()
        try:
            return f(*a, **k)
        finally:
            T[(STATE["pid"], STATE["phase"], "cond")] += PT() - t
            STATE["depth"] = 0
    return g


def instrument(prog):
    from lexquery.columnar import program as P
    from lexquery.columnar.compile import TakenFacts
    for cp in prog.procs.values():
        w = {}
        for cid, f in cp["index"].items():
            w[id(f)] = cp["index"][cid] = wrap_cond(f)
        cp["conds"] = [w[id(f)] for f in cp["conds"]]
        for rc in cp["routes"]:
            rc["conds"] = [w[id(f)] for f in rc["conds"]]
            if rc["consent"] is not None:
                rc["consent"] = wrap_cond(rc["consent"])
            rc["notes"] = [(n, wrap_cond(a) if a else a, b) for n, a, b in rc["notes"]]
        for k in ("consent", "until"):
            if cp[k] is not None:
                cp[k] = wrap_cond(cp[k])
        cp["notes"] = [(n, wrap_cond(a) if a else a, wrap_cond(b) if b else b) for n, a, b in cp["notes"]]
    prog.prec_when = {k: (wrap_cond(v) if v else v) for k, v in prog.prec_when.items()}

    def phase(name, pid_of):
        orig = getattr(P.Program, name)

        def g(self, *a, **k):
            if STATE["phase"] is not None:
                return orig(self, *a, **k)
            pid = pid_of(a)
            STATE["phase"], STATE["pid"] = name, pid
            c0 = T[(pid, name, "cond")]
            if name == "eval_proc":
                STATE["reads"] = set()
            t = PT()
            try:
                out = orig(self, *a, **k)
            finally:
                dt = PT() - t
                T[(pid, name, "rest")] += dt - (T[(pid, name, "cond")] - c0)
                CALLS[(pid, name)] += 1
                STATE["phase"] = None
            if name == "eval_proc":
                ctx, pv = a[0], out
                cols = {("c", cid): np.asarray(c.eff, dtype=np.int8) for cid, c in pv.conds.items()}
                for path in sorted(STATE["reads"]):
                    x = dict.get(ctx.facts, path)
                    if x is not None and x.unk is not None:
                        cols[("u", path)] = np.broadcast_to(np.asarray(x.unk, dtype=np.int8), (ctx.n,))
                STATE["reads"] = None
                # the extended signature (B): what else eval_on settles with — precedence entries,
                # the conditions' ``when``, notes' ``when``, consent, routes' statuses
                for cid, eff, on in pv.tops:
                    if cid.startswith("precedence:"):
                        cols[("x", cid)] = np.asarray(eff, dtype=np.int8)
                        cols[("x", cid + ".on")] = np.broadcast_to(np.asarray(on, dtype=np.int8), (ctx.n,))
                for cid, c in pv.conds.items():
                    cols[("x", cid + ".on")] = np.broadcast_to(np.asarray(c.on, dtype=np.int8), (ctx.n,))
                for j, (nn, on, d, ev) in enumerate(pv.notes):
                    cols[("x", "note:" + nn.id)] = np.broadcast_to(np.asarray(on, dtype=np.int8), (ctx.n,))
                cols[("x", "consent")] = np.array(pv.consent, dtype=np.int8)
                for rv in pv.routes:
                    cols[("x", "route:" + rv.p.id)] = np.asarray(rv.status, dtype=np.int8)
                PENDING[pid] = cols
            if name == "_cells":
                cols = PENDING.pop(pid)
                outs = {}
                for key in ("state", "status", "consent_required", "missing_facts", "sources", "routes",
                            "basis", "to_verify", "deadlines"):
                    c = out[key]
                    outs[key] = c.texts[c.codes] if hasattr(c, "texts") else np.array(c.to_list(), dtype=object)
                outs["from"], outs["until"] = out["from"], out["until"]
                SIG[pid].append((CHUNK_NO[0], cols, outs))
            return out
        setattr(P.Program, name, g)
    phase("eval_proc", lambda a: a[1])
    phase("verify", lambda a: a[2].id)
    phase("prove", lambda a: a[2].id)
    phase("_cells", lambda a: a[0].id)
    orig_get = TakenFacts.get

    def get(self, k, default=None):
        if STATE["reads"] is not None:
            STATE["reads"].add(k)
        return orig_get(self, k, default)
    TakenFacts.get = get
    orig_chunk = P.Program.run_chunk

    def run_chunk(self, frame):
        CHUNK_NO[0] += 1
        return orig_chunk(self, frame)
    P.Program.run_chunk = run_chunk


def group_ids(mat):
    """Row → id of its distinct row of ``mat`` (int8, rows × cols)."""
    if mat.shape[1] == 0:
        return np.zeros(mat.shape[0], dtype=np.int64), 1
    v = np.ascontiguousarray(mat).view(np.dtype((np.void, mat.shape[1])))
    _, inv = np.unique(v, return_inverse=True)
    inv = inv.reshape(-1)
    return inv, int(inv.max()) + 1


def analyse():
    import polars as pl
    tot = defaultdict(int)
    print("\nproc | rows (1st chunk / all) | signatures (1st chunk / all) | cond cols, unknown-fact cols | "
          "violating groups (sig) | rows in them | violating groups (sig+State) | columns differing (sig)")
    for pid, parts in SIG.items():
        keys = sorted(set().union(*[set(c) for _, c, _ in parts]), key=str)
        mats = []
        for _, cols, o in parts:
            n = len(o["status"])
            mats.append(np.stack([cols.get(k, np.full(n, -9, dtype=np.int8)) for k in keys], axis=1)
                        if keys else np.zeros((n, 0), dtype=np.int8))
        n_first = sum(len(m) for (ch, _, _), m in zip(parts, mats) if ch == 1)
        mat = np.concatenate(mats)
        base = np.array([k[0] != "x" for k in keys], dtype=bool)
        sig, ns = group_ids(mat[:, base])
        sig1 = group_ids(mat[:n_first, base])[1] if n_first else 0
        sigB, nsB = group_ids(mat)
        sigB1 = group_ids(mat[:n_first])[1] if n_first else 0
        outs = {k: np.concatenate([o[k] for _, _, o in parts]) for k in parts[0][2]}
        df = pl.DataFrame({"sig": sig, "sigB": sigB, **{k: pl.Series(k, v.tolist()) for k, v in outs.items()
                                           if k not in ("from", "until")}})
        # routes without their dates (« id:status[:from] »)
        df = df.with_columns(pl.col("routes").str.replace_all(r":\d{4}-\d\d-\d\d", ""))
        cols = ["status", "consent_required", "missing_facts", "sources", "routes", "basis", "to_verify"]
        g = df.group_by("sig").agg([pl.col(c).n_unique().alias(c) for c in cols] + [pl.len().alias("n")])
        bad = g.filter(pl.any_horizontal([pl.col(c) > 1 for c in cols]))
        by_col = {c: int((g[c] > 1).sum()) for c in cols if int((g[c] > 1).sum())}
        g2 = df.group_by(["sig", "state"]).agg([pl.col(c).n_unique().alias(c) for c in cols])
        bad2 = g2.filter(pl.any_horizontal([pl.col(c) > 1 for c in cols]))
        g3 = df.group_by("sigB").agg([pl.col(c).n_unique().alias(c) for c in cols])
        bad3 = g3.filter(pl.any_horizontal([pl.col(c) > 1 for c in cols]))
        by_col3 = {c: int((g3[c] > 1).sum()) for c in cols if int((g3[c] > 1).sum())}
        g4 = df.group_by(["sigB", "state"]).agg([pl.col(c).n_unique().alias(c) for c in cols] + [pl.len().alias("n")])
        sB1s = df.head(n_first).select(["sigB", "state"]).unique().height
        bad4 = g4.filter(pl.any_horizontal([pl.col(c) > 1 for c in cols]))
        by_col4 = {c: int((g4[c] > 1).sum()) for c in cols if int((g4[c] > 1).sum())}
        bad4_rows = int(bad4["n"].sum()) if bad4.height else 0
        print(f"  [B] {pid}: signatures {sigB1} / {nsB}; violating {bad3.height} of {g3.height} {by_col3}; "
              f"with State {sB1s} / {g4.height}, violating {bad4.height} ({bad4_rows} rows) {by_col4}")
        # C: the same, the date-made flag « law:encoded_until » left out of to_verify (_encoded_until: a
        # function of the dates) and list items' indexes left out of missing_facts (how many items
        # lack a field: not in the unknown mask of the list column)
        dc = df.with_columns(pl.col("to_verify").str.replace_all(r"\|?law:encoded_until", ""),
                             pl.col("missing_facts").str.replace_all(r"\[\d+\]", "[]"))
        dc = dc.with_columns(pl.col("missing_facts").str.split("|").list.unique().list.sort().list.join("|"))
        g5 = dc.group_by(["sigB", "state"]).agg([pl.col(c).n_unique().alias(c) for c in cols] + [pl.len().alias("n")])
        bad5 = g5.filter(pl.any_horizontal([pl.col(c) > 1 for c in cols]))
        by_col5 = {c: int((g5[c] > 1).sum()) for c in cols if int((g5[c] > 1).sum())}
        print(f"  [C] {pid}: violating {bad5.height} ({int(bad5['n'].sum()) if bad5.height else 0} rows) {by_col5}")
        tot["badC"] += bad5.height
        tot["badC_rows"] += int(bad5["n"].sum()) if bad5.height else 0
        for c in (by_col5 if VERBOSE else ()):
            row = g5.filter(pl.col(c) > 1).row(0, named=True)
            ex = dc.filter((pl.col("sigB") == row["sigB"]) & (pl.col("state") == row["state"])).group_by(c).len()
            print(f"    [C] {c}: {row['state']!r}, values {[(r[0][:120] if isinstance(r[0], str) else r[0], r[1]) for r in ex.iter_rows()]}")
        tot["sigB_state1"] += sB1s
        tot["badB_state_rows"] += bad4_rows
        tot["sigsB"] += nsB
        tot["sigsB1"] += sigB1
        tot["badB"] += bad3.height
        tot["badB_state"] += bad4.height
        tot["sigB_state"] += g4.height
        for c in (by_col4 if VERBOSE else ()):
            row = g4.filter(pl.col(c) > 1).row(0, named=True)
            ex = df.filter((pl.col("sigB") == row["sigB"]) & (pl.col("state") == row["state"])).group_by(c).len()
            print(f"    [B+State] {c}: {row['state']!r}, values {[(r[0][:90] if isinstance(r[0], str) else r[0], r[1]) for r in ex.iter_rows()]}")
        ncond = sum(1 for k in keys if k[0] == "c"); nunk = sum(1 for k in keys if k[0] == "u")
        print(f"{pid} | {n_first} / {len(mat)} | {sig1} / {ns} | {ncond}, {nunk} | "
              f"{bad.height} of {g.height} | {int(bad['n'].sum()) if bad.height else 0} | {bad2.height} of {g2.height} | {by_col}")
        tot["rows"] += len(mat)
        tot["sigs"] += ns
        tot["sigs1"] += sig1
        tot["rows1"] += n_first
        tot["bad"] += bad.height
        tot["badrows"] += int(bad["n"].sum()) if bad.height else 0
        tot["bad2"] += bad2.height
        tot["sig_state"] += g2.height
        # what differs within violating groups: an example per column
        for c in (by_col if VERBOSE else ()):
            row = g.filter(pl.col(c) > 1).sort("n", descending=True).row(0, named=True)
            ex = df.filter(pl.col("sig") == row["sig"]).group_by(c).len().sort("len", descending=True).head(3)
            print(f"    {c}: group of {row['n']} rows, values {[(r[0][:70] if isinstance(r[0], str) else r[0], r[1]) for r in ex.iter_rows()]}")
    print("TOTAL", dict(tot))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=100_000)
    ap.add_argument("--blank", type=float, default=0.0)
    ap.add_argument("--no-plain-run", action="store_true")
    ap.add_argument("--quiet", action="store_true", help="no example values of the violating groups")
    a = ap.parse_args()
    import os
    from columnar_helpers import AS_OF, blank, engine, frame_from_cases, read_cases
    from lexquery.columnar.program import compile_book
    from lexquery.screening.synth import synth_text
    text = synth_text(a.n, 0, AS_OF)
    if a.blank:
        text = blank(text, a.blank, 1)
    t = PT()
    frame = frame_from_cases(read_cases(text))
    print(f"frame {frame.height} rows ({PT() - t:.1f} s); load {os.getloadavg()}")
    eng = engine()
    if not a.no_plain_run:
        prog = compile_book(eng.book, eng.ref)
        prog.run(frame[:200])
        t = PT()
        out = prog.run(frame)
        print(f"uninstrumented Program.run: {PT() - t:.2f} s CPU, {out.height} rows; load {os.getloadavg()}")
    prog = compile_book(eng.book, eng.ref)
    prog.run(frame[:200])
    instrument(prog)
    T.clear()
    CHUNK_NO[0] = 0
    t = PT()
    out = prog.run(frame)
    total = PT() - t
    print(f"instrumented Program.run: {total:.2f} s CPU, {out.height} rows, {CHUNK_NO[0]} chunks; load {os.getloadavg()}")
    phases = ("eval_proc", "verify", "prove", "_cells")
    print("proc | " + " | ".join(f"{ph} cond / rest" for ph in phases) + " | sum (s)")
    col = defaultdict(float)
    for pid in prog.procs:
        vals = [(T[(pid, ph, "cond")], T[(pid, ph, "rest")]) for ph in phases]
        for ph, (c, r) in zip(phases, vals):
            col[(ph, "cond")] += c
            col[(ph, "rest")] += r
        print(f"{pid} | " + " | ".join(f"{c:.3f} / {r:.3f}" for c, r in vals) + f" | {sum(c + r for c, r in vals):.3f}")
    s = sum(col.values())
    print("ALL | " + " | ".join(f"{col[(ph, 'cond')]:.2f} / {col[(ph, 'rest')]:.2f}" for ph in phases)
          + f" | {s:.2f} of {total:.2f} (rest outside these calls {total - s:.2f})")
    analyse()


if __name__ == "__main__":
    main()

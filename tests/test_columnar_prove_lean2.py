"""Issue 16, the proof's settlement of its trials over several plans at once
(columnar/compile_population.py ``_settle_plans``): the plans of one layout of combinations
(component, domains' sizes) side by side give each row what its plan settled alone gave —
against the former loop, plan by plan (kept here as the reference), on random outcomes:
rows adopting a common outcome, rows keeping the facts that can change it, plans trying
other facts at the same position, rows that stopped after the first combination.

The screening's bytes on whole exports: bench/same_bytes.py (docs/columnar.md)."""
from __future__ import annotations

from itertools import product
from types import SimpleNamespace

import numpy as np
import pytest

from lexquery.columnar import compile_population as CP
from lexquery.columnar.compile_conditions import NONE_DATE
from lexquery.columnar.compile_settle import APP, LATER, NA, UND


def _settle_one(x, rows_all, A0, cont, A1, names, dims, as_of):
    """The former settlement of one plan's rows for one component (compile_population.prove
    before _settle_plans), verbatim but for its variables."""
    PAST = np.iinfo(np.int64).min + 1
    rows = rows_all[cont]
    G = len(rows)
    arrs = list(A0) if G == len(rows_all) else [a[:, cont] for a in A0]
    if A1 is not None:
        arrs = [np.concatenate([a, b_], axis=0) for a, b_ in zip(arrs, A1)]
    present, settled, st, df, du, co = arrs
    past = (st == APP) & ((df == NONE_DATE) | (df <= as_of[rows][None, :]))
    fk = np.where(past, PAST, df)
    same = (st == st[0]) & (fk == fk[0]) & (du == du[0]) & (co == co[0])
    ok = present.all(axis=0)
    adopt = ok & settled.all(axis=0) & same.all(axis=0)
    r = rows[adopt]
    if len(r):
        x.status[r], x.d_until[r], x.consent[r] = st[0, adopt], du[0, adopt], co[0, adopt]
        x.d_from[r] = np.where(df[:, adopt] == NONE_DATE, NONE_DATE, df[:, adopt]).max(axis=0)
        for f in x.missing:
            x.missing[f][r] = False
    rest = ok & ~adopt
    if not rest.any():
        return
    rel = CP._Relevance([st, fk, du, co], settled, dims)
    for j, f in enumerate(names):
        if f not in x.missing:
            continue
        tried = rest & x.missing[f][rows]
        if not tried.any():
            continue
        x.missing[f][rows[tried & ~rel.of(j)]] = False


def _component(rng, n, facts):
    return SimpleNamespace(status=np.full(n, UND, dtype=np.int8), d_from=np.full(n, NONE_DATE, dtype=np.int64),
                           d_until=np.full(n, NONE_DATE, dtype=np.int64), consent=np.full(n, -1, dtype=np.int8),
                           missing={f: rng.random(n) < 0.8 for f in facts})


def _copy(x):
    return SimpleNamespace(status=x.status.copy(), d_from=x.d_from.copy(), d_until=x.d_until.copy(),
                           consent=x.consent.copy(), missing={f: m.copy() for f, m in x.missing.items()})


def _outcomes(rng, T, G, as_of_rows, dims=None):
    """Random outcomes (present, settled, status, from, until, consent), combination × row:
    few values, so that rows often agree in every combination (adopted) or a fact often
    changes nothing (dropped); some rows the same in every combination."""
    present = rng.random((T, G)) < 0.97
    settled = rng.random((T, G)) < 0.9
    st = rng.choice([APP, LATER, NA, UND], (T, G)).astype(np.int8)
    df = np.where(rng.random((T, G)) < 0.3, NONE_DATE, as_of_rows[None, :] + rng.choice([-40, -10, 30], (T, G)))
    du = rng.choice([NONE_DATE, 20000], (T, G)).astype(np.int64)
    co = rng.choice([-1, 0, 1], (T, G)).astype(np.int8)
    st[0] = np.where(st[0] == UND, NA, st[0])
    one = rng.random(G) < 0.4   # these rows: one outcome in every combination (adopted)
    for a in (present, settled, st, du, co):
        a[:, one] = a[0, one]
    df[:, one & (st[0] != APP)] = df[0, one & (st[0] != APP)]
    present[:, one] = True
    settled[:, one] = True
    if dims and len(dims) > 1:   # these: an outcome that the first fact tried alone decides
        dep = ~one & (rng.random(G) < 0.5)
        first = np.array([c[0] for c in product(*[range(m) for m in dims])])
        du[:, dep] = np.where(first[:, None] == 0, 20000, NONE_DATE)
        for a in (st, co):
            a[:, dep] = a[0, dep]
        df[:, dep] = df[0, dep]
        present[:, dep] = True
        settled[:, dep] = True
    return [present, settled, st, df, du, co]


@pytest.mark.parametrize("dims", [[1], [2], [3], [2, 2], [2, 3], [2, 2, 2]])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plans_settled_together_as_one_by_one(dims, seed):
    rng = np.random.default_rng(seed * 31 + sum(dims) * 7 + len(dims))
    n = 3000
    facts = ["a", "b", "c", "d", "e"]
    as_of = rng.integers(20000, 20100, n).astype(np.int64)
    T = int(np.prod(dims))
    perm = rng.permutation(n)
    grp, plans, at = [], [], 0
    for p in range(6):   # six plans, disjoint rows, each trying its own facts in its own order
        G = int(rng.integers(1, 300)) if p else 1
        rows_all = np.sort(perm[at:at + G])
        at += G
        names = list(rng.choice(facts, len(dims), replace=False))
        full = _outcomes(rng, T, G, as_of[rows_all], dims)
        A0 = [a[:1] for a in full]   # the first combination, at every row of the plan
        cont = rng.random(G) < 0.7 if p % 2 else np.ones(G, dtype=bool)
        if not cont.any():
            cont[0] = True
        A1 = [a[1:, cont] for a in full] if T > 1 else None   # the others, at the rows that went on
        plans.append((rows_all, A0, cont, A1, names))
        grp.append((rows_all[cont], A0, None if cont.all() else cont, A1, names))
    x = _component(rng, n, facts)
    before, want = _copy(x), _copy(x)
    for rows_all, A0, cont, A1, names in plans:
        _settle_one(want, rows_all, A0, cont, A1, names, dims, as_of)
    CP._settle_plans(x, grp, list(dims), as_of)
    for attr in ("status", "d_from", "d_until", "consent"):
        assert np.array_equal(getattr(x, attr), getattr(want, attr)), attr
    for f in facts:
        assert np.array_equal(x.missing[f], want.missing[f]), f
    # the comparison compares something: rows adopted, facts dropped at rows not adopted
    assert (want.status != UND).any()
    kept = want.status == UND
    assert len(dims) == 1 or any((before.missing[f] & ~want.missing[f] & kept).any() for f in facts)


def test_batches_keep_rows_setting_a_list_field_apart_unless_cheaper():
    """``reuse.batches``: a trial setting a field of a list's item (``removal_measures[0].…``)
    makes the whole column of lists again for every row of its call — rows that set no such
    field are joined to it only when one call less (``fixed``) outweighs
    :data:`reuse.LIST_APART` per such row; items that all set one (or none) are joined as
    before; what each item gives stays what it gives (tests/test_columnar_one_rerun.py)."""
    from lexquery.columnar import reuse
    from columnar_helpers import engine
    p = engine().book.procedures["ste_transfer"]
    a = frozenset(reuse.tree(p)[0][:3])
    plain, listed = (a, 6000, False, False), (a, 1500, False, True)
    # the same conditions given: only the list's cost keeps them apart
    assert len(reuse.batches(p, [plain, listed], reuse.FIXED)) == 2
    assert len(reuse.batches(p, [plain, listed], reuse.LIST_APART * 6000 + 1)) == 1
    assert len(reuse.batches(p, [plain, listed], reuse.LIST_APART * 6000 - 1)) == 2
    # both setting a list's field, or neither: one call, as items of three fields
    assert len(reuse.batches(p, [listed, (a, 900, False, True)], reuse.FIXED)) == 1
    assert len(reuse.batches(p, [plain, (a, 900, False)], reuse.FIXED)) == 1
    # rows of a list joined to a few plain ones: cheaper than a call
    assert len(reuse.batches(p, [(a, 300, False, False), listed], reuse.FIXED)) == 1


def test_trials_say_which_segments_set_a_list_field(monkeypatch):
    """The proof's trials hand ``reuse.batches`` each segment's flag: true for a segment trying
    a field of a list's item (``removal_measures[k].…``), false for the others — on synthetic
    rows where both are tried."""
    from columnar_helpers import AS_OF, engine, frame_from_cases, read_cases
    from lexquery.columnar.program import compile_book
    from lexquery.screening.synth import synth_text
    eng = engine()
    prog = compile_book(eng.book, eng.ref)
    seen = []
    orig = CP.batches

    def spy(p, items, fixed=None):
        seen.extend(items)
        return orig(p, items, fixed)
    monkeypatch.setattr(CP, "batches", spy)
    got = {}
    orig_trials = prog._trials

    def spy_trials(ctx, p, pv, comps_all, segs, bounds, reads):
        k = len(seen)
        out = orig_trials(ctx, p, pv, comps_all, segs, bounds, reads)
        for item, (rows, doms, combos, comps) in zip(seen[k:k + len(segs)], segs):
            got[any("[" in f for f, _, _ in doms)] = got.get(any("[" in f for f, _, _ in doms), 0) + 1
            assert len(item) == 4 and item[3] == any("[" in f for f, _, _ in doms)
        return out
    prog._trials = spy_trials
    prog.run(frame_from_cases(read_cases(synth_text(3000, 5, AS_OF))))
    assert got.get(True) and got.get(False)

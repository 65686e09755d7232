"""The population's steps around the settlement (issue 16): the facts the case format defines
(``engine/facts.py`` defaults), what to verify (``engine/verify.py``: evaluated again with a
reference fact unknown), and the facts proven irrelevant (``engine/prove.py``: evaluated again
for each value a missing fact can take) — each over a whole batch, the reruns in one batch."""
from __future__ import annotations

import numpy as np

from ..rules import functions as F
from ..rules.values import UNKNOWN
from . import origins, vdates
from .compile import Ctx, NotVectorisable, V, _false, from_objects, is_true, vconcat
from .compile_conditions import NONE_DATE, NOT_MET
from .compile_settle import APP, BIG, LATER, NA, UND
from .reuse import FIXED, batches, carry_derived, given, seed
from .shapes import Coded, group, row_key, unique_ints

# --- the population: defaults, States, verification, proof, rows -------------------------------

def _vwhere(sel, a: V, b: V) -> V:
    """``a`` where ``sel``, else ``b`` (values, unknown and none): the column ``from_objects``
    makes of the rows' values so chosen. Columns of one kind of text, booleans or integers
    (or none) chosen array by array — unknown where the one chosen is, none where it is none
    and known, the kind that of the values known (« none » without any) —; others value by
    value."""
    kinds = {a.kind, b.kind} - {"none"}
    if len(kinds) == 1 and kinds <= {"str", "bool", "int"}:
        k = kinds.pop()
        unk = np.where(sel, a.unk, b.unk)
        # a column of none: none wherever it is not unknown (its objects: None)
        nil = np.where(sel, a.nil if a.kind != "none" else ~a.unk, b.nil if b.kind != "none" else ~b.unk) & ~unk
        known = ~unk & ~nil
        if not known.any():
            return V("none", None, unk, nil)
        if k == "str":   # the objects themselves: UNKNOWN where unknown, None where none
            v = np.empty(len(sel), dtype=object)
            for x, m in ((a, sel), (b, ~sel)):
                if x.kind != "none":
                    v[m] = x.v[m]
            v[unk] = UNKNOWN
            v[nil] = None
        else:
            v = np.zeros(len(sel), dtype=bool if k == "bool" else np.int64)
            for x, m in ((a, sel), (b, ~sel)):
                if x.kind != "none":
                    np.copyto(v, x.v, where=m & known)
        return V(k, v, unk, nil)
    vals = [x if s else y for x, y, s in zip(a.objects(), b.objects(), sel.tolist())]
    return from_objects(vals)


def _none_state(n):
    return V("none", None, _false(n), np.ones(n, dtype=bool))


def _outcome_arrays(pv, as_of, verify_style: bool):
    """What must agree between two evaluations (engine/verify.py ``outcome``; engine/prove.py
    ``_outcome`` for ``verify_style`` false)."""
    out = [pv.status, pv.d_from, pv.d_until, pv.consent]
    if verify_style:
        if pv.basis is not None:
            live = pv.status != NA   # the bases of an answer that may apply (verify.outcome)
            out += [m & live for m in pv.basis.values()]
        for rv in pv.routes:
            out += [rv.shown, np.where(rv.shown, rv.status, -1), np.where(rv.shown, rv.d_from, NONE_DATE)]
    return out


def _differs(a: list, b: list, idx=None):
    n = len(a[0])
    d = _false(n)
    for x, y in zip(a, b):
        d |= (x != (y if idx is None else y[idx]))
    return d


def _join(a, b):
    """Two columns of « | »-joined names, joined (an empty cell adds nothing)."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    out = np.where(a == "", b, a)
    both = (a != "") & (b != "")
    if both.any():   # joined only where both say something
        out[both] = a[both] + "|" + b[both]
    return out


def _listed_in_order(keys, listed, rows, first):
    """The facts listed at each of ``rows`` (indexes into ``keys``), in the order they were
    first consulted (``first(k, rows)``: the position of the first evidence; ties: in the order
    of ``keys``), as columns: the c-th fact of each row (-1 past its last), and how many each
    row lists. The (row, fact) pairs listed only — a few per row — sorted once, not a column
    per fact of every row."""
    rr, kk, pp = [], [], []
    for j, k in enumerate(keys):
        sel = np.flatnonzero(listed[k][rows])
        if len(sel):
            pos = first(k, rows[sel])
            ok = pos != BIG   # consulted (a fact listed always is)
            rr.append(sel[ok])
            kk.append(np.full(int(ok.sum()), j, dtype=np.int64))
            pp.append(pos[ok])
    m = len(rows)
    if not rr:
        return [np.full(m, -1, dtype=np.int64)], np.zeros(m, dtype=np.int64)
    r, kj, pos = np.concatenate(rr), np.concatenate(kk), np.concatenate(pp)
    order = np.lexsort((kj, pos, r))   # by row, then first position, then the facts' order
    r, kj = r[order], kj[order]
    cnt = np.bincount(r, minlength=m)
    slot = np.arange(len(r)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    width = max(int(cnt.max()), 1)
    M = np.full((width, m), -1, dtype=np.int64)
    M[slot, r] = kj
    return list(M), cnt


def _list_lengths(x: V):
    """The length of each row's list (-1: not a list); None for a column that holds no list."""
    if x.kind != "obj":
        return None
    # each distinct object read once (the rows share their lists, facts_from_frame; the
    # batch's distinct objects are kept, origins.memo, shared with compile_rows._dest_codes)
    reps, inv, _ = origins.memo(x, "distinct", lambda c: origins.distinct(c.v))
    lens = np.fromiter((len(v) if isinstance(v, list) else -1 for v in reps), np.int64, len(reps))
    return lens[inv] if len(reps) else np.zeros(len(x), dtype=np.int64)


def _root_per_row(facts, path, fn, rows):
    """``fn`` (an array per row, or None) of the fact column ``path``, at the rows ``rows`` of
    ``facts``: computed once on the column of the batch all the taken columns come from
    (``TakenFacts``, however nested — not on a procedure's taken copy), then taken."""
    from .compile import TakenFacts
    idx = rows
    while isinstance(facts, TakenFacts):
        idx = facts.idx[idx]
        facts = facts.src
    col = facts.get(path)
    if col is None:
        return None
    out = origins.memo(col, fn, fn)   # kept for the batch (origins.clear)
    return None if out is None else out[idx]


class _Population:

    def apply_defaults(self, facts, as_of, n):
        """``engine.facts.apply_defaults`` over columns: each default, in order, where its fact
        is unknown and its ``when`` holds."""
        from .compile import TakenFacts, is_true
        if isinstance(facts, TakenFacts):   # a copy taking its other columns when read, as the original
            copy = TakenFacts(facts.src, facts.idx)
            dict.update(copy, facts)
            facts = copy
        else:
            facts = dict(facts)
        for d, w, v in self.defaults:
            ctx = Ctx(n, facts, as_of, _none_state(n), self)
            W, X = w(ctx), v(ctx)
            cur = facts.get(d.path) or V("none", None, np.ones(n, dtype=bool), _false(n))
            sel = cur.unk & is_true(W) & ~X.unk
            if sel.any():
                facts[d.path] = _vwhere(sel, X, cur)
        return facts

    def verify(self, ctx, pv, p):
        """``engine.verify.collect`` over a batch: per row, the names of the answer's to_verify
        (a :class:`.shapes.Coded` column)."""
        n = ctx.n
        from ..engine.verify import other_value
        from ..kb.reference import Fact
        applies = pv.status != NA
        # the dates of the notes, compared where a rerun shows the note too (verify.changed)
        base_notes = {nn.id: (on, d) for nn, on, d, _ in pv.notes if d is not None}
        # each reference fact consulted, in the order first consulted: the evidence that did so
        # (its position among the evaluation's, the rows) — a row per fact only where needed
        occ: dict = {}
        for pos, ev in enumerate(pv.evs):
            for k, m in ev.items():
                if k.startswith("law:") and k != F.MONTH_END:   # the month's-last-day convention: tried as a fact
                    continue
                lst = occ.get(k)
                if lst is None:
                    occ[k] = [(pos, m)]
                else:
                    lst.append((pos, m))

        def first(k, rows):
            """Per row of ``rows``, the position of the first evidence that consulted ``k`` (BIG: none)."""
            (pos0, m0), rest = occ[k][0], occ[k][1:]
            f = np.where(m0[rows], pos0, BIG)
            for pos, m in rest:
                np.copyto(f, pos, where=m[rows] & (f == BIG))
            return f

        def seen_of(k):
            lst = occ[k]
            return lst[0][1] if len(lst) == 1 else np.logical_or.reduce([m for _, m in lst])
        fails = self._stays_na(pv, p)
        # one date of evaluation (the usual case: min = max, no sort of the rows): its facts read once
        one = int(ctx.as_of[0]) if n and ctx.as_of.min() == ctx.as_of.max() else None
        # every (fact, value to try) over its rows, evaluated again in one batch — an unknown
        # fact as false and as true (engine/verify.py: false, then true where false changes
        # nothing; the fact is listed all the same)
        parts, owners, second = [], [], []
        for k in occ:
            if one is not None:
                f = self.fact_of(k, one)
                if not isinstance(f, Fact) or not (f.value is None or f.mark in ("I", "U") or f.verify):
                    continue   # a fact stated by a source: nothing to try
                by_date = [(seen_of(k), f)]
            else:
                seen = seen_of(k)
                by_date = [(seen & (ctx.as_of == a), self.fact_of(k, a)) for a in unique_ints(ctx.as_of[seen])[0].tolist()]
            for rows_a, f in by_date:
                if not isinstance(f, Fact):
                    continue
                cand = np.flatnonzero(rows_a)   # the rows that consulted k (a few): read index by index
                if f.value is None:
                    keep, alt, alt2 = applies[cand], Fact(False, f.evidence, f.note, "U"), Fact(True, f.evidence, f.note, "U")
                elif f.mark in ("I", "U") or f.verify:   # verify.collect: every row; an inferred value the other way too
                    keep, alt, alt2 = np.ones(len(cand), dtype=bool), Fact(None, f.evidence, f.note, None), \
                        other_value(f, k[0] == "law:")
                else:
                    continue
                if fails is not None:   # not applicable through a condition that cannot read k: stays so
                    keep &= ~fails(k)[cand]
                idx = cand[keep]
                if not len(idx):
                    continue
                parts.append((idx, {k: alt}))
                owners.append(k)
                second.append(alt2)
        listed = {}

        base_out = _outcome_arrays(pv, ctx.as_of, True)

        def rerun(parts):
            """Per part, the rows of it whose outcome differs: the parts whose reruns take the
            same conditions from the first evaluation in one batch (:meth:`_given_ids`)."""
            out = [None] * len(parts)
            gids: dict = {}   # the facts replaced -> the conditions given (a fact's two values: once)
            for _, d in parts:
                key = tuple(d)
                if key not in gids:
                    gids[key] = self._given_ids(p, pv, "reads", d)
            for ids, js in batches(p, [(gids[tuple(d)], len(x), None) for x, d in parts], _call_cost(pv)):
                grp = [parts[j] for j in js]
                idx = np.concatenate([x for x, _ in grp])
                # each row's override: the part's own dict, spread by one gather (not a list per row)
                own = np.empty(len(grp), dtype=object)
                for j, (_, d) in enumerate(grp):
                    own[j] = d
                part = np.repeat(np.arange(len(grp)), [len(x) for x, _ in grp])
                o = own[part]
                sub = ctx.sub(idx)
                sub.set_overrides(o, part + 1, numbered=True)   # every part has rows: 1, 2 … in order
                carry_derived(self.book, ctx, sub, idx)   # those reading no reference fact replaced: the case's
                sub.seed = seed(pv.conds, ids, idx)
                t = self.eval_proc(sub, p.id, "dated")
                diff = _differs(_outcome_arrays(t, sub.as_of, True), base_out, idx)
                for nn, on, d, _ in t.notes:
                    b = base_notes.get(nn.id) if d is not None else None
                    if b is not None:   # two dates both past: not compared (verify.changed)
                        bd = b[1][idx]
                        past = (d != NONE_DATE) & (bd != NONE_DATE) & (d < sub.as_of) & (bd < sub.as_of)
                        diff |= on & b[0][idx] & (d != bd) & ~past
                at = 0
                for j, (x, _) in zip(js, grp):
                    out[j] = diff[at:at + len(x)]
                    at += len(x)
            return out

        def note(k, rows):
            if len(rows):
                lst = listed.get(k)
                if lst is None:
                    lst = listed[k] = _false(n)
                lst[rows] = True
        if parts:
            # the second value of an unknown fact (true) tried at once with the first on every
            # row of its part — not only where false changed nothing: a rerun costs mostly per
            # batch, not per row; the fact is listed where either changes the outcome
            # (engine/verify.py: ``any``, whose stop changes nothing of the result)
            both = parts + [(x, {k: alt2}) for (x, _), k, alt2 in zip(parts, owners, second) if alt2 is not None]
            diff = rerun(both)
            extra = iter(diff[len(parts):])
            for (x, _), k, alt2, d in zip(parts, owners, second, diff):
                if alt2 is not None:
                    d = d | next(extra)
                note(k, x[d])
            listed = {k: listed[k] for k in occ if k in listed}   # in the order of the facts consulted
        # per row, as text: the facts listed (in the order they were consulted), the open
        # questions of the procedure and State, the notes to verify that apply
        # each part as a code per row (0: nothing) and its texts, joined once per distinct
        # (facts, questions, notes) — not column by column
        fc, ftexts = np.zeros(n, dtype=np.int64), [""]
        if listed:
            count = np.zeros(n, dtype=np.int64)
            for m in listed.values():
                count += m
            single = count == 1
            for k, m in listed.items():   # one fact listed: its name
                fc[m & single] = len(ftexts)
                ftexts.append(k)
            many = np.nonzero(count > 1)[0]
            if len(many):   # one text per distinct (facts listed, order consulted), then spread
                keys = list(listed)
                seq, width = _listed_in_order(keys, listed, many, first)
                from .shapes import group_wide
                inv, reps = group_wide(seq)   # rows with the same facts in the same order
                fc[many] = len(ftexts) + inv
                for r in reps.tolist():
                    ftexts.append("|".join(keys[seq[c][r]] for c in range(width[r])))
        qc, qtexts = np.zeros(n, dtype=np.int64), [""]
        qs = getattr(self.ref, "questions_for", None)
        # rows not applicable whose failed conditions rest on one instrument alone (engine/verify.py
        # ``failed_alone_on``): a bit per instrument an open question of the procedure names
        alone_codes = self._alone_codes(p) if qs else ()
        bits = np.zeros(n, dtype=np.int64)
        if alone_codes and not applies.all():
            for j, code in enumerate(alone_codes):
                bits |= self._failed_alone(pv, p, code, ~applies).astype(np.int64) << j
        rows = np.nonzero(applies | (bits != 0))[0]
        if qs and len(rows):
            codes, names = ctx.state_codes()
            # per (State, date, instruments failed alone): one integer of a small range (row_key),
            # grouped by a table (no sort)
            _, first_i, inv = unique_ints(row_key([codes[rows], ctx.as_of[rows]]
                                                  + ([bits[rows]] if bits.any() else [])))
            memo = self.__dict__.setdefault("_questions", {})   # the reference's questions: constant
            for f0 in first_i.tolist():
                i = int(rows[f0])
                st = (names[codes[i]] or None) if ctx.state.kind == "str" else None   # "": unknown or none
                b = -1 if applies[i] else int(bits[i])
                mk = (p.id, st, int(ctx.as_of[i]), b)
                t = memo.get(mk)
                if t is None:
                    found = qs(p.id, st, vdates.from_days(mk[2]))
                    if b >= 0:   # not applicable: only the questions on the instrument it fails on alone
                        on = {c for j, c in enumerate(alone_codes) if b >> j & 1}
                        found = [x for x in found if x.get("failed_alone_on") in on]
                    t = memo[mk] = "|".join(f"question:{x['id']}" for x in found)
                qtexts.append(t)
            qc[rows] = 1 + inv.reshape(-1)
        vids = {nn.id for nn in p.notes if nn.verify}
        on_notes = [(f"note:{nn.id}", on) for nn, on, _, _ in pv.notes if nn.id in vids]
        for rv in pv.routes:   # a route's « à vérifier » notes are its procedure's (engine/verify.collect)
            on_notes += [(f"note:{nn.id}", on & rv.shown) for nn, on, _, _ in rv.notes if nn.verify]
        nc = np.zeros(n, dtype=np.int64)
        for j, (_, on) in enumerate(on_notes):
            nc |= on.astype(np.int64) << j
        if len(ftexts) == 1 and len(qtexts) == 1 and not nc.any():
            return Coded.const("", n)
        if len(on_notes) < 20:
            _, reps, inv = unique_ints((fc * len(qtexts) + qc) << len(on_notes) | nc)
        else:
            from .shapes import group_wide
            inv, reps = group_wide([fc, qc, nc])
        texts = []
        for i in reps.tolist():
            bits = int(nc[i])
            ns = "|".join(t for j, (t, _) in enumerate(on_notes) if bits >> j & 1)
            texts.append("|".join(x for x in (ftexts[fc[i]], qtexts[qc[i]], ns) if x))
        return Coded(texts, inv)

    def _alone_codes(self, p) -> tuple:
        """The instruments the open questions of ``p`` name in ``failed_alone_on``, in order."""
        memo = self.__dict__.setdefault("_alone_codes_memo", {})
        hit = memo.get(p.id)
        if hit is None:
            from ..engine.verify import alone_on
            qs = getattr(self.ref, "open_questions", None) or []
            hit = memo[p.id] = tuple(dict.fromkeys(
                q["failed_alone_on"] for q in qs if p.id in q.get("concerns", []) and q.get("failed_alone_on")
                and alone_on(p, q["failed_alone_on"])))
        return hit

    @staticmethod
    def _failed_alone(pv, p, code, na):
        """``engine.verify.failed_alone_on`` over a batch: the rows of ``na`` where some top
        condition (or precedence entry) failed — not met, no pending date — and each one that
        failed rests on the instrument ``code`` alone (``engine.verify.alone_on``)."""
        from ..engine.verify import alone_on
        alone = alone_on(p, code)
        some = _false(len(na))
        other = _false(len(na))
        for cid, eff, on in pv.tops:
            m = na & on & (eff == NOT_MET)
            if cid in alone:
                some |= m
            else:
                other |= m
        return some & ~other

    def _stays_na(self, pv, p):
        """``engine.reuse.Reuse.still_not_applicable`` over a batch: None, or a function of a
        reference fact's name giving the rows not applicable through one of the procedure's own
        conditions (or a precedence entry over it) that failed (not met, no pending date) and
        cannot read that fact (``engine.reads.Reads.reads``: the functions that record it,
        rules/functions.EVIDENCE). Evaluated again with that fact replaced, such a row fails
        again, and any condition not met makes the procedure not applicable (no dates, routes,
        consent nor basis): the same outcome for engine/verify.py, not evaluated again — unless a
        dated note shown all the same (a duty's) may read that fact
        (engine.reads.Reads.shown_anyway). Not for a
        procedure a route may open in place of its conditions (``replaces``)."""
        if pv.opening or not pv.tops:
            return None
        na = pv.status == NA
        if not na.any():
            return None
        from ..engine.reads import fact_key as _fact_key, reads_any as _reads_any
        reads = self._cond_reads_of(p)
        anyway = self.__dict__["_reads_so"].shown_anyway(p)   # a duty's date, shown all the same
        failed = [(cid, na & on & (eff == NOT_MET)) for cid, eff, on in pv.tops]
        failed = [(cid, m) for cid, m in failed if m.any()]
        memo = {}

        def fails(k):
            key = _fact_key(k)
            hit = memo.get(key)
            if hit is None:
                hit = _false(len(na))
                if anyway and _reads_any(anyway, [key]):   # its date may change: evaluated again
                    memo[key] = hit
                    return hit
                for cid, m in failed:
                    rd = reads.get(cid)
                    if rd is not None and not _reads_any(rd, [key]):
                        hit |= m
                memo[key] = hit
            return hit
        return fails

    def _given_ids(self, p, pv, what, changed):
        """The conditions whose results a rerun takes from the first evaluation ``pv``
        (:func:`.reuse.given`; engine.reuse.Reuse.rerun_env and trial_env, and inside the
        conditions): for the reference facts replaced (``what`` "reads": engine/verify.py —
        exact for what verify compares: status, dates, consent, basis, routes, and the dates of
        the notes, evaluated again over the conditions given as the first evaluation read them) or the fact
        paths given values (``what`` "facts": engine/prove.py — the missing facts too), once
        per procedure, change and conditions evaluated."""
        if not getattr(pv, "conds", None):
            return None
        done = pv.__dict__.get("_conds_done")   # the conditions evaluated, as a set: once per evaluation
        if done is None or done[0] is not pv.conds or done[1] != len(pv.conds):
            done = pv._conds_done = (pv.conds, len(pv.conds), frozenset(pv.conds))
        key = (p.id, what, frozenset(changed), done[2])
        memo = self.__dict__.setdefault("_given_memo", {})
        hit = memo.get(key)
        if hit is None:
            self._cond_reads_of(p)
            free = self.__dict__["_reads_so"].unaffected(p, what, changed, guarded=False)
            hit = memo[key] = given(p, self.book, free, self._cond_closure(p), pv.conds, what == "reads")
        return hit

    def _cond_closure(self, p):
        """Condition id → itself and the conditions its evaluation evaluates in turn (children,
        ``cond.<id>`` read by its expressions, transitively); None for a cycle or an unknown id."""
        memo = self.__dict__.setdefault("_closure_memo", {})
        hit = memo.get(p.id)
        if hit is not None:
            return hit
        from ..engine.evaluate import cond_index
        index = cond_index(p)
        out: dict = {}

        def walk(cid, seen):
            if cid in out:
                return out[cid]
            c = index.get(cid)
            if c is None or cid in seen:
                return None
            seen = seen | {cid}
            acc = {cid}
            for e in (c.expr, c.met_if, c.when, c.requires):
                for x in (e.conds if e is not None else ()):
                    r = walk(x, seen)
                    if r is None:
                        out[cid] = None
                        return None
                    acc |= r
            for ch in c.children:
                r = walk(ch.id, seen)
                if r is None:
                    out[cid] = None
                    return None
                acc |= r
            out[cid] = frozenset(acc)
            return out[cid]
        for cid in index:
            walk(cid, frozenset())
        memo[p.id] = out
        return out

    def _cond_reads_of(self, p):
        """Condition id (and ``precedence:<id>``) → the reference facts it may read
        (``engine.reads.Reads.reads``, computed once per procedure)."""
        memo = self.__dict__.setdefault("_reads_memo", {})
        hit = memo.get(p.id)
        if hit is None:
            from ..engine.reads import Reads
            so = self.__dict__.get("_reads_so")
            if so is None:   # the static reading of the rule book's conditions
                so = self.__dict__["_reads_so"] = Reads(self.book)
            hit = memo[p.id] = so.reads(p)
        return hit

    def prove(self, ctx, pv, p, case_facts_ctx=None):
        """``engine.prove.prove`` over a batch: the rows with missing facts evaluated again for
        every combination of the values those facts can take (at most ``prove.CAP``); modifies
        ``pv`` (status, dates, consent, missing facts of the procedure and of its routes)."""
        from itertools import product
        from ..engine import prove as P
        from ..engine.facts import _spec, _ENUMS, default_reads
        n = ctx.n
        comps_all = [pv] + list(pv.routes)
        for x in comps_all:   # owned here: rows are settled one by one below
            x.missing = {k: m.copy() for k, m in x.missing.items()}
        shown = [np.ones(n, dtype=bool)] + [rv.shown for rv in pv.routes]
        keys = sorted(set().union(*[set(x.missing) for x in comps_all]))
        bits = [x.missing[f] & sh for x, sh in zip(comps_all, shown) for f in keys if f in x.missing]
        todo = np.logical_or.reduce(bits) if bits else _false(n)
        if not todo.any():
            return
        rows_todo = np.nonzero(todo)[0]
        # a date's range only at the rows where that date is missing (and shown): the only ones
        # whose plan reads it (plan_of: the kind of range of a fact tried) or that try it
        need = {}
        for f in self.bounds:
            ms = [x.missing[f] & sh for x, sh in zip(comps_all, shown) if f in x.missing]
            need[f] = rows_todo[np.logical_or.reduce(ms)[rows_todo]] if ms else rows_todo[:0]
        bounds = self._bounds(ctx, need)
        rm_len = _root_per_row(ctx.facts, "removal_measures", _list_lengths, rows_todo)
        if rm_len is None:
            rm_len = np.zeros(len(rows_todo), dtype=np.int64)
        reads = default_reads(self.book)
        # rows with the same missing facts, the same kind of date range and as many measures get
        # the same plan (prove.prove: the facts tried, in order, and their domains under CAP)
        sig = [b_[rows_todo] for b_ in bits] + \
            [np.where(bounds[f][1], np.where(bounds[f][2] == bounds[f][3], 1, 2), 0)[rows_todo] for f in bounds] + \
            [np.minimum(rm_len + 1, 60)]
        inv, first = group(sig)
        # the group's rows: one stable sort, not a comparison of every row per group
        order = np.argsort(inv, kind="stable")
        # a group's plan depends on its signature only (the rule book and the domains are the
        # program's): computed from it, once per signature for every batch. The signature:
        # per (component, fact) of ``pairs`` missing and shown, per bound its kind of range
        # (0 none, 1 one day, 2 two ends), the number of removal measures + 1 (at most 60)
        pairs = [(k, f) for k, x in enumerate(comps_all) for f in keys if f in x.missing]
        nb, bnames = len(pairs), list(bounds)

        def plan_of(row):
            """The plan of a signature: (key, domains, components), or None (nothing to try)."""
            miss_i = [[] for _ in comps_all]
            for i in np.flatnonzero(row[:nb]).tolist():
                k, f = pairs[i]
                miss_i[k].append(f)
            facts_i = list(miss_i[0])
            for k in range(1, len(comps_all)):
                facts_i += [f for f in miss_i[k] if f not in facts_i]
            kinds = dict(zip(bnames, row[nb:nb + len(bnames)].tolist()))
            doms, total = [], 1
            for f in facts_i:
                spec = _spec(f)
                d = None
                if isinstance(spec, str) and spec in _ENUMS:
                    d = ("static", tuple(_ENUMS[spec]))
                elif spec in ("date", "date_or_none") and f in bounds:
                    b = bounds[f][0]
                    if kinds[f]:
                        d = ("bound", kinds[f], b.none and spec == "date_or_none")
                elif spec in ("date", "date_or_none"):
                    for b in self.book.bounds:   # a bound on this path not compiled: should not happen
                        if b.path == f:
                            raise NotVectorisable(f)
                m = 0 if d is None else (len(d[1]) if d[0] == "static" else d[1] + int(d[2]))
                if not m or total * m > P.CAP:
                    continue
                doms.append((f, d, m))
                total *= m
            if not doms:
                return None
            names = {f for f, _, _ in doms}
            comps = [k for k in range(len(comps_all)) if names.intersection(miss_i[k])]
            if not comps:
                return None
            rm = int(row[-1]) - 1   # at most 59: a fact tried is missing for the row, so within its list
            if not all(_settable(f, [None] * rm if rm >= 0 else UNKNOWN) for f in names):
                return None   # set_path cannot hold it: prove leaves the answer as it is
            return (tuple((f, d) for f, d, _ in doms), tuple(comps)), doms, comps
        layout = (p.id, tuple(pairs), tuple(bnames))
        memo = self.__dict__.setdefault("_plans", {})
        if len(memo) > 64:
            memo.clear()
        known = memo.setdefault(layout, {})
        if len(known) > 50_000:
            known.clear()
        # each group's signature as bytes (small codes: one byte a column), read as a list only
        # for the signatures not seen yet
        M = np.ascontiguousarray(np.stack([c[first] for c in sig], axis=1).astype(np.int8))
        sig_b = M.view(np.dtype((np.void, M.shape[1]))).reshape(-1).tolist()
        plans: dict = {}   # plan key -> its number, in the order first met
        found = []
        plan_g = np.full(len(first), -1, dtype=np.int64)
        for g in range(len(first)):
            t = sig_b[g]
            hit = known.get(t, _ABSENT)
            if hit is _ABSENT:
                hit = known[t] = plan_of(M[g])
            if hit is None:
                continue
            j = plans.get(hit[0])
            if j is None:
                j = plans[hit[0]] = len(found)
                found.append(hit)
            plan_g[g] = j
        if not found:
            return
        plan_list = []
        ordered = order[plan_g[inv[order]] >= 0]   # the rows of a plan: its groups' rows, group by group
        of_row = plan_g[inv[ordered]]
        for j, (_, doms, comps) in enumerate(found):
            rows = rows_todo[ordered[of_row == j]]
            dims = [m for _, _, m in doms]
            plan_list.append((rows, doms, comps, dims, list(product(*[range(m) for m in dims]))))
        # the first combination of every row first: a row none of whose components tried is
        # settled in it (or shown) keeps its answer whatever the others give — no common
        # outcome, and every fact tried can change it (prove._relevant; the stop of
        # prove.prove) — so the other combinations are evaluated for the other rows only.
        # Unless few rows stop there (the share that went on, the last time, for this
        # procedure): then every combination in one batch, the rows that stop ignored — one
        # evaluation less (reuse.FIXED) for a few more rows. The same results either way.
        shares = self.__dict__.setdefault("_went_on", {})
        later = sum(len(rows) * (len(combos) - 1) for rows, _, _, _, combos in plan_list)
        together = bool(later) and (1 - shares.get(p.id, 0.5)) * later < _call_cost(pv)
        if together:
            full = self._trials(ctx, p, pv, comps_all, [(rows, doms, combos, comps)
                                                    for rows, doms, comps, dims, combos in plan_list],
                                bounds, reads)
            head = [{k: tuple(a[:1] for a in arrs) for k, arrs in per.items()} for per in full]
        else:
            head = self._trials(ctx, p, pv, comps_all, [(rows, doms, combos[:1], comps)
                                                    for rows, doms, comps, dims, combos in plan_list],
                                bounds, reads)
        cont_l, tail_in, went, tried = [], [], 0, 0
        for i, ((rows, doms, comps, dims, combos), A0) in enumerate(zip(plan_list, head)):
            cont = _false(len(rows))
            for k in comps:
                cont |= A0[k][0][0] & A0[k][1][0]
            cont_l.append(cont)
            if len(combos) > 1:
                went += int(cont.sum())
                tried += len(rows)
                if cont.any():
                    tail_in.append({k: tuple(a[1:, cont] for a in arrs) for k, arrs in full[i].items()} if together
                                   else (rows[cont], doms, combos[1:], comps))
        if tried:
            shares[p.id] = went / tried
        tail = iter(tail_in if together else self._trials(ctx, p, pv, comps_all, tail_in, bounds, reads)
                    if tail_in else [])
        # each plan's outcomes (first combination, then the others) gathered by component and
        # combinations (the domains' sizes): the plans of one group settled together
        # (:func:`_settle_plans`) — a plan's rows are its own, each row settled on its own trials
        parts: dict = {}
        for (rows_all, doms, comps, dims, combos), A0, cont in zip(plan_list, head, cont_l):
            if not cont.any():
                continue
            names = [f for f, _, _ in doms]
            rows = rows_all[cont]
            A1 = next(tail) if len(combos) > 1 else None
            every = len(rows) == len(rows_all)
            for k in comps:
                parts.setdefault((k, tuple(dims)), []).append(
                    (rows, A0[k], None if every else cont, None if A1 is None else A1[k], names))
        for (k, dims), grp in parts.items():
            _settle_plans(comps_all[k], grp, list(dims), ctx.as_of)

    def _bounds(self, ctx, rows_of):
        """The declared date ranges (``bounds:``, the domain of a date tried by the proof) at
        the rows ``rows_of[path]`` of the batch only — the rows where that date is missing: a
        row's range reads that row alone —, laid out over the batch's rows (elsewhere: no
        range, 0). Per fact path: (the bound, a range known, its first day, its last day)."""
        from .compile import TakenFacts
        n = ctx.n
        out = {}
        for path, (b, lo_f, hi_f, w_f) in self.bounds.items():
            ok = _false(n)
            lo_v, hi_v = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
            rows = rows_of[path]
            m = len(rows)
            if m:
                bctx = Ctx(m, TakenFacts(ctx.facts, rows), ctx.as_of[rows], _none_state(m), self)
                ok_t = is_true(w_f(bctx)) if w_f is not None else np.ones(m, dtype=bool)
                lo, hi = lo_f(bctx), hi_f(bctx)
                if lo.kind == "date" and hi.kind == "date":
                    ok[rows] = ok_t & ~lo.unk & ~hi.unk & ~lo.nil & ~hi.nil & (hi.v >= lo.v)
                    lo_v[rows], hi_v[rows] = lo.v, hi.v
            out[path] = (b, ok, lo_v, hi_v)
        return out

    def _trials(self, ctx, p, pv, comps_all, segs, bounds, reads):
        """The rows of each of ``segs`` — (rows, domains, combinations, components) — evaluated
        again for each of its combinations: the segments whose trials take the same conditions
        from the first evaluation (:meth:`_given_ids`) in one batch (:meth:`_trial_batch`).
        ``reads``: the fact paths the defaults read (a segment trying one of them has the
        defaults applied again, prove.prove). Per segment, as :meth:`_trial_batch`."""
        defaults = frozenset(d.path for d in self.book.defaults)
        items = []
        for rows, doms, combos, comps in segs:
            names = frozenset(f for f, _, _ in doms)
            redo = bool(names & reads)
            # (a segment setting a field of a list's item: apart from the others unless cheaper, reuse.LIST_APART)
            items.append((self._given_ids(p, pv, "facts", names | defaults if redo else names),
                          len(rows) * len(combos), redo, any("[" in f for f in names)))
        out = [None] * len(segs)
        for ids, js in batches(p, items, _call_cost(pv)):
            res = self._trial_batch(ctx, p, pv, comps_all, [segs[j] for j in js], bounds, items[js[0]][2], ids)
            for j, r in zip(js, res):
                out[j] = r
        return out

    def _trial_batch(self, ctx, p, pv, comps_all, segs, bounds, redo, given):
        """The rows of each of ``segs`` evaluated again for each of its combinations, in one
        batch: the fact columns are the rows' own, taken when read, except the facts tried, set
        segment by segment (and the defaults applied again when ``redo``); ``given``: the
        conditions whose results are taken from the first evaluation (None: none). Per
        segment, per component index of ``comps_all`` tried: arrays (combination × row) of
        shown, settled (not undetermined, no missing fact), status, from, until, consent."""
        offsets, at, parts, tried = [], 0, [], {}
        for rows, doms, combos, comps in segs:
            T = len(combos)
            G = len(rows)
            parts.append(np.tile(rows, T))
            C = np.array(combos, dtype=np.int64).reshape(T, len(doms))
            for j, (f, d, m) in enumerate(doms):
                cj = np.repeat(C[:, j], G)   # trial-major
                if d[0] == "static":
                    seg = _domain_values(d[1], cj)
                    code = cj   # the value's index in its domain: equal codes, equal values
                else:
                    b, ok, lo_v, hi_v = bounds[f]
                    lo, hi = np.tile(lo_v[rows], T), np.tile(hi_v[rows], T)
                    nil = cj >= d[1]
                    seg = V("date", np.where(nil, 0, np.where(cj == 0, lo, hi)), _false(len(cj)), nil)
                    code = None   # a date of the row's own range
                tried.setdefault(f, []).append((at, at + G * T, seg, code))
            offsets.append((at, comps, G, T))
            at += G * T
        idx = np.concatenate(parts)
        sub = ctx.sub(idx)
        facts = sub.facts
        for f, segs in tried.items():
            if "[" in f:   # a field of a removal measure: the measures of those rows, copied and set
                k = int(f[len("removal_measures["):f.index("]")])
                field = f.split(".", 1)[1]
                facts["removal_measures"] = _measures_with(facts["removal_measures"], segs, k, field)
                continue
            base = facts.get(f) or V("none", None, np.ones(len(idx), dtype=bool), _false(len(idx)))
            pieces, last = [], 0
            for s0, s1, seg, _ in segs:
                if s0 > last:
                    pieces.append(base.take(np.arange(last, s0)))
                pieces.append(seg)
                last = s1
            if last < len(idx):
                pieces.append(base.take(np.arange(last, len(idx))))
            facts[f] = vconcat(pieces)
        if redo:
            facts = self.apply_defaults(facts, sub.as_of, len(idx))
        sub.facts = facts
        src = getattr(ctx, "derived_from", None)
        if src is not None:
            # the values derived from a case's facts that read no fact tried here (nor a default
            # applied again): the case's own, taken (prove.prove ``keep``), not computed again
            touched = frozenset(tried) | (frozenset(d.path for d in self.book.defaults) if redo else frozenset())
            sub.derived_from = (src[0], src[1][idx])
            sub.derived_keep = _untouched_derived(self.book, touched)
        sub.seed = seed(pv.conds, given, idx)
        t = self.eval_proc(sub, p.id, True)
        trial = [t] + list(t.routes)
        out = []
        settled: dict = {}   # per component: not undetermined, no missing fact (once per batch)
        for at, comps, G, T in offsets:
            # the segment's rows, trial-major (trial t, row g at at + t·G + g): its slice of the
            # batch laid out as trial × row — views, read only, not a gather
            s = slice(at, at + G * T)
            per = {}
            for k in comps:
                y = trial[k]
                ok = settled.get(k)
                if ok is None:
                    ok = settled[k] = y.status != UND
                    for m in y.missing.values():
                        ok &= ~m
                present = np.ones((T, G), dtype=bool) if k == 0 else y.shown[s].reshape(T, G)
                per[k] = (present,) + tuple(a[s].reshape(T, G) for a in (ok, y.status, y.d_from, y.d_until, y.consent))
            out.append(per)
        return out


def _call_cost(pv) -> float:
    """The cost of one more evaluation of a procedure by the reruns and trials (the unit of
    :data:`.reuse.FIXED`: rows evaluated with every condition given): FIXED, twice that when its
    first evaluation ``pv`` evaluated rows again on another day (compile_in_time: a later day for
    a pending date, the eve of a law change for a ``from`` already past). The reruns of
    such rows, pending too, are each followed by an evaluation of every condition on that day,
    given none: lc_expulsion ≈ 6 ms a call at 200 rows with every condition given, ≈ 70 % of it
    that evaluation, against 1.5 ms for ste_transfer. Its trials on blanked rows then take 1 call
    per 10,000-row batch, not 1.5 (the proof −8 % CPU). What is evaluated together changes,
    never a result (tests/test_columnar_one_rerun.py)."""
    return FIXED * 2 if getattr(pv, "in_time", 0) else FIXED


_PAST = np.iinfo(np.int64).min + 1   # an applicable procedure's first date when already past (prove._outcome)


def _settle_plans(x, grp, dims, as_of) -> None:
    """engine/prove.py ``_settle`` for the component ``x`` (the procedure or a route) at the
    rows of some plans of one layout of combinations (``dims``: the sizes of the domains, in
    the order of their product), all at once: ``grp`` per plan (its rows that went on past
    the first combination, the outcomes of the first combination at all of the plan's rows,
    which of them went on — None: all —, the outcomes of the other combinations at those
    rows — None: no other —, the names of the facts tried), each outcome (present, settled,
    status, from, until, consent) an array combination × row. A row whose every combination
    is present and settled alike takes that outcome (its first date: the latest) and lists no
    missing fact; a row present in every combination otherwise keeps the facts tried that
    can change its outcome (:class:`_Relevance`). Each row reads its own combinations only:
    the plans' rows side by side give each row what its plan alone gives."""
    rows = np.concatenate([g[0] for g in grp])
    heads = [np.concatenate([g[1][i] for g in grp], axis=1) for i in range(6)]
    if any(g[2] is not None for g in grp):   # the rows that went on, of each plan's first combination
        went = np.concatenate([np.ones(g[1][0].shape[1], dtype=bool) if g[2] is None else g[2] for g in grp])
        heads = [a[:, went] for a in heads]
    if grp[0][3] is not None:   # the other combinations after the first
        arrs = [np.concatenate([heads[i], np.concatenate([g[3][i] for g in grp], axis=1)], axis=0)
                for i in range(6)]
    else:
        arrs = heads
    present, settled, st, df, du, co = arrs
    past = (st == APP) & ((df == NONE_DATE) | (df <= as_of[rows][None, :]))
    fk = np.where(past, _PAST, df)
    same = (st == st[0]) & (fk == fk[0]) & (du == du[0]) & (co == co[0])
    ok = present.all(axis=0)          # a route missing in a trial: left as it is
    adopt = ok & settled.all(axis=0) & same.all(axis=0)
    r = rows[adopt]
    if len(r):
        x.status[r], x.d_until[r], x.consent[r] = st[0, adopt], du[0, adopt], co[0, adopt]
        x.d_from[r] = df[:, adopt].max(axis=0)   # the latest first date (none: the smallest date)
        for m in x.missing.values():
            m[r] = False
    rest = ok & ~adopt
    if not rest.any():
        return
    # a fact tried is dropped when, for every combination of the others, all its values give
    # the same settled outcome (prove._relevant): per position of the facts tried, the rows
    # of the plans trying each fact there
    rel = _Relevance([st, fk, du, co], settled, dims)
    sizes = [len(g[0]) for g in grp]
    for j in range(len(dims)):
        of_j = None
        for f in dict.fromkeys(g[4][j] for g in grp):
            m = x.missing.get(f)
            if m is None:
                continue
            tried = rest & m[rows]
            if len(grp) > 1:
                tried &= np.repeat(np.array([g[4][j] == f for g in grp]), sizes)
            if not tried.any():
                continue
            if of_j is None:
                of_j = rel.of(j)
            m[rows[tried & ~of_j]] = False


class _Relevance:
    """``prove._relevant`` for every row of a plan at once: ``codes`` the outcome's parts
    (status, first date or « past », until, consent), each an array combination × row, the
    combinations in the order of the domains' product (``dims``: the size of each domain),
    ``settled`` (combination × row) where the outcome is settled.

    The i-th fact can change a row's outcome when some combination is not settled (its group
    of the other facts' values then holds an outcome None), or when, for some values of the
    other facts, its values do not all give the same outcome: laid out as the product
    (code × domain … × row), the codes compared along the fact's axis with its first value —
    one comparison for the four codes of every combination, not a pass per code and fact."""

    def __init__(self, codes, settled, dims):
        self.codes, self.dims = codes, list(dims)
        self.G = settled.shape[1]
        self.unsettled = (~settled).any(axis=0)
        self.S = None

    def of(self, j):
        """Per row: can the j-th fact tried change the outcome?"""
        if self.S is None:
            self.S = np.stack(self.codes).reshape([len(self.codes)] + self.dims + [self.G])
        S = self.S
        first = S[(slice(None),) * (j + 1) + (slice(0, 1),)]
        return self.unsettled | (S != first).reshape(-1, self.G).any(axis=0)


def _measures_with(base: V, segs, k: int, field: str) -> V:
    """The column of removal measures ``base`` with ``field`` of the k-th measure set, segment
    by segment (``segs``: (start, end, values, their codes or None)) — the column
    ``from_objects`` makes of the rows' objects so set, without a Python step per row but for
    the rows tried: a column of lists (« obj », as ``facts_from_frame`` and ``from_objects``
    make it: UNKNOWN where unknown) copied, the rows tried given other lists (known lists: the
    kind stays « obj »); another column read object by object."""
    objs = base.v.copy() if base.kind == "obj" else np.fromiter(base.objects(), dtype=object, count=len(base))
    unk, nil = base.unk.copy(), base.nil & ~base.unk
    objs[unk] = UNKNOWN
    objs[nil] = None
    made: dict = {}   # (list, value) -> the list with the value set: one per distinct pair
    for s0, s1, seg, code in segs:
        if code is None:   # values per row: each row's pair looked up
            for r, v in zip(range(s0, s1), seg.objects()):
                objs[r] = _with_field(made, objs[r], k, field, v)
            continue
        # an enumerated value: the distinct (list, value) pairs of the segment by their
        # integer keys (the list's identity, the value's code), each made once, spread
        span = objs[s0:s1]
        key = np.fromiter(map(id, span), np.int64, s1 - s0) * (int(code.max()) + 1) + code
        _, first, inv = np.unique(key, return_index=True, return_inverse=True)
        lists = np.empty(len(first), dtype=object)
        for u, (f0, v) in enumerate(zip(first.tolist(), seg.take(first).objects())):
            lists[u] = _with_field(made, span[f0], k, field, v)
        objs[s0:s1] = lists[inv.reshape(-1)]
    return V("obj", objs, unk, nil) if base.kind == "obj" else from_objects(objs.tolist())


def _with_field(made: dict, lst, k: int, field: str, v):
    """The list of measures ``lst`` with ``field`` of its k-th measure set to ``v`` (the
    measures copied: the row's own list is not changed), made once per distinct (list, value)
    — ``made`` keeps each, and the list it was made from alive (its identity is the key)."""
    key = (id(lst), type(v), v)
    hit = made.get(key)
    if hit is None:
        new = [dict(x) for x in lst]
        new[k][field] = v
        made[key] = (lst, new)
        return new
    return hit[1]


def _untouched_derived(book, touched: frozenset) -> frozenset:
    """The derived values that read none of the fact paths ``touched`` (engine.facts.derived_reads:
    through other derived values too), once per rule book and set of paths. A path tried inside
    a list (``removal_measures[0].remedies_exhausted``) touches the list's own path as well."""
    memo = book.__dict__.setdefault("_columnar_untouched", {})
    hit = memo.get(touched)
    if hit is None:
        from ..engine.facts import derived_reads
        paths = set(touched) | {f.split("[", 1)[0] for f in touched if "[" in f}
        hit = memo[touched] = frozenset(n for n, r in derived_reads(book).items()
                                        if not any(_overlaps(x, paths) for x in r))
    return hit


def _overlaps(read: str, paths: set) -> bool:
    """Does a derived value reading ``read`` read one of ``paths`` (the same path, one under
    it, or one it is under)?"""
    for t in paths:
        if read == t or read.startswith(t + ".") or read.startswith(t + "[") or \
                t.startswith(read + ".") or t.startswith(read + "["):
            return True
    return False


def _domain_values(values: tuple, cj) -> V:
    """The column of the values ``values[cj]`` of an enumerated domain (what ``from_objects``
    gives of them): taken from the domain's own column when its values are all of one kind
    and known (the same kind whichever are taken), else read value by value."""
    key = (values, tuple(map(type, values)))   # True is not 1
    hit = _DOMAINS.get(key)
    if hit is None:
        col = from_objects(list(values))
        ok = len(values) > 0 and col.kind in ("bool", "int", "str") and not col.unk.any() and not col.nil.any()
        hit = _DOMAINS[key] = col if ok else False
    if hit is False:
        return from_objects(list(np.array(values, dtype=object)[cj]))
    return hit.take(cj)


_DOMAINS: dict = {}   # an enumerated domain's values -> their column (or False: read value by value)


_ABSENT = object()


def _settable(path, removal):
    """Can ``facts.set_path`` hold a value at ``path`` (an item of a list must be there)?"""
    if path.startswith("removal_measures["):
        k = int(path[len("removal_measures["):path.index("]")])
        return isinstance(removal, list) and k < len(removal)
    return "[" not in path

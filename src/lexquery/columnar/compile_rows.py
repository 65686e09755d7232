"""The rows of the screening (issue 16): candidate States, each procedure for every case and
State (settled, verified, proven), dates past what the rules encode (``engine/recodification.py``),
and the text cells of docs/screening-csv.md built once per shape (:mod:`.shapes`)."""
from __future__ import annotations

import numpy as np

from ..rules.values import UNKNOWN
from . import origins, vdates
from .compile import (Ctx, TakenFacts, V, _false, clear_batch_memos, from_objects, spread_objects, take_values,
                      value_codes)
from .compile_conditions import NONE_DATE
from .compile_settle import NA, STATUS, UND
from .compile_population import _join, _none_state
from .shapes import Coded, cells_concat, group, joined

# --- the rows ---------------------------------------------------------------------------------

_CAND_PATHS = ("person.nationalities", "person.habitual_residence", "person.fled_to", "removal_measures",
               "receiving_state")


def _dest_codes(x: V) -> np.ndarray:
    """The removal measures as integers equal where their destinations are (what
    ``candidate_states`` reads of them), each distinct list read once."""
    if x.kind != "obj":
        return value_codes(x, memo=True)
    reps, inv, _ = origins.memo(x, "distinct", lambda c: origins.distinct(c.v))
    seen: dict = {}
    codes = np.array([seen.setdefault(tuple(m.get("destination") for m in v) if isinstance(v, list) else ("", id(v)),
                                      len(seen)) for v in reps], dtype=np.int64)
    return np.where(x.unk, 0, np.where(x.nil, 1, codes[inv] + 2)) if len(reps) else np.zeros(0, dtype=np.int64)


def _candidates(facts, n, only_nationalities):
    """``engine.candidates.candidate_states`` per case, from the fact columns: once per distinct
    combination of the facts that name States. (the candidate States of each combination, the
    combination of each case)"""
    from ..engine.candidates import NATIONALITY_FACTS, candidate_states
    from .shapes import row_key, unique_ints
    # per nationality, the States are read of the nationalities alone: the cases grouped by them
    present = [k for k in (NATIONALITY_FACTS if only_nationalities else _CAND_PATHS) if k in facts]
    if n and present:
        codes = [_dest_codes(facts[k]) if k == "removal_measures" else value_codes(facts[k], memo=True) for k in present]
        key = row_key(codes)
        if key is not None:
            _, first, inv = unique_ints(key)
        else:   # codes too wide for one integer: the rows compared whole
            _, first, inv = np.unique(np.stack(codes, axis=1), axis=0, return_index=True, return_inverse=True)
            inv = inv.reshape(-1)
    else:
        first, inv = np.zeros(min(n, 1), dtype=np.int64), np.zeros(n, dtype=np.int64)
    cols = {k: (facts[k].take(first).objects() if k in facts else [UNKNOWN] * len(first)) for k in _CAND_PATHS}
    nat, hr, fled, rm, rs = (cols[k] for k in _CAND_PATHS)
    out = []
    for i in range(len(first)):
        dests = rm[i]
        nk = nat[i]
        person = {}
        for k, v in (("nationalities", nk), ("habitual_residence", hr[i]), ("fled_to", fled[i])):
            if v is not UNKNOWN:
                person[k] = v
        case = {"person": person}
        if dests is not UNKNOWN:
            case["removal_measures"] = dests
        if rs[i] is not UNKNOWN:
            case["receiving_state"] = rs[i]
        out.append([s for s, _ in candidate_states(case, only_nationalities)])
    return out, inv


def _flat_candidates(cands):
    """The candidate States of every case as flat arrays: (first position, count — at least one,
    the UNKNOWN State of a case without a candidate —, the States); built per combination
    (``cands``: the candidate States of each, and the combination of each case), then spread."""
    from .origins import gather_items
    gc, inv = cands
    gcount = np.array([max(len(c), 1) for c in gc], dtype=np.int64)
    gflat = np.empty(int(gcount.sum()), dtype=object)
    gflat[:] = [s for c in gc for s in (c or (UNKNOWN,))]
    gstart = np.cumsum(gcount) - gcount
    gnone = np.zeros(len(gflat), dtype=bool)
    gnone[gstart[np.array([not c for c in gc], dtype=bool)]] = True
    gtext = np.where(gnone, "", gflat).astype(object)
    count = gcount[inv]
    pos = gather_items(gcount, gstart, inv)
    names, gcode = np.unique(gtext.astype(str), return_inverse=True)   # Ctx.state_codes of the States, once
    # the States of the rows gathered from the combinations' (origins.spread): read once per State
    return (np.cumsum(count) - count, count, gflat[pos], gnone[pos], spread_objects(list(gflat), pos),
            gtext[pos],
            gcode.reshape(-1)[pos], [str(x) for x in names])


def _take_state(x, pos):
    """The State column of the rows ``pos`` of the batch's candidate States (what
    ``from_objects`` gives of those rows' States)."""
    if x.kind == "none" or x.unk[pos].all():
        return from_objects([UNKNOWN] * len(pos))
    return V(x.kind, take_values(x.v, pos), x.unk[pos], x.nil[pos])


def _run_procedure(self, facts, as_of, n, p, base_ctx):
    """The rows of one procedure for every case: (case index, state order, cells dict)."""
    from ..engine.candidates import CANDIDATE_FACTS, NATIONALITY_FACTS
    from .compile import is_true
    cp = self.procs[p.id]
    # the procedures asked of every case with the same rows (per case, or per case and candidate
    # State): one batch of rows, its facts taken once (the same arrays: never written in place)
    rows_key = (id(facts), p.per_state) if cp["asked"] is None else None
    rows_memo = self.__dict__.setdefault("_rows", {})
    hit = rows_memo.get(rows_key) if rows_key is not None else None
    if hit is not None and hit[0] is facts:
        return self._run_procedure_on(facts, p, base_ctx, *hit[1:])
    asked = np.ones(n, dtype=bool) if cp["asked"] is None else is_true(cp["asked"](base_ctx))
    rows_asked = np.nonzero(asked)[0]
    if not p.per_state:
        idx = rows_asked.astype(np.int64)
        no_cand = _false(len(idx))
        states = None
    else:
        memo = self.__dict__.setdefault("_cands", {})   # the same facts for every procedure of a batch
        key = (id(facts), p.per_state == "nationalities")
        hit = memo.get(key)
        if hit is None or hit[0] is not facts:
            hit = memo[key] = (facts, _flat_candidates(_candidates(facts, n, p.per_state == "nationalities")))
        start, count, flat, none, flat_v, flat_t, flat_c, names = hit[1]
        # each case asked: its candidate States in order, or one row of unknown State (none)
        reps = count[rows_asked]
        idx = np.repeat(rows_asked, reps).astype(np.int64)
        first = np.cumsum(reps) - reps
        pos = np.repeat(start[rows_asked] - first, reps) + np.arange(len(idx))
        states, no_cand = Coded(names, flat_c[pos]), none[pos]   # the States' names by their codes
    m = len(idx)
    if not m:
        return []
    st = _take_state(flat_v, pos) if p.per_state else _none_state(m)
    # the States as small integers (Ctx.state_codes), from those of the batch's candidate States:
    # in the order of their names, as computed from the rows (codes of States absent here unused)
    codes = (flat_c[pos], names) if p.per_state else (np.zeros(m, dtype=np.int64), [""])
    rows = (idx, TakenFacts(facts, idx), as_of[idx], st, codes, states, no_cand)
    if rows_key is not None:
        rows_memo[rows_key] = (facts,) + rows
    return self._run_procedure_on(facts, p, base_ctx, *rows)


def _run_procedure_on(self, facts, p, base_ctx, idx, taken, as_of_rows, st, codes, states, no_cand):
    """The rows of one procedure over its batch of rows (``_run_procedure``)."""
    m = len(idx)
    ctx = Ctx(m, taken, as_of_rows, st, self)
    ctx._codes = codes
    ctx.derived_from = (base_ctx, idx)
    pv = self.eval_proc(ctx, p.id)
    to_verify = self.verify(ctx, pv, p)
    pv.consent0 = pv.consent_src   # the sources list the consent's as evaluated on as_of (before in_time, the proof)
    ctx2 = Ctx(m, ctx.facts, ctx.as_of, st, self)
    ctx2._codes = codes
    ctx2.derived_from = ctx.derived_from   # read by the proof's trials only (_trial_batch: derived_keep)
    self.prove(ctx2, pv, p)
    # from the publication of the text that opens the period: answered (compile_in_time
    # _published_ahead), its sources the procedure's own as outside it (evaluate.published_ahead)
    ahead = vdates.before_period(p, ctx.as_of)
    outside = vdates.outside(p, ctx.as_of) & ~ahead
    return self._cells(p, pv, ctx, idx, states, no_cand, to_verify, outside, facts, ahead)


def _encoded_until(self, pv, p, as_of, outside, open_rows):
    """``recodification._flag_dates`` (dates computed beyond what the rules encode): per row,
    how many ``law:encoded_until`` entries the answer gets — one for the procedure and one
    for each route shown whose dates pass the last day encoded (its ``valid.until``; without
    one, the day before the new code when a CPP citation of its sources has no settled
    successor). Rows on or after the new code's entry into force are not evaluated here."""
    n = len(as_of)
    table = self.succession
    out = np.zeros(n, dtype=np.int64)
    if table is None:
        return out
    lim_code = None if table.in_force is None else vdates.to_days(table.in_force) - 1

    def late(x, limit_days, dated_notes):
        ds = [x.d_from, x.d_until] + ([d for _, on, d, _ in x.notes] if dated_notes else [])
        m = _false(n)
        for d in ds:
            m |= (d != NONE_DATE) & (d > limit_days)
        return m

    def flag(x, proc, opened, dated_notes, live):
        if proc.valid_until is not None:
            return live & (x.status != NA) & late(x, vdates.to_days(proc.valid_until), dated_notes)
        if lim_code is None:
            return _false(n)
        return live & (x.status != NA) & (as_of <= lim_code) & opened & late(x, lim_code, dated_notes)
    out += flag(pv, p, open_rows, True, np.ones(n, dtype=bool))
    for rv in pv.routes:
        rt = rv.p
        opened = _false(n)
        if rt.valid_until is None and lim_code is not None:
            _, opens, inv = _sources_by_shape(self, ("route", p.id, rt.id), rt, rv.skipped, rv.prec_ids, rv.prec_on,
                                              rv.notes, None, n)
            opened = np.array(opens, dtype=bool)[inv]
        out += flag(rv, rt, opened, False, rv.shown)
    return np.where(outside, 0, out)


SHAPES_KEPT = 20_000
"""The most shapes whose sources text is kept by a program (:func:`_shape_memo`)."""


def _shape_memo(self) -> dict:
    """The program's texts of the shapes seen (key: procedure or route, conditions left out,
    precedence entries, consent, notes → (sources text, whether a citation of it is opened by
    the recodification table)): a pure function of the program's rule book, computed once per
    shape for the whole input instead of once per batch. At most :data:`SHAPES_KEPT` kept."""
    memo = self.__dict__.get("_shape_texts")
    if memo is None or len(memo) > SHAPES_KEPT:
        memo = self._shape_texts = {}
    return memo


def _sources_by_shape(self, what, p, skipped, prec_ids, prec_on, notes, consent, n):
    """The sources text of each shape of the rows of a procedure or route ``p``
    (:func:`.shapes.sources_text`), and whether a citation of it is opened by the recodification
    table (:func:`_opens`): (texts, opens, inverse index per row), one per group of rows with the
    same conditions left out (``skipped``), precedence entries (``prec_on``), consent (the
    column ``consent``; None: never) and notes (``notes``: (note, on, …) of each). The texts are
    kept by the program across batches (:func:`_shape_memo`), keyed by ``what`` (the procedure or
    route) and a shape's flags, read at once."""
    from .shapes import group, sources_text
    index = list(cond_index_tree(p))
    note_ids = tuple(nn.id for nn, _, _, _ in notes)
    extra = [] if consent is None else [consent]
    cols = [skipped[c] for c in index] + list(prec_on) + extra + [on for _, on, _, _ in notes]
    if cols:
        inv, first = group(cols)
        flags = np.stack([np.asarray(c, dtype=bool)[first] for c in cols], axis=1).tolist()   # read at once
    else:   # one shape: nothing left out, no entry, no note
        inv, flags = np.zeros(n, dtype=np.int64), [[]]
    # what the flags stand for: the conditions of p, then these precedence entries, consent, these notes
    what = (what, tuple(prec_ids), note_ids, consent is not None)
    a, b, c = len(index), len(index) + len(prec_ids), len(index) + len(prec_ids) + len(extra)
    memo = _shape_memo(self)
    texts, opens = [], []
    for row in flags:
        key = (what, tuple(row))
        hit = memo.get(key)
        if hit is None:
            t = sources_text(p, self.prec_over, frozenset(x for x, f in zip(index, row[:a]) if f),
                             tuple(i for i, f in zip(prec_ids, row[a:b]) if f), bool(extra) and row[b],
                             tuple(i for i, f in zip(note_ids, row[c:]) if f))
            hit = memo[key] = (t, _opens(self.succession, t))
        texts.append(hit[0])
        opens.append(hit[1])
    return texts, opens, inv


def _opens(table, text: str) -> bool:
    """A citation of the sources ``text`` concerns the recodification table and has no settled
    successor (``recodification._flag_dates``)."""
    return table is not None and any(table.concerns(s) and not (table.of(s) and table.of(s).settled)
                                     for s in text.split("|"))


def _cells(self, p, pv, ctx, idx, states, no_cand, to_verify, outside, facts, ahead=None):
    """The text cells of the rows of one procedure (docs/screening-csv.md); ``from`` and
    ``until`` as day numbers (``NONE_DATE``: none), written as text by :func:`screen` once for
    every procedure of the batch."""
    from .shapes import group, iso_coded
    m = ctx.n
    # sources: one text per shape (conditions left out, precedence entries, consent, notes)
    texts, opens, inv = _sources_by_shape(self, ("procedure", p.id), p, pv.skipped, pv.prec_ids, pv.prec_on,
                                          pv.notes_src, pv.consent0 != -1, m)
    sources = Coded(texts, inv)
    open_rows = np.array(opens, dtype=bool)[inv]
    flags = self._encoded_until(pv, p, ctx.as_of, outside, open_rows)
    status = pv.status.copy()
    d_from, d_until, consent = pv.d_from.copy(), pv.d_until.copy(), pv.consent.copy()
    status[outside] = UND
    d_from[outside] = NONE_DATE
    d_until[outside] = NONE_DATE
    consent[outside] = -1
    sources = sources.put(outside if ahead is None else outside | ahead, "|".join(p.sources))
    # a case without a candidate State (and not « not applicable »): unknown, its missing facts
    # those found missing (none outside the period encoded) and the facts that would name a
    # State, unknown in the case (at least the last of them) — one text per combination
    no_state = no_cand & (status != NA)
    status[no_state] = UND
    no_state_t = _no_state_missing(p, pv, facts, idx, np.nonzero(no_state)[0], outside) if no_state.any() else None
    st_text = Coded([STATUS[k] for k in range(4)], status)
    live = ~outside
    # routes: « id:status[:from] » of each route shown (all of a procedure's, or none)
    # (texts built once per distinct combination of statuses and dates, shapes.joined)
    routes = Coded.const("", m)
    if pv.routes and m:
        # each route's piece once per distinct (status, date), nothing where none is shown
        shown = live & np.logical_or.reduce([rv.shown for rv in pv.routes])
        pieces = []
        for rv in pv.routes:
            d = iso_coded(np.where(shown, rv.d_from, NONE_DATE), NONE_DATE)
            pieces.append(_route_piece(rv.p.id, rv.status, d, shown))
        routes = joined(pieces, m)
    deadlines = Coded.const("", m)
    if pv.notes and m:
        # « id:date » of each note dated
        pieces = []
        for nn, on, d, _ in pv.notes:
            k = np.where(on & live, d, NONE_DATE)
            if (k != NONE_DATE).any():
                t = iso_coded(k, NONE_DATE)
                pieces.append(Coded([nn.id + ":" + x if x else None for x in t.texts.tolist()], t.codes))
        deadlines = joined(pieces, m)
    basis = Coded.const("", m)
    if pv.basis:
        keys = list(pv.basis)
        inv, first = group([pv.basis[k] & live for k in keys])
        basis = Coded(_texts(keys, [pv.basis[k][first] & live[first] for k in keys]), inv)
    # missing facts: one text per combination
    mkeys = sorted(pv.missing)
    if mkeys:
        inv, first = group([pv.missing[k] & live for k in mkeys])
        miss_t = Coded(_texts(mkeys, [pv.missing[k][first] & live[first] for k in mkeys]), inv)
    else:
        miss_t = Coded.const("", m)
    miss_t = miss_t.put(outside, "")
    if no_state_t is not None:
        miss_t = miss_t.put(no_state, no_state_t)
    tv = to_verify.put(outside, "")
    for k in range(1, int(flags.max()) + 1 if len(flags) else 1):   # one entry per procedure or route
        tv = tv.combine(Coded(["", "law:encoded_until"], flags >= k), _join)
    state_t = Coded.const("", m) if states is None else states
    return {"case": idx, "procedure": Coded.const(p.id, m), "state": state_t, "status": st_text,
            "from": d_from, "until": d_until,   # day numbers: written as text once per batch (screen)
            "consent_required": Coded(["", "false", "true"], consent.astype(np.int64) + 1),
            "missing_facts": miss_t, "sources": sources, "routes": routes,
            "deadlines": deadlines, "basis": basis, "to_verify": tv}


def _route_piece(route_id: str, status, d, shown) -> "Coded":
    """A route's piece of the ``routes`` cell (docs/screening-csv.md): « id:status[:from] » where
    the routes are shown, None (nothing) elsewhere — a text made only for each (status, date)
    that occurs (``d``: the route's dates as :class:`~.shapes.Coded` texts)."""
    from .shapes import unique_ints
    k = len(d.texts)
    key = np.where(shown, np.asarray(status, dtype=np.int64) * k + d.codes, 4 * k)
    uniq, _, inv = unique_ints(key)
    dates = d.texts.tolist()
    texts = [None if u == 4 * k else f"{route_id}:{STATUS[u // k]}" + (":" + dates[u % k] if dates[u % k] else "")
             for u in uniq.tolist()]
    return Coded(texts, inv)


def _no_state_missing(p, pv, facts, idx, rows, outside) -> Coded:
    """The missing facts cell of the rows ``rows`` (cases without a candidate State): the
    facts found missing (none where outside the period encoded), and the facts that would name
    a State (engine/candidates.py; for a procedure per nationality, the nationalities; the
    State fled to left out of a person located in France) unknown in the case — the last of
    them when none is — sorted, « | »-joined; rows grouped by the facts they list."""
    from ..engine.candidates import CANDIDATE_FACTS, NATIONALITY_FACTS
    cases = idx[rows]
    k = len(rows)
    if p.per_state == "nationalities":
        variants = [(np.ones(k, dtype=bool), list(NATIONALITY_FACTS))]
    else:
        loc = facts.get("person.location")
        fr = np.zeros(k, dtype=bool)
        if loc is not None and loc.v is not None:
            fr = ~loc.unk[cases] & ~loc.nil[cases] & np.asarray(loc.v[cases] == "FR", dtype=bool)
        variants = [(fr, [f for f in CANDIDATE_FACTS if f != "person.fled_to"]), (~fr, list(CANDIDATE_FACTS))]
    keys = sorted(set(pv.missing) | {f for _, cf in variants for f in cf})
    on = {key: np.zeros(k, dtype=bool) for key in keys}
    inside = ~outside[rows]
    for key, mk in pv.missing.items():
        on[key] |= mk[rows] & inside
    for sel, cf in variants:
        for f in cf:
            on[f] |= sel & (facts[f].unk[cases] if f in facts else True)
    empty = ~np.logical_or.reduce([on[key] for key in keys])
    for sel, cf in variants:
        on[cf[-1]] |= empty & sel
    inv, first = group([on[key] for key in keys])
    return Coded(_texts(keys, [on[key][first] for key in keys]), inv)


def _texts(keys, on) -> np.ndarray:
    """Per group, the ``keys`` whose column of ``on`` (one bool per group) is set, « | »-joined
    (the groups' flags read as Python lists at once, not element by element)."""
    rows = np.stack(on, axis=1).tolist() if on else []
    out = np.empty(len(rows), dtype=object)
    out[:] = ["|".join(k for k, x in zip(keys, r) if x) for r in rows]
    return out


def cond_index_tree(p):
    """The ids of a procedure's own condition tree, depth first (not its routes')."""
    out = []
    stack = list(reversed(p.conditions))
    while stack:
        c = stack.pop()
        out.append(c.id)
        stack.extend(reversed(c.children))
    return out


def screen(self, facts, as_of, n):
    """Every procedure for every case: the columns of the output rows (without line / id /
    name / as_of), in the scalar engine's order (case, procedure, State); the dates of every
    procedure's rows formatted together (each distinct day once, :func:`.shapes.iso_coded`)."""
    from . import origins
    facts = self.apply_defaults(facts, as_of, n)
    self._cands = {}   # candidate States, per batch (_run_procedure)
    self._rows = {}    # the rows of the procedures asked of every case, per batch (_run_procedure)
    base = Ctx(n, facts, as_of, _none_state(n), self)
    parts = []
    origins.clear()
    try:
        for p in self.book.procedures.values():
            cells = self._run_procedure(facts, as_of, n, p, base)
            if cells:
                parts.append(cells)
    finally:
        origins.clear()   # the batch's columns are not kept past it
        clear_batch_memos()   # member's and _objwise's: the batch's columns not kept past it
        self._cands = {}
        self._rows = {}
    case = np.concatenate([c["case"] for c in parts])
    # by case, then procedure (the parts' order), then the rows' order within the procedure
    # (States): a stable sort of the cases of the parts one after the other
    perm = np.argsort(case, kind="stable")
    out = {"case": case[perm]}
    from .shapes import iso_coded
    for k in ("procedure", "state", "status", "from", "until", "consent_required", "missing_facts", "sources",
              "routes", "deadlines", "basis", "to_verify"):   # codes into texts (shapes.Coded), permuted as integers
        if k in ("from", "until"):   # the dates of every procedure, each distinct day written once
            out[k] = iso_coded(np.concatenate([c[k] for c in parts])[perm], NONE_DATE)
        else:
            out[k] = cells_concat([c[k] for c in parts], k, perm)
    return out


class _Rows:
    """Mixed into Program: the rows of every procedure for every case."""


for _name in ("_run_procedure", "_run_procedure_on", "_encoded_until", "_cells", "screen"):
    setattr(_Rows, _name, globals()[_name])



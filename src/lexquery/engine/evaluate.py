"""Evaluate a compiled procedure for one case and one State (three-valued).

Condition statuses: ``met``, ``not_met``, ``unknown``, ``to_assess``; a date condition
not yet reached is ``not_met`` with ``pending`` (it is met on its date). Procedure
status (answer-format.md): any hard ``not_met`` → not_applicable; else any
``unknown`` → undetermined (with the missing facts); else a pending date →
applicable_later (``from``); else applicable. A procedure with routes that stand in for
some of its conditions (``replaces:``) opens by the earliest of its direct path and those
routes (``settle_paths``; ``opens_by`` names the path). A condition or route evaluated
outside the period its text is encoded for (``valid:``) is unknown and says so. A pending
date is the earliest day on which the conditions, under the law in force on that day, are
met (:mod:`lexquery.engine.in_time`).
Precedence between instruments is applied from the declared entries of
``rules/precedence.yaml`` (between procedures, or between routes of a procedure), never
implied.

Missing facts are those that could change a result: a condition that is settled does not
pass on to its parent the facts it found unknown (nor do a settled ``and`` / ``or`` /
``exists`` / ``all`` in expressions, rules.expr_closures). Facts whose every value gives the same
answer are then proven irrelevant by :mod:`lexquery.engine.prove`.
"""
from __future__ import annotations

from datetime import date, timedelta

from ..rules.model import Condition, Procedure
from ..rules.values import UNKNOWN
from .answer import CondResult, NoteResult, ProcedureResult
from .env import Env
from .in_time import WAYS, before_period, in_time, law_boundaries, on_publication

RANK = {"met": 4, "to_assess": 3, "unknown": 2, "pending": 1, "not_met": 0}


_ABSENT = object()


def eval_condition(c: Condition, env: Env) -> CondResult | None:
    """Evaluate one condition (memoised per environment). With ``env.explain`` false
    (screening), the reference evidence consulted is not copied into the result."""
    results = env.results
    cid = c.id
    r = results.get(cid, _ABSENT)
    if r is not _ABSENT:
        return r
    if c.when is not None and c.when.fn(env) is False:
        results[cid] = None
        env.skipped.append(cid)
        return None
    if (c.valid_from is not None or c.valid_until is not None) and out_of_period(c, env.as_of):
        # the text is not encoded for this date: unknown, said why
        r = results[cid] = CondResult(cid, period_label(c, c.label, env.as_of), "unknown", c.sources,
                                      c.facts, c.kind, None, False, [], [], [], c.explain)
        return r
    saved = env.missing
    env.missing = set()
    explain = env.explain
    if explain:
        ev_before = len(env.evidence)  # evidence is a dict: new facts are appended, in order
    kind = c.kind
    r = CondResult(cid, c.label, "unknown", c.sources, c.facts, kind, None, False, [], [], [], c.explain)
    try:
        if kind == "test":
            v = c.expr.fn(env)
            r.status = "unknown" if v is UNKNOWN else ("met" if v else "not_met")
        elif kind == "assess":
            v = True if c.requires is None else c.requires.fn(env)
            r.status = "unknown" if v is UNKNOWN else ("to_assess" if v else "not_met")
        elif kind == "from" or kind == "until":
            _date_condition(c, env, r)
        else:
            ch = []
            for x in c.children:
                x = eval_condition(x, env)
                if x is not None:
                    ch.append(x)
            r.children = ch
            _combine(kind, r)
    finally:
        miss = env.missing
        if miss and r.status == "unknown":  # a settled condition: what it found unknown cannot change it
            saved |= miss
        env.missing = saved
    if r.status == "unknown":
        if r.children:
            miss = set(miss)
            for ch in r.children:
                if ch.missing:
                    miss.update(ch.missing)
        if miss:
            r.missing = sorted(miss)
    elif kind == "any_of" or kind == "all_of":
        # the outcome is settled, but unknown alternatives may still change consent or routes
        u = set()
        for ch in r.children:
            if ch.status == "unknown" and ch.missing:
                u.update(ch.missing)
        if u:
            r.missing = sorted(u)
    if explain and len(env.evidence) > ev_before:
        for name in list(env.evidence)[ev_before:]:
            f = env.evidence[name]
            e = {"fact": name, "value": f.value, "evidence": list(f.evidence)}
            if getattr(f, "note", None):
                e["note"] = f.note
            if getattr(f, "evidence_en", None):   # the same in English (docs/answer-format.md)
                e["evidence_en"] = list(f.evidence_en)
            if getattr(f, "note_en", None):
                e["note_en"] = f.note_en
            r.evidence.append(e)
    results[cid] = r
    return r


def _date_condition(c: Condition, env: Env, r: CondResult):
    if c.met_if is not None:
        m = c.met_if.fn(env)
        if m is True:
            r.status = "met"
            return
    else:
        m = False
    d = c.expr.fn(env)
    if d is UNKNOWN:
        r.status = "unknown"
        return
    if d is None:  # no date constraint applies
        r.status = "met" if m is not UNKNOWN else "unknown"
        return
    if d is False:  # a day that never comes on the known facts (e.g. party_from: no entry into force)
        r.status = "not_met" if m is not UNKNOWN else "unknown"
        return
    r.date = d
    if c.kind == "from":
        if env.as_of >= d:
            r.status = "met"
        else:
            r.status, r.pending = "not_met", True
    else:
        r.status = "met" if env.as_of <= d else "not_met"
    if m is UNKNOWN and r.status != "met":
        r.status, r.pending = "unknown", False


def out_of_period(x, day) -> bool:
    """Is ``day`` outside the period a condition or a route is encoded for (``valid:``)?"""
    return (x.valid_from is not None and day < x.valid_from) or (x.valid_until is not None and day > x.valid_until)


def period_label(x, label: dict, day) -> dict:
    """The label of a condition or route evaluated outside its ``valid:`` period."""
    span = f"{x.valid_from or '…'} → {x.valid_until or '…'}"
    fr = f"{label.get('fr')} — texte encodé pour la période {span} seulement : la base ne dit pas la règle au {day}"
    en = f"{label.get('en') or label.get('fr')} — text encoded for {span} only: the rule on {day} is not known"
    return with_reason({"fr": fr, "en": en}, x.valid_note)


def with_reason(label: dict, why: dict | None) -> dict:
    """``label`` with the reason of a ``valid:`` period (its ``note``, e.g. the amending law or the
    text the rule rests on) in brackets, English falling back on French."""
    why = why or {}
    if why.get("fr"):
        label["fr"] += f" ({why['fr']})"
    if why.get("en") or why.get("fr"):
        label["en"] += f" ({why.get('en') or why.get('fr')})"
    return label


def validity_result(rt, day) -> CondResult:
    """The pseudo-condition put first among a route's conditions on a date outside its
    ``valid:`` period: unknown, no fact can settle it."""
    label = period_label(rt, {"fr": "règle de la voie en vigueur", "en": "rule of the route in force"}, day)
    return CondResult("rules_in_force", label, "unknown", rt.sources[:1], [], kind="validity")


def settle_paths(pid: str, direct: tuple, shared: list, routes: list) -> tuple:
    """A procedure opens by the earliest of its direct path and its routes (rules/README.md,
    ``replaces``). ``direct`` is the settlement ``(status, from, until)`` of the procedure's
    own conditions, ``shared`` their ``(id, (status, pending, date, missing, kind))``;
    ``routes`` the ``(route id, replaced ids, [result tuples])`` of the routes that stand in
    for some of them. A route's path is the procedure's conditions it does not replace plus
    its own. Three-valued, like ``settle``:

    - a path applicable on the date → applicable, from the earliest applicable path;
    - else the earliest path applicable later, unless an undetermined path could open before
      it (its known dates are earlier, or it has none) → undetermined;
    - else undetermined when a path is; else not applicable.

    Returns ``(status, from, until, opens_by, route_missing, direct_missing)``: ``opens_by``
    the path that opens first (``pid`` for the direct path, else the route id; None when
    undetermined or not applicable); ``route_missing`` the facts of the undetermined routes
    that could open the procedure first; ``direct_missing`` whether the direct path's
    missing facts still count."""
    st0, f0, u0 = direct
    opens0 = pid if st0 in ("applicable", "applicable_later") else None
    if not routes:
        return st0, f0, u0, opens0, set(), True
    paths = [(pid, st0, f0, u0, None)]
    for rid, replaced, res in routes:
        rows = [t for cid, t in shared if cid not in replaced] + list(res)
        st, df, du = settle(rows)
        miss = set()
        if st == "undetermined":
            for t in rows:
                if t[0] == "unknown" and t[3]:
                    miss.update(t[3])
        paths.append((rid, st, df, du, miss))
    app = [x for x in paths if x[1] == "applicable"]
    if app:  # the earliest opening; a path without a date condition has always been open
        best = min(app, key=lambda x: (x[2] is not None, x[2] or date.min))
        return "applicable", best[2], best[3], best[0], set(), False
    later = [x for x in paths if x[1] == "applicable_later"]
    best = min(later, key=lambda x: x[2]) if later else None
    could = [x for x in paths if x[1] == "undetermined" and (best is None or x[2] is None or x[2] < best[2])]
    if not could:
        if best is None:
            return "not_applicable", None, None, None, set(), False
        return "applicable_later", best[2], best[3], best[0], set(), False
    miss = set()
    for x in could:
        if x[0] != pid:
            miss |= x[4]
    froms = [x[2] for x in could] + ([best[2]] if best else [])
    d_from = None if any(d is None for d in froms) else min(froms)
    until = u0 if st0 != "not_applicable" else could[0][3]
    return "undetermined", d_from, until, None, miss, any(x[0] == pid for x in could)


def _combine(kind: str, r: CondResult):
    r.status, r.pending, r.date = combine(kind == "any_of", [(x.status, x.pending, x.date, x.missing, x.kind)
                                                             for x in r.children])


def combine(is_any: bool, ch: list) -> tuple:
    """(status, pending, date) of an ``any_of`` / ``all_of`` from its children's
    ``(status, pending, date, missing, kind)``: any_of takes the best child (met, to assess,
    unknown, pending, not met), all_of the worst; a pending date is the earliest (any_of) or
    the latest (all_of) of the pending children."""
    if not ch:
        return "met", False, None
    if not is_any:   # the worst child, in one pass (the same order of tests as below)
        not_met = unknown = pending = to_assess = False
        for x in ch:
            if x[1]:
                pending = True
            else:
                st = x[0]
                if st == "not_met":
                    return "not_met", False, None
                if st == "unknown":
                    unknown = True
                elif st == "to_assess":
                    to_assess = True
        if unknown:
            return "unknown", False, None
        if pending:
            return "not_met", True, max([x[2] for x in ch if x[1]])
        if to_assess:
            return "to_assess", False, None
        return "met", False, None
    effs = ["pending" if x[1] else x[0] for x in ch]
    best = max(effs, key=RANK.__getitem__)
    if best == "pending":
        return "not_met", True, min([x[2] for x, e in zip(ch, effs) if e == best])
    if best == "met":
        dated = [x[2] for x, e in zip(ch, effs) if e == best and x[2] is not None and x[4] == "from"]
        return best, False, (min(dated) if dated else None)
    return best, False, None


_SHOW = {"fr": {"unknown": "inconnu", "none": "aucun", True: "oui", False: "non"},
         "en": {"unknown": "unknown", "none": "none", True: "yes", False: "no"}}


def _render(text: str, values: dict, lang: str = "fr") -> str:
    """A note's text with its values, said in the note's language (an unknown value is
    « inconnu » in French, « unknown » in English)."""
    words = _SHOW.get(lang, _SHOW["fr"])

    def show(v):
        if v is UNKNOWN:
            return words["unknown"]
        if v is None:
            return words["none"]
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, list):
            return ", ".join(map(str, v))
        if v is True or v is False:
            return words[v]
        return str(v)
    try:
        return text.format(**{k: show(v) for k, v in values.items()})
    except (KeyError, IndexError, ValueError):
        return text


def cond_index(p: Procedure) -> dict:
    """Every condition of a procedure and of its routes by id — a per-procedure constant,
    computed once (the rules are compiled once) and kept on the procedure."""
    index = p.__dict__.get("_cond_index")
    if index is None:
        index = {}
        stack = list(reversed(p.conditions + [c for rt in p.routes for c in rt.conditions]))
        while stack:  # depth first, in order (a recursive closure would be a reference cycle)
            c = stack.pop()
            index[c.id] = c
            stack.extend(reversed(c.children))
        p.__dict__["_cond_index"] = index
    return index


def _sources_of(p: Procedure, env: Env, results, prec, consent_sources, notes):
    """The answer's sources (:func:`shape_sources`) for the conditions evaluated: the shape —
    the conditions left out (``env.skipped``), those outside the period their text is encoded
    for (:func:`_closed`), the precedence entries put first, consent, the notes — computed once
    per shape and kept on the procedure."""
    closed = _closed(p, env)
    key = (tuple(env.skipped), closed, prec, bool(consent_sources), tuple([n.id for n in notes]))
    memo = p.__dict__.get("_sources_memo")
    if memo is None:
        memo = p.__dict__["_sources_memo"] = {}
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = shape_sources(p, [r.sources for r in results if r.kind == "precedence"],
                                        set(env.skipped), closed, consent_sources, notes)
    return list(hit)


def shape_sources(p, prec_sources, skipped, closed, consent_sources, notes) -> list:
    """The sources of an answer of ``p`` (a procedure or a route), deduplicated in order: its
    own, the precedence entries put first among its results (``prec_sources``, in that order),
    every condition evaluated — the tree depth first, less the conditions left out
    (``skipped``: ``when`` false, and all under them) and less what is under a condition outside
    the period its text is encoded for (``closed``: unknown, its children not evaluated) —, the
    consent's and the notes'. One definition for both engines: the columnar program turns each
    shape into its text with it (columnar/shapes.py)."""
    srcs = list(p.sources)
    for s in prec_sources:
        srcs += s
    stack = list(reversed(p.conditions))
    while stack:
        c = stack.pop()
        if c.id in skipped:
            continue
        srcs += c.sources
        if c.id not in closed:
            stack.extend(reversed(c.children))
    srcs += list(consent_sources)
    for n in notes:
        srcs += n.sources
    return _dedupe(srcs)


def _closed(p, env: Env) -> tuple:
    """The composite conditions of ``p`` outside the period their text is encoded for on
    ``env.as_of`` (:func:`eval_condition`: unknown, children not evaluated); the composites with
    a period are listed once per procedure (none in the rule files today: ``()`` at once)."""
    dated = p.__dict__.get("_dated_composites")
    if dated is None:
        found, stack = [], list(p.conditions)
        while stack:
            c = stack.pop()
            if c.children and (c.valid_from is not None or c.valid_until is not None):
                found.append(c)
            stack.extend(c.children)
        dated = p.__dict__["_dated_composites"] = tuple(found)
    if not dated:
        return ()
    return tuple([c.id for c in dated if out_of_period(c, env.as_of)])


def evaluate_procedure(p: Procedure, env: Env, book, lang="fr", precedence=True,
                       outcome_only: bool = False, ways=WAYS) -> ProcedureResult:
    """One procedure for one case and State. With ``env.explain`` false (screening), the
    parts of the answer that only explain are not built — the notes' texts, the facts to
    verify, the evidence of each condition; status, dates, consent, missing facts, sources,
    routes, dated notes and legal basis are the same as with explanations
    (tests/test_screen_fast.py); ``to_verify`` is added by the caller (engine/verify.py).
    ``outcome_only`` (the reevaluations of engine/verify.py and engine/prove.py, which read
    only the outcome, missing facts and conditions): no notes and no sources — "dated" (those
    of engine/verify.py): the notes that give a date, without their texts (verify.changed).
    A pending date is settled under the law in force on it (engine/in_time.py), which reads
    only the outcome of the other day: outcome only there for an evaluation without
    explanations (``env.kept`` set: engine/api.py) and for the reevaluations. A ``from``
    already past is settled too, under the law in force on the eve of the last change after it;
    ``ways`` (in_time.WAYS) restricts the evaluation of another day to one direction: a day to
    come settles its dates to come, a day past its dates past (the other direction could not
    change what is read of it, and would go back and forth between the two days)."""
    ahead = before_period(p, env.as_of)   # its period's text published, not yet in force (in_time.py)
    r = published_ahead(p, env) if ahead else _evaluate_on(p, env, book, lang, precedence, outcome_only)
    bounds = law_boundaries(book, p)
    if bounds:
        other_only = bool(outcome_only) or env.kept is not None   # another day's notes are not read

        def on(day):   # a day to come settles its dates to come only, a day past its dates past only
            e = Env(env.case, day, env.state, book, env.ref, False, None)
            e.overrides = env.overrides
            out = outside_validity(p, e)
            way = ("pending",) if day > env.as_of else ("past",)
            return out if out is not None else evaluate_procedure(p, e, book, lang, precedence, other_only, way)
        r = in_time(r, env.as_of, bounds, on, ways)
        if ahead and "pending" in ways:
            on_publication(r, p, env.as_of, bounds)
    return r


def _evaluate_on(p: Procedure, env: Env, book, lang="fr", precedence=True,
                 outcome_only: bool = False) -> ProcedureResult:
    """The procedure evaluated under the law in force on ``env.as_of`` only."""
    explain = env.explain
    env._cond_index = cond_index(p)
    env._eval_cond = eval_condition  # not a closure over env: no reference cycle per evaluation

    results = []
    for c in p.conditions:
        r = eval_condition(c, env)
        if r is not None:
            results.append(r)
    if env.kept is not None:   # before from_date, routes and notes (engine/reuse.py: rerun_env)
        env.kept = list(env.results.items())
    has_prec = p.id in _precedence_over(book)
    set_aside = _precedence(p.id, env, lang, results) if precedence and has_prec else None
    direct = _status(results)
    if env.kept is not None and direct[0] == "not_applicable":   # reuse.still_not_applicable
        env.top = [(r.id, r) for r in results]
    env.from_date = direct[1] if direct[1] is not None else env.as_of
    # the routes: tried when the direct path may apply, or when one stands in for a condition
    routes = []
    if direct[0] != "not_applicable" or _opening(p):
        routes = [evaluate_route(rt, env, lang, precedence, outcome_only) for rt in p.routes]
    status, date_from, date_until, opens_by, route_missing, direct_missing = settle_paths(
        p.id, direct, [(r.id, _tuple(r)) for r in results],
        [(rt.id, rt.replaces, [_tuple(c) for c in rr.conditions])
         for rt, rr in zip(p.routes, routes) if rt.replaces])
    until_missing = ()
    if p.until is not None and status != "not_applicable":
        saved, env.missing = env.missing, set()
        u = p.until.fn(env)
        um, env.missing = env.missing, saved
        if u not in (UNKNOWN, None):
            date_until = u if date_until is None else min(date_until, u)
        elif u is UNKNOWN:
            until_missing = um   # the deadline waits on these facts (docs/answer-format.md)
        if status == "applicable_later" and date_until is not None and date_from is not None \
                and date_from > date_until:   # the last day of use comes before the first (settle)
            status, date_from, date_until, opens_by, until_missing = "not_applicable", None, None, None, ()
    env.from_date = date_from if date_from is not None else env.as_of

    consent = None
    missing = set(until_missing) | set(route_missing)
    if direct_missing:
        for r in results:
            if r.status == "unknown":
                missing.update(r.missing)
    if p.consent_required is not None and status != "not_applicable":
        saved, env.missing = env.missing, set()
        v = p.consent_required.fn(env)
        cm, env.missing = env.missing, saved
        consent = None if v is UNKNOWN else bool(v)
        if consent is None:
            missing |= cm
            for r in results:
                missing.update(r.missing)
    if status == "not_applicable":
        missing = set()  # a necessary condition fails: no unknown fact can change that
        routes = []      # and no route is shown
    if outcome_only:
        # the reevaluations of engine/verify.py (``outcome_only`` "dated"): the dated notes'
        # dates, which it compares (verify.changed) — not their texts, nor the sources
        notes = _notes(_dated(p), env, lang, False, status != "not_applicable", set_aside is None) \
            if outcome_only == "dated" else []
        sources = []
    else:
        notes = _notes(p.notes, env, lang, explain, status != "not_applicable", set_aside is None)
        sources = _sources_of(p, env, results, _prec_key(p.id, env, results) if has_prec else (),
                              p.consent_sources if consent is not None else (), notes)
    return ProcedureResult(p.id, p.label, env.state if env.state is not UNKNOWN else None, status,
                           date_from, date_until, consent, results, sorted(missing), sources,
                           notes=notes, routes=routes, set_aside_by=set_aside,
                           consent_defined=p.consent_required is not None, until_label=p.until_label,
                           basis=basis_of(p, env, status), basis_defined=p.basis is not None,
                           opens_by=opens_by if p.routes else None)


def basis_of(p: Procedure, env: Env, status: str) -> list[dict]:
    """The legal basis(es) a procedure's status rests on (``basis:`` of its rule file: an
    ``any_of`` whose alternatives are the bases, each evaluated as its own path — e.g.
    STE 112, STE 112 + STE 167, a bilateral convention, reciprocity): the alternatives with
    the best status (met, to assess, unknown, pending), none when the procedure does not
    apply. Reads the evaluated conditions (``env.results``)."""
    if p.basis is None or status == "not_applicable":
        return []
    group = cond_index(p).get(p.basis)
    effs = []
    for ch in group.children:
        r = env.results.get(ch.id)
        if r is None:
            continue
        st, pend = r.status, r.pending
        effs.append((ch, "pending" if pend else st))
    best = max((RANK[e] for _, e in effs), default=RANK["not_met"])
    if best == RANK["not_met"]:
        return []
    return [{"id": ch.id, "label": ch.label, "status": e, "sources": list(ch.sources)}
            for ch, e in effs if RANK[e] == best]


def _notes(notes, env, lang, explain, applies, own=True, dated=True):
    """The notes that apply (all when the procedure ``applies``, else those shown ``always``:
    a duty, or a note marked ``always: true``, rules/README.md « Notes » — unless the procedure
    is set aside by another, ``own`` false: then none); their texts are rendered only when
    explaining."""
    out = []
    for n in notes:
        if not applies and not (n.always and own):
            continue
        if n.when is not None and n.when.fn(env) is not True:
            continue
        text = ""
        if explain:  # values before the date: the order in which reference evidence is recorded
            vals = {k: e.fn(env) for k, e in n.values.items()}
            text = _render(n.text.get(lang) or n.text["fr"], vals, lang if n.text.get(lang) else "fr")
        d = n.date.fn(env) if (dated and n.date is not None) else None
        out.append(NoteResult(n.id, n.kind, text, n.sources, d if isinstance(d, date) else None, n.verify, n.always))
    return out


def _dated(p: Procedure) -> list:
    """The notes of ``p`` that give a date (``date:``), kept on ``p``."""
    v = p.__dict__.get("_dated_notes")
    if v is None:
        v = p.__dict__["_dated_notes"] = [n for n in p.notes if n.date is not None]
    return v


def _tuple(r: CondResult) -> tuple:
    return (r.status, r.pending, r.date, r.missing, r.kind)


def _opening(p: Procedure) -> bool:
    """Does a route of ``p`` stand in for one of its conditions (``replaces``)? Kept on ``p``."""
    v = p.__dict__.get("_opening_routes")
    if v is None:
        v = p.__dict__["_opening_routes"] = any(rt.replaces for rt in p.routes)
    return v


def outside_validity(p: Procedure, env) -> ProcedureResult | None:
    """An undetermined answer when the date is outside the period the encoded rules of a
    procedure or route are valid for (its ``valid:``), else None — None too from the
    publication of the text that opens the period (``valid.published``): the procedure is then
    answered under the law of its ``from`` (:func:`published_ahead`, engine/in_time.py)."""
    if before_period(p, env.as_of):
        return None
    if (p.valid_from and env.as_of < p.valid_from) or (p.valid_until and env.as_of > p.valid_until):
        label = {"fr": f"règles encodées en vigueur du {p.valid_from or '?'} au {p.valid_until or '…'} "
                       f"seulement : la base ne dit pas le droit applicable au {env.as_of}",
                 "en": f"rules encoded for {p.valid_from or '?'} to {p.valid_until or '…'} only: the law "
                       f"applicable on {env.as_of} is not known"}
        label = with_reason(label, p.valid_note)
        cr = CondResult("rules_in_force", label, "unknown", p.sources[:1], [], kind="validity")
        state = getattr(env, "state", None)
        return ProcedureResult(p.id, p.label, state if isinstance(state, str) else None,
                               "undetermined", None, None, None, [cr], [], p.sources)
    return None


def published_ahead(p: Procedure, env) -> ProcedureResult:
    """Procedure ``p`` on a day from the publication of the text that opens its period to the
    eve of its ``from`` (in_time.before_period): undetermined with the date ``from`` to come,
    one condition ``rules_in_force`` not met until that day (its label names the publication
    and its source). evaluate_procedure settles that date under the law in force on it
    (in_time._settle_pending: the answer on ``from``) and writes why (in_time.on_publication);
    its conditions and sources stay these (« the conditions shown stay those of the evaluation
    date », docs/answer-format.md)."""
    vf = p.valid_from
    label = {"fr": f"règles en vigueur à partir du {vf} : le texte qui les crée est publié le {p.published} "
                   f"({p.published_source})",
             "en": f"rules in force from {vf}: the text that creates them was published on {p.published} "
                   f"({p.published_source})"}
    cr = CondResult("rules_in_force", label, "not_met", p.sources[:1], [], kind="validity", date=vf, pending=True)
    state = getattr(env, "state", None)
    return ProcedureResult(p.id, p.label, state if isinstance(state, str) else None,
                           "undetermined", vf, None, None, [cr], [], list(p.sources))


def evaluate_route(rt: Procedure, env: Env, lang="fr", precedence=True, outcome_only: bool = False) -> ProcedureResult:
    """A route of a procedure, evaluated with it (``outcome_only``: no notes, no sources).
    A route outside its period: its first condition says so (out_of_period), the route is
    settled with it (settle_paths reads its conditions)."""
    results = [r for r in [eval_condition(c, env) for c in rt.conditions] if r is not None]
    has_prec = rt.id in _precedence_over(env.book)
    set_aside = _precedence(rt.id, env, lang, results) if precedence and has_prec else None
    status, date_from, date_until, gap = route_status(
        rt, env.as_of, results, _status, validity_result(rt, env.as_of) if out_of_period(rt, env.as_of) else None)
    missing = sorted({m for r in results if r.status == "unknown" for m in r.missing}) \
        if status == "undetermined" and not gap else []
    open_ = status != "not_applicable" and not gap   # a route its other conditions close: no steps
    notes = [] if outcome_only else _notes(rt.notes, env, lang, env.explain, open_, dated=False)
    consent = None
    if rt.consent_required is not None and open_:
        v = rt.consent_required.fn(env)
        consent = None if v is UNKNOWN else bool(v)
    sources = [] if outcome_only else \
        _sources_of(rt, env, results, _prec_key(rt.id, env, results) if has_prec else (), (), notes)
    return ProcedureResult(rt.id, rt.label, None, status, date_from, date_until, consent, results,
                           missing, sources, notes=notes, set_aside_by=set_aside, is_route=True)


def route_status(rt, day, results: list, settle_fn, validity) -> tuple:
    """(status, from, until) of a route from its conditions' results (``results``, changed in
    place). On a day outside its ``valid:`` period (rules/README.md) the route's own answer is
    undetermined whatever its other conditions say — the law of that day is not encoded —
    with ``validity`` put first among its conditions; settle_paths still reads every
    condition, so that a path its other conditions close, or open later, does not make the
    procedure undetermined. The fourth value says the route is undetermined only because of
    its period (no fact can settle it: no missing facts)."""
    if not out_of_period(rt, day):
        return (*settle_fn(results), False)
    results.insert(0, validity)
    status, date_from, date_until = settle_fn(results)
    if status == "not_applicable":
        return "undetermined", None, None, True
    return status, date_from, date_until, False


def _precedence(pid: str, env: Env, lang: str, results: list) -> dict | None:
    """Apply the declared precedence entries (rules/precedence.yaml) over procedure or route
    ``pid``: each one whose ``when`` holds, or may hold, is put first in ``results`` as a
    condition not met (unknown); returns ``set_aside_by`` when one holds.

    An entry with ``until`` (the last day it holds, e.g. the FD with the United Kingdom up to
    2020-12-31) that gives a day: on or after the date, the entry is a date to come — not met,
    pending, from the day after (the procedure set aside then applies later, as after a
    ``from:`` condition: ``settle``) and ``set_aside_by`` says ``until``; before the date, the
    entry no longer holds. ``until`` unknown: the entry is unknown (when it ends decides)."""
    set_aside = None
    for pr in _precedence_over(env.book).get(pid, ()):
        saved, env.missing = env.missing, set()
        v = pr.when.fn(env)
        miss, env.missing = env.missing, saved
        if v is False:
            continue
        end = None
        if v is True and pr.until is not None:
            saved, env.missing = env.missing, set()
            end = pr.until.fn(env)
            um, env.missing = env.missing, saved
            if end is UNKNOWN:
                v, miss = UNKNOWN, miss | um
            elif isinstance(end, date) and end < env.as_of:
                continue   # it held up to a day already past
            elif not isinstance(end, date):
                end = None   # none: no known end
        if v is UNKNOWN:  # conditions read through cond.<id> may have been evaluated before
            miss |= {m for cid in sorted(pr.when.conds) for m in getattr(env.results.get(cid), "missing", ())}
        prev = _rule(env.book, pr.prevails)
        label = {"fr": f"écartée au profit de : {prev.label.get('fr')} — {pr.reason.get('fr')}",
                 "en": f"set aside in favour of: {prev.label.get('en', prev.id)} — {pr.reason.get('en', '')}"}
        if end is not None:
            label = {"fr": f"{label['fr']} (jusqu'au {end.isoformat()})",
                     "en": f"{label['en']} (until {end.isoformat()})"}
        facts = pr.when.facts if pr.until is None else pr.when.facts | pr.until.facts
        r = CondResult(f"precedence:{pr.id}", label, "not_met" if v is True else "unknown",
                       pr.sources, sorted(facts), kind="precedence",
                       missing=sorted(miss) if v is UNKNOWN else [])
        if end is not None:
            r.pending, r.date = True, end + timedelta(days=1)
        results.insert(0, r)
        if v is True:
            set_aside = {"by": pr.prevails, "rule": pr.id, "reason": pr.reason.get(lang) or pr.reason["fr"],
                         "sources": pr.sources}
            if end is not None:
                set_aside["until"] = end.isoformat()
    return set_aside


def _precedence_over(book) -> dict:
    """The precedence entries by the procedure or route they set aside (computed once)."""
    try:
        return book._precedence_over
    except AttributeError:
        by = {}
        for pr in book.precedence:
            by.setdefault(pr.over, []).append(pr)
        book._precedence_over = by
        return by


def _prec_key(pid: str, env: Env, results) -> tuple:
    """Which precedence entries were put among ``results`` (part of the shape of the answer)."""
    if pid not in _precedence_over(env.book):
        return ()
    return tuple([r.id for r in results if r.kind == "precedence"])


def _rule(book, rid: str) -> Procedure:
    """A procedure, or a route of one, by id."""
    if rid in book.procedures:
        return book.procedures[rid]
    return next(rt for p in book.procedures.values() for rt in p.routes if rt.id == rid)


def _status(results):
    return settle([(r.status, r.pending, r.date, r.missing, r.kind) for r in results])


def settle(results) -> tuple:
    """(status, from, until) of a procedure from its conditions' ``(status, pending, date,
    missing, kind)`` (answer-format.md): any not met → not_applicable; else any unknown →
    undetermined; else a pending date → applicable_later from the latest one (not applicable
    when the window closes before it opens); else applicable. ``from`` and ``until`` are the
    first and last dates of use: none for a procedure that does not apply."""
    date_from = date_until = None
    not_met = unknown = pending_seen = False
    for st, pending, d, _, k in results:
        if pending:
            pending_seen = True
        elif st == "not_met":
            not_met = True
        elif st == "unknown":
            unknown = True
        if d is not None:
            if k == "from" or k == "precedence":   # a precedence with a known end: from the day after
                if st == "met" or st == "not_met":
                    if date_from is None or d > date_from:
                        date_from = d
            elif k == "until":
                if st == "met" or st == "not_met":
                    if date_until is None or d < date_until:
                        date_until = d
            elif k == "any_of" or k == "all_of":
                if date_from is None or d > date_from:
                    date_from = d
    if not_met:
        return "not_applicable", None, None  # no first or last date of use (the conditions keep theirs)
    if unknown:
        return "undetermined", date_from, date_until
    if pending_seen:
        if date_until is not None and date_from is not None and date_from > date_until:
            return "not_applicable", None, None  # the window closes before it opens
        return "applicable_later", date_from, date_until
    return "applicable", date_from, date_until


def _dedupe(xs):
    seen, out = set(), []
    for x in xs:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out

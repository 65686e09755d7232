"""Dates under the law in force on the date (issue 12): a date from which a procedure (or a
route) applies is the earliest day d ≥ the date of evaluation on which its conditions,
evaluated under the law in force *on d*, are met (CP 112-2: the law applied to a measure of
execution is the one in force when it is taken; CPP 716-1 counts the dates).

An evaluation on ``as_of`` computes a pending date with the thresholds in force on
``as_of`` (e.g. a recidivist's two thirds under CPP 729 al. 8 in its 2014-10-01 version).
When the law the procedure applies changes between ``as_of`` and that date — a period of a
constant (``periods:`` in rules/common.yaml), the ``valid:`` of the procedure, of one of its
routes or conditions — the date computed under the earlier law counts only if it falls
inside that law's period. Otherwise the answer is the one of the procedure evaluated on the
first day of the following period, itself settled the same way (period after period):

- applicable that day → applicable later, from that day (the new law opens it: loi
  n° 2014-896 gives half instead of two thirds from 2015-01-01);
- applicable later from d' → from d';
- not applicable → not applicable (the change removes the eligibility before the date);
- undetermined (the following period is not encoded, or facts are missing) → undetermined.

The same for each route shown under a procedure (the routes first).

A ``from`` already past is read the same way (:func:`_settle_past`): for a procedure (or a
route) applicable on ``as_of`` from a day before it, with the law changing after that day up to
``as_of`` — ``b`` the last such change —, the procedure is evaluated on ``b`` − 1 day (itself
settled for its dates past). Applicable then from a day on or before that eve: that day is the
``from`` (none — no date condition —: the ``from`` stays); otherwise (not applicable, later,
undetermined, a route not shown) the ``from`` is ``b``, the first day of the law that opens it
(R10-22: on 2015-01-01 a recidivist past mid-sentence since 2014-12-01 had to serve two thirds
until 2014-12-31 — from 2015-01-01). A procedure with routes names with that ``from`` the path
that gives it (``opens_by``): the eve's path when the eve gives the day, ``as_of``'s when it is
``b``. Only the ``from`` (and ``opens_by``) changes: status, until, consent, missing facts and
routes are the law of ``as_of``'s. An evaluation on another day settles one
direction only — a day to come its dates to come, a day past its dates past: the other could
not change what is read of it.

The answer says so under ``law_change`` (docs/answer-format.md). Generic: the days the law
changes are read from the rule files (:func:`law_boundaries`); the evaluation on another day is
the caller's — the scalar evaluator or the columnar program, which give the same answers
(tests/test_columnar*.py).
Before a procedure's period (:func:`before_period`): from the day the text that opens it was
published (``valid: {published: {on, source}}`` of its rule file) to the eve of its ``from``,
the law that will apply is known. The procedure is then answered as undetermined with the date
``from`` to come (one condition ``rules_in_force``, not met until ``from``), and that date is
settled as any date to come: the answer is the procedure's evaluated on ``from`` (itself
settled in time), by the table above — applicable that day → applicable later from ``from``;
later from d' → from d'; not applicable → not applicable; undetermined → undetermined —, and
``law_change`` says so (:func:`on_publication`: ``on`` the day ``from``, ``changes`` the
procedure, ``sources`` its citations, a note naming the publication). Before the publication,
or without ``published``, the answer stays « indéterminé » (evaluate.outside_validity). E.g. on
2013-08-06, loi n° 2013-711 published that day, CPP 728-10 ff. in force on 2013-08-07: an
Austrian living in Austria → recognition applicable later from 2013-08-07 (review 6 D05).

Not covered: reference data dated by treaty (a State becoming a Party), a procedure not
applicable on ``as_of`` that a later law would open (only applicable, pending and past dates
are re-settled) except the publication of the text that opens a procedure's period (above),
and a route's or condition's period (``published`` is a procedure's only).
"""
from __future__ import annotations

from datetime import date, timedelta

_DAY = timedelta(days=1)


def _walk(conds):
    for c in conds:
        yield c
        yield from _walk(c.children)


def law_boundaries(book, p) -> dict:
    """The days on which the law procedure ``p`` applies changes, each with what changes
    (constant names, procedure / route / condition ids, each with its citations): the first
    day and the day after the
    last of every ``valid:`` of the procedure, its routes and conditions, and of every period
    of a constant they read (through derived values too). Computed once, kept on ``p``."""
    hit = p.__dict__.get("_law_boundaries")
    if hit is not None:
        return hit
    days: dict[date, list[tuple]] = {}

    def span(vf, vu, what, sources):
        for d in (vf, vu + _DAY if vu is not None else None):
            if d is not None and what not in [w for w, _ in days.setdefault(d, [])]:
                days[d].append((what, tuple(sources)))

    names: set[str] = set()

    def read(e):
        if e is not None:
            names.update(e.names)

    ids = set()
    for q in [p, *p.routes]:
        ids.add(q.id)
        span(q.valid_from, q.valid_until, q.id, q.sources)
        read(q.until)
        read(q.consent_required)
        for c in _walk(q.conditions):
            span(*c.law_period, c.id, c.sources)
            span(c.valid_from, c.valid_until, c.id, c.sources)
            for e in (c.expr, c.met_if, c.when, c.requires):
                read(e)
    for pr in book.precedence:
        if pr.over in ids:
            read(pr.when)
            read(pr.until)
    seen: set[str] = set()
    stack = sorted(names)
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        per = book.periods.get(n)
        if per is not None:
            for vf, vu, _ in per["values"]:
                span(vf, vu, n, per["sources"])
        e = book.derived.get(n)
        if e is not None:
            stack.extend(sorted(e.names))
    hit = p.__dict__["_law_boundaries"] = dict(sorted(days.items()))
    return hit


def before_period(p, day: date) -> bool:
    """Is ``day`` on or after the publication of the text that opens procedure ``p``'s period
    (``valid.published``) and before that period's ``from``? (module docstring)"""
    pub = getattr(p, "published", None)
    return pub is not None and p.valid_from is not None and pub <= day < p.valid_from


def on_publication(x, p, as_of: date, bounds: dict) -> None:
    """``law_change`` of ``x``, procedure ``p`` answered on ``as_of`` before its period (its
    date to come ``from`` settled by :func:`_settle_pending`): the note names the publication
    of the text that opens the period; written also when the law of ``from`` gives the
    undetermined answer with that date (``_adopt`` then changes nothing)."""
    b = p.valid_from
    lc = x.law_change
    if lc is None:
        lc = x.law_change = {"on": b, "computed": b, "status": x.status, "from": x.date_from,
                             "changes": [w for w, _ in bounds.get(b, ())],
                             "sources": list(dict.fromkeys(c for _, srcs in bounds.get(b, ()) for c in srcs))}
    st, f = lc["status"], lc["from"]
    fr_out = {"applicable_later": f"applicable à partir du {f}", "not_applicable": "ne s'applique pas",
              "undetermined": "indéterminée : des faits manquent, ou la base n'encode pas la règle"}.get(st, st)
    en_out = {"applicable_later": f"applicable from {f}", "not_applicable": "does not apply",
              "undetermined": "undetermined: facts are missing, or the rule is not encoded"}.get(st, st)
    what = ", ".join(p.sources)
    later_fr = later_en = ""
    if lc["on"] != b:   # a later change decides (the answer of ``from`` was itself settled in time)
        cited = ", ".join(lc["sources"])
        later_fr = f" ; le droit appliqué change encore le {lc['on']} ({cited})"
        later_en = f"; the law applied changes again on {lc['on']} ({cited})"
    lc["note"] = {
        "fr": f"le texte qui ouvre la procédure ({what}), publié le {p.published}, s'applique à partir du {b} : "
              f"au {as_of} le droit qui s'appliquera est connu et la réponse est celle du droit en vigueur à partir "
              f"du {b}{later_fr} — {fr_out}",
        "en": f"the text that opens the procedure ({what}), published on {p.published}, applies from {b}: on "
              f"{as_of} the law that will apply is known and the answer is the one under the law in force from "
              f"{b}{later_en} — {en_out}"}


def _next(bounds: dict, after: date, upto: date) -> date | None:
    """The first day the law changes after ``after``, up to ``upto`` included (or None)."""
    for b in bounds:
        if after < b <= upto:
            return b
    return None


WAYS = ("pending", "past")   # the dates to come, the dates already past


def in_time(r, as_of: date, bounds: dict, evaluate_on, ways=WAYS):
    """``r`` (a procedure's result on ``as_of``, with its routes) with each date settled under
    the law in force on it (module docstring): a pending date (``"pending"`` in ``ways``), a
    ``from`` already past (``"past"``). ``evaluate_on(day)`` evaluates the same procedure, for
    the same case and State, on ``day`` (itself settled in time — a day after ``as_of`` for the
    dates to come only, a day before for the dates past only —, or the undetermined answer
    outside the procedure's ``valid:``). Changes ``r`` in place."""
    if not bounds:
        return r
    cache: dict = {}

    def on(day):
        y = cache.get(day)
        if y is None:
            y = cache[day] = evaluate_on(day)
        return y

    if "pending" in ways and next(reversed(bounds)) > as_of:
        _settle_pending(r, as_of, bounds, on)
    if "past" in ways and next(iter(bounds)) <= as_of:
        _settle_past(r, as_of, bounds, on)
    return r


def _settle_pending(r, as_of, bounds, on) -> None:
    """The pending dates of ``r`` and of its routes (the routes first), each from the answer
    on the first day the law changes up to it (:func:`_adopt`)."""
    for rt in r.routes:
        b = _pending_boundary(rt, as_of, bounds)
        if b is not None:
            y = on(b)
            _adopt(rt, _route_of(y, rt), b, bounds, as_of, True)
    b = _pending_boundary(r, as_of, bounds)
    if b is not None:
        _adopt(r, on(b), b, bounds, as_of, False)


def _settle_past(r, as_of, bounds, on) -> None:
    """The ``from`` already past of ``r`` and of its routes (the routes first), each from the
    answer on the eve of the last day the law changes after it (:func:`_adopt_past`)."""
    for rt in r.routes:
        b = _past_boundary(rt, as_of, bounds)
        if b is not None:
            _adopt_past(rt, _route_of(on(b - _DAY), rt), b, bounds, as_of)
    b = _past_boundary(r, as_of, bounds)
    if b is not None:
        _adopt_past(r, on(b - _DAY), b, bounds, as_of)


def _route_of(y, rt):
    """The route of ``rt``'s id in ``y`` (None: not shown)."""
    return next((x for x in y.routes if x.procedure == rt.procedure), None)


def _past_boundary(x, as_of, bounds):
    """The last day the law changes after ``x``'s ``from`` up to ``as_of`` included, for ``x``
    applicable from a day before ``as_of`` (or None): that ``from`` was computed under the law
    of ``as_of`` and counts only inside its period (R10-22: a recidivist's mid-sentence,
    2014-12-01, when CPP 729 al. 8 still asked two thirds until 2014-12-31)."""
    if x.status != "applicable" or x.date_from is None or x.date_from >= as_of:
        return None
    last = None
    for b in bounds:
        if b > as_of:
            break
        if b > x.date_from:
            last = b
    return last


def _adopt_past(x, y, b: date, bounds: dict, as_of: date) -> None:
    """``x`` (applicable on ``as_of`` from a day before ``b``) takes as its ``from`` that of
    ``y``, the same evaluated on the eve of ``b`` (None: a route not shown then), when ``y``
    is applicable from that eve or before (no ``from``: no date condition, ``x``'s stays);
    otherwise ``b``, the first day of the law that opens it. With the ``from`` of ``y``, the
    path that opens it first is ``y``'s too (``opens_by``: the earlier law's path gives that
    day); with ``b``, it stays ``x``'s — the law of ``b`` is ``as_of``'s (``b`` the last
    change up to it), under which that path opens first, before ``b`` and so on ``b``. Only
    the ``from`` and ``opens_by`` change: the rest is the law of ``as_of``'s."""
    d0, o0 = x.date_from, x.opens_by
    f, o = b, o0
    if y is not None and y.status == "applicable" and (y.date_from is None or y.date_from < b):
        if y.date_from is None:        # no date condition then: the from stays, and its path
            f = d0
        else:
            f, o = y.date_from, y.opens_by
    if (f, o) == (d0, o0):
        return                         # the earlier law gives the same first day, by the same path
    changes = [w for w, _ in bounds.get(b, ())]
    cited = list(dict.fromkeys(c for _, srcs in bounds.get(b, ()) for c in srcs))
    x.date_from, x.opens_by = f, o
    x.law_change = {"on": b, "computed": d0, "status": "applicable", "from": f, "changes": changes,
                    "sources": cited, "note": _past_note(as_of, d0, b, f, cited)}


def _pending_boundary(x, as_of, bounds):
    """The first day the law changes after ``as_of`` up to ``x``'s date to come, for ``x``
    applicable later — or undetermined with a date to come (a law gap of the evaluation date, a
    fact unknown): that date too was computed under the law of ``as_of`` and counts only inside
    its period (R10-12: a route unknown on 2024-01-20, CPP 720 IV not yet in force, whose date
    to come, 2024-02-10, falls under IV)."""
    if x.status not in ("applicable_later", "undetermined") or x.date_from is None or x.date_from <= as_of:
        return None
    return _next(bounds, as_of, x.date_from)


def _adopt(x, y, b: date, bounds: dict, as_of: date, is_route: bool) -> None:
    """``x`` (evaluated on ``as_of``, applicable later from a date on or after ``b``) takes
    the outcome of ``y``, the same evaluated on ``b`` (None: a route not shown on ``b``, its
    procedure not applying then)."""
    d0 = x.date_from
    if y is None:
        st, f, u, consent, missing, opens_by, basis = "not_applicable", None, None, None, [], None, []
    else:
        st, f, u = y.status, y.date_from, y.date_until
        if st == "applicable":
            st, f = "applicable_later", b      # open on the day the law changes
        elif st == "undetermined" and f is not None and f < b:
            f = b
        consent, missing, opens_by, basis = y.consent_required, list(y.missing_facts), y.opens_by, list(y.basis)
    if (st, f, u, consent, missing, opens_by) == (x.status, x.date_from, x.date_until, x.consent_required,
                                                  list(x.missing_facts), x.opens_by):
        return                         # the later law gives the same answer
    x.status, x.date_from, x.date_until, x.consent_required = st, f, u, consent
    x.missing_facts, x.opens_by, x.basis = missing, opens_by, basis
    if y is not None:
        x.set_aside_by = y.set_aside_by
    if st == "not_applicable":
        x.routes = []
        x.notes = [] if is_route else [n for n in x.notes if n.always]
    changes = [w for w, _ in bounds.get(b, ())]
    cited = list(dict.fromkeys(c for _, srcs in bounds.get(b, ()) for c in srcs))
    later = getattr(y, "law_change", None)
    if later is not None and later["status"] == st and later["from"] == f:
        # the change that decides is a later one
        b, changes, cited = later["on"], list(later["changes"]), list(later["sources"])
    x.law_change = {"on": b, "computed": d0, "status": st, "from": f, "changes": changes, "sources": cited,
                    "note": _note(as_of, d0, b, st, f, cited)}


def _note(as_of, d0, b, st, f, cited) -> dict:
    what = ", ".join(cited)
    fr_out = {"applicable_later": f"applicable à partir du {f}", "not_applicable": "ne s'applique pas",
              "undetermined": "indéterminée : la base n'encode pas la règle de cette période, ou des faits manquent",
              }.get(st, st)
    en_out = {"applicable_later": f"applicable from {f}", "not_applicable": "does not apply",
              "undetermined": "undetermined: the rule of that period is not encoded, or facts are missing",
              }.get(st, st)
    return {"fr": f"date calculée sous le droit applicable au {as_of} : {d0} ; le droit appliqué change le {b} "
                  f"({what}) et une date ne compte que dans la période du texte qui la donne — sous le droit "
                  f"applicable à partir du {b} : {fr_out}",
            "en": f"date computed under the law applicable on {as_of}: {d0}; the law applied changes on {b} ({what}) "
                  f"and a date counts only within the period of the text that gives it — under the law applicable "
                  f"from {b}: {en_out}"}



def _past_note(as_of, d0, b, f, cited) -> dict:
    """The note of a ``from`` already past settled under the law in force before ``b``."""
    what = ", ".join(cited)
    eve = b - _DAY
    fr_out = f"applicable à partir du {f}" if f < b else f"pas encore applicable — premier jour d'application : {f}"
    en_out = f"applicable from {f}" if f < b else f"not yet applicable — first day of application: {f}"
    return {"fr": f"date calculée sous le droit applicable au {as_of} : {d0} ; le droit appliqué a changé le {b} "
                  f"({what}) et une date ne compte que dans la période du texte qui la donne — sous le droit "
                  f"applicable jusqu'au {eve} : {fr_out}",
            "en": f"date computed under the law applicable on {as_of}: {d0}; the law applied changed on {b} ({what}) "
                  f"and a date counts only within the period of the text that gives it — under the law applicable "
                  f"until {eve}: {en_out}"}

"""Prove that an unknown fact cannot change an answer (issue 12, item 8).

Three-valued evaluation (Kleene) leaves a condition unknown as soon as a fact it reads is
unknown, even when every value the fact can take gives the same answer: a life sentence with
23 years served is past both thresholds of CPP 729 al. 9 (18 years, 22 in legal recidivism),
whether or not the person is a legal recidivist. An unknown fact whose every possible value
gives the same outcome is not missing.

So, when the answer of a procedure (or of one of its routes) lists missing facts, the
procedure is evaluated again for every combination of the values those facts can take
(:func:`lexquery.engine.facts.domain`: both values of a boolean, each value of an
enumeration, the two ends of a date's declared range), at most :data:`CAP` combinations,
with the same evaluator (the scalar one — without explanations reusing the results that
cannot change, engine/reuse.py — or the columnar program: they give the same answers). Then, for the
procedure and for each route:

- when every combination gives a fully settled answer (no missing fact left) with the same
  status, ``from``, ``until`` and consent, that answer is adopted and the facts tried are not
  missing (they are listed under ``irrelevant_facts`` with the values tried). A procedure
  applicable on the date in every combination, whose first date of use differs between them
  (both in the past), is applicable, from the latest of those dates (the date from which it
  is certainly applicable);
- otherwise the answer stays as it was, and ``missing_facts`` keeps only the facts that could
  change it: a fact is dropped when, for every combination of the other facts tried, all its
  values give the same fully settled answer.

The combinations stop as soon as nothing more can be learnt (the outcomes already differ and
every fact tried already decides): the same conclusion, fewer evaluations.

Conditions of the explanation tree that every combination settles the same way take that
status. Nothing legal lives here: the domains come from the case format (case.SCHEMA) and
from ``bounds:`` of the rule files.
"""
from __future__ import annotations

import itertools

from .answer import CondResult, ProcedureResult
from .facts import apply_defaults, default_reads, derived_reads, domain, set_path

CAP = 32
"""Most combinations of values tried for one procedure (and State): the cost stays bounded
(at most CAP more evaluations, only for answers with missing facts)."""


def _missing_of(r: ProcedureResult) -> list[str]:
    out = list(r.missing_facts)
    for rt in r.routes:
        out += [f for f in rt.missing_facts if f not in out]
    return out


def prove(r0: ProcedureResult, evaluate, case: dict, book, ref, as_of, shared=None) -> ProcedureResult:
    """``r0`` with the facts that cannot change it proven irrelevant (module docstring).
    ``evaluate(case, derived, touched) -> ProcedureResult`` evaluates the same procedure for
    another case, ``derived`` being the derived values to start from (None: computed per
    environment) and ``touched`` the fact paths in which that case differs from ``case``
    (the facts tried, and the defaults when they are applied again); ``shared``, the derived values of ``case`` computed once per case (or None):
    those that read no fact tried are kept for every combination."""
    facts = [f for f in dict.fromkeys(_missing_of(r0))]
    if not facts:
        return r0
    doms, total = [], 1
    for f in facts:
        d = domain(case, f, book, ref, as_of)
        if not d or total * len(d) > CAP:
            continue
        doms.append((f, d))
        total *= len(d)
    if not doms:
        return r0
    names = [f for f, _ in doms]
    # the procedure and each route with facts to try: (result, index of the route or None)
    comps = [(x, k) for k, x in [(None, r0), *enumerate(r0.routes)] if set(x.missing_facts) & set(names)]
    if not comps:
        return r0
    redo = bool(set(names) & default_reads(book))   # a default may rest on a fact tried
    touched = frozenset(names) | ({d.path for d in book.defaults} if redo else frozenset())
    keep = None
    if shared is not None:   # the derived values that read no fact tried (nor a default redone)
        reads = derived_reads(book)
        keep = {n: v for n, v in shared.items() if not (reads.get(n, touched) & touched)}
    trials, values = [], []
    outs = [[] for _ in comps]   # each component's outcome in each trial so far (_finished)
    for vals in itertools.product(*[d for _, d in doms]):
        c = case
        for f, v in zip(names, vals):
            c = set_path(c, f, v)
            if c is None:
                return r0
        if redo:
            c, _ = apply_defaults(c, book, ref, as_of)
        t = evaluate(c, None if keep is None else dict(keep), touched)
        trials.append(t)
        values.append(vals)
        for (x, k), o in zip(comps, outs):
            o.append(_outcome(_part(t, k, x), as_of))
        if len(trials) < total and (_outcome(t, as_of) is None or len(trials) > 1) and \
                all(_finished(x, o, values, names) for (x, k), o in zip(comps, outs)):
            break   # nothing more to learn: every fact tried already decides (exact, not a cap)
    complete = len(trials) == total
    for x, k in comps:
        sub = [_part(t, k, x) for t in trials]
        if all(y is not None for y in sub):
            _settle(x, sub, values, doms, as_of, complete)
    return r0


def _part(t: ProcedureResult, k, x):
    """The component of trial ``t`` matching ``x``: the procedure, or its k-th route (None when
    the trial has no such route: the procedure does not apply there)."""
    if k is None:
        return t
    if k < len(t.routes) and t.routes[k].procedure == x.procedure:
        return t.routes[k]
    return None


def _outcome(r, as_of):
    """What must agree between combinations: status, dates, consent — and no missing fact.
    An applicable procedure's first date of use, when already past, is left out (see the
    module docstring); None when the answer is not fully settled (or absent)."""
    if r is None or r.status == "undetermined" or r.missing_facts:
        return None
    past = r.status == "applicable" and (r.date_from is None or r.date_from <= as_of)
    return (r.status, "past" if past else r.date_from, r.date_until, r.consent_required)


def _relevant(i: int, outs: list, values: list) -> bool:
    """Whether the i-th fact tried can change the outcome: some combination of the other
    facts where its values do not all give the same fully settled outcome."""
    groups: dict = {}
    for o, v in zip(outs, values):
        groups.setdefault(v[:i] + v[i + 1:], []).append(o)
    return any(g[0] is None or any(o != g[0] for o in g) for g in groups.values())


def _finished(x, outs: list, values: list, names: list) -> bool:
    """No further combination can change what ``_settle`` concludes for ``x``, whose outcome
    (``_outcome``) in each trial so far is ``outs``: the outcomes already differ (or one is
    not settled), and every fact tried for ``x`` already decides."""
    if outs[0] is not None and all(o == outs[0] for o in outs):
        return False
    return all(_relevant(i, outs, values) for i, f in enumerate(names) if f in x.missing_facts)


def _settle(x: ProcedureResult, trials: list, values: list, doms: list, as_of, complete: bool) -> None:
    """Adopt the common outcome of ``trials`` into ``x``, or keep only the facts that can
    change it (module docstring)."""
    names = [f for f, _ in doms]
    outs = [_outcome(t, as_of) for t in trials]
    tried = [f for f in names if f in x.missing_facts]
    if complete and outs[0] is not None and all(o == outs[0] for o in outs):
        t0 = trials[0]
        x.status, x.date_until, x.consent_required = t0.status, t0.date_until, t0.consent_required
        froms = [t.date_from for t in trials if t.date_from is not None]
        x.date_from = max(froms) if froms else None
        x.missing_facts = []
        x.irrelevant_facts = [{"fact": f, "values": list(d)} for f, d in doms if f in tried]
        if all(t.law_change == t0.law_change for t in trials):   # the same law change in each (engine/in_time.py)
            x.law_change = t0.law_change
        if all(t.opens_by == t0.opens_by for t in trials):   # the same opening path in each (evaluate.settle_paths)
            x.opens_by = t0.opens_by
        _merge_conditions(x.conditions, [t.conditions for t in trials], set(names), as_of)
        return
    keep = [f for f in x.missing_facts if f not in names]   # facts not tried stay
    for i, f in enumerate(names):
        if f not in x.missing_facts:
            continue
        if _relevant(i, outs, values):
            keep.append(f)
        else:
            x.irrelevant_facts.append({"fact": f, "values": list(doms[i][1])})
    x.missing_facts = sorted(set(keep))
    if complete:
        _merge_conditions(x.conditions, [t.conditions for t in trials], set(names), as_of)


def _merge_conditions(conds: list[CondResult], trial_conds: list[list], proven: set, as_of) -> None:
    """Conditions still unknown that every combination settles the same way take that status
    (a date condition: the same date, or the latest when met on the date in all of them)."""
    if not conds or not proven:
        return
    by_id = [{c.id: c for c in tc} for tc in trial_conds]
    for c in conds:
        others = [b.get(c.id) for b in by_id]
        if any(o is None for o in others):
            continue
        if c.children:
            _merge_conditions(c.children, [o.children for o in others], proven, as_of)
        if c.status != "unknown":
            continue
        sts = {(o.status, o.pending) for o in others}
        if len(sts) != 1 or others[0].status == "unknown":
            continue
        dates = {o.date for o in others}
        if len(dates) == 1:
            c.date = others[0].date
        elif others[0].status == "met" and all(d <= as_of for d in dates - {None}):
            c.date = max(dates - {None})   # met on the date whatever the value: certainly from then
        else:
            continue
        c.status, c.pending = others[0].status, others[0].pending
        c.missing = [m for m in c.missing if m not in proven]   # settled for every value tried

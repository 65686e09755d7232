"""Answers across the 2029 recodification of the CPP (issue 13, item 3), and dates computed
beyond what the rules are encoded for.

1. From the day the new code is in force (``law/cpp2029/correspondence.yaml``,
   :mod:`lexquery.kb.succession`), every CPP citation of an answer is looked up: a
   *settled* successor is cited first, the old citation beside it (``sources``:
   ``["CPP-2029 L5241-8", "CPP 729-2 al. 1"]``; the procedure's ``successors`` list says
   which goes with which); any other CPP citation stays as it is and the procedure's
   ``to_verify`` gets one entry ``law:cpp2029`` listing them « à vérifier ».
2. A date the answer computes (from, until, a note's date) after the last
   day a procedure or route is encoded for (its ``valid.until``) — or, for a procedure
   carried over into the new code, on or after the new code's entry into force while some of
   its citations have no settled successor — gets a ``to_verify`` entry ``law:encoded_until``.

Both are generic: the correspondence and the periods are data.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from .answer import ProcedureResult

CORRESPONDENCE = "law/cpp2029/correspondence.yaml"


def _walk_conds(conds):
    for c in conds:
        yield c
        yield from _walk_conds(c.children)


def _map(sources: list[str], table, seen: dict, open_: list[str]) -> list[str]:
    out: list[str] = []
    for s in sources:
        if not table.concerns(s):
            if s not in out:
                out.append(s)
            continue
        e = table.of(s)
        if e is not None and e.settled:
            for x in (e.new, s):
                if x not in out:
                    out.append(x)
            seen.setdefault(s, e)
        else:
            if s not in out:
                out.append(s)
            if s not in open_:
                open_.append(s)
            if e is not None:
                seen.setdefault(s, e)
    return out


def _recodify_one(r: ProcedureResult, table, lang: str) -> None:
    seen: dict = {}
    open_: list[str] = []
    for c in _walk_conds(r.conditions):
        c.sources = _map(c.sources, table, seen, open_)
    r.notes = [replace(n, sources=_map(n.sources, table, seen, open_)) for n in r.notes]   # notes are immutable
    if r.set_aside_by and r.set_aside_by.get("sources"):
        r.set_aside_by = {**r.set_aside_by, "sources": _map(r.set_aside_by["sources"], table, seen, open_)}
    r.sources = _map(r.sources, table, seen, open_)
    r.successors = [{"citation": e.old, "successor": e.new if e.settled else None,
                     "proposed": e.new if not e.settled else None,
                     "status": e.status, "mark": e.mark, "source": e.source}
                    for e in seen.values()]
    if open_:
        label = table.label.get(lang) or table.label.get("fr") or "code de procédure pénale de 2029"
        cited = ", ".join(f"« {s} »" for s in open_)
        note = (f"{label}: the sources do not settle the successor of {cited} — to verify" if lang == "en" else
                f"{label} : correspondance non établie par les sources pour {cited} — à vérifier")
        r.to_verify.append({
            "fact": "law:cpp2029", "value": None,
            "note": note,
            "evidence": [CORRESPONDENCE],
            "citations": open_})
    for c in r.conditions:      # outside the encoded period: say why, and what to check
        if c.kind == "validity" and "2025-1091" not in c.label.get("fr", ""):
            label = table.label.get("fr") or "code de procédure pénale de 2029"
            c.label = {"fr": c.label.get("fr", "") + f" ; {label} : articles renumérotés ou réécrits — à vérifier",
                       "en": c.label.get("en", "") + "; the 2029 code of criminal procedure renumbers or rewrites the cited articles: to verify"}
    for rt in r.routes:
        _recodify_one(rt, table, lang)


def _dates(r: ProcedureResult):
    """The dates the answer gives: from, until and the dated notes — the same with or
    without explanations (a screening's results are not explained)."""
    out = [d for d in (r.date_from, r.date_until) if isinstance(d, date)]
    out += [n.date for n in r.notes if isinstance(n.date, date)]
    return out


def _flag_dates(r: ProcedureResult, proc, table, as_of: date, top: ProcedureResult, lang: str = "fr") -> None:
    en = lang == "en"
    limit = proc.valid_until
    why = None
    if limit is not None:
        why = (f"last day the rule is encoded for: {limit.isoformat()}" if en else
               f"dernier jour pour lequel la règle est encodée : {limit.isoformat()}")
    elif table.in_force is not None and as_of < table.in_force and r.status != "not_applicable" \
            and any(d >= table.in_force for d in _dates(r)):   # else no date to flag: skip the look-ups
        cpp = [s for c in _walk_conds(r.conditions) for s in c.sources if table.concerns(s)] + \
              [s for s in r.sources if table.concerns(s)]
        open_ = sorted({s for s in cpp if not (table.of(s) and table.of(s).settled)})
        if open_:
            limit = table.in_force - timedelta(days=1)
            why = (f"from {table.in_force.isoformat()} the 2029 code replaces the cited articles, with no settled "
                   f"successor for {', '.join(open_)}" if en else
                   f"à partir du {table.in_force.isoformat()}, le code de 2029 remplace les articles cités ; "
                   f"sans correspondance établie pour {', '.join(open_)}")
    if limit is not None and r.status != "not_applicable":
        late = sorted({d for d in _dates(r) if d > limit})
        if late:
            entry = {"fact": "law:encoded_until", "value": None,
                     "note": (f"date computed beyond what the knowledge base encodes ({', '.join(d.isoformat() for d in late)}) — "
                              f"{why}; to verify against the law then in force" if en else
                              f"date calculée au-delà de ce que la base encode ({', '.join(d.isoformat() for d in late)}) — "
                              f"{why} ; à vérifier au regard du droit alors en vigueur"),
                     "evidence": [f"rules/{proc.file}"] if getattr(proc, "file", None) else [], "rule": r.procedure}
            if entry not in top.to_verify:
                top.to_verify.append(entry)
    for rt, prt in zip(r.routes, getattr(proc, "routes", [])):
        _flag_dates(rt, prt, table, as_of, top, lang)


def apply(r: ProcedureResult, proc, as_of: date, table, lang: str = "fr") -> ProcedureResult:
    """The answer for one procedure (and its routes) after the two steps above. ``r`` is the
    caller's own result (the evaluators build one per call; the notes they may share are
    immutable and replaced here, never changed)."""
    if table is None:
        return r
    _flag_dates(r, proc, table, as_of, r, lang)
    if table.applies(as_of):
        _recodify_one(r, table, lang)
    return r

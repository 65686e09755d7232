"""Every date of an answer, with what it is the date of (issue 17: the note's « échéances »
table and the iCalendar file both read this list, so neither forgets a date).

An answer carries dates in six places (docs/answer-format.md): a procedure's ``from``
(first date it can be used) and ``until`` (last date, or the rule's deadline, e.g. the
avis d'écrou), a condition's ``date`` (a date condition reached on that day, or a closing
date), a note's ``date`` (a refusal ground's deadline — CPP 728-33 2°, STE 112 art. 3.1.c
— or a step), the day the law applied changes (``law_change.on``: the date to come is read
under the law of that day, engine/in_time.py), and the same within each route. This module
walks them in that order and says, in French or English, what each one is. (The date
``law_change.computed``, the one the former law would have given, does not count: it is
said in the note's text, not as an event.)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

MONTHS = {"fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                 "septembre", "octobre", "novembre", "décembre"],
          "en": ["January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December"]}

# what a dated event is, in one word: the calendar of an answer (render.ics) and of a
# screening (screening.outputs.IcsWriter) say it the same way
KIND = {"fr": {"from": "ouverture", "until": "dernier jour", "deadline": "échéance"},
        "en": {"from": "opens", "until": "last day", "deadline": "deadline"}}
_COLON = {"fr": " : ", "en": ": "}
WHAT = {lang: {"from": KIND[lang]["from"] + _COLON[lang] + "{p}", "until": KIND[lang]["until"] + _COLON[lang] + "{p}",
               "cond": "{p} — {c}", "note": "{p} — {n}"} for lang in KIND}
WHAT["fr"]["law"] = "{p} — le droit appliqué change ({s})"
WHAT["en"]["law"] = "{p} — the law applied changes ({s})"


def long_date(d: date | None, lang: str = "fr") -> str:
    """« 1er décembre 2026 » / « 1 December 2026 » (a judicial note writes dates in words)."""
    if d is None:
        return "—"
    if lang == "fr":
        day = "1er" if d.day == 1 else str(d.day)
        return f"{day} {MONTHS['fr'][d.month - 1]} {d.year}"
    return f"{d.day} {MONTHS['en'][d.month - 1]} {d.year}"


@dataclass
class Dated:
    """One date of an answer: ``kind`` is from / until / condition / note."""
    date: date
    kind: str
    procedure: str              # procedure (or route) id
    title: str                  # the procedure's label, with its State
    what: str                   # what the date is, in words
    sources: list[str] = field(default_factory=list)
    route_of: str | None = None  # the procedure a route belongs to
    status: str = ""


def _label(p, lang) -> str:
    t = p.label.get(lang) or p.label.get("fr")
    return f"{t} — {p.state}" if p.state else t


def _walk_conds(conds, out, p, title, lang, route_of):
    for c in conds:
        if c.date is not None:
            lab = c.label.get(lang) or c.label.get("fr")
            out.append(Dated(c.date, "condition", p.procedure, title,
                             WHAT[lang]["cond"].format(p=title, c=lab), list(c.sources), route_of, c.status))
        _walk_conds(c.children, out, p, title, lang, route_of)


def _walk(p, out, lang, route_of=None):
    title = _label(p, lang)
    w = WHAT[lang]
    if p.date_from is not None:
        out.append(Dated(p.date_from, "from", p.procedure, title, w["from"].format(p=title),
                         list(p.sources), route_of, p.status))
    if p.date_until is not None:
        until = (p.until_label or {}).get(lang) or (p.until_label or {}).get("fr")
        what = f"{title} — {until}" if until else w["until"].format(p=title)
        out.append(Dated(p.date_until, "until", p.procedure, title, what, list(p.sources), route_of, p.status))
    _walk_conds(p.conditions, out, p, title, lang, route_of)
    for n in p.notes:
        if n.date is not None:
            out.append(Dated(n.date, "note", p.procedure, title, w["note"].format(p=title, n=n.text),
                             list(n.sources), route_of, p.status))
    lc = getattr(p, "law_change", None)
    if lc and lc.get("on") is not None:
        srcs = list(lc.get("sources") or ())
        out.append(Dated(lc["on"], "law_change", p.procedure, title,
                         w["law"].format(p=title, s=", ".join(srcs)), srcs, route_of, p.status))
    for r in p.routes:
        _walk(r, out, lang, route_of=p.procedure)


def answer_dates(answer, lang: str = "fr") -> list[Dated]:
    """Every date of ``answer`` (an :class:`~lexquery.engine.answer.Answer`), in the order
    of the answer (procedures, then within each: from, until, conditions, notes, routes)."""
    out: list[Dated] = []
    for p in answer.procedures:
        _walk(p, out, lang)
    # the same date of the same thing once (a condition repeated under several paths of a
    # procedure, e.g. each legal basis of a transfer, is one date for the calendar)
    seen, unique = set(), []
    for d in out:
        key = (d.procedure, d.route_of, d.title, d.kind, d.what, d.date)
        if key not in seen:
            seen.add(key)
            unique.append(d)
    return unique

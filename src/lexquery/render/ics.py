"""The dates of answers as an iCalendar file (RFC 5545), for the greffe's calendar (issue 17).

One all-day ``VEVENT`` per date of an answer (:func:`lexquery.render.deadlines.answer_dates`:
eligibility, last days, the refusal-ground deadlines of CPP 728-33 2° and STE 112
art. 3.1.c, the avis d'écrou…), its summary naming the case and what the date is, its
description the status and the articles it rests on. ``UID`` is stable (case, procedure,
State, kind, date), so importing the file again after a new answer updates the events
instead of doubling them; ``DTSTAMP`` is the answer's date, so the same answer gives the
same bytes. Built with the ``icalendar`` package (imported here only).
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

from ..engine.answer import STATUS_WORDS
from .deadlines import answer_dates, long_date

STATUS = {"fr": {**STATUS_WORDS["fr"],
                 "met": "remplie", "not_met": "non remplie", "unknown": "inconnue", "to_assess": "à apprécier"},
          "en": {**STATUS_WORDS["en"],
                 "met": "met", "not_met": "not met", "unknown": "unknown", "to_assess": "to assess"}}
WORDS = {"fr": {"status": "statut", "sources": "sources", "as_of": "réponse au", "case": "cas"},
         "en": {"status": "status", "sources": "sources", "as_of": "answer as of", "case": "case"}}


HEADER = {"fr": ("-//lexquery//échéances//FR", "lexquery — échéances"),
          "en": ("-//lexquery//deadlines//EN", "lexquery — deadlines")}


def calendar_head(lang: str = "fr") -> str:
    """The opening lines of a calendar, for a writer that streams its events
    (:class:`lexquery.screening.outputs.IcsWriter`); close with ``END:VCALENDAR``."""
    prodid, name = HEADER[lang]
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n" + f"PRODID:{prodid}\r\nCALSCALE:GREGORIAN\r\n"
            + f"X-WR-CALNAME:{name}\r\n")


def event(uid_key: str, day, summary: str, description: str, category: str, stamp):
    """One all-day VEVENT (``icalendar.Event``): ``uid_key`` hashed into a stable UID."""
    from icalendar import Event
    ev = Event()
    ev.add("uid", hashlib.sha256(uid_key.encode("utf-8")).hexdigest()[:32] + "@lexquery")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", day)
    ev.add("dtend", day + timedelta(days=1))
    ev.add("summary", summary)
    ev.add("description", description)
    ev.add("categories", [category])
    ev.add("transp", "TRANSPARENT")
    return ev


def stamp_of(day) -> datetime:
    """DTSTAMP: the answer's date at 00:00 UTC, so that the same answer gives the same bytes."""
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


def render_ics(answers, lang: str = "fr") -> str:
    """``answers``: one :class:`~lexquery.engine.answer.Answer` or a list; returns the
    calendar as text (CRLF line ends, as RFC 5545 writes them)."""
    from icalendar import Calendar
    items = answers if isinstance(answers, list) else [answers]
    w, st = WORDS[lang], STATUS[lang]
    cal = Calendar()
    prodid, name = HEADER[lang]
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for a in items:
        who = a.name or a.case
        stamp = stamp_of(a.as_of)
        for d in answer_dates(a, lang):
            c = " : " if lang == "fr" else ": "   # French and English typography
            lines = [f"{w['case']}{c}{a.case}", f"{w['as_of']} {long_date(a.as_of, lang)} ({a.as_of.isoformat()})",
                     f"{w['status']}{c}{st.get(d.status, d.status)}"]
            if d.sources:
                lines.append(f"{w['sources']}{c}" + ", ".join(d.sources))
            key = "|".join([a.case or "", d.procedure, d.route_of or "", d.kind, d.what, d.date.isoformat()])
            cal.add_component(event(key, d.date, f"{who} — {d.what}", "\n".join(lines), d.procedure, stamp))
    return cal.to_ical().decode("utf-8")

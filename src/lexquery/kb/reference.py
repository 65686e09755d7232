"""Reference data as dated facts with evidence: EU membership and FD 2008/909
implementation, Parties to STE 112 / STE 167, bilateral transfer conventions, the 2025
circular's mandatory consular list, and the open questions of the research pack.

Every answer is a :class:`Fact` — ``value`` True, False or None (unknown) — with the
evidence it rests on (mark S stated / I inferred, and the source). Lists are partial
(sources/legal/parties.md): a State with no fact covering a date is *unknown*, never
"not a party". Facts marked U are never law: they only feed ``open_questions``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from .. import yaml12
from ..errors import KnowledgeBaseError
from ..paths import home
from .parsed_cache import parsed


yaml_loader = yaml12.loader
"""The YAML loader of the reference files: the project's one (:mod:`lexquery.yaml12`, YAML 1.2
booleans — YAML 1.1 would read the ISO 3166 code of Norway, ``NO``, as a boolean and silently
drop a State), made when a file is first parsed — not at import: the files' parsing is usually
read back from the cache (:mod:`.parsed_cache`), and a process then never imports ``yaml``."""

_parse = yaml12.load

READER = yaml12.READER
"""The parser of the reference files as :func:`.parsed_cache.parsed` keys it (:data:`lexquery.yaml12.READER`)."""

MARKS = {"S": "stated by the source", "I": "inferred from the source", "U": "unverified"}


@dataclass(frozen=True)
class Fact:
    """A reference answer: ``value`` (True/False/None=unknown), ``evidence`` lines, ``note``,
    the ``mark`` of the evidence that decides the value (S stated, I inferred — e.g. a status
    stated at an earlier date and presumed unchanged —, U unverified; None when unknown) and
    ``verify``: what a source leaves open about it (a declaration whose content is unknown),
    to be checked by hand (issue 12, item 10: the answer's ``to_verify``)."""
    value: bool | None
    evidence: tuple[str, ...] = ()
    note: str | None = None
    mark: str | None = "S"
    verify: tuple[str, ...] = ()
    # the same in English (issue 15 item 7): the reference files' ``note_en`` / ``flag_en`` /
    # ``text_en`` beside their French, the fixed words here; empty when not given
    evidence_en: tuple[str, ...] = ()
    note_en: str | None = None
    verify_en: tuple[str, ...] = ()

    def words(self, lang: str = "fr") -> tuple[tuple[str, ...], str | None, tuple[str, ...]]:
        """(evidence, note, verify) in ``lang``; the English falls back to the French where a
        text has no English (``kb check`` reports such a text: reference/english)."""
        if lang == "en":
            return (self.evidence_en or self.evidence, self.note_en or self.note, self.verify_en or self.verify)
        return self.evidence, self.note, self.verify

    def but(self, value, mark) -> "Fact":
        """The same evidence and notes with another value and mark (engine/verify.py)."""
        return Fact(value, self.evidence, self.note, mark, (), self.evidence_en, self.note_en, ())

    def to_dict(self) -> dict:
        d = {"value": self.value, "evidence": list(self.evidence)}
        if self.note:
            d["note"] = self.note
        if self.value is not None and self.mark:
            d["mark"] = self.mark
        if self.verify:
            d["verify"] = list(self.verify)
        if self.evidence_en:
            d["evidence_en"] = list(self.evidence_en)
        if self.note_en:
            d["note_en"] = self.note_en
        if self.verify_en:
            d["verify_en"] = list(self.verify_en)
        return d


def _fact(value, evidence=(), note=None, mark="S", verify=()) -> Fact:
    """A Fact from (French, English) pairs: ``evidence`` and ``verify`` lists of pairs, ``note``
    one pair or None."""
    return Fact(value, tuple(fr for fr, _ in evidence), note[0] if note else None, mark,
                tuple(fr for fr, _ in verify), tuple(en for _, en in evidence), note[1] if note else None,
                tuple(en for _, en in verify))


def _pairs(f: Fact) -> tuple:
    """A Fact's evidence as (French, English) pairs."""
    en = f.evidence_en or f.evidence
    return tuple(zip(f.evidence, en))


def _note(f: Fact):
    return (f.note, f.note_en or f.note) if f.note else None


def _verify(f: Fact) -> tuple:
    return tuple(zip(f.verify, f.verify_en or f.verify))


@dataclass
class _Dated:
    """One dated fact read from a reference file."""
    kind: str            # in_force | party_by | not_party_on | implemented_by | not_implemented_on | applies_until
    when: date | None
    mark: str
    source: str
    note: str | None = None
    note_en: str | None = None
    doubt_from: date | None = None  # [U] only: from when this unverified change may have happened

    def line(self, lang: str = "fr") -> str:
        what = _KIND_WORDS[lang][self.kind]
        when = self.when.isoformat() if self.when else ("date inconnue" if lang == "fr" else "date unknown")
        s = f"[{self.mark}] {what} {when} — {self.source}"
        note = self.note_en or self.note if lang == "en" else self.note
        return s + (f" ({note})" if note else "")

    def pair(self) -> tuple[str, str]:
        return self.line("fr"), self.line("en")

    def note_pair(self):
        return (self.note, self.note_en or self.note) if self.note else None


_KIND_WORDS = {
    "fr": {"in_force": "en vigueur depuis le", "party_by": "Partie au moins au",
           "binding_by": "liant la France au moins au",
           "not_party_on": "non Partie au", "implemented_by": "appliquée au moins au",
           "not_implemented_on": "non appliquée au", "applies_until": "appliquée jusqu'au",
           "concluded": "conclue le"},
    "en": {"in_force": "in force since", "party_by": "a Party at least on",
           "binding_by": "binding France at least on",
           "not_party_on": "not a Party on", "implemented_by": "applied at least on",
           "not_implemented_on": "not applied on", "applies_until": "applied until",
           "concluded": "concluded on"},
}


@dataclass
class Reference:
    """All reference data, indexed by State (ISO 3166-1 alpha-2)."""
    states: dict[str, dict]
    eu_members: dict[str, tuple[date, date | None]]
    eu_source: str
    fd: dict[str, list[_Dated]]
    treaties: dict[str, dict]
    parties: dict[tuple[str, str], list[_Dated]]
    bilateral: dict[str, list[_Dated]]
    consular: frozenset[str]
    consular_citation: str
    consular_source: str
    open_questions: list[dict]
    unverified: list[dict] = field(default_factory=list)
    declarations: dict[tuple[str, str], list[dict]] = field(default_factory=dict)
    files: tuple[Path, ...] = ()

    # ---- names -------------------------------------------------------------------------
    def state_name(self, code: str, lang: str = "fr") -> str:
        """The State's name in French or English, or the code itself when not listed."""
        return self.states.get(code, {}).get(lang, code)

    # ---- EU ----------------------------------------------------------------------------
    def eu_member(self, state: str, on: date) -> Fact:
        """Is ``state`` a Member State of the European Union on ``on``? (complete list)"""
        span = self.eu_members.get(state)
        if span is None:
            return _fact(False, ((f"[S] absent de la liste des États membres — {self.eu_source}",
                                  f"[S] not on the list of Member States — {self.eu_source}"),))
        start, end = span
        inside = start <= on and (end is None or on <= end)
        ev = (f"[S] membre de l'UE du {start.isoformat()}" + (f" au {end.isoformat()}" if end else "")
              + f" — {self.eu_source}",
              f"[S] EU member from {start.isoformat()}" + (f" to {end.isoformat()}" if end else "")
              + f" — {self.eu_source}")
        return _fact(inside, (ev,))

    def fd_2008_909_applies(self, state: str, on: date) -> Fact:
        """Does FD 2008/909 apply between France and ``state`` on ``on``?

        Both States must be Member States and have implemented it (FR: 7 August 2013)."""
        member = self.eu_member(state, on)
        fd_until = [d for d in self.fd.get(state, []) if d.kind == "applies_until"]
        if member.value is False and not (fd_until and on <= fd_until[0].when):
            return _fact(False, _pairs(member), ("pas un État membre de l'UE à cette date",
                                                 "not an EU Member State on that date"))
        fr = self._dated_status(self.fd.get("FR", []), on)
        if fr.value is False:
            return _fact(False, _pairs(fr), ("la France n'appliquait pas encore la décision-cadre",
                                             "France did not yet apply the framework decision"))
        st = self._dated_status(self.fd.get(state, []), on)
        ev = _pairs(member) + _pairs(st)
        if st.value is None:
            return _fact(None, ev, (f"transposition par {self.state_name(state)} à cette date : non établie — à vérifier",
                                    f"implementation by {self.state_name(state, 'en')} on that date: not established"
                                    " — to verify"), None)
        note = _note(st)
        if st.value and fd_until and on <= fd_until[0].when:   # applies now, ends on a known day: say it
            end = fd_until[0].when.isoformat()
            note = _join(note, (f"s'applique jusqu'au {end} seulement (demandes reçues après : plus de décision-cadre)",
                                f"applies until {end} only (requests received later: no framework decision)"))
        return _fact(st.value, ev, note, st.mark)

    def fd_entry_after(self, state: str, on: date) -> date | None:
        """The first day after ``on`` from which FD 2008/909 applies between France and
        ``state``, when the data gives that day (France's or the State's implementing law in
        force — ``in_force``, stated S or inferred I — or the State's accession to the Union)
        and it does not apply on ``on``; else None. As for a treaty (:meth:`party_entry_after`),
        a pending application is a date condition, not a refusal: the FD applies to the
        judgments to be executed once both States apply it (DC 2008/909 art. 26, 29; CPP
        728-10 ff. from 7 August 2013)."""
        days = _in_force_days(self.fd.get("FR", [])) | _in_force_days(self.fd.get(state, []))
        span = self.eu_members.get(state)
        if span is not None:
            days.add(span[0])
        return _first_day_holding(lambda d: self.fd_2008_909_applies(state, d), on, days)

    def fd_last_day(self, state: str, on: date) -> date | None:
        """The last day FD 2008/909 applies between France and ``state``, when it applies on
        ``on`` and the data gives a later day after which it no longer applies: an
        ``applies_until`` (the United Kingdom: 2020-12-31, the end of the transition period;
        requests received later are no longer under the framework decision) or the last day of
        membership of the Union; else None (no known end). The day of an ``until:`` condition
        (eu_recognition's last day of use, docs/answer-format.md ``until``), as
        :meth:`fd_entry_after` gives the day of a ``from:`` one."""
        if self.fd_2008_909_applies(state, on).value is not True:
            return None
        days = {f.when for f in self.fd.get(state, [])
                if f.kind == "applies_until" and f.when and f.mark in ("S", "I")}
        span = self.eu_members.get(state)
        if span is not None and span[1] is not None:
            days.add(span[1])
        for d in sorted(x for x in days if x >= on):
            if (self.fd_2008_909_applies(state, d).value is True
                    and self.fd_2008_909_applies(state, d + timedelta(days=1)).value is False):
                return d
        return None

    # ---- Council of Europe treaties ------------------------------------------------------
    def party(self, treaty: str, state: str, on: date) -> Fact:
        """Is ``treaty`` ("STE112" | "STE167") in force between France and ``state`` on ``on``?"""
        t = self.treaties.get(treaty)
        if t is None:
            raise KnowledgeBaseError(f"unknown treaty {treaty!r}", hint=f"known: {', '.join(self.treaties)}")
        fr_date = t["france_in_force"]
        fr_ev = (f"[S] France : en vigueur depuis le {fr_date.isoformat()} — {t['france_source']}",
                 f"[S] France: in force since {fr_date.isoformat()} — {t['france_source']}")
        cit, cit_en = t["citation"], _ets(t["citation"])
        if on < fr_date:
            return _fact(False, (fr_ev,), (f"{cit} pas encore en vigueur pour la France",
                                           f"{cit_en} not yet in force for France"))
        st = self._dated_status(self.parties.get((treaty, state), []), on)
        ev = (fr_ev,) + _pairs(st)
        if st.value is None:
            why = (("liste des Parties partielle : aucune donnée pour cet État à cette date — à vérifier",
                    "partial list of Parties: no data for this State on that date — to verify")
                   if not st.evidence else ("statut à cette date non établi par les sources — à vérifier",
                                            "status on that date not established by the sources — to verify"))
            return _fact(None, ev, (f"{cit} / {self.state_name(state)} : {why[0]}",
                                    f"{cit_en} / {self.state_name(state, 'en')}: {why[1]}"), None)
        verify = tuple(self._unknown_declarations(treaty, state, on)) if st.value else ()
        note = _note(st)
        if st.value is False:
            later = [f.when for f in self.parties.get((treaty, state), [])
                     if f.kind == "in_force" and f.when and f.when > on and f.mark in "SI"]
            if later:
                note = _join(note, (f"pas encore en vigueur : en vigueur le {min(later).isoformat()}",
                                    f"not yet in force: in force on {min(later).isoformat()}"))
        return _fact(st.value, ev, note, st.mark, verify)

    def party_entry_after(self, treaty: str, state: str, on: date) -> date | None:
        """The first day after ``on`` from which ``treaty`` is in force between France and
        ``state``, when the data gives that day (France's date of entry into force, or the
        State's ``in_force`` date, stated S or inferred I) and ``treaty`` is not in force on
        ``on``; else None. A pending entry into force is a date condition, not a refusal
        (the treaty applies « to the enforcement of sentences imposed either before or after
        its entry into force »: STE 112 art. 21, STE 167 art. 7)."""
        t = self.treaties.get(treaty)
        if t is None:
            return None
        days = {t["france_in_force"]} | _in_force_days(self.parties.get((treaty, state), []))
        return _first_day_holding(lambda d: self.party(treaty, state, d), on, days)

    def _unknown_declarations(self, treaty: str, state: str, on: date):
        """(French, English) lines for the declarations of ``state`` under ``treaty`` whose
        content is not known."""
        cit = self.treaties[treaty]["citation"]
        for d in self.declarations.get((treaty, state), []):
            if d.get("flag") and (d.get("date") is None or d["date"] <= on):
                yield (f"[{d['mark']}] {cit} / {self.state_name(state)} : {d['flag']} — "
                       f"{d.get('note') or 'contenu non retrouvé'} — {d['source']}",
                       f"[{d['mark']}] {_ets(cit)} / {self.state_name(state, 'en')}: {d.get('flag_en') or d['flag']} — "
                       f"{d.get('note_en') or d.get('note') or 'content not retrieved'} — {d['source']}")

    def declared_national(self, treaty: str, state: str, category: str, on: date) -> Fact:
        """Does ``state``'s declaration under ``treaty`` (STE 112 art. 3.4) count ``category``
        (e.g. ``stateless_permanent_residents``) as its nationals on ``on``? True when a known
        declaration says so; unknown when the State made a declaration whose content is not
        known; false [I] when no such declaration is known (the lists are partial)."""
        cit = self.treaties[treaty]["citation"] if treaty in self.treaties else treaty
        cit_en = _ets(cit)
        name, name_en = self.state_name(state), self.state_name(state, "en")
        decls = [d for d in self.declarations.get((treaty, state), [])
                 if d.get("date") is None or d["date"] <= on]
        for d in decls:
            if category in (d.get("national") or ()) and d["mark"] in "SI":
                return _fact(True, ((f"[{d['mark']}] {cit} / {name} : déclaration du "
                                     f"{d['date'] or 'date inconnue'} — {d.get('text', '')} — {d['source']}",
                                     f"[{d['mark']}] {cit_en} / {name_en}: declaration of "
                                     f"{d['date'] or 'unknown date'} — {d.get('text_en') or d.get('text', '')} — {d['source']}"),),
                             (d["note"], d.get("note_en") or d["note"]) if d.get("note") else None, d["mark"])
        unknown = [d for d in decls if d.get("flag")]
        if unknown:
            ev = tuple((f"[{d['mark']}] {d['flag']} — {d.get('note') or ''} — {d['source']}",
                        f"[{d['mark']}] {d.get('flag_en') or d['flag']} — {d.get('note_en') or d.get('note') or ''} — {d['source']}")
                       for d in unknown)
            return _fact(None, ev, (f"{cit} / {name} : déclaration dont le contenu n'a pas "
                                    "été retrouvé — définit-elle « ressortissant » ? à vérifier",
                                    f"{cit_en} / {name_en}: a declaration whose content was not retrieved — "
                                    "does it define « national »? to verify"), None)
        return _fact(False, ((f"[I] {cit} / {name} : aucune déclaration connue définissant "
                              "« ressortissant » (listes de déclarations partielles) — reference/declarations.yaml",
                              f"[I] {cit_en} / {name_en}: no known declaration defining « national » "
                              "(partial lists of declarations) — reference/declarations.yaml"),),
                     ("aucune déclaration connue — à vérifier", "no known declaration — to verify"), "I")

    def bilateral_convention(self, state: str, on: date) -> Fact:
        """Is France bound to ``state`` by a bilateral transfer convention on ``on``?"""
        facts = self.bilateral.get(state, [])
        ev = tuple(f.pair() for f in facts if f.mark != "U")
        for f in facts:
            if f.kind == "in_force" and f.when and f.mark in "SI" and on >= f.when:
                return _fact(True, ev, f.note_pair(), f.mark)
        for f in facts:
            if f.kind == "binding_by" and f.when and f.mark in "SI" and on >= f.when:
                if on == f.when:
                    return _fact(True, ev, f.note_pair(), f.mark)
                # stated binding on a date: presumed still binding after it [I] until a source says otherwise
                return _fact(True, ev + (_persisted(f, on),), _join(f.note_pair(), _persisted_note(f)), "I")
        for f in facts:
            if f.kind == "not_party_on" and f.when and f.mark in "SI":  # absent from a complete list
                if on <= f.when:
                    return _fact(False, ev, f.note_pair(), f.mark)
                return _fact(False, ev + (_persisted(f, on),), _join(f.note_pair(), _persisted_note(f)), "I")
        for f in facts:
            if f.kind == "concluded" and f.when and on < f.when:
                return _fact(False, ev, ("convention pas encore conclue à cette date",
                                         "convention not yet concluded on that date"))
            if f.kind == "in_force" and f.when and f.mark in "SI" and on < f.when:
                # a known date of entry into force (not a mere « binding by »): before it, not binding
                return _fact(False, ev, (f"convention pas encore en vigueur à cette date (en vigueur le {f.when})",
                                         f"convention not yet in force on that date (in force on {f.when})"))
        note = (("aucune convention bilatérale connue — les listes retrouvées s'arrêtent vers 2010 : à vérifier",
                 "no known bilateral convention — the lists retrieved stop around 2010: to verify")
                if not facts else ("convention connue mais entrée en vigueur non établie à cette date — à vérifier",
                                   "convention known but its entry into force not established on that date — to verify"))
        return _fact(None, ev, note, None)

    def bilateral_entry_after(self, state: str, on: date) -> date | None:
        """The first day after ``on`` from which a bilateral transfer convention binds France
        and ``state``, when the data gives its date of entry into force (S or I) and it does
        not bind them on ``on``; else None."""
        return _first_day_holding(lambda d: self.bilateral_convention(state, d), on,
                                  _in_force_days(self.bilateral.get(state, [])))

    def bilateral_terms(self, state: str, on: date) -> Fact:
        """The conditions of the bilateral convention binding France and ``state`` (time left
        to serve, dual criminality, consent, refusal grounds…) are not encoded: always
        unknown, with the convention's reference (conclusion, entry into force, source) as
        evidence — applying it in lieu of STE 112 (art. 22.2) means reading its text."""
        facts = [f for f in self.bilateral.get(state, []) if f.mark in "SI" and f.kind != "not_party_on"]
        ev = tuple(f.pair() for f in facts)
        concluded = next((f.when for f in facts if f.kind == "concluded" and f.when), None)
        name = f"convention bilatérale France / {self.state_name(state)}"
        name_en = f"bilateral convention France / {self.state_name(state, 'en')}"
        if concluded:
            name += f" du {concluded.isoformat()}"
            name_en += f" of {concluded.isoformat()}"
        notes = "; ".join(dict.fromkeys(f.note for f in facts if f.note))
        notes_en = "; ".join(dict.fromkeys(f.note_en or f.note for f in facts if f.note))
        src = next((f.source for f in facts), None)
        note = (f"{name} : ses conditions propres (durée restant à subir, double incrimination, consentement, "
                f"motifs de refus…) ne sont pas encodées — à vérifier dans son texte"
                + (f" ({src})" if src else "") + (f" ; {notes}" if notes else ""))
        note_en = (f"{name_en}: its own conditions (time left to serve, dual criminality, consent, "
                   f"refusal grounds…) are not encoded — to verify in its text"
                   + (f" ({src})" if src else "") + (f"; {notes_en}" if notes_en else ""))
        return _fact(None, ev, (note, note_en), None)

    # ---- consular notification -----------------------------------------------------------
    def consular_mandatory(self, state: str) -> Fact:
        """Is ``state`` on the circular's list of mandatory consular notification?"""
        inside = state in self.consular
        ev = (f"[S] {self.consular_citation} : liste des États à information consulaire obligatoire — {self.consular_source}",
              f"[S] {self.consular_citation}: list of the States of mandatory consular notification — {self.consular_source}")
        return _fact(inside, (ev,))

    def questions_for(self, procedure: str, state: str | None = None, on: date | None = None) -> list[dict]:
        """Open questions ([U] in the research pack) that concern ``procedure`` (and ``state``;
        and the date ``on`` when the question is bounded by ``from`` / ``until``); computed once
        per (procedure, State, date) — every row of a screening asks it again."""
        memo = self.__dict__.setdefault("_questions", {})
        key = (procedure, state, on)
        hit = memo.get(key)
        if hit is None:
            if len(memo) >= 100_000:   # one entry per date asked: bounded all the same
                memo.clear()
            hit = memo[key] = self._questions_for(procedure, state, on)
        return list(hit)

    def _questions_for(self, procedure: str, state: str | None, on: date | None) -> list[dict]:
        return [q for q in self.open_questions if procedure in q.get("concerns", [])
                and (not q.get("states") or state in q["states"])
                and (on is None or q.get("from") is None or on >= _date(q["from"], "open-questions.yaml"))
                and (on is None or q.get("until") is None or on <= _date(q["until"], "open-questions.yaml"))]

    # ---- generic dated-status logic ------------------------------------------------------
    @staticmethod
    def _dated_status(facts: list[_Dated], on: date) -> Fact:
        """Status on ``on`` from dated facts; U facts never count; no covering fact → None.

        A status stated at a date (``party_by``, ``not_party_on``, ``implemented_by``,
        ``not_implemented_on``) holds on that date as stated; after it, the last one stated
        persists, marked [I] with the date of its source, until a source says otherwise
        (issue 12, item 10); a « not a Party on D » also holds before D (as stated)."""
        usable = [f for f in facts if f.mark in ("S", "I")]
        ev = tuple(f.pair() for f in usable)
        for f in usable:
            if f.kind == "applies_until" and f.when and on > f.when:
                return _fact(False, ev, f.note_pair(), f.mark)
        for f in usable:
            if f.kind == "in_force" and f.when:
                return _fact(on >= f.when, ev, f.note_pair(), f.mark)
        stated = [f for f in usable if f.when and f.kind in _AT_DATE]
        for f in stated:
            if f.when == on:
                return _fact(_AT_DATE[f.kind], ev, f.note_pair(), f.mark)
        before = [f for f in stated if f.when < on]
        if before:
            last = max(before, key=lambda f: (f.when, not _AT_DATE[f.kind]))
            later_no = [f for f in stated if f.when > on and not _AT_DATE[f.kind]]
            if _AT_DATE[last.kind] and later_no:  # a Party then, not a Party later: which on ``on``?
                return _fact(None, ev, ("sources successives contraires — à vérifier",
                                        "successive sources disagree — to verify"), None)
            doubt = _doubt(facts, last, on)
            if doubt is not None:  # a later unverified source may have changed it: no presumption
                return _fact(None, ev + (doubt.pair(),),
                             (f"statut connu au {last.when.isoformat()} ; une source postérieure non vérifiée "
                              f"peut l'avoir changé ({doubt.note or doubt.source}) — à vérifier",
                              f"status known on {last.when.isoformat()}; a later unverified source may have "
                              f"changed it ({doubt.note_en or doubt.note or doubt.source}) — to verify"), None)
            return _fact(_AT_DATE[last.kind], ev + (_persisted(last, on),),
                         _join(last.note_pair(), _persisted_note(last)), "I")
        for f in stated:
            if not _AT_DATE[f.kind] and on <= f.when:
                return _fact(False, ev, f.note_pair(), f.mark)
        return _fact(None, ev, None, None)


_AT_DATE = {"party_by": True, "implemented_by": True, "not_party_on": False, "not_implemented_on": False}


def _doubt(facts: list[_Dated], last: _Dated, on: date) -> _Dated | None:
    """An unverified [U] statement of the contrary status that may have taken effect after the
    last stated status and by ``on``: it ends the presumption that the status is unchanged
    (issue 12, item 10: « until a source says otherwise »; a [U] source is never law, but it is
    a reason not to presume). Its date is ``doubt_from`` (``casts_doubt_from:`` in the file, the
    earliest day the change can have happened), else its own date, else just after ``last``."""
    for f in facts:
        if f.mark != "U" or f.kind not in _AT_DATE or _AT_DATE[f.kind] == _AT_DATE[last.kind]:
            continue
        start = f.doubt_from or f.when
        if start is None or last.when < start <= on:
            return f
    return None


def _ets(citation: str) -> str:
    """« STE 112 » as English writes it: ETS 112 (European Treaty Series)."""
    return citation.replace("STE ", "ETS ")


def _persisted(f: _Dated, on: date) -> tuple[str, str]:
    return (f"[I] statut au {f.when.isoformat()} (dernière source : {f.source}), présumé inchangé au "
            f"{on.isoformat()} faute de source contraire",
            f"[I] status on {f.when.isoformat()} (last source: {f.source}), presumed unchanged on "
            f"{on.isoformat()} for want of a source to the contrary")


def _persisted_note(f: _Dated) -> tuple[str, str]:
    return (f"statut connu au {f.when.isoformat()} seulement, présumé inchangé — à vérifier",
            f"status known on {f.when.isoformat()} only, presumed unchanged — to verify")


def _in_force_days(facts) -> set:
    """The days of entry into force (``in_force``) that the dated ``facts`` state (S) or infer (I)."""
    return {f.when for f in facts if f.kind == "in_force" and f.when and f.mark in "SI"}


def _first_day_holding(holds, on: date, days) -> date | None:
    """The first of ``days`` after ``on`` on which ``holds(day)`` (a :class:`Fact`) is true, when
    it is false on ``on`` (not unknown); else None — a treaty, a bilateral convention or the FD
    that comes to bind France and a State on a known later day (a date condition: the
    ``*_entry_after`` look-ups)."""
    if holds(on).value is not False:
        return None
    for d in sorted(x for x in days if x > on):
        if holds(d).value is True:
            return d
    return None


def _join(a: tuple[str, str] | None, b: tuple[str, str]) -> tuple[str, str]:
    return (f"{a[0]} ; {b[0]}", f"{a[1]}; {b[1]}") if a else b


# ---------------------------------------------------------------------------------------
def _read(path: Path) -> dict:
    """A reference file's document, its parsing kept between processes (:mod:`.parsed_cache`)."""
    try:
        return parsed(path, _parse, READER) or {}
    except FileNotFoundError:
        raise KnowledgeBaseError(f"reference file missing: {path}",
                                 hint="the reference/ folder of the repository must be present") from None
    except Exception as e:
        import yaml
        if not isinstance(e, yaml.YAMLError):
            raise
        raise KnowledgeBaseError(f"{yaml12.where(path, e)}: invalid YAML ({getattr(e, 'problem', e)})",
                                 hint="fix the YAML syntax at that line and column") from None


def _date(v, where: str) -> date | None:
    if v is None or isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        raise KnowledgeBaseError(f"{where}: {v!r} is not a date", hint="write dates as YYYY-MM-DD") from None


_KINDS = ("in_force", "party_by", "binding_by", "not_party_on", "implemented_by",
          "not_implemented_on", "applies_until", "concluded")


def _dated(fact: dict, where: str, sources: dict) -> list[tuple[str, _Dated]]:
    """Expand one YAML fact (``state`` or ``states``) into (state, _Dated) pairs."""
    mark = fact.get("mark")
    if mark not in MARKS:
        raise KnowledgeBaseError(f"{where}: mark {mark!r} must be one of S, I, U",
                                 hint="S = stated by the source, I = inferred, U = unverified")
    src = fact.get("source")
    if not src:
        raise KnowledgeBaseError(f"{where}: a reference fact without source", hint="add source: URL or sources/ path")
    src = sources.get(src, src)
    states = fact.get("states") or [fact.get("state")]
    out = []
    for k in _KINDS:
        if k in fact:
            for s in states:
                out.append((s, _Dated(k, _date(fact[k], where), mark, src, fact.get("note"), fact.get("note_en"),
                                      _date(fact.get("casts_doubt_from"), where))))
    if "casts_doubt_from" in fact and mark != "U":
        raise KnowledgeBaseError(f"{where}: casts_doubt_from on a fact marked {mark}",
                                 hint="casts_doubt_from belongs to an unverified (U) statement only")
    if not out:
        raise KnowledgeBaseError(f"{where}: no dated statement", hint=f"use one of: {', '.join(_KINDS)}")
    return out


def _fold(name: str) -> str:
    """A name as an alphabetical list sorts it: no accents, no case."""
    import unicodedata
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()


def _complete_list(lst: dict, where: str, treaties: dict, states: dict, parties: dict, sources: dict):
    """A list of Parties complete over the alphabetical range [first, last] (in the language
    ``language`` of the names of states.yaml): every State named within that range that has
    no fact for the treaty was not a Party on the list's date — ``not_party_on`` [I]
    (issue 12, item 10). A State with no name in that language is left unknown."""
    treaty = lst.get("treaty")
    if treaty not in treaties:
        raise KnowledgeBaseError(f"{where}: unknown treaty {treaty!r}", hint=f"known: {', '.join(treaties)}")
    for k in ("as_of", "language", "first", "last", "source"):
        if not lst.get(k):
            raise KnowledgeBaseError(f"{where}: `{k}` missing", hint="a complete list needs as_of, language, first, last, source")
    when = _date(lst["as_of"], where)
    lo, hi, lang = _fold(lst["first"]), _fold(lst["last"]), lst["language"]
    src = sources.get(lst["source"], lst["source"])
    for code, names in states.items():
        name = names.get(lang)
        if not name or (treaty, code) in parties or not (lo <= _fold(name) <= hi):
            continue
        parties[(treaty, code)] = [_Dated("not_party_on", when, lst.get("mark", "I"), src,
                                          f"{lst.get('note') or 'absent de la liste'} ({name})",
                                          f"{lst.get('note_en') or 'not on the list'} ({name})")]


def load_reference(folder: Path | None = None) -> Reference:
    """Read ``reference/*.yaml`` (cached per folder for the life of the process)."""
    return _load(str(folder or home() / "reference"))


@lru_cache(maxsize=4)
def _load(folder: str) -> Reference:
    d = Path(folder)
    states = _read(d / "states.yaml").get("states", {})
    eu = _read(d / "eu.yaml")
    members = {s: (_date(v[0], f"eu.yaml members.{s}"), _date(v[1], f"eu.yaml members.{s}"))
               for s, v in eu["members"].items()}
    fd: dict[str, list[_Dated]] = {}
    unverified = []
    for i, f in enumerate(eu.get("facts", [])):
        for s, x in _dated(f, f"eu.yaml facts[{i}]", {}):
            fd.setdefault(s, []).append(x)
            if x.mark == "U":
                unverified.append({"file": "eu.yaml", "state": s, "note": x.note, "source": x.source})
    tp = _read(d / "treaty-parties.yaml")
    treaties = {k: {**v, "france_in_force": _date(v["france_in_force"], f"treaty-parties.yaml {k}")}
                for k, v in tp["treaties"].items()}
    parties: dict[tuple[str, str], list[_Dated]] = {}
    for i, f in enumerate(tp.get("facts", [])):
        if f.get("treaty") not in treaties:
            raise KnowledgeBaseError(f"treaty-parties.yaml facts[{i}]: unknown treaty {f.get('treaty')!r}",
                                     hint=f"declare it under treaties: ({', '.join(treaties)})")
        for s, x in _dated(f, f"treaty-parties.yaml facts[{i}]", tp.get("sources", {})):
            parties.setdefault((f["treaty"], s), []).append(x)
    for i, lst in enumerate(tp.get("lists", [])):
        _complete_list(lst, f"treaty-parties.yaml lists[{i}]", treaties, states, parties, tp.get("sources", {}))
    bl = _read(d / "bilateral.yaml")
    bilateral: dict[str, list[_Dated]] = {}
    for i, f in enumerate(bl.get("facts", [])):
        for s, x in _dated(f, f"bilateral.yaml facts[{i}]", bl.get("sources", {})):
            bilateral.setdefault(s, []).append(x)
            if x.mark == "U":
                unverified.append({"file": "bilateral.yaml", "state": s, "note": x.note, "source": x.source})
    dc = _read(d / "declarations.yaml") if (d / "declarations.yaml").exists() else {}
    declarations: dict[tuple[str, str], list[dict]] = {}
    for i, x in enumerate(dc.get("declarations", [])):
        where = f"declarations.yaml declarations[{i}]"
        if x.get("treaty") not in treaties:
            raise KnowledgeBaseError(f"{where}: unknown treaty {x.get('treaty')!r}",
                                     hint=f"declare it in treaty-parties.yaml ({', '.join(treaties)})")
        if x.get("mark") not in MARKS or not x.get("source"):
            raise KnowledgeBaseError(f"{where}: a declaration needs a mark (S, I, U) and a source",
                                     hint="S = stated by the source, I = inferred, U = unverified")
        if not (x.get("national") or x.get("flag")):
            raise KnowledgeBaseError(f"{where}: neither `national` (art. 3.4 categories) nor `flag`",
                                     hint="give the categories the declaration adds, or flag: \"D.\" when its content is unknown")
        if x.get("flag") and x["mark"] != "U":
            raise KnowledgeBaseError(f"{where}: a declaration of unknown content (`flag`) is marked U",
                                     hint="mark: U")
        entry = {**x, "date": _date(x.get("date"), where),
                 "source": dc.get("sources", {}).get(x["source"], x["source"])}
        for st in x.get("states") or [x.get("state")]:
            declarations.setdefault((x["treaty"], st), []).append(entry)
            if entry["mark"] == "U":
                unverified.append({"file": "declarations.yaml", "state": st, "note": entry.get("note"),
                                   "source": entry["source"]})
    for i, lst in enumerate(bl.get("lists", [])):  # a complete list of the States bound to France
        where = f"bilateral.yaml lists[{i}]"
        if not lst.get("as_of") or not lst.get("source") or lst.get("mark") not in ("S", "I"):
            raise KnowledgeBaseError(f"{where}: a complete list needs as_of, source and mark S or I",
                                     hint="see the header of reference/bilateral.yaml")
        when = _date(lst["as_of"], where)
        src = bl.get("sources", {}).get(lst["source"], lst["source"])
        for code in states:
            if code != "FR" and code not in bilateral:
                bilateral[code] = [_Dated("not_party_on", when, lst["mark"], src, lst.get("note"), lst.get("note_en"))]
    cons = _read(d / "consular.yaml")
    oq = _read(d / "open-questions.yaml").get("questions", [])
    named = set(list(members) + list(cons.get("mandatory", [])) + list(fd) + list(bilateral)
                + [s for _, s in parties] + [s for _, s in declarations])
    for s in sorted(named, key=str):
        if s not in states:
            raise KnowledgeBaseError(f"reference/: State code {s!r} has no entry in states.yaml",
                                     hint="write States as quoted ISO 3166 alpha-2 codes (\"NO\") "
                                          "and give each its fr/en names in reference/states.yaml")
    return Reference(states=states, eu_members=members, eu_source=eu["membership_source"], fd=fd,
                     treaties=treaties, parties=parties, bilateral=bilateral,
                     consular=frozenset(cons["mandatory"]), consular_citation=cons["citation"],
                     consular_source=cons["source"], open_questions=oq, unverified=unverified,
                     declarations=declarations,
                     files=tuple(sorted(d.glob("*.yaml"))))

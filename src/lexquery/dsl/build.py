"""Statements → cases in the JSON case format, each value remembered with its position.

The language is another spelling of the JSON case format: this module only turns words
into the format's values (a State into its ISO code, « 3 ans » into ``P3Y``, « inconnu »
into ``null``) and then hands the case to :func:`lexquery.engine.case.read_case`, whose
problems (by JSON path) are mapped back to the line and column of the value.
Questions are evaluated on the case as written above them (facts read top to bottom).
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date

from . import vocab
from ..budget import check as check_budget
from .case_data import LqCase, apply_fact, ordered, set_path
from .case_problems import check_case, check_changed
from .errors import MAX_ERRORS, LqError, LqErrors, Span
from .parser import AsOf, CaseHeader, Fact, Piece, Question, parse
from .values import MONTHS, Sem, is_none, is_unknown, read_date


@dataclass
class Item:
    question: Question
    case: LqCase | None
    snapshot: dict | None      # the case as written above the question (JSON case format)
    changed: dict | None = None  # `et si`: the case with the changes applied
    proc: str | None = None
    at: date | None = None


@dataclass
class Document:
    name: str
    text: str
    cases: list[LqCase]
    items: list[Item]

    def case_dicts(self) -> list[dict]:
        return [ordered(c.data) for c in self.cases]

def build(text: str, source_name: str = "<texte>", *, implicit_id: str = "cas", override: bool = False) -> Document:
    """Parse and interpret a .lq text; raise LqErrors listing every mistake."""
    stmts = parse(text, source_name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    errors: list[Sem] = []
    cases: list[LqCase] = []
    items: list[Item] = []
    current: LqCase | None = None
    seen: dict = {}
    ids: dict = {}

    def new_case(cid, span):
        nonlocal current, seen
        current = LqCase({"id": cid}, span)
        current.spans["id"] = span
        current.spans["$"] = span
        cases.append(current)
        seen = {}
        if cid in ids:
            errors.append(Sem(f"identifiant déjà utilisé « {cid} » (ligne {ids[cid].line})", span,
                              "un identifiant unique par cas dans le fichier", f"par exemple « {cid}-2 »"))
        ids[cid] = span

    for st in stmts:
        check_budget()   # a server request past its time stops here (lexquery.budget)
        if len(errors) >= MAX_ERRORS:   # stop reading, as compilers do (the report says so)
            raise LqErrors([_lq(e, source_name, text) for e in errors], stopped=True)
        if isinstance(st, CaseHeader):
            new_case(st.id, st.span)
        elif isinstance(st, AsOf):
            if current is None:
                new_case(implicit_id, Span(1, 1, 2))
            try:
                current.data["as_of"] = read_date(st.date).isoformat()
                current.spans["as_of"] = st.date.span
            except Sem as e:
                errors.append(e)
        elif isinstance(st, Fact):
            if current is None:
                new_case(implicit_id, Span(st.key_span.line, 1, 2))
            apply_fact(current, st, errors, override=override, seen=seen)
        else:
            items.append(_question_item(st, current, errors))
    if errors:
        raise LqErrors([_lq(e, source_name, text) for e in errors])
    for c in cases:
        check_case(c, source_name, text, errors)
        if len(errors) >= MAX_ERRORS:
            break
    for it in items:
        if it.changed is not None and len(errors) < MAX_ERRORS:
            check_changed(it, source_name, text, errors)
    if errors:
        raise LqErrors([e if isinstance(e, LqError) else _lq(e, source_name, text) for e in errors])
    return Document(source_name, text, cases, items)


def _lq(e: Sem, name, text) -> LqError:
    return LqError(e.message, e.span, source_name=name, source_text=text, expected=e.expected, hint=e.hint)


def _question_item(q: Question, case: LqCase | None, errors: list) -> Item:
    it = Item(q, case, copy.deepcopy(case.data) if case else None)
    if q.kind not in ("article", "rules_cite") and case is None:
        errors.append(Sem("aucun cas n'est décrit avant cette question", q.span,
                          "des faits avant la question, ex. « cas ionescu-2026 » puis « nationalité : Roumanie »",
                          "les questions « article … ? » et « quelles règles citent … ? » n'ont pas besoin de cas"))
        return it
    if q.proc:
        pid = vocab.procedure_of(q.proc[0])
        if pid is None:
            close = vocab.closest(vocab.strip_article(vocab.norm(q.proc[0])), vocab.procedure_choices(), cutoff=0.5)
            if q.kind == "procedure":
                kw = vocab.closest(q.proc[0], {vocab.norm(k): k for k in vocab.KEYWORDS}, cutoff=0.7)
                close = close or kw
            errors.append(Sem(f"procédure inconnue « {q.proc[0]} »", q.proc[1],
                              "eu_recognition, lc_expulsion, ste_transfer, consular_notification, prefecture_notice, "
                              "forced_identification (ou « reconnaissance », « libération conditionnelle », « transfèrement », "
                              "« information consulaire », « avis à la préfecture », « relevés signalétiques »)",
                              f"vouliez-vous dire « {close[0]} » ?" if close else None))
        it.proc = pid
    if q.citation is not None and q.at is None:  # `article 728-11 au 1er janvier 2029 ?`
        m = re.match(r"^(.*?\S)\s+(?:au|as\s+of)\s+(\d{4}-\d{1,2}-\d{1,2}|(?:1er|\d{1,2})\s+\S+\s+\d{4})\s*$",
                     q.citation[0], flags=re.I)
        if m and (re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", m.group(2))
                  or vocab.norm(m.group(2).split()[1]) in MONTHS):
            sp = q.citation[1]
            start = sp.col + q.citation[0].index(m.group(2), len(m.group(1)))
            kind = "ISO_DATE" if m.group(2)[0:4].isdigit() and "-" in m.group(2) else "FR_DATE"
            q.at = Piece("date", m.group(2), Span(sp.line, start, start + len(m.group(2))), kind)
            q.citation = (m.group(1), sp)
    if q.at is not None:
        try:
            it.at = read_date(q.at)
        except Sem as e:
            errors.append(e)
    if q.kind == "what_if" and case is not None:
        changed = LqCase(copy.deepcopy(case.data), case.header, dict(case.spans), dict(case.keys))
        before = len(errors)
        for f in q.changes:
            path = vocab.field_of(f.key)
            if path in vocab.LIST_FIELDS and not is_unknown(f) and not is_none(f.atoms):
                set_path(changed.data, path, [])  # `et si mesure : …` replaces the measures
            apply_fact(changed, f, errors, override=True, seen={})
        if len(errors) == before:
            it.changed = changed.data
            it.case = case
            it._changed_case = changed  # spans of the changes, for semantic errors
    return it

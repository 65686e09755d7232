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
from dataclasses import dataclass, field
from datetime import date

from ..dates import DATE_MAX, DATE_MIN, DATE_RANGE
from ..engine.case import SCHEMA, read_case
from ..errors import CaseError
from . import vocab
from ..budget import check as check_budget
from .errors import MAX_ERRORS, LqError, LqErrors, Span
from .parser import AsOf, Atom, CaseHeader, Fact, Piece, Question, parse

MONTHS = {"janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
          "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12}
MONTH_NAMES = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
               "octobre", "novembre", "décembre"]
UNITS = {"an": "Y", "ans": "Y", "annee": "Y", "annees": "Y", "year": "Y", "years": "Y",
         "mois": "M", "month": "M", "months": "M", "semaine": "W", "semaines": "W", "week": "W", "weeks": "W",
         "jour": "D", "jours": "D", "day": "D", "days": "D"}


class Sem(Exception):
    """A semantic mistake at a span (collected, then raised together)."""

    def __init__(self, message, span, expected=None, hint=None):
        super().__init__(message)
        self.message, self.span, self.expected, self.hint = message, span, expected, hint


@dataclass
class LqCase:
    data: dict
    header: Span
    spans: dict = field(default_factory=dict)       # JSON path → span of the value
    keys: dict = field(default_factory=dict)        # JSON path → span of the fact's name


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


# ---- reading values ------------------------------------------------------------------------
def read_date(p: Piece) -> date:
    """The date a piece writes (ISO or « 1er décembre 2026 »), within DATE_MIN .. DATE_MAX."""
    d = _read_date(p)
    if not DATE_MIN <= d <= DATE_MAX:
        raise Sem(f"date hors de la plage admise « {p.text} »", p.span, f"une date {DATE_RANGE}",
                  "vérifiez l'année (une date inconnue s'écrit « inconnu », pas une date fictive)")
    return d


def _read_date(p: Piece) -> date:
    if p.kind != "date":
        raise _not_a("date", p)
    if p.value == "ISO_DATE":
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", p.text)
        y, mo, d = (int(x) for x in m.groups())
        try:
            out = date(y, mo, d)
        except ValueError:
            raise Sem(f"date impossible « {p.text} »", p.span, "une date qui existe, ex. « 2026-12-01 »",
                      _impossible_hint(y, mo, d)) from None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", p.text):
            raise Sem(f"date mal écrite « {p.text} »", p.span, "AAAA-MM-JJ, deux chiffres pour le mois et le jour",
                      f"écrivez « {out.isoformat()} »")
        return out
    m = re.fullmatch(r"(1er|\d{1,2})\s+(\S+)\s+(\d{4})", p.text.strip(), re.I)   # the language ignores case
    d = 1 if m.group(1).lower() == "1er" else int(m.group(1))
    mo, y = MONTHS[vocab.norm(m.group(2))], int(m.group(3))
    try:
        return date(y, mo, d)
    except ValueError:
        raise Sem(f"date impossible « {p.text} »", p.span, "une date qui existe, ex. « 1er décembre 2026 »",
                  _impossible_hint(y, mo, d)) from None


def _impossible_hint(y, mo, d):
    if not 1 <= mo <= 12:
        return "le mois va de 01 à 12"
    import calendar
    last = calendar.monthrange(y, mo)[1] if 1 <= y <= 9999 else 31
    if y < 1:
        return "l'année commence à 0001"
    return f"ce mois n'a que {last} jours" if d > last else "le jour va de 1 à 31"


def _not_a(kind: str, p: Piece) -> Sem:
    what = {"date": "une date", "duration": "une durée", "number": "un nombre", "string": "un texte",
            "json": "un objet JSON", "yes": "« oui »", "no": "« non »", "unknown": "« inconnu »"}
    want = {"date": "une date", "duration": "une durée", "bool": "« oui » ou « non »"}[kind]
    if p.kind in what:
        msg = f"{what[p.kind]} là où {want} est attendue" if kind != "bool" else f"{what[p.kind]} là où {want} est attendu"
    else:
        msg = f"« {p.text} » n'est pas {want}"
    hint = None
    if kind == "date" and p.kind == "number":
        hint = "écrivez la date entière, ex. « 1er décembre 2026 »"
    elif kind == "date" and p.kind == "duration":
        hint = "une date s'écrit « 1er décembre 2026 » ou « 2026-12-01 » ; la durée de la peine va dans « durée totale »"
    elif kind == "duration" and p.kind == "number":
        msg = f"durée sans unité « {p.text} »"
        hint = f"écrivez « {p.text} ans » ou « {p.text} mois »"
    elif kind == "duration" and p.kind == "date":
        hint = "une durée s'écrit « 3 ans », « 18 mois », « 2 ans 6 mois » ; une date de fin va dans « fin de peine prévisible »"
    elif kind == "bool" and p.kind == "word":
        close = vocab.closest(p.text, {"oui": "oui", "non": "non", "inconnu": "inconnu"}, cutoff=0.5)
        hint = f"vouliez-vous dire « {close[0]} » ?" if close else None
    return Sem(msg, p.span, vocab.WHAT[kind], hint)


# a length written in words, as one says it (« trois ans », « dix-huit mois »)
NUMBER_WORDS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
                "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
                "seize": 16, "dix-sept": 17, "dix-huit": 18, "dix-neuf": 19, "vingt": 20, "trente": 30}


def read_duration(p: Piece) -> str:
    if p.kind != "duration":
        raise _not_a("duration", p)
    if p.value == "LIFE":
        return "life"
    parts = {"Y": 0, "M": 0, "W": 0, "D": 0}
    text = re.sub(r"[a-z]+(?:-[a-z]+)?", lambda m: str(NUMBER_WORDS.get(m.group(0), m.group(0))), vocab.norm(p.text))
    for n, unit in re.findall(r"(\d+)\s*([^\W\d_]+)", text):
        if unit in ("et", "and"):
            continue
        parts[UNITS[unit]] += int(n)
    iso = "P" + "".join(f"{v}{k}" for k, v in parts.items() if v)
    return iso if iso != "P" else "P0D"


def _single(f: Fact, kind: str) -> Piece:
    if len(f.atoms) != 1 or len(f.atoms[0].pieces) != 1:
        raise Sem(f"une seule valeur attendue pour « {f.key} »", f.span, vocab.WHAT[kind])
    return f.atoms[0].pieces[0]


def _is_unknown(f: Fact) -> bool:
    return len(f.atoms) == 1 and len(f.atoms[0].pieces) == 1 and f.atoms[0].pieces[0].kind == "unknown"


def _is_none(atoms: list[Atom]) -> bool:
    return len(atoms) == 1 and vocab.norm(atoms[0].text) in vocab.NONE_WORDS


def read_state(pieces: list[Piece], span: Span) -> str:
    text = " ".join(p.value if p.kind == "string" else p.text for p in pieces)
    code = vocab.state_of(text)
    if code:
        return code
    hint = None
    if re.fullmatch(r"[A-Za-z]{2}", text) and text.upper() in vocab.CODES:
        hint = f"un code s'écrit en majuscules : « {text.upper()} »"
    else:
        close = vocab.closest(vocab.strip_article(vocab.norm(text)), vocab.state_choices(), n=2, cutoff=0.6)
        if close:
            hint = "vouliez-vous dire " + " ou ".join(f"« {c} »" for c in close) + " ?"
    raise Sem(f"État inconnu « {text} »", span, vocab.WHAT["state"], hint)


def read_value(path: str, f: Fact, case: LqCase | None = None):
    """The JSON value of a fact (``None`` for « inconnu »)."""
    kind = vocab.FIELDS[path][0]
    if _is_unknown(f) and kind not in ("measure", "conviction"):
        return None
    if kind == "date":
        return read_date(_single(f, kind)).isoformat()
    if kind == "date_or_none":
        if _is_none(f.atoms):
            return "none"
        return read_date(_single(f, kind)).isoformat()
    if kind == "duration":
        return read_duration(_single(f, kind))
    if kind == "bool":
        p = _single(f, kind)
        if p.kind in ("yes", "no"):
            return p.kind == "yes"
        raise _not_a("bool", p)
    if kind in ("str", "id"):
        if len(f.atoms) == 1 and len(f.atoms[0].pieces) == 1 and f.atoms[0].pieces[0].kind == "string":
            v = f.atoms[0].pieces[0].value
        else:
            v = f.raw.strip()
        if kind == "id" and not re.fullmatch(r"[^\s?#:,\"{}]+", v or ""):
            raise Sem(f"identifiant invalide « {v} »", f.span, vocab.WHAT["id"], "un seul mot, sans espace")
        return v
    if kind == "state":
        if len(f.atoms) != 1:
            raise Sem(f"un seul État attendu pour « {f.key} »", f.span, vocab.WHAT["state"])
        return read_state(f.atoms[0].pieces, f.atoms[0].span)
    if kind == "states":
        if _is_none(f.atoms):
            return []
        out = []
        for a in f.atoms:
            group: list[Piece] = []
            for p in a.pieces + [None]:
                if p is None or (p.kind == "word" and vocab.norm(p.text) in ("et", "and")):
                    if group:
                        sp = group[0].span
                        for g in group[1:]:
                            sp = sp.join(g.span)
                        out.append(read_state(group, sp))
                    group = []
                else:
                    group.append(p)
        return out
    if kind == "protection":
        text = vocab.norm(f.raw.strip().strip('"'))
        if text in vocab.PROTECTION_INDEX:
            return vocab.PROTECTION_INDEX[text]
        choices = {vocab.norm(w): w for ws in vocab.PROTECTION_WORDS.values() for w in ws}
        close = vocab.closest(text, choices, cutoff=0.5)
        raise Sem(f"protection inconnue « {f.raw.strip()} »", f.span, vocab.WHAT["protection"],
                  f"vouliez-vous dire « {close[0]} » ?" if close else None)
    if kind == "section":
        p = _single(f, kind)
        if p.kind != "json" or p.value != {}:
            raise Sem(f"« {p.text} » : une rubrique ne prend que {{}}", p.span, vocab.WHAT["section"],
                      "donnez plutôt ses faits un par un")
        return {}
    if kind == "json":
        p = _single(f, kind)
        if p.kind != "json":
            raise Sem(f"« {p.text} » n'est pas un objet JSON", p.span, vocab.WHAT["json"])
        return p.value
    raise AssertionError(kind)  # pragma: no cover


def read_measure(f: Fact, spans: dict, prefix: str) -> dict:
    pieces = [p for a in f.atoms for p in a.pieces]
    atom_of = [i for i, a in enumerate(f.atoms) for _p in a.pieces]
    words = [vocab.norm(p.value if p.kind == "string" else p.text) for p in pieces]
    kind, n = None, 0
    if len(pieces) >= 2 and words[0] == "nature" and pieces[1].kind == "unknown":
        kind, n = "", 2
    for k in range(min(4, len(words)), 0, -1):
        if all(p.kind == "word" for p in pieces[:k]) and " ".join(words[:k]) in vocab.MEASURE_KINDS:
            kind, n = vocab.MEASURE_KINDS[" ".join(words[:k])], k
            break
    if kind is None:
        first = pieces[0]
        close = vocab.closest(first.text, {vocab.norm(k): k for k in list(vocab.MEASURE_KINDS.values()) + ["MAE"]},
                              cutoff=0.5)
        raise Sem(f"mesure d'éloignement inconnue « {first.text} »", first.span,
                  "ITF, IATF, OQTF, IRTF, ICTF, expulsion, extradition ou MAE, puis ses caractères",
                  f"vouliez-vous dire « {close[0]} » ?" if close else None)
    m = {"kind": kind} if kind else {}
    spans[prefix + ".kind"] = pieces[0].span
    i = n
    attrs = ("« définitive » ou « temporaire », « vers <État> », « exécutoire » ou « non exécutoire », "
             "« recours épuisés » ou « recours pendants », « fin <date> »")

    def unknown_next(j):
        return j < len(pieces) and pieces[j].kind == "unknown"

    while i < len(pieces):
        p, w = pieces[i], words[i]
        if w.startswith("definiti") or w in ("definitive", "permanent"):
            if unknown_next(i + 1):
                m["definitive"], i = None, i + 2
            else:
                m["definitive"], i = True, i + 1
            spans[prefix + ".definitive"] = p.span
        elif w in ("temporaire", "temporary"):
            m["definitive"], i = False, i + 1
            spans[prefix + ".definitive"] = p.span
        elif w in ("vers", "to", "destination"):
            j = i + 1
            if unknown_next(j):
                m["destination"], i = None, j + 1
                continue
            group = []
            while j < len(pieces) and atom_of[j] == atom_of[i] and pieces[j].kind in ("word", "string") and words[j] not in (
                    "executoire", "enforceable", "recours", "definitive", "temporaire", "non", "fin"):
                group.append(pieces[j])
                j += 1
            if not group:
                raise Sem("État de destination manquant après « vers »", p.span, vocab.WHAT["state"])
            sp = group[0].span
            for g in group[1:]:
                sp = sp.join(g.span)
            m["destination"] = read_state(group, sp)
            spans[prefix + ".destination"] = sp
            i = j
        elif w in ("executoire", "enforceable"):
            if unknown_next(i + 1):
                m["enforceable"], i = None, i + 2
            else:
                m["enforceable"], i = True, i + 1
            spans[prefix + ".enforceable"] = p.span
        elif p.kind == "no" and i + 1 < len(pieces) and words[i + 1] in ("executoire", "enforceable"):
            m["enforceable"], i = False, i + 2
            spans[prefix + ".enforceable"] = p.span.join(pieces[i - 1].span)
        elif w in ("fin", "end", "until"):   # removal_measures[].end_date: « fin 1er mars 2027 »
            j = i + 1
            if j < len(pieces) and words[j] in ("le", "on"):
                j += 1
            if unknown_next(j):
                m["end_date"], i = None, j + 1
            elif j < len(pieces) and pieces[j].kind == "date":
                m["end_date"], i = read_date(pieces[j]).isoformat(), j + 1
            else:
                raise Sem("« fin » doit être suivie d'une date (fin de la mesure temporaire) ou de « inconnue »",
                          p.span, vocab.WHAT["date"])
            spans[prefix + ".end_date"] = p.span
        elif w in ("recours", "remedies"):
            nxt = words[i + 1] if i + 1 < len(pieces) else ""
            if unknown_next(i + 1):
                m["remedies_exhausted"], i = None, i + 2
            elif nxt.startswith("epuis") or nxt == "exhausted":
                m["remedies_exhausted"], i = True, i + 2
            elif nxt.startswith("pendant") or nxt in ("pending", "non", "en"):
                m["remedies_exhausted"] = False
                i += 3 if nxt in ("non", "en") and i + 2 < len(pieces) else 2
            else:
                raise Sem("« recours » doit être suivi de « épuisés », « pendants » ou « inconnus »",
                          p.span, attrs)
            spans[prefix + ".remedies_exhausted"] = p.span
        else:
            close = vocab.closest(p.text, {"definitive": "définitive", "temporaire": "temporaire", "vers": "vers",
                                           "executoire": "exécutoire", "recours": "recours", "fin": "fin"}, cutoff=0.6)
            raise Sem(f"« {p.text} » inattendu dans une mesure d'éloignement", p.span, attrs,
                      f"vouliez-vous dire « {close[0]} » ?" if close else None)
    return m


def read_conviction(f: Fact, spans: dict, prefix: str) -> dict:
    c = {}
    for a in f.atoms:
        ps = a.pieces
        words = [vocab.norm(p.text) for p in ps]
        if len(ps) == 1 and ps[0].kind == "date":
            c["date"] = read_date(ps[0]).isoformat()
            spans[prefix + ".date"] = a.span
        elif len(ps) == 1 and ps[0].kind == "duration":
            c["total"] = read_duration(ps[0])
            spans[prefix + ".total"] = a.span
        elif len(ps) == 1 and ps[0].kind == "string":
            c["court"] = ps[0].value
            spans[prefix + ".court"] = a.span
        elif words and words[-1].startswith("definitive") and len(ps) <= 2 and (len(ps) == 1 or ps[0].kind == "no"):
            c["final"] = len(ps) == 1
            spans[prefix + ".final"] = a.span
        elif len(ps) == 2 and ps[1].kind == "unknown" and words[0] in ("definitive", "tribunal", "juridiction",
                                                                          "date", "duree", "court", "final", "total"):
            key = {"definitive": "final", "tribunal": "court", "juridiction": "court", "date": "date",
                   "duree": "total", "court": "court", "final": "final", "total": "total"}[words[0]]
            c[key] = None
            spans[f"{prefix}.{key}"] = a.span
        elif all(p.kind in ("word", "string") for p in ps):
            c["court"] = a.text
            spans[prefix + ".court"] = a.span
        else:
            bad = next(p for p in ps if p.kind not in ("word", "string"))
            raise Sem(f"« {bad.text} » inattendu dans une condamnation", bad.span, vocab.WHAT["conviction"],
                      "séparez par des virgules la juridiction, la date, « définitive » et la durée")
    return c


# ---- building cases ----------------------------------------------------------------------------
def set_path(data: dict, path: str, value):
    parts = path.split(".")
    d = data
    for k in parts[:-1]:
        if not isinstance(d.get(k), dict):
            d[k] = {}
        d = d[k]
    d[parts[-1]] = value


def get_path(data: dict, path: str, default=None):
    d = data
    for k in path.split("."):
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


def apply_fact(case: LqCase, f: Fact, errors: list, *, override: bool, seen: dict) -> None:
    path = vocab.field_of(f.key)
    if path is None:
        close = vocab.closest(f.key, vocab._field_choices(), n=1, cutoff=0.6)
        leaves = [p for p in vocab.FIELD_ORDER[2:] if p not in vocab.SECTIONS]
        first = ", ".join(vocab.FIELDS[p][1][0] for p in leaves[:4])
        errors.append(Sem(f"mot inconnu « {f.key} »", f.key_span,
                          f"le nom d'un fait : {first}, … (voir docs/language.md)",
                          f"vouliez-vous dire « {close[0]} » ?" if close else None))
        return
    try:
        kind = vocab.FIELDS[path][0]
        if kind in ("measure", "conviction"):
            cur = get_path(case.data, path)
            if _is_unknown(f):
                set_path(case.data, path, None)
            elif _is_none(f.atoms):
                set_path(case.data, path, [])
            else:
                lst = cur if isinstance(cur, list) else []
                prefix = f"{path}[{len(lst)}]"
                item = (read_measure if kind == "measure" else read_conviction)(f, case.spans, prefix)
                set_path(case.data, path, lst + [item])
                case.spans[prefix] = f.span
            case.spans.setdefault(path, f.span)
            case.keys.setdefault(path, f.key_span)
            return
        value = read_value(path, f, case)
    except Sem as e:
        errors.append(e)
        return
    if path in seen and not override:
        errors.append(Sem(f"« {f.key} » est déjà donné à la ligne {seen[path].line}", f.key_span,
                          "chaque fait une seule fois par cas",
                          "gardez une seule des deux lignes (pour essayer une autre valeur : « et si … ? »)"))
        return
    seen[path] = f.key_span
    if kind == "section":
        if not isinstance(case.data.get(path), dict):
            case.data[path] = {}
        return
    set_path(case.data, path, value)
    case.spans[path] = f.span
    case.keys[path] = f.key_span


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
        _validate(c, source_name, text, errors)
        if len(errors) >= MAX_ERRORS:
            break
    for it in items:
        if it.changed is not None and len(errors) < MAX_ERRORS:
            _validate_changed(it, source_name, text, errors)
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
            if path in vocab.LIST_FIELDS and not _is_unknown(f) and not _is_none(f.atoms):
                set_path(changed.data, path, [])  # `et si mesure : …` replaces the measures
            apply_fact(changed, f, errors, override=True, seen={})
        if len(errors) == before:
            it.changed = changed.data
            it.case = case
            it._changed_case = changed  # spans of the changes, for semantic errors
    return it


def _span_for(c: LqCase, where: str) -> Span:
    path = where.split(": ")[-1]
    while path:
        if path in c.spans:
            return c.spans[path]
        if "[" in path and path.endswith("]"):
            path = path[:path.rindex("[")]
        elif "." in path or "[" in path:
            path = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
        else:
            break
    return c.header


def _frenchify(msg: str) -> str:
    for path in sorted(vocab.FIELDS, key=len, reverse=True):
        msg = msg.replace(path, f"« {vocab.field_name(path)} »")
    return msg


def _problems(c: LqCase, data: dict, name, text, errors):
    try:
        read_case(data, None, default_as_of=date.today())
    except CaseError as ce:
        for p in ce.problems:
            errors.append(LqError(_frenchify(p.message), _span_for(c, p.where), source_name=name, source_text=text,
                                  expected=_frenchify(p.expected) if p.expected else None,
                                  hint=_frenchify(p.hint) if p.hint else None))


def _validate(c: LqCase, name, text, errors):
    _problems(c, c.data, name, text, errors)


def _validate_changed(it: Item, name, text, errors):
    _problems(it._changed_case, it.changed, name, text, errors)


def ordered(data: dict) -> dict:
    """The case with its keys in the order of the case format."""
    return _order(data, SCHEMA)


def _order(v, spec):
    if isinstance(spec, dict) and isinstance(v, dict):
        out = {k: _order(v[k], spec[k]) for k in spec if k in v}
        out.update({k: x for k, x in v.items() if k not in spec})
        return out
    if isinstance(spec, list) and isinstance(v, list):
        return [_order(x, spec[0]) for x in v]
    return v

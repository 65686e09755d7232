"""The value of one fact as written in the language (docs/language.md) → the case format's value.

A date (ISO 8601 or « 1er décembre 2026 », within DATE_MIN .. DATE_MAX), a length
(« 3 ans », « dix-huit mois » → ISO 8601 ``P3Y``, ``P18M``), a State (its name or ISO 3166-1
code), oui/non, « inconnu » (``null``), « aucun » (none): docs/case-format.md says what each
path holds. A mistake is a :class:`Sem` at the span of the words, with what was expected.
"""
from __future__ import annotations

import re
from datetime import date

from ..dates import DATE_MAX, DATE_MIN, DATE_RANGE
from . import vocab
from .parser import Atom, Fact, Piece
from .errors import Span

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


def is_unknown(f: Fact) -> bool:
    return len(f.atoms) == 1 and len(f.atoms[0].pieces) == 1 and f.atoms[0].pieces[0].kind == "unknown"


def is_none(atoms: list[Atom]) -> bool:
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


def read_value(path: str, f: Fact, case=None):
    """The JSON value of a fact (``None`` for « inconnu »)."""
    kind = vocab.FIELDS[path][0]
    if is_unknown(f) and kind not in ("measure", "conviction"):
        return None
    if kind == "date":
        return read_date(_single(f, kind)).isoformat()
    if kind == "date_or_none":
        if is_none(f.atoms):
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
        if is_none(f.atoms):
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

"""JSON case format → lexquery text (``lexquery convert CASE.json --to lq``).

Every key present is written, ``null`` as « inconnu »; a key that is absent is not
written (unknown too). Reading the text back gives the same JSON case (tested over
every example). Values that the language cannot say (a value outside the format) are
refused with the JSON path: validate the JSON first.
"""
from __future__ import annotations

import json
import re
from datetime import date

from ..engine.case import read_case
from . import vocab
from .case_data import ordered
from .values import MONTH_NAMES

UNIT_WORDS = {"Y": ("an", "ans"), "M": ("mois", "mois"), "W": ("semaine", "semaines"), "D": ("jour", "jours")}


def say_date(iso: str) -> str:
    d = date.fromisoformat(iso)
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MONTH_NAMES[d.month - 1]} {d.year:04d}"


def say_duration(iso: str) -> str:
    if iso == "life":
        return "perpétuité"
    parts = re.findall(r"(\d+)([YMWD])", iso)
    return " ".join(f"{n} {UNIT_WORDS[u][0 if int(n) == 1 else 1]}" for n, u in parts) or "0 jour"


def say_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def say_bool(b) -> str:
    return "inconnu" if b is None else ("oui" if b else "non")


def say_state(code) -> str:
    return "inconnu" if code is None else vocab.state_name(code)


def say_measure(m: dict) -> str:
    kind = m.get("kind")
    out = [vocab.MEASURE_WRITE.get(kind, kind) if kind else "nature inconnue"]
    rest = []
    if "definitive" in m:
        if m["definitive"] is None:
            rest.append("définitive inconnue")
        else:
            out.append("définitive" if m["definitive"] else "temporaire")
    if "destination" in m:
        out.append("destination inconnue" if m["destination"] is None else f"vers {vocab.state_phrase(m['destination'])}")
    if "enforceable" in m:
        rest.append({True: "exécutoire", False: "non exécutoire", None: "exécutoire inconnu"}[m["enforceable"]])
    if "remedies_exhausted" in m:
        rest.append({True: "recours épuisés", False: "recours pendants", None: "recours inconnus"}[m["remedies_exhausted"]])
    if "end_date" in m:
        rest.append("fin inconnue" if m["end_date"] is None else f"fin {say_date(m['end_date'])}")
    return ", ".join([" ".join(out)] + rest)


def say_conviction(c: dict) -> str:
    out = []
    if "court" in c:
        out.append("tribunal inconnu" if c["court"] is None else say_string(c["court"]))
    if "date" in c:
        out.append("date inconnue" if c["date"] is None else say_date(c["date"]))
    if "final" in c:
        out.append({True: "définitive", False: "non définitive", None: "définitive inconnue"}[c["final"]])
    if "total" in c:
        out.append("durée inconnue" if c["total"] is None else say_duration(c["total"]))
    return ", ".join(out) or "tribunal inconnu"


def say(path: str, v) -> str:
    kind = vocab.FIELDS[path][0]
    if v is None:
        return "inconnu"
    if kind == "date":
        return say_date(v)
    if kind == "date_or_none":
        return "aucune" if v == "none" else say_date(v)
    if kind == "duration":
        return say_duration(v)
    if kind == "bool":
        return say_bool(v)
    if kind in ("str", "id"):
        return say_string(v)
    if kind == "state":
        return say_state(v)
    if kind == "states":
        return ", ".join(say_state(s) for s in v) if v else "aucune"
    if kind == "protection":
        return vocab.PROTECTION_WRITE[v]
    if kind == "json":
        return json.dumps(v, ensure_ascii=False)
    raise AssertionError(kind)  # pragma: no cover


SECTIONS = {"person": "# la personne", "detention": "# la détention", "sentence": "# la peine",
            "removal_measures": "# les mesures d'éloignement", "consent": "# les consentements",
            "dual_criminality": "# autres faits", "identification": "# l'audition (relevés signalétiques, CPP 55-1)"}
# the comments in English (``--lang en``); the statements stay in the language's words, which are French
SECTIONS_EN = {"person": "# the person", "detention": "# detention", "sentence": "# the sentence",
               "removal_measures": "# removal measures", "consent": "# consents", "dual_criminality": "# other facts",
               "identification": "# the hearing (identification records, CPP 55-1)"}


def case_to_lq(case: dict, source: str | None = None, lang: str = "fr") -> str:
    """One case (JSON case format) as lexquery text; the case is validated first. ``lang``: the
    language of the comments that head each part (the statements are the language's, French)."""
    sections = SECTIONS_EN if lang == "en" else SECTIONS
    read_case(case, source)   # refuse what the format refuses, with its JSON path
    c = ordered(case)
    lines = [f"cas {c['id']}"]
    if c.get("as_of") is not None:
        lines.append(f"au {say_date(c['as_of'])}")
    elif "as_of" in c:
        lines.append("date d'évaluation : inconnu")
    written = set()
    for path in vocab.FIELD_ORDER:
        if path in ("id", "as_of"):
            continue
        top = path.split(".")[0]
        parts = path.split(".")
        holder = c
        for k in parts[:-1]:
            holder = holder.get(k) if isinstance(holder, dict) else None
        if not isinstance(holder, dict) or parts[-1] not in holder:
            continue
        v = holder[parts[-1]]
        if vocab.FIELDS[path][0] == "section":
            if v == {}:
                lines.append(f"{vocab.field_name(path)} : {{}}")
            continue
        head = sections.get(top) if top not in written else None
        if head:
            lines.append(head)
        written.add(top)
        name = vocab.field_name(path)
        kind = vocab.FIELDS[path][0]
        if kind in ("measure", "conviction") and isinstance(v, list) and v:
            for item in v:
                lines.append(f"{name} : " + (say_measure(item) if kind == "measure" else say_conviction(item)))
        elif kind in ("measure", "conviction"):
            lines.append(f"{name} : " + ("inconnu" if v is None else "aucune"))
        else:
            lines.append(f"{name} : {say(path, v)}")
    return "\n".join(lines) + "\n"


def cases_to_lq(cases, lang: str = "fr") -> str:
    many = isinstance(cases, list)   # an array, even of one case: its problems are at [i]
    cases = cases if many else [cases]
    return "\n".join(case_to_lq(c, f"[{i}]" if many else None, lang) for i, c in enumerate(cases))

"""Citation strings (docs/design.md, "Citation strings"): formatting, parsing a user's
query ("728-11", "D541", "CP 132-23", "STE 112 art. 3", "Circ. 2025 §2.2"), and the
regex extraction of cross-references from the operative text of a provision.

Nothing here reads files; :mod:`lexquery.kb.provisions` uses these helpers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

BASE = "https://w3id.org/lexquery/law/"


@dataclass(frozen=True)
class Instrument:
    code: str            # as in law/ YAML: CPP, CP, STE112 ...
    slug: str            # IRI slug
    prefix: str          # citation prefix, before the number
    convention: bool     # labels joined with "." (art. 3 + 1.c -> art. 3.1.c)
    label_fr: str
    label_en: str


INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in [
    Instrument("CPP", "cpp", "CPP ", False, "Code de procédure pénale", "Code of Criminal Procedure"),
    Instrument("CP", "cp", "CP ", False, "Code pénal", "Criminal Code"),
    Instrument("STE112", "ste112", "STE 112 art. ", True,
               "Convention sur le transfèrement des personnes condamnées (STE n° 112)",
               "Convention on the Transfer of Sentenced Persons (ETS No. 112)"),
    Instrument("STE167", "ste167", "STE 167 art. ", True,
               "Protocole additionnel à la Convention sur le transfèrement (STE n° 167)",
               "Additional Protocol to the Convention on the Transfer of Sentenced Persons (ETS No. 167)"),
    Instrument("CETS222", "cets222", "STCE 222 art. ", True,
               "Protocole portant amendement au protocole additionnel (STCE n° 222)",
               "Protocol amending the Additional Protocol (CETS No. 222)"),
    Instrument("CVRC", "cvrc", "CVRC art. ", True,
               "Convention de Vienne sur les relations consulaires (1963)",
               "Vienna Convention on Consular Relations (1963)"),
    Instrument("DC2008-909", "dc2008-909", "DC 2008/909 art. ", True,
               "Décision-cadre 2008/909/JAI du Conseil",
               "Council Framework Decision 2008/909/JHA"),
    Instrument("CIRC2025", "circ2025", "Circ. 2025 §", False,
               "Circulaire du garde des Sceaux du 21 mars 2025 relative aux détenus étrangers",
               "Circular of the Minister of Justice of 21 March 2025 on foreign detainees"),
    Instrument("CPP2029", "cpp2029", "CPP-2029 ", False,
               "Code de procédure pénale (version 2029, ordonnance n° 2025-1091)",
               "Code of Criminal Procedure (2029 restatement, ordinance 2025-1091)"),
]}
_ALIASES = {"CETS 222": "CETS222", "STE222": "CETS222", "STCE222": "CETS222", "DC2008/909": "DC2008-909",
            "FD2008/909": "DC2008-909", "DC2008-909": "DC2008-909", "VCCR": "CVRC", "CIRC": "CIRC2025",
            "CPP-2029": "CPP2029", "NCPP": "CPP2029"}


# each instrument's citation prefix without the article mark (« Circ. 2025 » for « §… » and « n. … »),
# longest first (« CPP-2029 » before « CPP », « STE 167 » and « STE 112 » never prefixes of each other)
_BASES = sorted(((i.code, re.sub(r"(?: art\.| ?§)\s*$", "", i.prefix).rstrip() + " ") for i in INSTRUMENTS.values()),
                key=lambda x: -len(x[1]))


def instrument(code: str) -> Instrument:
    code = str(code).strip().upper().replace(" ", "")
    code = _ALIASES.get(code, code)
    return INSTRUMENTS[code]


def instrument_of(citation: str) -> str | None:
    """The code of the instrument a citation string belongs to (« Circ. 2025 §1.3 al. 2 » and
    « Circ. 2025 n. 1 » → CIRC2025, « CPP-2029 L5241-8 » → CPP2029), None when none: the
    longest citation prefix that begins it (docs/design.md « Citation strings »)."""
    c = str(citation)
    for code, base in _BASES:
        if c.startswith(base):
            return code
    return None


def article_citation(code: str, number: str) -> str:
    inst = instrument(code)
    number = str(number)
    if inst.code == "CIRC2025" and re.match(r"^n\.?\s*\d+$", number):
        return "Circ. 2025 n. " + re.sub(r"^n\.?\s*", "", number)
    return inst.prefix + number


def label_citation(code: str, art_citation: str, label: str) -> str:
    inst = instrument(code)
    label = str(label).strip()
    if inst.convention:
        return f"{art_citation}.{label.lstrip('.')}"
    return f"{art_citation} {label}"


def article_iri(code: str, number: str) -> str:
    return f"{BASE}{instrument(code).slug}/{slug_number(number)}"


def slug_number(number: str) -> str:
    s = re.sub(r"[^0-9A-Za-z.\-]+", "-", str(number).strip()).strip("-")
    return s or "x"


# --- user queries -------------------------------------------------------------------------

_Q_PATTERNS = [
    # (regex on the normalised query, instrument, group holding the rest)
    (re.compile(r"^(?:ste|ets|cets|stce)\s*(112|167|222)\s*(?:art(?:icle)?\.?\s*)?(.+)$"), None),
    (re.compile(r"^(?:cvrc|vccr|cv\s*1963)\s*(?:art(?:icle)?\.?\s*)?(.+)$"), "CVRC"),
    (re.compile(r"^(?:dc|fd|df)\s*2008\s*[/-]\s*909\s*(?:/ja[ih])?\s*(?:art(?:icle)?\.?\s*)?(.+)$"), "DC2008-909"),
    (re.compile(r"^circ(?:ulaire)?\.?\s*(?:2025)?\s*(n\.?\s*\d+.*)$"), "CIRC2025-note"),
    (re.compile(r"^circ(?:ulaire)?\.?\s*(?:2025)?\s*§?\s*(.+)$"), "CIRC2025"),
    (re.compile(r"^(?:cpp[- ]?2029|ncpp)\s*(?:art(?:icle)?\.?\s*)?l?\.?\s*(\d.*)$"), "CPP2029-L"),
    (re.compile(r"^cp(?!p)\s*(?:art(?:icle)?\.?\s*)?(.+)$"), "CP"),
    (re.compile(r"^(?:cpp\s*)?(?:art(?:icle)?\.?\s*)?([rda])\.?\s*(\d.*)$"), "CPP-letter"),
    (re.compile(r"^l\.?\s*(\d.*)$"), "CPP2029-L"),
    (re.compile(r"^(?:cpp\s*)?(?:art(?:icle)?\.?\s*)?(\d.*)$"), "CPP"),
]


def parse_query(text: str) -> str | None:
    """Turn what a user types into a canonical citation string (not checked against the KB)."""
    q = " ".join(str(text).replace("\u00a0", " ").split())
    if not q:
        return None
    low = q.lower()
    low = re.sub(r"\bal(?:in[ée]a)?\.?\s*(\d+)", r"al. \1", low)
    for rx, kind in _Q_PATTERNS:
        m = rx.match(low)
        if not m:
            continue
        if kind is None:
            code = {"112": "STE112", "167": "STE167", "222": "CETS222"}[m.group(1)]
            return _with_rest(code, m.group(2))
        if kind == "CIRC2025-note":
            return "Circ. 2025 n. " + re.sub(r"^n\.?\s*", "", m.group(1))
        if kind == "CPP-letter":
            return "CPP " + m.group(1).upper() + _restore(m.group(2))
        if kind == "CPP2029-L":
            return "CPP-2029 L" + _restore(m.group(1))
        return _with_rest(kind, m.group(1))
    return None


def _restore(rest: str) -> str:
    rest = rest.strip()
    rest = re.sub(r"\bal\. (\d+)", r"al. \1", rest)
    # Roman part labels back to upper case (720 i -> 720 I)
    rest = re.sub(r"(?<=\s)([ivx]+)\b", lambda m: m.group(1).upper(), rest)
    rest = rest.replace("°", "°")
    return rest


def _with_rest(code: str, rest: str) -> str:
    return instrument(code).prefix + _restore(rest)


def normalise(citation: str) -> str:
    """A loose key for 'did you mean' and case-insensitive lookup."""
    return re.sub(r"[\s.]+", " ", citation.lower()).strip()


# --- cross-references in text --------------------------------------------------------------

_NUM = r"(?:[LRDA]\.?\s?)?\d+(?:-\d+)*"
_REF = re.compile(
    r"(?P<kw>\barticles?\b|\bart\.\s?)?\s*"
    r"(?P<num>\b(?:[LRDA]\.?\s?\d+(?:-\d+)*|\d{2,4}(?:-\d+)+|\d{1,4})\b)"
    r"(?P<tail>(?:(?:\s*(?:,|et|à|ou))+\s*(?:\b[LRDA]\.?\s?)?\d+(?:-\d+)*\b)*)",  # "713-43 et, 713-44 et 720"
)
_NUMERO = re.compile(r"(?:\bn\s*[°o]\.?|\bnuméro|\bNo\.?)\s*$", re.I)
_LIST_SEP = re.compile(r"\s*(?:,|\bet\b|\bà\b|\bou\b)\s*")
_GAP = r"^(?:(?!articles?\b|\d+-\d)[^.;]){0,40}?"
_CODE_CP = re.compile(_GAP + r"\b(?:du code pénal|of the (?:French )?Criminal Code|of the Penal Code)\b", re.I)
_SAME_CODE = re.compile(_GAP + r"\bdu même code\b", re.I)
_CODE_CPP = re.compile(_GAP + r"\bdu (?:présent )?code de procédure pénale\b", re.I)
_OTHER = re.compile(r"^(?:(?!articles?\b|\d+-\d)[^.;]){0,60}?\b(?:de la loi|du code (?!pénal|de procédure pénale)|des codes? |"
                    r"of the (?!(?:French )?(?:Criminal|Penal) Code|Code of Criminal Procedure)[\w ]{0,30}Code|of Law|"
                    r"de l'ordonnance|du décret|de la convention\b|du traité|du règlement|"
                    r"de la directive|du CESEDA)\b", re.I)


def extract_refs(text: str, code: str, self_number: str | None = None) -> list[tuple[str, str]]:
    """Cross-references in ``text`` of a provision of instrument ``code``.

    Returns (instrument code, article number) pairs, in order, without duplicates and
    without self-references. Bare hyphenated numbers ("728-11") are taken as articles of
    a code; a bare plain number ("729") only after "article"/"art.".
    """
    out: list[tuple[str, str]] = []
    if not text:
        return out
    found = []   # (match, code of the target or None)
    last_code = None
    for m in _REF.finditer(text):
        before = text[max(0, m.start("num") - 12):m.start("num")]
        if _NUMERO.search(before):
            continue              # "loi n° 2024-42": a law's number, not an article
        after = text[m.end():]
        if _OTHER.match(after):
            continue
        target = None
        if _CODE_CP.match(after) or re.search(r"\bCP\s*$", before):
            target = "CP"
        elif _CODE_CPP.match(after) or re.search(r"\bCPP\s*$", before):
            target = "CPP"
        elif _SAME_CODE.match(after):
            target = last_code       # "l'article 132-80 du même code"
        last_code = target or last_code
        found.append([m, target])
    # "l'article 131-9 ou du second alinéa de l'article 131-11 du code pénal": both CP
    for i in range(len(found) - 2, -1, -1):
        m, t = found[i]
        m2, t2 = found[i + 1]
        between = text[m.end():m2.start()]
        if t is None and t2 and "alinéa" in between and not re.search(r"[.;:]", between) and len(between) < 70:
            found[i][1] = t2
    for m, explicit in found:
        nums = [m.group("num")] + [n for n in _LIST_SEP.split(m.group("tail") or "") if n.strip()]
        kw = bool(m.group("kw"))
        target = explicit or code
        for raw in nums:
            n = re.sub(r"\s+|\.", "", raw)
            if not n:
                continue
            letter = n[0].upper() if n[0].isalpha() else ""
            body = n[1:] if letter else n
            if letter == "L":
                if code not in ("CPP2029", "CIRC2025"):
                    continue          # "L. 211-27" in a current text: another code
                t, num = "CPP2029", "L" + body
            elif letter in ("R", "D", "A"):
                t, num = "CPP", letter + body
            else:
                if "-" not in body and not kw:
                    continue          # a bare "6" or "2021": not an article reference
                if "-" in body and target not in ("CPP", "CP", "CPP2029"):
                    t = "CPP"         # a hyphenated number in a convention/circular: a CPP article
                else:
                    t = target
                if t in ("CIRC2025",):
                    t = "CPP"
                num = body
                if t == "CPP2029" and not num.startswith("L"):
                    t = "CPP"
            if len(body.split("-")[0]) > 4 or (letter == "" and body.isdigit() and int(body) > 1000 and t != "CPP"):
                continue
            if (t, num) == (code, self_number) or (t, num) in out:
                continue
            out.append((t, num))
    return out

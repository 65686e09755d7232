"""Read a case in the public JSON case format (docs/case-format.md).

Absent or ``null`` means *unknown* and is dropped from the normalised case (rules
see UNKNOWN); ``false`` and ``[]`` are kept as known. Unknown keys (outside
``extensions``), wrong types and values outside an enumeration are reported with
their JSON path, the value, what was expected and the closest known key. Every
problem of a case is collected before raising one :class:`CaseError`.

Beyond types, the reader refuses what no real case can hold and the engine could not
compute with: a date outside :data:`DATE_MIN` .. :data:`DATE_MAX`, a sentence length of
zero or longer than :data:`MAX_SENTENCE_DAYS` (other than ``"life"``), an empty ``id``,
a nationality listed twice, France as ``receiving_state`` and ``extensions`` that is not
an object.
"""
from __future__ import annotations

import difflib
import re
from datetime import date

from ..dates import DATE_MAX, DATE_MIN, Duration, parse_date, parse_duration
from ..errors import CaseError, Problem, key_path
from .iso3166 import CODES

PROTECTION = ("none", "refugee", "subsidiary_protection", "asylum_pending")
REMOVAL_KINDS = ("ITF", "IATF", "OQTF", "IRTF", "ICTF", "expulsion", "extradition", "EAW")

# The contract's fields and their types ("state", "date", "duration", "bool", "str",
# "protection", "removal_kind", "date_or_none", lists and nested objects).
CONVICTION = {"court": "str", "date": "date", "final": "bool", "total": "duration"}
MEASURE = {"kind": "removal_kind", "definitive": "bool", "destination": "state",
           "enforceable": "bool", "remedies_exhausted": "bool", "end_date": "date"}
SCHEMA = {
    "id": "str", "as_of": "date",
    "person": {"name": "str", "birth_date": "date", "nationalities": ["state"],
               "habitual_residence": "state", "location": "state", "protection": "protection",
               "fled_to": "state", "protected_adult": "bool"},
    "detention": {"incarcerated": "bool", "establishment": "str", "entry_date": "date",
                  "last_list_date": "date", "next_cap_date": "date"},
    "sentence": {"final": "bool", "custodial": "bool", "total": "duration",
                 "execution_start": "date", "expected_end": "date", "safety_period_end": "date_or_none",
                 "legal_recidivism": "bool", "lsc_plein_droit_excluded": "bool",
                 "convictions": [CONVICTION]},
    "removal_measures": [MEASURE],
    "consent": {"transfer": "bool", "consular_notification": "bool"},
    "dual_criminality": "bool", "receiving_state": "state",
    "identification": {"suspect_hearing": "bool", "offence_max_penalty": "duration", "refuses_identity": "bool",
                       "false_identity": "bool", "prosecutor_authorisation": "bool"},
    "extensions": "any",
}

MAX_SENTENCE_DAYS = 200 * 12 * 30
"""Longest sentence length accepted other than ``"life"``: 200 years, a month counted as
thirty days (CPP 716-1), i.e. ``months * 30 + days <= 72 000``; fixed terms add up to far
less (CP 132-18, 132-20). With dates within DATE_MIN .. DATE_MAX, the engine's date
arithmetic (``dates.add_duration`` of a length or of a legal quantity of at most a few
decades, ``fraction_point`` between two dates of the case) stays within the years
1700 .. 2400, far inside what ``datetime.date`` can hold (1 .. 9999)."""

EXPECTED = {
    "str": "une chaîne de caractères", "bool": "true ou false (ou null si inconnu)",
    "date": "une date ISO 8601, ex. \"2026-12-01\"",
    "date_range": f"une date entre {DATE_MIN.isoformat()} et {DATE_MAX.isoformat()}",
    "duration_range": "une durée d'au plus 200 ans (P200Y, un mois compté pour trente jours selon CPP 716-1), "
                      "ou \"life\" pour une peine perpétuelle",
    "duration_nonzero": "une durée non nulle (\"P3Y\", \"P18M\", \"P10D\") ou \"life\" : "
                        "une peine privative de liberté a une durée",
    "duration": "une durée ISO 8601 (\"P3Y\", \"P18M\", \"P2Y6M\") ou \"life\"",
    "date_or_none": "une date ISO 8601, \"none\" (pas de période de sûreté) ou null (inconnu)",
    "state": "un code ISO 3166-1 alpha-2 en majuscules, ex. \"RO\"",
    "protection": " | ".join(PROTECTION), "removal_kind": " | ".join(REMOVAL_KINDS),
}


class _Reader:
    def __init__(self):
        self.problems: list[Problem] = []

    def bad(self, path, msg, expected=None, hint=None):
        self.problems.append(Problem(path, msg, expected, hint))

    def value(self, spec, v, path):
        """Return the normalised value, or raise _Skip after recording a problem."""
        if isinstance(spec, dict):
            return self.obj(spec, v, path)
        if isinstance(spec, list):
            if not isinstance(v, list):
                self.bad(path, f"liste attendue, trouvé {_show(v)}", "une liste JSON [...] ([] = aucun)")
                raise _Skip
            out = []
            first: dict = {}   # a State listed twice (nationalities): the repeat is reported
            for i, item in enumerate(v):
                try:
                    nv = self.value(spec[0], item, f"{path}[{i}]")
                except _Skip:
                    continue
                if spec[0] == "state":
                    if nv in first:
                        self.bad(f"{path}[{i}]", f"« {nv} » répété (déjà en [{first[nv]}])",
                                 "chaque État une seule fois", "retirez le doublon")
                        continue
                    first[nv] = i
                if nv is not None:
                    out.append(nv)
            return out
        if spec == "any":   # extensions: the project's own additions, an object
            if not isinstance(v, dict):
                self.bad(path, f"objet attendu, trouvé {_show(v)}", "un objet JSON {...} ({} = aucun ajout)",
                         "les ajouts propres au projet s'écrivent \"extensions\": {\"clé\": valeur}")
                raise _Skip
            return v
        ok, nv = _scalar(spec, v)
        if ok and nv is not None and spec in _BOUNDED:
            bad = _out_of_bounds(spec, v, nv)
            if bad:
                self.bad(path, *bad)
                raise _Skip
        if not ok:
            hint = None
            if spec == "state" and isinstance(v, str) and v.upper() in CODES and v != v.upper():
                hint = f"écrivez « {v.upper()} »"
            elif spec in ("protection", "removal_kind") and isinstance(v, str):
                options = PROTECTION if spec == "protection" else REMOVAL_KINDS
                same = [o for o in options if o.lower() == v.strip().lower()]
                close = same or difflib.get_close_matches(v, options, n=1)
                hint = (f"écrivez « {same[0]} »" if same else
                        f"vouliez-vous dire « {close[0]} » ?" if close else None)
            else:
                hint = _written_otherwise(spec, v)
            self.bad(path, f"valeur invalide {_show(v)}", EXPECTED[spec], hint)
            raise _Skip
        return nv

    def obj(self, spec, v, path):
        if not isinstance(v, dict):
            self.bad(path, f"objet attendu, trouvé {_show(v)}", "un objet JSON {...}")
            raise _Skip
        out = {}
        for k, item in v.items():
            if item is None and k in spec:
                continue  # unknown
            p = f"{path}.{k}" if path != "$" else k
            if k not in spec:
                p = key_path(path, k)
                close = difflib.get_close_matches(k, list(spec), n=1, cutoff=0.5)
                self.bad(p, f"clé inconnue « {k} »" if k else "clé vide « » (un nom de clé est attendu)",
                         "une des clés : " + ", ".join(spec),
                         f"vouliez-vous dire « {close[0]} » ?" if close else
                         "les ajouts propres au projet vont sous \"extensions\"")
                continue
            if item is None:
                continue  # unknown
            try:
                out[k] = self.value(spec[k], item, p)
            except _Skip:
                pass
        return out


_FR_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_FR_LENGTH = re.compile(r"(?:(\d+)\s*ans?)?\s*(?:et\s+)?(?:(\d+)\s*mois)?\s*(?:et\s+)?(?:(\d+)\s*jours?)?",
                        re.IGNORECASE)


def _written_otherwise(spec, v) -> str | None:
    """A hint for a value written the way a registry writes it rather than as the format asks:
    « 01/06/2025 » (day/month/year), « 3 ans », « 2 ans 6 mois », « perpétuité », « Roumanie »."""
    if not isinstance(v, str):
        return None
    t = v.strip()
    if spec in ("date", "date_or_none"):
        m = _FR_DATE.fullmatch(t)
        if m:
            d, mo, y = (int(x) for x in m.groups())
            try:
                iso = date(y, mo, d).isoformat()
            except ValueError:
                return None
            return f"si « {t} » est jour/mois/année, écrivez « {iso} » (année-mois-jour)"
    elif spec == "duration":
        if t.lower().replace("é", "e") in ("perpetuite", "a perpetuite", "perpetuelle"):
            return "écrivez « life » (peine perpétuelle)"
        m = _FR_LENGTH.fullmatch(t)
        if m and any(m.groups()):
            y, mo, d = m.groups()
            return "écrivez « P" + (f"{y}Y" if y else "") + (f"{mo}M" if mo else "") + (f"{d}D" if d else "") + " »"
    elif spec == "state":
        from ..kb.states import state_of   # names of States (reference/states.yaml): only on this error path
        code = state_of(t)
        if code:
            return f"écrivez le code « {code} »"
    return None


class _Skip(Exception):
    pass


def _show(v) -> str:
    import json
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 60 else s[:57] + "..."


_PARSED: dict = {}   # (kind, text) -> date or Duration: both immutable, the same text parses the same


def _parsed(kind, parse, text):
    hit = _PARSED.get((kind, text))
    if hit is None:
        if len(_PARSED) > 200_000:  # bounded: a screening file has few distinct dates
            _PARSED.clear()
        hit = _PARSED[(kind, text)] = parse(text)
    return hit


def _scalar(spec, v):
    try:
        if spec == "str":
            return isinstance(v, str), v
        if spec == "bool":
            return isinstance(v, bool), v
        if spec == "date":
            return (True, _parsed("d", parse_date, v)) if isinstance(v, str) else (False, None)
        if spec == "date_or_none":
            if v == "none":
                return True, None
            return (True, _parsed("d", parse_date, v)) if isinstance(v, str) else (False, None)
        if spec == "duration":
            return (True, _parsed("p", parse_duration, v)) if isinstance(v, str) else (False, None)
        if spec == "state":
            return isinstance(v, str) and v in CODES, v
        if spec == "protection":
            return v in PROTECTION, v
        if spec == "removal_kind":
            return v in REMOVAL_KINDS, v
    except ValueError:
        return False, None
    raise AssertionError(spec)  # pragma: no cover


_BOUNDED = frozenset({"date", "date_or_none", "duration"})


def _out_of_bounds(spec, text, nv):
    """(message, expected, hint) for a well-formed date or length that no case can hold, else None."""
    if spec == "duration":
        if text == "life":
            return None
        if nv.months == 0 and nv.days == 0:
            return (f"durée nulle {_show(text)}", EXPECTED["duration_nonzero"],
                    "une durée inconnue s'écrit null")
        if nv.months * 30 + nv.days > MAX_SENTENCE_DAYS:
            return (f"durée trop longue {_show(text)}", EXPECTED["duration_range"],
                    "vérifiez le nombre d'années (une peine perpétuelle s'écrit \"life\")")
        return None
    if DATE_MIN <= nv <= DATE_MAX:
        return None
    return (f"date hors de la plage admise {_show(text)}", EXPECTED["date_range"],
            "vérifiez l'année (une date inconnue s'écrit null, pas une date fictive)")


def read_case(data, source: str | None = None, default_as_of: date | None = None) -> dict:
    """Validate and normalise one case; raise CaseError listing every problem.

    A well-formed case is read by :func:`_read_case_fast` (generated from SCHEMA); anything
    else — an unknown key, a wrong type or value, a cross-field problem — by
    :func:`_read_case_generic`, which finds and words every problem. Both give the same
    normalised case (tests/test_case_reader_fast.py)."""
    try:
        case = _read_case_fast(data)
    except Exception:   # any irregularity: the generic reader says what (or accepts it)
        return _read_case_generic(data, source, default_as_of)
    if "as_of" not in case:
        case["as_of"] = default_as_of or date.today()
    return case


def _read_case_generic(data, source: str | None = None, default_as_of: date | None = None) -> dict:
    """Validate and normalise one case, collecting every problem (the reference reader)."""
    r = _Reader()
    if not isinstance(data, dict):
        raise CaseError([Problem("$", f"objet JSON attendu pour un cas, trouvé {_show(data)}")], source)
    try:
        case = r.obj(SCHEMA, data, "$")
    except _Skip:  # pragma: no cover
        case = {}
    if "id" not in case and not any(p.where == "id" for p in r.problems):
        r.bad("id", "identifiant du cas manquant", "une chaîne unique dans le lot, ex. \"ionescu-2026\"")
    elif "id" in case and not case["id"].strip():
        r.bad("id", f"identifiant vide {_show(case['id'])}", "une chaîne non vide, unique dans le lot, "
              "ex. \"ionescu-2026\"", "donnez au cas un identifiant (nom, numéro d'écrou…)")
    if case.get("receiving_state") == "FR":
        r.bad("receiving_state", "État de réception « FR » : la France est ici l'État de condamnation",
              "le code d'un autre État, celui de l'exécution ou du transfèrement (ex. \"RO\")",
              "laissez receiving_state à null pour examiner chaque État que désignent les faits")
    s = case.get("sentence", {})
    if s.get("execution_start") and s.get("expected_end") and s["expected_end"] < s["execution_start"]:
        r.bad("sentence.expected_end", f"fin de peine {s['expected_end']} antérieure au début d'exécution "
              f"{s['execution_start']}", "une date postérieure à sentence.execution_start")
    if r.problems:
        raise CaseError(r.problems, source)
    if "as_of" not in case:
        case["as_of"] = default_as_of or date.today()
    return case


# --- the fast reader: one pass over a well-formed case, generated from SCHEMA -----------------
class _Fallback(Exception):
    """Not a well-formed case: let the generic reader find (and word) the problems."""


_FAST_DATES: dict = {}       # text -> date within the bounds (only good texts are kept)
_FAST_LENGTHS: dict = {}     # text -> Duration within the bounds


def _good(spec, parse, cache: dict, text):
    """The value of ``text`` if the reader accepts it as is (well-formed and within the
    bounds of :func:`_out_of_bounds`), cached in ``cache``; else None."""
    if text.__class__ is not str:
        return None
    try:
        v = parse(text)
    except ValueError:
        return None
    if _out_of_bounds(spec, text, v):
        return None
    if len(cache) > 200_000:   # bounded: a file has few distinct dates and lengths
        cache.clear()
    cache[text] = v
    return v


def good_date(text) -> date | None:
    """The date of ``text`` if the reader accepts it as is (ISO, within the bounds), else None.
    For fast paths: look in ``_FAST_DATES`` first (what this function caches)."""
    return _good("date", parse_date, _FAST_DATES, text)


def good_length(text) -> Duration | None:
    """The length of ``text`` if the reader accepts it as is (ISO or life, within the
    bounds), else None. For fast paths: look in ``_FAST_LENGTHS`` first."""
    return _good("duration", parse_duration, _FAST_LENGTHS, text)


def _or_fallback(good):
    """``good`` for the fast reader: a value not accepted as is raises _Fallback."""
    def read(text):
        v = good(text)
        if v is None:
            raise _Fallback
        return v
    return read


_fast_date, _fast_length = _or_fallback(good_date), _or_fallback(good_length)


# statements that check ``v`` (never None) and store its normalised value at o[key]
_FAST_SCALAR = {
    "str": ["if v.__class__ is not str: raise _Fallback", "o[{k}] = v"],
    "bool": ["if v is not True and v is not False: raise _Fallback", "o[{k}] = v"],
    "date": ["x = _FAST_DATES.get(v)", "o[{k}] = _fast_date(v) if x is None else x"],
    "date_or_none": ["if v == 'none':", "    o[{k}] = None", "else:", "    x = _FAST_DATES.get(v)",
                     "    o[{k}] = _fast_date(v) if x is None else x"],
    "duration": ["x = _FAST_LENGTHS.get(v)", "o[{k}] = _fast_length(v) if x is None else x"],
    "state": ["if v not in _CODES: raise _Fallback", "o[{k}] = v"],
    "protection": ["if v not in _PROTECTION: raise _Fallback", "o[{k}] = v"],
    "removal_kind": ["if v not in _REMOVAL_KINDS: raise _Fallback", "o[{k}] = v"],
    "any": ["if v.__class__ is not dict: raise _Fallback", "o[{k}] = v"],
}
# the rules beyond types of the generic reader, on one key (the others in _read_case_fast)
_FAST_EXTRA = {
    ("", "receiving_state"): ["if v == 'FR': raise _Fallback"],
}


def _fast_source(spec: dict, name: str, path: str, out: list[str]) -> None:
    """Append the source of ``name(d)``: the normalised object of ``spec``, or _Fallback."""
    subs = []
    body = [f"def {name}(d):",
            "    if d.__class__ is not dict: raise _Fallback",
            "    o = {}",
            "    for k, v in d.items():",
            "        if v is None:",
            f"            if k in {tuple(spec)!r}: continue",
            "            raise _Fallback"]
    for i, (key, t) in enumerate(spec.items()):
        body.append(f"        {'if' if i == 0 else 'elif'} k == {key!r}:")
        lines = list(_FAST_EXTRA.get((path, key), []))
        if isinstance(t, dict):
            sub = f"{name}_{key}"
            subs.append((t, sub, key))
            lines.append(f"o[{key!r}] = {sub}(v)")
        elif isinstance(t, list) and isinstance(t[0], dict):
            sub = f"{name}_{key}"
            subs.append((t[0], sub, f"{key}[]"))
            lines += ["if v.__class__ is not list: raise _Fallback", f"o[{key!r}] = [{sub}(x) for x in v]"]
        elif isinstance(t, list):
            assert t[0] == "state", t   # a list of States (nationalities): each once
            lines += ["if v.__class__ is not list: raise _Fallback",
                      "for x in v:",
                      "    if x not in _CODES: raise _Fallback",
                      "if len(v) > 1 and len(set(v)) < len(v): raise _Fallback",
                      f"o[{key!r}] = v[:]"]
        else:
            lines += [x.replace("{k}", repr(key)) for x in _FAST_SCALAR[t]]
        body += ["            " + x for x in lines]
    body += ["        else:", "            raise _Fallback", "    return o", ""]
    out += body
    for t, sub, p in subs:
        _fast_source(t, sub, p, out)


def _compile_fast():
    lines: list[str] = []
    _fast_source(SCHEMA, "_fast_case", "", lines)
    src = "\n".join(lines)
    ns = {"_Fallback": _Fallback, "_FAST_DATES": _FAST_DATES, "_FAST_LENGTHS": _FAST_LENGTHS,
          "_fast_date": _fast_date, "_fast_length": _fast_length, "_CODES": CODES,
          "_PROTECTION": frozenset(PROTECTION), "_REMOVAL_KINDS": frozenset(REMOVAL_KINDS)}
    exec(compile(src, "<lexquery.engine.case: fast reader generated from SCHEMA>", "exec"), ns)
    return ns["_fast_case"], src


_fast_case, _FAST_SOURCE = _compile_fast()


def _read_case_fast(data) -> dict:
    """The normalised case of a well-formed ``data`` (as the generic reader gives it, without
    the default ``as_of``); raises (_Fallback or any error) at the first irregularity."""
    case = _fast_case(data)
    cid = case.get("id")
    if cid is None or not cid.strip():
        raise _Fallback
    s = case.get("sentence")
    if s is not None:
        start, end = s.get("execution_start"), s.get("expected_end")
        if start is not None and end is not None and end < start:
            raise _Fallback
    return case

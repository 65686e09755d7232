"""A case being written in the language: its JSON data (docs/case-format.md) and where each
value was written (line and column), fact after fact.

:func:`apply_fact` sets one fact (a second time only for « et si … ? »), :func:`ordered`
gives the keys in the format's order.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.case import SCHEMA
from . import vocab
from .errors import Span
from .measures import read_conviction, read_measure
from .parser import Fact
from .values import Sem, is_none, is_unknown, read_value


@dataclass
class LqCase:
    data: dict
    header: Span
    spans: dict = field(default_factory=dict)       # JSON path → span of the value
    keys: dict = field(default_factory=dict)        # JSON path → span of the fact's name



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
            if is_unknown(f):
                set_path(case.data, path, None)
            elif is_none(f.atoms):
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

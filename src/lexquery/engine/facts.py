"""Facts of a case the case format settles from other facts, and the values an unknown fact
can take.

- :func:`apply_defaults`: docs/case-format.md defines some facts from others (``person.location``
  is FR for a person detained in France). The definitions are data — ``defaults:`` of the rule
  files (rules/common.yaml), each with its sources — and are applied to the normalised case
  before any rule is evaluated, only where the case leaves the fact unknown.
- :func:`domain`: the values an unknown fact can take, for the proof that it cannot change an
  answer (:mod:`lexquery.engine.prove`): both values of a boolean, every value of an
  enumeration (case.SCHEMA), the two ends of a date's range when ``bounds:`` declares one
  (``none`` included when the format allows it). Other facts (States, lists, free dates) have
  no finite domain here and stay unknown.
"""
from __future__ import annotations

import re

from ..rules.values import UNKNOWN
from .case import PROTECTION, REMOVAL_KINDS, SCHEMA
from .env import Env

_ITEM = re.compile(r"^([a-z_]+)\[(\d+)\]$")


_PARTS: dict = {}


def _parts(path: str) -> tuple:
    """``removal_measures[0].enforceable`` → ("removal_measures", 0, "enforceable") (cached:
    the rules read few distinct paths)."""
    hit = _PARTS.get(path)
    if hit is None:
        out: list = []
        for part in path.split("."):
            m = _ITEM.match(part)
            if m:
                out += [m.group(1), int(m.group(2))]
            else:
                out.append(part)
        if len(_PARTS) > 10_000:
            _PARTS.clear()
        hit = _PARTS[path] = tuple(out)
    return hit


def get_path(case: dict, path: str):
    """The value at ``path`` in a normalised case, or UNKNOWN when absent."""
    v = case
    for k in _parts(path):
        if isinstance(k, int):
            if not isinstance(v, list) or k >= len(v):
                return UNKNOWN
            v = v[k]
        elif isinstance(v, dict) and k in v:
            v = v[k]
        else:
            return UNKNOWN
    return v


def set_path(case: dict, path: str, value) -> dict | None:
    """A copy of ``case`` (copied only along ``path``) with ``value`` at ``path``; None when
    the path cannot hold a value (an item of a list that is not there)."""
    parts = _parts(path)
    out = dict(case)
    cur = out
    for i, k in enumerate(parts[:-1]):
        nxt = cur.get(k) if isinstance(cur, dict) else (cur[k] if isinstance(k, int) and k < len(cur) else None)
        if nxt is None:
            if isinstance(parts[i + 1], int):
                return None
            nxt = {}
        nxt = list(nxt) if isinstance(nxt, list) else dict(nxt)
        cur[k] = nxt
        cur = nxt
    cur[parts[-1]] = value
    return out


def apply_defaults(case: dict, book, ref=None, as_of=None) -> tuple[dict, list[dict]]:
    """The case with the facts that ``defaults:`` defines from other facts filled in where
    they are unknown, and the list of what was so derived (``{fact, value, sources,
    contract}``), in the order of the rule files. A default whose ``when`` is not true (false
    or unknown) is not applied."""
    if not book.defaults:
        return case, []
    derived = []
    for d in book.defaults:
        if get_path(case, d.path) is not UNKNOWN:
            continue
        env = Env(case, as_of or case.get("as_of"), None, book, ref, explain=False)
        if d.when.fn(env) is not True:
            continue
        v = d.value.fn(env)
        if v is UNKNOWN:
            continue
        new = set_path(case, d.path, v)
        if new is None:
            continue
        case = new
        derived.append({"fact": d.path, "value": v, "sources": list(d.sources),
                        **({"contract": d.contract} if d.contract else {})})
    return case, derived


def default_reads(book) -> set[str]:
    """Every fact path the ``when`` and ``value`` of ``defaults:`` read, through derived values
    too (computed once per rule book): a case differing elsewhere needs no new defaults."""
    hit = book.__dict__.get("_default_reads")
    if hit is None:
        hit, seen = set(), set()
        todo = [e for d in book.defaults for e in (d.when, d.value)]
        while todo:
            e = todo.pop()
            hit |= e.facts
            for n in e.names:
                if n in book.derived and n not in seen:
                    seen.add(n)
                    todo.append(book.derived[n])
        book.__dict__["_default_reads"] = hit
    return hit


def derived_reads(book) -> dict[str, set[str]]:
    """For each derived value, every fact path it reads, through other derived values too
    (computed once per rule book)."""
    hit = book.__dict__.get("_derived_reads")
    if hit is None:
        hit = {}

        def reads(n, stack=()):
            if n not in hit:
                e = book.derived[n]
                out = set(e.facts)
                for m in e.names:
                    if m in book.derived and m not in stack:
                        out |= reads(m, stack + (n,))
                hit[n] = out
            return hit[n]
        for n in book.derived:
            reads(n)
        book.__dict__["_derived_reads"] = hit
    return hit


_SPECS: dict = {}


def _spec(path: str):
    """The case-format type of ``path`` (case.SCHEMA), or None (cached)."""
    hit = _SPECS.get(path, _SPECS)
    if hit is _SPECS:
        if len(_SPECS) > 10_000:
            _SPECS.clear()
        hit = _SPECS[path] = _spec_of(path)
    return hit


def _spec_of(path: str):
    spec = SCHEMA
    for k in _parts(path):
        if isinstance(k, int):
            if not isinstance(spec, list) or not isinstance(spec[0], dict):
                return None
            spec = spec[0]
        elif isinstance(spec, dict) and k in spec:
            spec = spec[k]
        else:
            return None
    return spec


_ENUMS = {"bool": (True, False), "protection": PROTECTION, "removal_kind": REMOVAL_KINDS}


def domain(case: dict, path: str, book, ref=None, as_of=None) -> list | None:
    """The values ``path`` can take in ``case`` (see the module docstring), or None."""
    spec = _spec(path)
    if isinstance(spec, str) and spec in _ENUMS:
        return list(_ENUMS[spec])
    if spec in ("date", "date_or_none"):
        for b in book.bounds:
            if b.path != path:
                continue
            env = Env(case, as_of or case.get("as_of"), None, book, ref, explain=False)
            if b.when is not None and b.when.fn(env) is not True:
                return None
            lo, hi = b.min.fn(env), b.max.fn(env)
            if lo is UNKNOWN or hi is UNKNOWN or lo is None or hi is None or hi < lo:
                return None
            vals = [lo] if lo == hi else [lo, hi]
            if b.none and spec == "date_or_none":
                vals.append(None)
            return vals
    return None

"""The compiled form of the rule files: procedures, conditions, notes, precedence.

Built once by :mod:`lexquery.rules.loader` from ``rules/*.yaml``; evaluated per case
by :mod:`lexquery.engine.evaluate`. Nothing here knows any legal content.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .expr_scope import Compiled


@dataclass
class Condition:
    """One condition of a procedure, citing the provisions it rests on.

    kinds: ``test`` (met / not_met / unknown), ``assess`` (to_assess: a magistrate's
    appreciation or a foreign State's agreement; ``requires`` can still make it
    not_met or unknown), ``from`` / ``until`` (date conditions), ``any_of`` / ``all_of``.
    """
    id: str
    label: dict
    sources: list[str]
    kind: str
    expr: Compiled | None = None          # test / date expression
    requires: Compiled | None = None      # for assess
    met_if: Compiled | None = None        # for from/until: met without a date
    when: Compiled | None = None          # the condition applies only when true
    children: list["Condition"] = field(default_factory=list)
    explain: dict | None = None           # why the condition exists, in words
    facts: list[str] = field(default_factory=list)
    valid_from: date | None = None        # the period its text is encoded for (``valid:``):
    valid_until: date | None = None       # outside it the condition is unknown (not guessed)
    valid_note: dict | None = None        # why, in words (e.g. the amending law and its date)
    law_period: tuple = (None, None)      # ``valid: {from, until}`` as written (a gap or a numbering):
                                          # the law it applies changes on these dates (engine/in_time.py)


@dataclass
class Note:
    """A step, warning, authority or deadline shown with the answer (not a condition)."""
    id: str
    kind: str
    text: dict
    sources: list[str]
    values: dict[str, Compiled] = field(default_factory=dict)
    when: Compiled | None = None
    date: Compiled | None = None
    verify: bool = False    # a `warning` to check by hand: listed in the answer's `to_verify`
    always: bool = False    # shown even when the procedure does not apply (`duty`, or `always: true`)
    law_period: tuple = (None, None)   # ``valid: {from, until}`` as written (folded into ``when``;
                                       # kept for the list of rule ids, docs/coverage.md)


@dataclass
class Procedure:
    id: str
    label: dict
    sources: list[str]
    file: str
    per_state: bool | str = False
    order: int = 100
    valid_from: date | None = None
    valid_until: date | None = None
    exclusive_group: str | None = None
    consent_required: Compiled | None = None
    consent_sources: list[str] = field(default_factory=list)
    until: Compiled | None = None          # an explicit deadline (not a condition)
    until_label: dict | None = None
    basis: str | None = None               # an `any_of` whose alternatives are the legal bases (paths)
    asked_when: Compiled | None = None     # answered only for a case where this holds (the question's subject)
    conditions: list[Condition] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    routes: list["Procedure"] = field(default_factory=list)
    # a route: the conditions of its procedure it stands in for (``replaces:``); the route
    # then opens the procedure by itself, with the procedure's other conditions
    replaces: list[str] = field(default_factory=list)
    valid_note: dict | None = None        # why the route's period is what it is, in words
    # ``valid: {published: {on, source}}`` (a procedure only): the day the text opening its
    # period was published, and where that is stated — from that day to the eve of
    # ``valid_from`` the procedure is answered under the law of ``valid_from`` (engine/in_time.py)
    published: date | None = None
    published_source: str | None = None


@dataclass
class Precedence:
    """Two procedures that can both conclude: which prevails, when, and on what basis."""
    id: str
    prevails: str
    over: str
    when: Compiled
    sources: list[str]
    reason: dict
    until: Compiled | None = None   # the last day it holds, when known (a date, or none: no known end)


@dataclass
class FactDefault:
    """A fact the case format defines from other facts when the case leaves it unknown
    (``defaults:`` of a rule file): ``path`` takes ``value`` when ``when`` is true."""
    path: str
    value: Compiled
    when: Compiled
    sources: list[str]
    contract: str = ""
    note: dict | str | None = None


@dataclass
class FactBound:
    """The range an unknown date fact can take given the other facts (``bounds:`` of a rule
    file): from ``min`` to ``max``, or none at all when ``none`` (e.g. no safety period)."""
    path: str
    min: Compiled
    max: Compiled
    sources: list[str]
    none: bool = False
    when: Compiled | None = None
    note: dict | str | None = None


@dataclass
class RuleBook:
    procedures: dict[str, Procedure]
    precedence: list[Precedence]
    constants: dict
    derived: dict[str, Compiled]
    derived_sources: dict[str, list[str]]
    constant_sources: dict[str, list[str]]
    files: list[str]
    digest: str
    # no derived value reads the State, ``from_date`` or a condition: they depend on the
    # case (and the date of evaluation) only, and can be computed once per case
    derived_per_case: bool = False
    scope: object = None          # the names expressions may use (to compile them again)
    defaults: list[FactDefault] = field(default_factory=list)   # facts defined by other facts
    bounds: list[FactBound] = field(default_factory=list)       # ranges of unknown date facts
    # constants whose value depends on the date (``periods:``): the periods encoded, in words
    periods: dict = field(default_factory=dict)
    # the parsed rule files ``[(path, document)]`` the book was compiled from (read only): a
    # simulated reform derives its own book from them (lexquery.engine.reform)
    docs: list = field(default_factory=list, repr=False)

    def compiled(self):
        """Every compiled expression of the book, with where it comes from."""
        out = [(c, f"derived/{n}") for n, c in self.derived.items()]
        for d in self.defaults:
            out += [(d.value, f"defaults/{d.path}"), (d.when, f"defaults/{d.path}/when")]
        for bd in self.bounds:
            out += [(e, f"bounds/{bd.path}") for e in (bd.min, bd.max, bd.when) if e is not None]

        def conds(pid, cs):
            for c in cs:
                for e in (c.expr, c.requires, c.met_if, c.when):
                    if e is not None:
                        out.append((e, f"{pid}/{c.id}"))
                conds(pid, c.children)

        def proc(p):
            for e in (p.consent_required, p.until, p.asked_when):
                if e is not None:
                    out.append((e, p.id))
            conds(p.id, p.conditions)
            for n in p.notes:
                for e in [n.when, n.date, *n.values.values()]:
                    if e is not None:
                        out.append((e, f"{p.id}/{n.id}"))
            for r in p.routes:
                proc(r)
        for p in self.procedures.values():
            proc(p)
        out += [(e, pr.id) for pr in self.precedence for e in (pr.when, pr.until) if e is not None]
        return out

    def citations(self):
        """Every (citation, where) pair the rules make — for the KB checks."""
        out = []
        for name, srcs in {**self.constant_sources, **self.derived_sources}.items():
            out += [(s, name) for s in srcs]
        for d in [*self.defaults, *self.bounds]:
            out += [(s, d.path) for s in d.sources]

        def walk_conds(proc_id, conds):
            for c in conds:
                out.extend((s, f"{proc_id}/{c.id}") for s in c.sources)
                walk_conds(proc_id, c.children)

        def walk(p):
            out.extend((s, p.id) for s in p.sources + p.consent_sources)
            walk_conds(p.id, p.conditions)
            for n in p.notes:
                out.extend((s, f"{p.id}/{n.id}") for s in n.sources)
            for r in p.routes:
                walk(r)
        for p in self.procedures.values():
            walk(p)
        for pr in self.precedence:
            out.extend((s, pr.id) for s in pr.sources)
        return out

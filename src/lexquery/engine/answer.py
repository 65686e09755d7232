"""The structured answer (one object, several renderings — STYLE.md §8).

``Answer.to_dict()`` is exactly the public JSON answer format
(docs/answer-format.md), with a few added keys (labels, notes,
routes, evidence, candidates) that the contract allows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


def _iso(d):
    return d.isoformat() if isinstance(d, date) else d


STATUS_WORDS = {"fr": {"applicable": "applicable", "applicable_later": "applicable plus tard",
                       "not_applicable": "non applicable", "undetermined": "indéterminé"},
                "en": {"applicable": "applicable", "applicable_later": "applicable later",
                       "not_applicable": "not applicable", "undetermined": "undetermined"}}
"""A procedure's status in words, lower case (docs/answer-format.md « Statuses »): said by the
engine in a ``to_verify`` entry's text (engine/verify.py, the other reading of a month's end) and
by the renderings (render/ics.py)."""


@dataclass(slots=True)
class CondResult:
    id: str
    label: dict
    status: str                 # met | not_met | unknown | to_assess
    sources: list[str]
    facts: list[str]
    kind: str = "test"
    date: date | None = None    # the date of a date condition
    pending: bool = False       # not met today, met on `date`
    missing: list[str] = field(default_factory=list)
    children: list["CondResult"] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)
    explain: dict | None = None

    def to_dict(self, lang="fr") -> dict:
        d = {"id": self.id, "label": self.label.get(lang) or self.label.get("fr"),
             "status": self.status, "sources": list(self.sources), "facts": list(self.facts)}
        if self.date is not None:
            d["date"] = _iso(self.date)
        if self.pending:
            d["reached_on"] = _iso(self.date)
        if self.missing:
            d["missing_facts"] = list(self.missing)
        if self.evidence:
            d["evidence"] = self.evidence
        if self.children:
            d["conditions"] = [c.to_dict(lang) for c in self.children]
        return d


@dataclass(slots=True, frozen=True)
class NoteResult:
    """A note of an answer. Immutable: a note result may be shared (one object in
    several answers), so a caller changing a note builds a new one
    (``dataclasses.replace``, engine/recodification.py)."""
    id: str
    kind: str
    text: str
    sources: tuple[str, ...]
    date: date | None = None
    verify: bool = False        # the rule marks it ``verify: true``: it rests on [I]/[U] evidence
    always: bool = False        # shown even when the procedure does not apply (rules/README.md « Notes »)

    def __post_init__(self):
        if not isinstance(self.sources, tuple):
            object.__setattr__(self, "sources", tuple(self.sources))

    def to_dict(self) -> dict:
        d = {"id": self.id, "kind": self.kind, "text": self.text, "sources": list(self.sources)}
        if self.date is not None:
            d["date"] = _iso(self.date)
        if self.verify:
            d["verify"] = True
        return d


@dataclass
class ProcedureResult:
    procedure: str
    label: dict
    state: str | None
    status: str
    date_from: date | None
    date_until: date | None
    consent_required: bool | None
    conditions: list[CondResult]
    missing_facts: list[str]
    sources: list[str]
    notes: list[NoteResult] = field(default_factory=list)
    routes: list["ProcedureResult"] = field(default_factory=list)
    set_aside_by: dict | None = None
    to_verify: list[dict] = field(default_factory=list)
    state_reasons: list[str] = field(default_factory=list)
    consent_defined: bool = False
    until_label: dict | None = None   # the rule's wording of ``until`` (e.g. a deadline), text only
    irrelevant_facts: list[dict] = field(default_factory=list)   # unknown, proven not to change the answer (engine.prove)
    basis: list[dict] = field(default_factory=list)   # the legal basis(es) the status rests on
    basis_defined: bool = False       # the rule names its bases (``basis:``): the key is always given
    is_route: bool = False            # a route of a procedure (its to_verify is the procedure's)
    opens_by: str | None = None       # the path that opens the procedure first: its own id or a route's
    successors: list[dict] = field(default_factory=list)   # 2029 code: old citation → successor (recodification.py)
    law_change: dict | None = None    # a pending or past date re-settled under the law of its day (engine/in_time.py)

    def to_dict(self, lang="fr") -> dict:
        d = {"procedure": self.procedure, "label": self.label.get(lang) or self.label.get("fr"),
             "state": self.state, "status": self.status,
             "from": _iso(self.date_from), "until": _iso(self.date_until),
             "consent_required": self.consent_required,
             "conditions": [c.to_dict(lang) for c in self.conditions],
             "missing_facts": list(self.missing_facts), "sources": list(self.sources)}
        if self.state_reasons:
            d["state_considered_because"] = self.state_reasons
        if self.notes:
            d["notes"] = [n.to_dict() for n in self.notes]
        if self.opens_by:
            d["opens_by"] = self.opens_by
        if self.routes:
            d["routes"] = [r.to_dict(lang) for r in self.routes]
        if self.set_aside_by:
            d["set_aside_by"] = self.set_aside_by
        if self.basis_defined:
            d["basis"] = [{"id": b["id"], "label": b["label"].get(lang) or b["label"].get("fr"),
                           "status": b["status"], "sources": list(b["sources"])} for b in self.basis]
        if not self.is_route:  # always given at procedure level (docs/answer-format.md)
            d["to_verify"] = list(self.to_verify)
        if self.irrelevant_facts:
            d["irrelevant_facts"] = [{"fact": f["fact"], "values": [_iso(v) for v in f["values"]]}
                                     for f in self.irrelevant_facts]
        if self.successors:
            d["successors"] = self.successors
        if self.law_change:
            lc = self.law_change
            d["law_change"] = {"on": _iso(lc["on"]), "computed_from": _iso(lc["computed"]),
                               "status": lc["status"], "from": _iso(lc["from"]), "changes": list(lc["changes"]),
                               "sources": list(lc["sources"]),
                               "note": lc["note"].get(lang) or lc["note"]["fr"]}
        return d


@dataclass
class Answer:
    case: str
    as_of: date
    knowledge_base: dict
    procedures: list[ProcedureResult]
    candidates: list[dict] = field(default_factory=list)
    name: str | None = None
    derived_facts: list[dict] = field(default_factory=list)   # facts the case format settled (rules: defaults)

    def to_dict(self, lang="fr") -> dict:
        d = {"case": self.case, "as_of": _iso(self.as_of), "knowledge_base": dict(self.knowledge_base),
             "procedures": [p.to_dict(lang) for p in self.procedures]}
        d["candidates"] = self.candidates
        if self.derived_facts:
            d["derived_facts"] = [{**f, "value": _iso(f["value"])} for f in self.derived_facts]
        return d

    def procedure(self, pid: str, state: str | None = None) -> ProcedureResult:
        for p in self.procedures:
            if p.procedure == pid and (state is None or p.state == state):
                return p
        raise KeyError((pid, state))

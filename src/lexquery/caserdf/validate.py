"""Validate a case: the JSON reader first (JSON paths), then the SHACL case shapes.

:func:`validate` runs :func:`lexquery.engine.case.read_case` — unknown keys, wrong
types and values outside an enumeration, located by JSON path — then builds the case's
triples from what was readable (:func:`lexquery.caserdf.graph.triples`, the faulty
values removed) and checks ``shapes/case-shapes.ttl`` (SHACL Core, no inference) with
one of two engines giving the same findings (tests/test_validate_engine.py):

- ``compiled`` (default): the shapes graph compiled once into a checker
  (:mod:`.shapes_core`), about 0.4 ms per case (docs/validation.md);
- ``pyshacl``: the reference, one pySHACL call per batch (≈ 6 ms per case; pySHACL is
  imported on first use, ≈ 250 ms, ../shared/PERFORMANCE-NOTES.md).

Each finding is mapped back to the JSON path of the fact (:func:`report`): the focus
node's IRI gives the object (``sentence.convictions[0]``), the shape's ``sh:path`` (or
its ``lqs:jsonKey``) gives the key, through the JSON-LD context. A SHACL result on a
path the JSON reader already reported is dropped (one message per mistake), and so is a
range or pattern result (``sh:minInclusive`` / ``sh:maxInclusive`` / ``sh:pattern``) on a
value that ``sh:datatype`` already refuses (``"2024-02-30"^^xsd:date`` is not a date, not a
date out of range; ``"abc"^^xsd:duration`` is not a length, not a zero length).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD

from ..engine.case import EXPECTED, read_case
from ..errors import CaseError, InputError
from ..paths import home
from .graph import case_iri, case_of, json_path, property_keys, state_codes, to_graph, triples, without_paths
from .shapes_core import Data, Finding, Unsupported, compile_shapes

LQS = Namespace("https://w3id.org/lexquery/shapes/case#")
SEVERITY = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
_ORDER = {"violation": 0, "warning": 1, "info": 2}
_DATATYPE_EXPECTED = {"date": EXPECTED["date"], "duration": EXPECTED["duration"],
                      "boolean": EXPECTED["bool"], "string": EXPECTED["str"]}


@dataclass
class ValidationResult:
    """One finding about a case, located by the JSON path of the fact."""
    where: str                      # JSON path as in case-format.md ("sentence.total"), "$" = the case
    severity: str                   # violation | warning | info
    message: str                    # French
    message_en: str | None = None
    expected: str | None = None
    hint: str | None = None         # what to do
    provisions: list[str] = field(default_factory=list)
    shape: str | None = None        # IRI of the SHACL shape; None for a JSON-level problem
    value: str | None = None
    hint_en: str | None = None
    expected_en: str | None = None

    @classmethod
    def of_problem(cls, p) -> "ValidationResult":
        """A violation from a JSON-level problem of the case reader, with its English
        (:mod:`lexquery.engine.case_english`)."""
        from ..engine.case_english import expected_en, hint_en, message_en
        return cls(where=p.where, severity="violation", message=p.message, message_en=message_en(p.message),
                   expected=p.expected, hint=p.hint, hint_en=hint_en(p.hint), expected_en=expected_en(p.expected))

    def to_dict(self) -> dict:
        """As ``dataclasses.asdict`` (same keys and order), without its deep copies."""
        return {"where": self.where, "severity": self.severity, "message": self.message,
                "message_en": self.message_en, "expected": self.expected, "hint": self.hint,
                "provisions": list(self.provisions), "shape": self.shape, "value": self.value,
                "hint_en": self.hint_en, "expected_en": self.expected_en}


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The case shapes, parsed once per process."""
    return Graph().parse(home() / "shapes" / "case-shapes.ttl", format="turtle")


def _texts(g: Graph, s, p) -> dict[str, str]:
    return {(o.language or "fr"): str(o) for o in g.objects(s, p) if isinstance(o, Literal)}


@lru_cache(maxsize=1)
def checker():
    """The case shapes compiled once (:mod:`.shapes_core`); None if they leave the compiled subset."""
    try:
        return compile_shapes(shapes_graph())
    except Unsupported:
        return None


def default_engine() -> str:
    """``compiled`` when the shapes compile (same findings as pySHACL), else ``pyshacl``."""
    return "compiled" if checker() is not None else "pyshacl"


@lru_cache(maxsize=None)
def _shape_info(shape) -> dict:
    g = shapes_graph()
    key = g.value(shape, LQS.jsonKey)
    path = g.value(shape, SH.path)
    return {"message": _texts(g, shape, SH.message), "hint": _texts(g, shape, LQS.hint),
            "provisions": [str(o) for o in g.objects(shape, LQS.provision)],
            "key": str(key) if key is not None else None,
            "path_key": _path_key(g, path) if path is not None else None,
            "compared": g.value(shape, SH.lessThan), "path": path}


def _path_key(g: Graph, path) -> str | None:
    """The JSON key (dotted for a sequence path) of a SHACL path of the shapes graph."""
    if isinstance(path, URIRef):
        return "kind" if path == RDF.type else property_keys().get(path)
    if isinstance(path, BNode):
        alt = g.value(path, SH.alternativePath)
        if alt is not None:  # "known none" alternatives: the first member is the contract's key
            return _path_key(g, next(iter(Collection(g, alt)), None))
        if g.value(path, RDF.first) is not None:  # sequence path: consent.transfer
            keys = [_path_key(g, p) for p in Collection(g, path)]
            return ".".join(keys) if keys and all(keys) else None
    return None


def _expected(f: Finding, path_key: str | None, reported_key: str | None) -> str | None:
    name = str(f.component).rsplit("#", 1)[-1]
    sg = shapes_graph()
    if name in ("MinCountConstraintComponent", "QualifiedMinCountConstraintComponent"):
        return "une valeur connue (absent ou null = inconnu)"
    if name == "DatatypeConstraintComponent":
        dt = sg.value(f.shape, SH.datatype)
        return _DATATYPE_EXPECTED.get(str(dt).rsplit("#", 1)[-1]) if dt else None
    if name == "NodeConstraintComponent":
        return EXPECTED["state"]
    if name == "InConstraintComponent":
        return EXPECTED["protection"]
    if name == "LessThanConstraintComponent":
        other = property_keys().get(sg.value(f.shape, SH.lessThan))
        if reported_key and reported_key != path_key:
            return f"une date postérieure à {path_key}"
        return f"une date antérieure à {other}"
    if name == "MaxCountConstraintComponent":
        return "une seule valeur"
    if name in ("MinInclusiveConstraintComponent", "MaxInclusiveConstraintComponent"):
        return _range_expected(sg.value(f.shape, SH.minInclusive), sg.value(f.shape, SH.maxInclusive))
    return None


def _range_expected(lo, hi) -> str:
    """The accepted range of a shape's sh:minInclusive / sh:maxInclusive, in French."""
    is_date = all(b is None or (isinstance(b, Literal) and b.datatype == XSD.date) for b in (lo, hi))
    if lo is not None and hi is not None:
        return f"{'une date' if is_date else 'une valeur'} entre {lo} et {hi}"
    if lo is not None:
        return f"une date le {lo} ou après" if is_date else f"une valeur supérieure ou égale à {lo}"
    return f"une date le {hi} ou avant" if is_date else f"une valeur inférieure ou égale à {hi}"


_RANGE = {SH.MinInclusiveConstraintComponent, SH.MaxInclusiveConstraintComponent}
_ON_THE_VALUE = _RANGE | {SH.PatternConstraintComponent}   # said by sh:datatype when ill-typed


def _value(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, BNode):
        return "un nœud anonyme (_:…), pas une valeur"
    if isinstance(v, URIRef):
        s = str(v)
        return state_codes().get(s, s.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    return str(v)


def pyshacl_findings(g: Graph) -> list[Finding]:
    """pySHACL (the reference engine) over a data graph, as :class:`Finding` records."""
    from pyshacl import validate as pyshacl_validate
    from pyshacl.errors import ReportableRuntimeError
    try:
        _conforms, rg, _text = pyshacl_validate(g, shacl_graph=shapes_graph(), inference="none",
                                                advanced=False, allow_warnings=True, allow_infos=True)
    except ReportableRuntimeError as e:   # e.g. a blank node where sh:lessThan compares dates
        raise InputError(f"pySHACL ne peut pas valider ces données : {e.message}",
                         expected="des valeurs littérales (dates, textes) là où les formes comparent des valeurs",
                         hint="validez avec le moteur compilé (par défaut, sans --engine pyshacl) : "
                              "il signale la valeur fautive avec son champ") from None
    return [Finding(rg.value(r, SH.focusNode), rg.value(r, SH.sourceShape), rg.value(r, SH.sourceConstraintComponent),
                    rg.value(r, SH.value), rg.value(r, SH.resultSeverity) or SH.Violation)
            for report in rg.subjects(RDF.type, SH.ValidationReport) for r in rg.objects(report, SH.result)]
    # (only the report's own sh:result: nested sh:detail results of sh:node are not findings)


def findings(data, engine: str | None = None) -> list[Finding]:
    """SHACL findings over an rdflib Graph or a :class:`Data` with the chosen engine."""
    engine = engine or default_engine()
    if engine == "pyshacl":
        if isinstance(data, Data):
            g = Graph()
            for s, po in data.sp.items():
                for p, objs in po.items():
                    for o in objs:
                        g.add((s, p, o))
            data = g
        return pyshacl_findings(data)
    if engine != "compiled" or checker() is None:
        raise ValueError(f"unknown or unavailable SHACL engine: {engine}")
    return checker().check(data if isinstance(data, Data) else Data.of_graph(data))


def report(found: list[Finding], data: Data, owner=case_of) -> dict[str, list[ValidationResult]]:
    """Findings as :class:`ValidationResult` (JSON path, French/English, provisions), per case IRI
    (``owner``: focus node -> case IRI; by default from the node IRI under ``CASE_BASE``)."""
    out: dict[str, list[ValidationResult]] = {}
    ill_typed = {(f.focus, _shape_info(f.shape)["path"], f.value) for f in found
                 if f.component == SH.DatatypeConstraintComponent}
    for f in found:
        info = _shape_info(f.shape)
        if f.component in _ON_THE_VALUE and (f.focus, info["path"], f.value) in ill_typed:
            continue   # not a date (a length) at all: sh:datatype says so, another message would mislead
        prefix = json_path(f.focus)
        if prefix is None:   # a node outside the case IRIs (Turtle from elsewhere): named by its IRI
            prefix = f"<{f.focus}>"
        path_key = info["path_key"]
        key = info["key"] or path_key
        where = ".".join(x for x in (prefix, key) if x) or "$"
        full_path_key = ".".join(x for x in (prefix, path_key) if x)
        generic = _INDEX.sub("[]", where)
        msg = info["message"]
        hint = info["hint"].get("fr")
        if hint is None and "MinCount" in str(f.component):
            hint = f"renseigner {where} si le fait est connu"
        hint_en = info["hint"].get("en") or (f"fill in {where} if the fact is known" if hint else None)
        fr, en = (m.replace(generic, where) if m else m for m in (msg.get("fr"), msg.get("en")))
        if info["key"]:
            value = next(iter(data.objects(f.focus, info["compared"])), None)
        else:
            value = f.value
        expected = _expected(f, full_path_key, key)
        out.setdefault(owner(f.focus) or "", []).append(ValidationResult(
            where=where, severity=SEVERITY.get(f.severity, "violation"),
            message=fr or en or str(f.component).rsplit("#", 1)[-1], message_en=en,
            expected=expected, expected_en=_expected_en(expected), hint=hint,
            provisions=info["provisions"], shape=str(f.shape) if isinstance(f.shape, URIRef) else None,
            hint_en=hint_en, value=_value(value)))
    return out


_INDEX = re.compile(r"\[\d+\]")


def _expected_en(text):
    from ..engine.case_english import expected_en
    return expected_en(text)


def _run_shacl(g: Graph, engine: str | None = None) -> dict[str, list[ValidationResult]]:
    """SHACL over a graph of one or more cases; results per case IRI."""
    data = Data.of_graph(g)
    return report(findings(g if engine == "pyshacl" else data, engine), data)


validate_graph = _run_shacl


def _json_stage(case, source) -> tuple[list[ValidationResult], object]:
    """JSON-level problems and the part of the case that can be mapped to RDF."""
    try:
        read_case(case, source)
    except CaseError as e:
        results = [ValidationResult.of_problem(p) for p in e.problems]
        if not isinstance(case, dict):
            return results, None
        return results, without_paths(case, [p.where for p in e.problems])
    return [], case


def _merge(json_results, shacl) -> list[ValidationResult]:
    reported = [r.where for r in json_results]

    def covered(where):
        return any(q == where or q.startswith(where + "[") or q.startswith(where + ".") for q in reported)

    shacl = sorted((r for r in shacl if not covered(r.where)),
                   key=lambda r: (_ORDER[r.severity], r.where, r.message, r.value or ""))
    return list(json_results) + shacl


def validate(case, source: str | None = None, engine: str | None = None) -> list[ValidationResult]:
    """Every finding about one raw JSON case: JSON-level problems first, then SHACL's."""
    return validate_many([case], [source], engine)[0]


def validate_many(cases: list, sources: list | None = None, engine: str | None = None) -> list[list[ValidationResult]]:
    """Findings for each case of a batch (``engine``: ``compiled`` — the default — or ``pyshacl``).

    The compiled checker runs case by case (no shared graph, so duplicate ids are harmless);
    pySHACL runs once over one graph of the batch (cases repeating an id: one run each).
    """
    engine = engine or default_engine()
    sources = sources or [None] * len(cases)
    staged = [_json_stage(c, s) for c, s in zip(cases, sources)]
    ids = [case_iri(r.get("id")) if isinstance(r, dict) else None for _, r in staged]
    readable = [i for i, (_, r) in enumerate(staged) if r is not None]
    shacl: dict[int, list[ValidationResult]] = {i: [] for i in range(len(cases))}
    if engine == "compiled":
        from ..budget import check
        for i in readable:
            check()   # a server request past its time stops here (lexquery.budget)
            data = Data(triples(staged[i][1], ids[i]))
            shacl[i] = report(findings(data, engine), data).get(ids[i], [])
    else:  # pySHACL: one graph for the first case of each id, the repeated ids one by one
        first: dict = {}
        for i in readable:
            first.setdefault(ids[i], i)
        together = sorted(first.values())
        data = Data(t for i in together for t in triples(staged[i][1], ids[i]))
        per_case = report(findings(data, engine), data)
        for i in together:
            shacl[i] = per_case.get(ids[i], [])
        for i in readable:
            if first[ids[i]] != i:
                data = Data(triples(staged[i][1], ids[i]))
                shacl[i] = report(findings(data, engine), data).get(ids[i], [])
    return [_merge(staged[i][0], shacl[i]) for i in range(len(cases))]


def conforms(results: list[ValidationResult]) -> bool:
    """No violation (warnings and infos do not make a case non-conforming)."""
    return not any(r.severity == "violation" for r in results)

"""Validate a case: the JSON reader first (JSON paths), then the SHACL case shapes.

:func:`validate` runs :func:`lexquery.engine.case.read_case` — unknown keys, wrong
types and values outside an enumeration, located by JSON path — then builds the case
graph from what was readable (:func:`lexquery.caserdf.graph.to_graph`, the faulty
values removed) and runs ``shapes/case-shapes.ttl`` with pySHACL (SHACL Core, no
inference). Each SHACL result is mapped back to the JSON path of the fact: the focus
node's IRI gives the object (``sentence.convictions[0]``), the result path (or the
shape's ``lqs:jsonKey``) gives the key, through the JSON-LD context. A SHACL result
on a path the JSON reader already reported is dropped (one message per mistake).

:func:`validate_many` puts every case of a batch in one graph and calls pySHACL once
(about half the cost per case of one call per case). The shapes graph is parsed once
per process (:func:`shapes_graph`); pySHACL is imported on first use (≈ 250 ms,
../shared/PERFORMANCE-NOTES.md).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from ..engine.case import EXPECTED, read_case
from ..errors import CaseError
from ..paths import home
from .graph import case_iri, case_of, json_path, property_keys, state_codes, to_graph, without_paths

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

    def to_dict(self) -> dict:
        return asdict(self)


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The case shapes, parsed once per process."""
    return Graph().parse(home() / "shapes" / "case-shapes.ttl", format="turtle")


def _texts(g: Graph, s, p) -> dict[str, str]:
    return {(o.language or "fr"): str(o) for o in g.objects(s, p) if isinstance(o, Literal)}


@lru_cache(maxsize=None)
def _shape_info(shape) -> dict:
    g = shapes_graph()
    key = g.value(shape, LQS.jsonKey)
    return {"message": _texts(g, shape, SH.message), "hint": _texts(g, shape, LQS.hint),
            "provisions": [str(o) for o in g.objects(shape, LQS.provision)],
            "key": str(key) if key is not None else None}


def _path_key(rg: Graph, path) -> str | None:
    """The JSON key (dotted for a sequence path) of a SHACL result path."""
    if isinstance(path, URIRef):
        return "kind" if path == RDF.type else property_keys().get(path)
    if isinstance(path, BNode):
        alt = rg.value(path, SH.alternativePath)
        if alt is not None:  # "known none" alternatives: the first member is the contract's key
            return _path_key(rg, next(iter(Collection(rg, alt)), None))
        if rg.value(path, RDF.first) is not None:  # sequence path: consent.transfer
            keys = [_path_key(rg, p) for p in Collection(rg, path)]
            return ".".join(keys) if keys and all(keys) else None
    return None


def _expected(rg: Graph, res, path_key: str | None, reported_key: str | None) -> str | None:
    comp = rg.value(res, SH.sourceConstraintComponent)
    name = str(comp).rsplit("#", 1)[-1] if comp else ""
    shape = rg.value(res, SH.sourceShape)
    sg = shapes_graph()
    if name in ("MinCountConstraintComponent", "QualifiedMinCountConstraintComponent"):
        return "une valeur connue (absent ou null = inconnu)"
    if name == "DatatypeConstraintComponent":
        dt = sg.value(shape, SH.datatype)
        return _DATATYPE_EXPECTED.get(str(dt).rsplit("#", 1)[-1]) if dt else None
    if name == "NodeConstraintComponent":
        return EXPECTED["state"]
    if name == "InConstraintComponent":
        return EXPECTED["protection"]
    if name == "LessThanConstraintComponent":
        other = property_keys().get(sg.value(shape, SH.lessThan))
        if reported_key and reported_key != path_key:
            return f"une date postérieure à {path_key}"
        return f"une date antérieure à {other}"
    if name == "MaxCountConstraintComponent":
        return "une seule valeur"
    return None


def _value(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, URIRef):
        s = str(v)
        return state_codes().get(s, s.rsplit("#", 1)[-1].rsplit("/", 1)[-1])
    return str(v)


def _run_shacl(g: Graph) -> dict[str, list[ValidationResult]]:
    """pySHACL over a graph of one or more cases; results per case IRI."""
    from pyshacl import validate as pyshacl_validate
    _conforms, rg, _text = pyshacl_validate(g, shacl_graph=shapes_graph(), inference="none",
                                            advanced=False, allow_warnings=True, allow_infos=True)
    out: dict[str, list[ValidationResult]] = {}
    for res in rg.subjects(RDF.type, SH.ValidationResult):
        focus = rg.value(res, SH.focusNode)
        shape = rg.value(res, SH.sourceShape)
        info = _shape_info(shape)
        prefix = json_path(focus) or ""
        path_key = _path_key(rg, rg.value(res, SH.resultPath))
        key = info["key"] or path_key
        where = ".".join(x for x in (prefix, key) if x) or "$"
        full_path_key = ".".join(x for x in (prefix, path_key) if x)
        generic = re.sub(r"\[\d+\]", "[]", where)
        msg = info["message"]
        hint = info["hint"].get("fr")
        if hint is None and "MinCount" in str(rg.value(res, SH.sourceConstraintComponent)):
            hint = f"renseigner {where} si le fait est connu"
        hint_en = info["hint"].get("en") or (f"fill in {where} if the fact is known" if hint else None)
        fr, en = (m.replace(generic, where) if m else m for m in (msg.get("fr"), msg.get("en")))
        out.setdefault(case_of(focus) or "", []).append(ValidationResult(
            where=where, severity=SEVERITY.get(rg.value(res, SH.resultSeverity), "violation"),
            message=fr or str(rg.value(res, SH.resultMessage)), message_en=en,
            expected=_expected(rg, res, full_path_key, key), hint=hint,
            provisions=info["provisions"], shape=str(shape) if isinstance(shape, URIRef) else None,
            hint_en=hint_en, value=_value(g.value(focus, _reported_property(shape)) if info["key"] else rg.value(res, SH.value))))
    return out


def _reported_property(shape):
    """For a comparison shape reported under lqs:jsonKey: the property compared with."""
    return shapes_graph().value(shape, SH.lessThan)


def _json_stage(case, source) -> tuple[list[ValidationResult], object]:
    """JSON-level problems and the part of the case that can be mapped to RDF."""
    try:
        read_case(case, source)
    except CaseError as e:
        results = [ValidationResult(where=p.where, severity="violation", message=p.message,
                                    expected=p.expected, hint=p.hint) for p in e.problems]
        if not isinstance(case, dict):
            return results, None
        return results, without_paths(case, [p.where for p in e.problems])
    return [], case


def _merge(json_results, shacl) -> list[ValidationResult]:
    reported = [r.where for r in json_results]

    def covered(where):
        return any(q == where or q.startswith(where + "[") or q.startswith(where + ".") for q in reported)

    shacl = sorted((r for r in shacl if not covered(r.where)),
                   key=lambda r: (_ORDER[r.severity], r.where, r.message))
    return list(json_results) + shacl


def validate(case, source: str | None = None) -> list[ValidationResult]:
    """Every finding about one raw JSON case: JSON-level problems first, then SHACL's."""
    return validate_many([case], [source])[0]


def validate_many(cases: list, sources: list | None = None) -> list[list[ValidationResult]]:
    """Findings for each case of a batch; one pySHACL run when the case ids are distinct."""
    sources = sources or [None] * len(cases)
    staged = [_json_stage(c, s) for c, s in zip(cases, sources)]
    ids = [case_iri(r.get("id")) if isinstance(r, dict) else None for _, r in staged]
    readable = [i for i, (_, r) in enumerate(staged) if r is not None]
    distinct = len({ids[i] for i in readable}) == len(readable)
    shacl: dict[int, list[ValidationResult]] = {i: [] for i in range(len(cases))}
    if readable and distinct:
        g = Graph()
        for i in readable:
            to_graph(staged[i][1], g, base=ids[i])
        per_case = _run_shacl(g)
        for i in readable:
            shacl[i] = per_case.get(ids[i], [])
    else:
        for i in readable:
            shacl[i] = _run_shacl(to_graph(staged[i][1], base=ids[i])).get(ids[i], [])
    return [_merge(staged[i][0], shacl[i]) for i in range(len(cases))]


def conforms(results: list[ValidationResult]) -> bool:
    """No violation (warnings and infos do not make a case non-conforming)."""
    return not any(r.severity == "violation" for r in results)

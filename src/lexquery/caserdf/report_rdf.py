"""The validation reports of ``lexquery validate`` as RDF: W3C SHACL validation reports
(SHACL §3.6 « Validation Report »: ``sh:ValidationReport``, ``sh:conforms``, ``sh:result`` of
``sh:ValidationResult`` with ``sh:focusNode``, ``sh:resultSeverity``, ``sh:resultMessage``,
``sh:sourceShape``, ``sh:value``) — what pySHACL gives with ``-f turtle``, one report per case.

The focus node is the case's node (``https://w3id.org/lexquery/case/{id}``, as in
:mod:`lexquery.caserdf.graph`); where in the case the finding is stays a JSON path of the case
format (``lq:jsonPath``: a finding of the JSON reader has no RDF path), with what was expected
and what to do (``lq:expectedValue``, ``lq:whatToDo``) and the provisions it rests on
(``lq:basedOnProvision``), in French and English where the report has both.
"""
from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH, XSD

from .graph import case_iri

LQ = Namespace("https://w3id.org/lexquery/ontology#")
SEVERITY = {"violation": SH.Violation, "warning": SH.Warning, "info": SH.Info}


def report_graph(reports: list[dict]) -> Graph:
    """One ``sh:ValidationReport`` per case report (the dicts of ``validate --format json``)."""
    g = Graph()
    g.bind("sh", SH)
    g.bind("lq", LQ)
    for rep in reports:
        node = BNode()
        g.add((node, RDF.type, SH.ValidationReport))
        g.add((node, SH.conforms, Literal(bool(rep["conforms"]))))
        focus = URIRef(case_iri(rep.get("case")))
        if rep.get("case") is not None:
            g.add((node, LQ.caseId, Literal(rep["case"])))
        g.add((node, LQ.reportSource, Literal(rep["source"])))
        for r in rep["results"]:
            res = BNode()
            g.add((node, SH.result, res))
            g.add((res, RDF.type, SH.ValidationResult))
            g.add((res, SH.focusNode, focus))
            g.add((res, SH.resultSeverity, SEVERITY[r["severity"]]))
            g.add((res, SH.resultMessage, Literal(r["message"], lang="fr")))
            if r.get("message_en"):
                g.add((res, SH.resultMessage, Literal(r["message_en"], lang="en")))
            if r.get("shape"):
                g.add((res, SH.sourceShape, URIRef(r["shape"])))
            if r.get("value") is not None:
                g.add((res, SH.value, Literal(r["value"])))
            g.add((res, LQ.jsonPath, Literal(r["where"])))
            if r.get("expected"):
                g.add((res, LQ.expectedValue, Literal(r["expected"], lang="fr")))
            if r.get("expected_en"):
                g.add((res, LQ.expectedValue, Literal(r["expected_en"], lang="en")))
            if r.get("hint"):
                g.add((res, LQ.whatToDo, Literal(r["hint"], lang="fr")))
            if r.get("hint_en"):
                g.add((res, LQ.whatToDo, Literal(r["hint_en"], lang="en")))
            for p in r.get("provisions") or []:
                g.add((res, LQ.basedOnProvision, Literal(p, datatype=XSD.string)))
    return g


def render_report(reports: list[dict], fmt: str) -> str:
    g = report_graph(reports)
    if fmt == "jsonld":
        from ..kb.jsonld import compact
        return compact(g)
    return g.serialize(format="turtle")

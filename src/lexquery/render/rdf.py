"""Turtle / JSON-LD rendering of answers, with a PROV-O receipt.

The answer graph uses the lexquery ontology (``lq:``): one ``lq:Answer`` per case,
``lq:ProcedureOutcome`` per procedure and State, ``lq:ConditionResult`` per condition,
each citing provisions by ``lq:citation``. The receipt is a ``prov:Activity`` that
``prov:used`` the knowledge base (version) and each source file (with its SHA-256).
"""
from __future__ import annotations

from datetime import datetime, timezone

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from ..engine.receipt import source_hashes

LQ = Namespace("https://w3id.org/lexquery/ontology#")
ANS = Namespace("https://w3id.org/lexquery/answer/")
LAW = Namespace("https://w3id.org/lexquery/law/")


def _date(d):
    return Literal(d.isoformat(), datatype=XSD.date)


def _kb():
    """The provision index, to link citations to their nodes (loaded only for RDF output)."""
    try:
        from ..kb.provisions import load_kb
        return load_kb()
    except Exception:  # an answer can still be rendered without links
        return None


def _cite(g, node, citation, kb, at):
    """``lq:citesProvision`` (the citation string) and ``lq:cites`` (the provision node
    of the version in force at ``at``), so that an answer's sources are resolvable IRIs."""
    g.add((node, LQ.citesProvision, Literal(citation)))
    target = kb.resolve(citation, at) if kb is not None else None
    if target is not None:
        g.add((node, LQ.cites, URIRef(target.iri)))


def _conditions(g, parent, conds, lang, kb=None, at=None):
    for c in conds:
        n = BNode()
        g.add((parent, LQ.hasConditionResult, n))
        g.add((n, RDF.type, LQ.ConditionResult))
        g.add((n, LQ.conditionId, Literal(c.id)))
        g.add((n, RDFS.label, Literal(c.label.get(lang) or c.label["fr"], lang=lang)))
        g.add((n, LQ.conditionStatus, LQ["status_" + c.status]))
        for s in c.sources:
            _cite(g, n, s, kb, at)
        for f in c.facts:
            g.add((n, LQ.usesFact, Literal(f)))
        if c.date:
            g.add((n, LQ.date, _date(c.date)))
        _conditions(g, n, c.children, lang, kb, at)


def answer_graph(answers, lang="fr") -> Graph:
    g = Graph()
    law = _kb()
    g.bind("lq", LQ)
    g.bind("prov", PROV)
    activity = ANS["run-" + datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")]
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, PROV.endedAtTime, Literal(datetime.now(timezone.utc).isoformat(), datatype=XSD.dateTime)))
    kb = URIRef("https://w3id.org/lexquery/kb/" + answers[0].knowledge_base.get("version", "unknown"))
    g.add((kb, RDF.type, PROV.Entity))
    g.add((kb, LQ.version, Literal(answers[0].knowledge_base.get("version"))))
    g.add((activity, PROV.used, kb))
    for path, digest in source_hashes():
        f = BNode()
        g.add((kb, PROV.hadMember, f))
        g.add((f, RDF.type, PROV.Entity))
        g.add((f, LQ.path, Literal(path)))
        g.add((f, LQ.sha256, Literal(digest)))
    for a in answers:
        node = ANS[str(a.case)]
        g.add((node, RDF.type, LQ.Answer))
        g.add((node, PROV.wasGeneratedBy, activity))
        g.add((node, LQ.caseId, Literal(a.case)))
        g.add((node, LQ.asOf, _date(a.as_of)))
        for p in a.procedures:
            pn = ANS[f"{a.case}/{p.procedure}/{p.state or 'none'}"]
            g.add((node, LQ.hasOutcome, pn))
            g.add((pn, RDF.type, LQ.ProcedureOutcome))
            g.add((pn, LQ.procedure, LQ["procedure_" + p.procedure]))
            g.add((pn, LQ.outcomeStatus, LQ["status_" + p.status]))
            if p.state:
                g.add((pn, LQ.state, Literal(p.state)))
            if p.date_from:
                g.add((pn, LQ.fromDate, _date(p.date_from)))
            if p.date_until:
                g.add((pn, LQ.untilDate, _date(p.date_until)))
            if p.consent_required is not None:
                g.add((pn, LQ.consentRequired, Literal(p.consent_required)))
            for m in p.missing_facts:
                g.add((pn, LQ.missingFact, Literal(m)))
            for s in p.sources:
                _cite(g, pn, s, law, a.as_of)
            _conditions(g, pn, p.conditions, lang, law, a.as_of)
    return g


def render_rdf(answers, fmt="turtle", lang="fr") -> str:
    g = answer_graph(answers, lang)
    if fmt == "jsonld":   # compact, with the published @context (issue 15 §6)
        from ..kb.jsonld import compact
        return compact(g)
    return g.serialize(format="turtle")

"""The answers of ``/api/sparql`` in the formats of the SPARQL 1.1 Protocol (§2.1.4, content
negotiation), from the worker's SPARQL 1.1 Query Results JSON or N-Triples:

- SELECT / ASK: JSON (W3C « SPARQL 1.1 Query Results JSON Format »), XML (« SPARQL Query
  Results XML Format (Second Edition) »), CSV and TSV (« SPARQL 1.1 Query Results CSV and TSV
  Formats »; these two define no form for ASK: 406);
- CONSTRUCT / DESCRIBE: an RDF graph in Turtle, N-Triples, JSON-LD or RDF/XML; or, asked
  explicitly as ``application/sparql-results+json``, the former ``?s ?p ?o`` bindings.
"""
from __future__ import annotations

import csv
import io
import json
from xml.sax.saxutils import escape, quoteattr

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"

#: media types a client may ask for → the format given (aliases of common clients included)
RESULT_OFFERS = {JSON: JSON, XML: XML, CSV: CSV, TSV: TSV,
                 "application/json": JSON, "application/xml": XML, "text/xml": XML}
GRAPH_OFFERS = {TURTLE: TURTLE, NTRIPLES: NTRIPLES, JSONLD: JSONLD, RDFXML: RDFXML,
                "application/x-turtle": TURTLE, "text/plain": NTRIPLES, "application/json": JSONLD,
                JSON: JSON}
RDFLIB_FORMAT = {TURTLE: "turtle", NTRIPLES: "nt", JSONLD: "json-ld", RDFXML: "xml"}


# ---- SELECT / ASK -----------------------------------------------------------------------------
def to_xml(res: dict) -> str:
    """https://www.w3.org/TR/rdf-sparql-XMLres/"""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if "boolean" in res:
        out += ["  <head/>", f"  <boolean>{'true' if res['boolean'] else 'false'}</boolean>", "</sparql>"]
        return "\n".join(out) + "\n"
    vars_ = res["head"]["vars"]
    out.append("  <head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in vars_) + "</head>")
    out.append("  <results>")
    for b in res["results"]["bindings"]:
        out.append("    <result>")
        for v in vars_:
            if v in b:
                out.append(f"      <binding name={quoteattr(v)}>{_xml_term(b[v])}</binding>")
        out.append("    </result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _xml_term(t: dict) -> str:
    if t["type"] == "uri":
        return f"<uri>{escape(t['value'])}</uri>"
    if t["type"] == "bnode":
        return f"<bnode>{escape(t['value'])}</bnode>"
    attrs = ""
    if "xml:lang" in t:
        attrs = f" xml:lang={quoteattr(t['xml:lang'])}"
    elif "datatype" in t:
        attrs = f" datatype={quoteattr(t['datatype'])}"
    return f"<literal{attrs}>{escape(t['value'])}</literal>"


def to_csv(res: dict) -> str:
    """CSV (RFC 4180, CRLF): names without ``?``, values as plain strings, blank nodes ``_:b``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    vars_ = res["head"]["vars"]
    w.writerow(vars_)
    for b in res["results"]["bindings"]:
        w.writerow([("_:" + b[v]["value"] if b[v]["type"] == "bnode" else b[v]["value"]) if v in b else ""
                    for v in vars_])
    return buf.getvalue()


def to_tsv(res: dict) -> str:
    """TSV: ``?x`` names, values as terms in SPARQL / Turtle syntax, LF line ends."""
    vars_ = res["head"]["vars"]
    lines = ["\t".join("?" + v for v in vars_)]
    for b in res["results"]["bindings"]:
        lines.append("\t".join(_tsv_term(b[v]) if v in b else "" for v in vars_))
    return "\n".join(lines) + "\n"


def _tsv_term(t: dict) -> str:
    if t["type"] == "uri":
        return f"<{t['value']}>"
    if t["type"] == "bnode":
        return "_:" + t["value"]
    s = (t["value"].replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
         .replace("\r", "\\r").replace("\t", "\\t"))
    if "xml:lang" in t:
        return f'"{s}"@{t["xml:lang"]}'
    if "datatype" in t and t["datatype"] != "http://www.w3.org/2001/XMLSchema#string":
        return f'"{s}"^^<{t["datatype"]}>'
    return f'"{s}"'


def render_results(res: dict, media: str) -> str:
    if media == JSON:
        return json.dumps(res, ensure_ascii=False)
    if media == XML:
        return to_xml(res)
    return to_csv(res) if media == CSV else to_tsv(res)


# ---- CONSTRUCT / DESCRIBE -----------------------------------------------------------------------
def render_graph(ntriples: str, media: str, truncated: bool = False) -> str:
    """The worker's N-Triples in the asked RDF syntax (prefixes of the KB bound for Turtle)."""
    from rdflib import Graph
    if media == NTRIPLES:
        return ntriples
    from ..kb.graph import bind
    g = bind(Graph()).parse(data=ntriples, format="nt")
    if media == JSON:   # the former answer: ?s ?p ?o bindings
        from .sparql_worker import term
        return json.dumps({"head": {"vars": ["s", "p", "o"]},
                           "results": {"bindings": [{"s": term(s), "p": term(p), "o": term(o)} for s, p, o in g]},
                           "truncated": truncated}, ensure_ascii=False)
    if media == JSONLD:
        from ..kb.jsonld import compact
        return compact(g)
    return g.serialize(format=RDFLIB_FORMAT[media])

"""The process that runs the SPARQL queries of ``/api/sparql`` (:mod:`lexquery.web.sparql`).

Builds the dataset of ``lexquery kb query`` once (KB graph, ontologies, ELI in
``<urn:lexquery:eli>``), prints ``{"ready": true}``, then reads one JSON line per query
(``{"query", "max_rows"}``, already checked read-only by the server) and prints one JSON line
per answer: ``{"result": SPARQL 1.1 Query Results JSON}`` or ``{"error": "..."}``. The
server kills this process when a query outlives its time limit.
"""
from __future__ import annotations

import json
import sys
import warnings


def term(t) -> dict:
    """An RDF term as SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/ §3.2.2)."""
    from rdflib import BNode, Literal, URIRef
    if isinstance(t, URIRef):
        return {"type": "uri", "value": str(t)}
    if isinstance(t, BNode):
        return {"type": "bnode", "value": str(t)}
    d = {"type": "literal", "value": str(t)}
    if isinstance(t, Literal) and t.language:
        d["xml:lang"] = t.language
    elif isinstance(t, Literal) and t.datatype:
        d["datatype"] = str(t.datatype)
    return d


def results(res, max_rows: int) -> dict:
    """ASK as ``boolean``; SELECT as bindings; CONSTRUCT / DESCRIBE as ``{"graph": N-Triples}``
    (the server writes it in the syntax the client asked for, :mod:`.sparql_formats`)."""
    if res.type == "ASK":
        return {"head": {}, "boolean": bool(res.askAnswer)}
    if res.type in ("CONSTRUCT", "DESCRIBE"):
        from rdflib import Graph
        g, truncated = Graph(), False
        for t in res.graph:
            if len(g) >= max_rows:
                truncated = True
                break
            g.add(t)
        return {"graph": g.serialize(format="nt", encoding="utf-8").decode("utf-8"), "truncated": truncated}
    vars_, rows = [str(v) for v in res.vars], (tuple(r) for r in res)
    bindings, truncated = [], False
    for row in rows:
        if len(bindings) >= max_rows:
            truncated = True
            break
        bindings.append({v: term(x) for v, x in zip(vars_, row) if x is not None})
    return {"head": {"vars": vars_}, "results": {"bindings": bindings}, "truncated": truncated}


def dataset():
    from ..kb import load_kb
    from ..kb.checks import Layout, check_dataset
    from ..kb.graph import kb_graph, load_turtle_dir
    from ..paths import home
    lay = Layout(home())
    return check_dataset(kb_graph(load_kb()), load_turtle_dir(lay.ontology) if lay.ontology.is_dir() else None, lay)


def no_network() -> None:
    """Second line of defence behind the server's check of SERVICE / FROM: this process opens no socket."""
    import socket

    def refuse(*_a, **_k):
        raise OSError("pas de réseau dans le processus SPARQL de lexquery / no network in the SPARQL worker")
    socket.socket.connect = socket.socket.connect_ex = refuse            # type: ignore[method-assign]
    socket.create_connection = socket.getaddrinfo = refuse                # type: ignore[assignment]


def main() -> int:
    no_network()
    ds = dataset()
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        ask = json.loads(line)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                reply = {"result": results(ds.query(ask["query"]), int(ask["max_rows"]))}
        except Exception as e:  # an evaluation error of the user's query: reported, the worker goes on
            reply = {"error": f"{type(e).__name__}: {e}"}
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

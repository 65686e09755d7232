"""``/api/sparql`` as SPARQL clients use it (W3C SPARQL 1.1 Protocol, issue 15 §5): SPARQLWrapper
and rdflib's ``SPARQLStore`` against a real ``lexquery serve`` on 127.0.0.1, every result
format, GET and both POST forms, 406 for a format the server cannot give.

Each answer is compared with ``lexquery kb query``'s (:func:`lexquery.kb.checks.run_query`,
the same dataset), parsed back with rdflib's own result parsers."""
from __future__ import annotations

import io
import json
import sys
import warnings

import pytest

pytest.importorskip("SPARQLWrapper")
from rdflib import Graph, Literal, URIRef  # noqa: E402
from rdflib.query import Result  # noqa: E402
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, TSV, TURTLE, XML, SPARQLWrapper  # noqa: E402

from serve_support import no_proxy_env, served  # noqa: E402

CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]
LQ = "https://w3id.org/lexquery/ontology#"
SELECT = (f"PREFIX lq: <{LQ}> SELECT ?a ?c WHERE {{ ?a a lq:Article ; lq:citation ?c . "
          f"FILTER(STRSTARTS(?c, \"CPP 729\")) }} ORDER BY ?c")
ARTICLE = URIRef("https://w3id.org/lexquery/law/cpp/729-2")
CONSTRUCT = f"CONSTRUCT {{ <{ARTICLE}> ?p ?o }} WHERE {{ <{ARTICLE}> ?p ?o }}"


@pytest.fixture(scope="module")
def endpoint():
    import os
    env = no_proxy_env()
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)   # the clients in this process must not go through a proxy either
    try:
        with served(CLI, env=env) as url:
            yield url + "/api/sparql"
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def expected():
    from lexquery.kb import load_kb
    from lexquery.kb.checks import run_query
    kb = load_kb()
    _, rows = run_query(SELECT, kb)
    assert len(rows) >= 3, rows          # CPP 729, 729-2, 729-3 …: a comparison that can fail
    _, triples = run_query(CONSTRUCT, kb)
    assert len(triples) >= 5
    return {"rows": [tuple(r) for r in rows], "triples": {tuple(t) for t in triples}}


def _wrapper(url, fmt, method=None):
    w = SPARQLWrapper(url)
    w.setReturnFormat(fmt)
    if method == "form":
        w.setMethod(POST)
    elif method == "direct":
        w.setMethod(POST)
        w.setRequestMethod(POSTDIRECTLY)
    return w


def _rows(result: Result):
    return [(str(r[0]), str(r[1])) for r in result]


@pytest.mark.parametrize("fmt, media, rdflib_format", [
    (JSON, "application/sparql-results+json", "json"),
    (XML, "application/sparql-results+xml", "xml"),
    (CSV, "text/csv", "csv"),
    (TSV, "text/tab-separated-values", "tsv"),
])
@pytest.mark.parametrize("method", [None, "form", "direct"])
def test_select_in_every_results_format(endpoint, expected, fmt, media, rdflib_format, method):
    w = _wrapper(endpoint, fmt, method)
    w.setQuery(SELECT)
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # SPARQLWrapper warns when the format it got is not the one asked
        resp = w.query()
    assert resp.info()["content-type"].split(";")[0] == media
    body = resp.response.read()
    parsed = Result.parse(io.BytesIO(body), format=rdflib_format)
    assert _rows(parsed) == [(a, c) for a, c in expected["rows"]]
    if fmt == TSV:
        assert body.decode().splitlines()[0] == "?a\t?c" and f"<{expected['rows'][0][0]}>" in body.decode()
    if fmt == CSV:
        assert body.startswith(b"a,c\r\n")


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask_in_json_and_xml(endpoint, fmt):
    for query, answer in ((f"ASK {{ <{ARTICLE}> ?p ?o }}", True), ("ASK { <urn:x> <urn:y> <urn:z> }", False)):
        w = _wrapper(endpoint, fmt)
        w.setQuery(query)
        resp = w.query()
        parsed = Result.parse(io.BytesIO(resp.response.read()), format="json" if fmt == JSON else "xml")
        assert parsed.askAnswer is answer


@pytest.mark.parametrize("fmt, media, rdflib_format", [
    (TURTLE, "text/turtle", "turtle"),
    (N3, "text/turtle", "turtle"),              # SPARQLWrapper's N3 asks for text/rdf+n3, text/turtle…
    (JSONLD, "application/ld+json", "json-ld"),
    (XML, "application/rdf+xml", "xml"),
])
def test_construct_and_describe_give_rdf(endpoint, expected, fmt, media, rdflib_format):
    for query in (CONSTRUCT, f"DESCRIBE <{ARTICLE}>"):
        w = _wrapper(endpoint, fmt, "direct")
        w.setQuery(query)
        resp = w.query()
        assert resp.info()["content-type"].split(";")[0] == media
        g = Graph().parse(data=resp.response.read(), format=rdflib_format)
        got = {(str(s), str(p), str(o)) for s, p, o in g}
        if query == CONSTRUCT:
            assert got == expected["triples"]
        else:
            assert {t for t in expected["triples"]} <= got


def test_n_triples_and_the_former_json_bindings(endpoint, expected):
    import urllib.parse
    import urllib.request
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    url = endpoint + "?" + urllib.parse.urlencode({"query": CONSTRUCT})
    with opener.open(urllib.request.Request(url, headers={"Accept": "application/n-triples"})) as r:
        assert r.headers["Content-Type"].startswith("application/n-triples")
        g = Graph().parse(data=r.read().decode(), format="nt")
    assert {(str(s), str(p), str(o)) for s, p, o in g} == expected["triples"]
    # asked by name, the former answer of CONSTRUCT stays: ?s ?p ?o bindings (docs/web.md)
    with opener.open(urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})) as r:
        d = json.loads(r.read())
    assert d["head"]["vars"] == ["s", "p", "o"] and len(d["results"]["bindings"]) == len(expected["triples"])


@pytest.mark.parametrize("query, accept", [
    (SELECT, "text/turtle"),
    (SELECT, "image/png"),
    ("ASK { ?s ?p ?o }", "text/csv"),                       # CSV/TSV define no boolean form
    (CONSTRUCT, "application/sparql-results+xml"),
    (CONSTRUCT, "text/csv"),
])
def test_what_cannot_be_given_is_406(endpoint, query, accept):
    import urllib.error
    import urllib.parse
    import urllib.request
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(endpoint + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
    with pytest.raises(urllib.error.HTTPError) as e:
        opener.open(req)
    assert e.value.code == 406
    err = json.loads(e.value.read())["error"]
    assert err["where"] == "Accept" and err["expected"]


def test_rdflib_sparqlstore_reads_the_kb(endpoint, expected):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    g = Graph(store=SPARQLStore(endpoint))
    rows = [(str(r.a), str(r.c)) for r in g.query(SELECT)]
    assert rows == [(a, c) for a, c in expected["rows"]]
    assert g.query(f"ASK {{ <{ARTICLE}> ?p ?o }}").askAnswer is True
    constructed = g.query(CONSTRUCT).graph
    assert {(str(s), str(p), str(o)) for s, p, o in constructed} == expected["triples"]
    # the store's own triple pattern API (a SELECT under the hood)
    titles = list(g.objects(ARTICLE, URIRef(LQ + "citation")))
    assert titles == [Literal("CPP 729-2")]

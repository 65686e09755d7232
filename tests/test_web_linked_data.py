"""Linked data on ``lexquery serve`` (issue 15 §6, lexquery.web.linked): every IRI of the
knowledge base dereferences at its path on the server, with content negotiation — an HTML page
for a browser, Turtle / JSON-LD / N-Triples / RDF/XML for a machine, 406 otherwise — as the ELI
guidelines ask of an ELI; the JSON-LD @context is served and is the one shipped in the package."""
from __future__ import annotations

import json
import warnings

import pytest

pytest.importorskip("starlette")
from rdflib import Graph, URIRef  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from lexquery.web.app import create_app  # noqa: E402

BASE = "https://w3id.org/lexquery/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
ARTICLE = BASE + "law/cpp/729-2"


@pytest.fixture(scope="module")
def client():
    warnings.simplefilter("ignore", DeprecationWarning)
    with TestClient(create_app(), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="module")
def kb():
    from lexquery.kb import load_kb
    from lexquery.kb.graph import kb_graph
    return kb_graph(load_kb())


def _path(iri: str) -> str:
    return "/" + iri[len(BASE):].split("#")[0]


def test_every_kb_iri_dereferences(client, kb):
    """Subjects and objects alike: articles, versions, alinéas, rules, conditions, the articles a
    text cites without the KB storing them, our copies of the sources, the ontology's hash IRIs
    (N-Triples here, the fastest to write and read back; the other syntaxes are tested below)."""
    iris = {str(t) for t in set(kb.subjects()) | set(kb.objects())
            if isinstance(t, URIRef) and str(t).startswith(BASE)}
    assert len(iris) > 1000
    failed, incomplete = [], []
    for i, iri in enumerate(sorted(iris)):
        path = _path(iri)
        accept = "application/n-triples" if not path.startswith("/sources/") else "*/*"
        r = client.get(path, headers={"Accept": accept})
        if r.status_code != 200:
            failed.append((iri, r.status_code))
            continue
        # the whole description: of every article (work level), of one node in seven otherwise
        if path.startswith(("/law/", "/rule/")) and ("/v/" not in path or i % 7 == 0):
            got = Graph().parse(data=r.text, format="nt")
            want = set(kb.triples((URIRef(iri), None, None))) or set(kb.triples((None, None, URIRef(iri))))
            if not want <= set(got):
                incomplete.append(iri)
    assert failed == [] and incomplete == []


def test_an_article_for_a_browser_is_an_html_page(client):
    r = client.get("/law/cpp/729-2", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert r.headers["vary"] == "Accept" and 'rel="alternate"; type="text/turtle"' in r.headers["link"]
    body = r.text
    assert "<h1>CPP 729-2</h1>" in body and "<script" not in body and "style=" not in body
    assert 'href="/law/cpp/729-2/v/' in body            # the versions, as local links
    assert 'href="/#article=CPP 729-2"' in body          # the page's article panel
    assert "Libération conditionnelle des étrangers" in body


@pytest.mark.parametrize("accept, media, rdflib_format", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json", "json-ld"),
])
def test_an_article_for_a_machine(client, kb, accept, media, rdflib_format):
    r = client.get("/law/cpp/729-2", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media
    g = Graph().parse(data=r.text, format=rdflib_format)
    assert set(kb.triples((URIRef(ARTICLE), None, None))) <= set(g)
    if media == "application/ld+json":
        from lexquery.kb.jsonld import context
        assert json.loads(r.text)["@context"] == context()


def test_format_parameter_404_and_406(client):
    assert client.get("/law/cpp/729-2?format=ttl", headers={"Accept": BROWSER}).headers["content-type"].startswith("text/turtle")
    r = client.get("/law/cpp/729-2", headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["error"]["where"] == "Accept"
    r = client.get("/law/cpp/999-999", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and "docs/design.md" in r.json()["error"]["hint"]
    assert client.get("/law/cpp/729-2?format=pdf").status_code == 400


def test_an_alinea_a_version_and_a_rule(client, kb):
    from lexquery.kb.graph import LQ
    al = next(iter(kb.objects(next(iter(kb.objects(URIRef(ARTICLE), URIRef(
        "http://data.europa.eu/eli/ontology#is_realized_by")))), LQ.hasParagraph)))
    r = client.get(_path(str(al)), headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.text, format="turtle")
    assert (al, LQ.partOfVersion, None) in g
    r = client.get("/rule/lc_expulsion", headers={"Accept": BROWSER})
    assert r.status_code == 200 and "lc_expulsion" in r.text


def test_context_ontology_and_sources(client):
    from lexquery.kb.jsonld import CONTEXT_FILE
    r = client.get("/context.jsonld")
    assert r.headers["content-type"].startswith("application/ld+json")
    assert r.json() == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    g = Graph().parse(data=client.get("/ontology", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (URIRef(BASE + "ontology#Article"), None, None) in g
    assert (URIRef(BASE + "ontology#paragraphCites"), None, None) in g
    r = client.get("/sources/legal/notes.md")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    for bad in ("/sources/../README.md", "/sources/%2e%2e/README.md", "/sources/legal/%2e%2e/%2e%2e/pyproject.toml"):
        assert client.get(bad).status_code == 404

"""Linked data: every IRI of the knowledge base dereferences on ``lexquery serve``.

The IRIs of docs/design.md (``https://w3id.org/lexquery/law/cpp/729-2``, ``…/v/{version}``,
``…/al/{N}``, ``https://w3id.org/lexquery/rule/…``) map onto the server by their path
(``GET /law/cpp/729-2``), as the ELI guidelines ask of an ELI (« ELI — a technical
implementation guide », §3: an identifier that resolves, with content negotiation) and as
W3C « Cool URIs for the Semantic Web » describes: one IRI, a representation per ``Accept``
(or ``?format=``) — an HTML page for a browser, Turtle, JSON-LD (the published ``@context``),
N-Triples or RDF/XML for a machine; 406 for anything else.

The description of a node is its concise bounded description (every triple whose subject it is,
blank nodes followed) plus the labels of the nodes it links to. ``/ontology`` and
``/ontology/law`` give the two ontologies (the ``lq:`` hash IRIs resolve to ``/ontology``),
``/sources/…`` our copy of a source document (the ``dcterms:source`` IRIs of the KB), and
``/context.jsonld`` the JSON-LD context.
"""
from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

from starlette.responses import FileResponse, Response

from . import sparql_formats as F
from .errors import ApiError
from .limits import run_limited
from .negotiate import choose

BASE = "https://w3id.org/lexquery/"
HTML = "text/html"
OFFERS = {HTML: HTML, "application/xhtml+xml": HTML, F.TURTLE: F.TURTLE, F.JSONLD: F.JSONLD,
          F.NTRIPLES: F.NTRIPLES, F.RDFXML: F.RDFXML, "application/x-turtle": F.TURTLE,
          "application/json": F.JSONLD}
FORMATS = {"html": HTML, "ttl": F.TURTLE, "turtle": F.TURTLE, "jsonld": F.JSONLD, "json-ld": F.JSONLD,
           "nt": F.NTRIPLES, "ntriples": F.NTRIPLES, "rdf": F.RDFXML, "xml": F.RDFXML}
ONTOLOGIES = {"ontology": ("lexquery.ttl", "lexquery-law.ttl"), "ontology/law": ("lexquery-law.ttl",)}
TEXT_TYPES = {".md": "text/markdown", ".txt": "text/plain", ".json": "application/json",
              ".nt": "application/n-triples", ".ttl": "text/turtle"}


def local_path(iri: str) -> str | None:
    """``https://w3id.org/lexquery/law/cpp/729-2`` → ``/law/cpp/729-2`` (None outside the KB)."""
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else None


@lru_cache(maxsize=1)
def kb_graph():
    from ..kb import load_kb
    from ..kb.graph import kb_graph as build
    return build(load_kb())


@lru_cache(maxsize=1)
def vocabulary():
    """Labels of the terms (our ontologies, ELI's) for the HTML pages."""
    from rdflib import Graph

    from ..kb.graph import bind, load_turtle_dir
    from ..paths import home
    g = bind(Graph())
    if (home() / "ontology").is_dir():
        load_turtle_dir(home() / "ontology", g)
    eli = home() / "sources" / "eli-ontology.nt"
    if eli.exists():
        g.parse(eli, format="nt")
    return g


def describe(iri: str):
    """The concise bounded description of ``iri`` in the KB graph, with the labels of its objects;
    for an IRI the KB only points at (an article cited by a text but not stored), the triples
    that point at it."""
    from rdflib import BNode, Graph, URIRef
    from rdflib.namespace import RDFS

    from ..kb.graph import bind
    g, out = kb_graph(), bind(Graph())
    todo, seen = [URIRef(iri)], set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, p, o in g.triples((node, None, None)):
            out.add((node, p, o))
            if isinstance(o, BNode):
                todo.append(o)
            elif isinstance(o, URIRef):
                for lab in g.objects(o, RDFS.label):
                    out.add((o, RDFS.label, lab))
    if not len(out):
        for s, p in g.subject_predicates(URIRef(iri)):
            out.add((s, p, URIRef(iri)))
            for lab in g.objects(s, RDFS.label):
                out.add((s, RDFS.label, lab))
    return out


@lru_cache(maxsize=4)
def ontology_graph(name: str):
    from rdflib import Graph

    from ..kb.graph import bind
    from ..paths import home
    g = bind(Graph())
    for f in ONTOLOGIES[name]:
        path = home() / "ontology" / f
        if path.exists():
            g.parse(path, format="turtle")
    return g


def negotiate(request) -> str:
    fmt = request.query_params.get("format")
    if fmt is not None:
        if fmt not in FORMATS:
            raise ApiError(400, f"format inconnu : {fmt}", where="format", expected=", ".join(sorted(FORMATS)),
                           message_en=f"unknown format: {fmt}", expected_en=", ".join(sorted(FORMATS)))
        return FORMATS[fmt]
    accept = request.headers.get("accept")
    got = choose(accept, list(OFFERS))
    if got is None:
        raise ApiError(406, f"format non disponible : {accept}", where="Accept",
                       expected=", ".join(sorted(set(OFFERS.values()))),
                       hint="une page HTML pour un navigateur ; Turtle, JSON-LD, N-Triples ou RDF/XML pour une machine",
                       message_en=f"format not available: {accept}", expected_en=", ".join(sorted(set(OFFERS.values()))),
                       hint_en="an HTML page for a browser; Turtle, JSON-LD, N-Triples or RDF/XML for a machine")
    return OFFERS[got]


def _alternates(path: str) -> str:
    return ", ".join(f'<{path}?format={k}>; rel="alternate"; type="{FORMATS[k]}"'
                     for k in ("ttl", "jsonld", "nt", "rdf", "html"))


def represent(graph, media: str, title: str, iri: str, path: str) -> Response:
    headers = {"Vary": "Accept", "Link": _alternates(path)}
    if media == HTML:
        return Response(page(graph, title, iri), media_type="text/html; charset=utf-8", headers=headers)
    if media == F.JSONLD:
        from ..kb.jsonld import compact
        body = compact(graph)
    else:
        body = graph.serialize(format=F.RDFLIB_FORMAT[media])
    ctype = media + ("; charset=utf-8" if media in (F.TURTLE, F.NTRIPLES) else "")
    return Response(body, media_type=ctype, headers=headers)


async def resource(request):
    """GET /law/{path}, /rule/{path}: one node of the KB."""
    path = request.url.path
    iri = BASE + path.lstrip("/")
    media = negotiate(request)
    graph = await run_limited(request, describe, iri)
    if not len(graph):
        raise ApiError(404, f"IRI absente de la base / IRI not in the knowledge base : {iri}", where=path,
                       hint="les IRI suivent docs/design.md : /law/{instrument}/{numéro}[/v/{version}[/al/{N}]]",
                       message_en=f"IRI not in the knowledge base: {iri}",
                       hint_en="the IRIs follow docs/design.md: /law/{instrument}/{number}[/v/{version}[/al/{N}]]")
    from rdflib import URIRef

    from ..kb.graph import LQ
    node = URIRef(iri)
    title = str(graph.value(node, LQ.citation) or _label(graph, node) or iri)
    return await run_limited(request, represent, graph, media, title, iri, path)


async def ontology(request):
    """GET /ontology, /ontology/law: the ontologies (their hash IRIs resolve here)."""
    name = request.url.path.strip("/")
    media = negotiate(request)
    graph = await run_limited(request, ontology_graph, name)
    return await run_limited(request, represent, graph, media, f"lexquery — {name}", BASE + name, request.url.path)


async def source_file(request):
    """GET /sources/{path}: our copy of a source document (what ``dcterms:source`` points at)."""
    from ..paths import home
    root = (home() / "sources").resolve()
    rel = request.path_params["path"]
    target = (root / rel).resolve()
    if ".." in Path(rel).parts or not target.is_relative_to(root) or not target.is_file():
        raise ApiError(404, f"document source introuvable : sources/{rel}", where=request.url.path,
                       message_en=f"source document not found: sources/{rel}")
    media = TEXT_TYPES.get(target.suffix, "text/plain")
    return FileResponse(target, media_type=media + "; charset=utf-8")


async def context(request):
    """GET /context.jsonld: the JSON-LD context of the KB and the answers."""
    from ..kb.jsonld import CONTEXT_FILE
    return FileResponse(CONTEXT_FILE, media_type="application/ld+json")


# ---- the HTML page -----------------------------------------------------------------------------
def _label(g, node, lang="fr"):
    from rdflib.namespace import RDFS
    labels = list(g.objects(node, RDFS.label))
    for want in (lang, "en", None):
        for lab in labels:
            if getattr(lab, "language", None) == want or want is None:
                return str(lab)
    return None


def _term(t, g, vocab) -> str:
    from rdflib import BNode, Literal, URIRef
    if isinstance(t, Literal):
        lang = f' lang="{html.escape(t.language)}"' if t.language else ""
        return f"<span{lang}>{html.escape(str(t))}</span>"
    if isinstance(t, BNode):
        return "<em>(nœud anonyme / blank node)</em>"
    s = str(t)
    label = _label(g, t) or _label(vocab, t)
    href = local_path(s) if isinstance(t, URIRef) and local_path(s) else s
    text = html.escape(label or s)
    return f'<a href="{html.escape(href)}">{text}</a>' + (f" <small>{html.escape(s)}</small>" if label else "")


def page(graph, title: str, iri: str) -> str:
    """A plain HTML page (no script, no inline style: the server's CSP) listing the description."""
    from rdflib import URIRef
    vocab = vocabulary()
    node = URIRef(iri)
    from rdflib import BNode
    subjects = [node] + sorted({s for s in graph.subjects() if isinstance(s, BNode)}, key=str)
    rows = []
    for s in subjects:
        triples = sorted(graph.predicate_objects(s), key=lambda po: (str(po[0]), str(po[1])))
        if s != node and triples:
            rows.append(f'<tr><th colspan="2">{_term(s, graph, vocab)}</th></tr>')
        for p, o in triples:
            rows.append(f"<tr><td>{_term(p, vocab, vocab)}</td><td>{_term(o, graph, vocab)}</td></tr>")
    inbound = sorted(((s, p) for s, p in graph.subject_predicates(node)), key=lambda sp: (str(sp[1]), str(sp[0])))
    if inbound:   # an IRI the KB only points at: who points at it
        rows.append('<tr><th colspan="2">cité par / cited by</th></tr>')
        for s, p in inbound:
            rows.append(f"<tr><td>{_term(s, graph, vocab)}</td><td>{_term(p, vocab, vocab)}</td></tr>")
    path = local_path(iri) or "/"
    formats = " · ".join(f'<a href="{html.escape(path)}?format={k}">{name}</a>'
                         for k, name in (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"),
                                         ("rdf", "RDF/XML")))
    from ..kb.graph import LQ
    cit = graph.value(node, LQ.citation)
    article = (f' · <a href="/#article={html.escape(str(cit))}">voir dans la page / open in the page</a>'
               if cit is not None else "")
    return f"""<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} — lexquery</title>
<link rel="stylesheet" href="/static/app.css">
<link rel="alternate" type="text/turtle" href="{html.escape(path)}?format=ttl">
<link rel="alternate" type="application/ld+json" href="{html.escape(path)}?format=jsonld">
</head>
<body>
<main>
<h1>{html.escape(title)}</h1>
<p><code>{html.escape(iri)}</code></p>
<p>Autres formats / other formats : {formats}{article}</p>
<table>
<thead><tr><th>propriété / property</th><th>valeur / value</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</main>
</body>
</html>
"""

"""The Turtle / JSON-LD rendering of answers (issue 3, item 4): the same answer as the JSON,
in the lexquery ontology, with a PROV-O receipt whose hashes are those of the source files,
and every cited provision linked to its node in the knowledge base."""
import hashlib
import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF

from lexquery.cli import main

ROOT = Path(__file__).resolve().parents[1]
LQ = Namespace("https://w3id.org/lexquery/ontology#")
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def _run(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr().out
    assert code == 0, out
    return out


@pytest.fixture(scope="module")
def ontology():
    g = Graph()
    for f in (ROOT / "ontology").glob("*.ttl"):
        g.parse(f, format="turtle")
    return g


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_turtle_states_what_the_json_states(capsys, path):
    answers = json.loads(_run(capsys, "ask", str(path), "--format", "json"))
    answers = answers if isinstance(answers, list) else [answers]
    g = Graph().parse(data=_run(capsys, "ask", str(path), "--format", "turtle"), format="turtle")
    for a in answers:
        for p in a["procedures"]:
            node = URIRef(f"https://w3id.org/lexquery/answer/{a['case']}/{p['procedure']}/{p.get('state') or 'none'}")
            assert (node, LQ.outcomeStatus, LQ["status_" + p["status"]]) in g
            cited = {str(o) for o in g.objects(node, LQ.citesProvision)}
            assert cited == set(p["sources"])


def test_every_term_of_the_answer_graph_is_declared(capsys, ontology):
    g = Graph().parse(data=_run(capsys, "ask", str(ROOT / "examples/ionescu.json"), "-f", "turtle"),
                      format="turtle")
    used = {t for triple in g for t in triple[1:] if isinstance(t, URIRef) and str(t).startswith(str(LQ))}
    undeclared = sorted(str(t) for t in used if (t, None, None) not in ontology)
    assert not undeclared
    # condition results hang off lq:hasConditionResult, whose range they respect
    results = list(g.objects(None, LQ.hasConditionResult))
    assert results and all((r, RDF.type, LQ.ConditionResult) in g for r in results)
    assert not list(g.triples((None, LQ.hasCondition, None)))  # that one is for rules, not results


def test_cited_provisions_resolve_to_kb_nodes(capsys):
    g = Graph().parse(data=_run(capsys, "ask", str(ROOT / "examples/ionescu.json"), "-f", "turtle"),
                      format="turtle")
    kb = Graph().parse(data=_run(capsys, "kb", "export", "--format", "turtle"), format="turtle")
    targets = set(g.objects(None, LQ.cites))
    assert URIRef("https://w3id.org/lexquery/law/cpp/729-2") in {URIRef(str(t).split("/v/")[0]) for t in targets}
    dangling = sorted(str(t) for t in targets if (t, None, None) not in kb)
    assert not dangling


def test_receipt_hashes_the_source_files(capsys):
    g = Graph().parse(data=_run(capsys, "ask", str(ROOT / "examples/ionescu.json"), "-f", "turtle"),
                      format="turtle")
    activity = next(g.subjects(RDF.type, PROV.Activity))
    kb = next(g.objects(activity, PROV.used))
    members = list(g.objects(kb, PROV.hadMember))
    assert len(members) > 10
    paths = {str(g.value(m, LQ.path)): str(g.value(m, LQ.sha256)) for m in members}
    for rel in ("rules/lc_expulsion.yaml", "reference/eu.yaml"):
        assert paths[rel] == hashlib.sha256((ROOT / rel).read_bytes()).hexdigest()


def test_jsonld_is_the_same_graph(capsys):
    path = str(ROOT / "examples/ionescu.json")
    ttl = Graph().parse(data=_run(capsys, "ask", path, "-f", "turtle"), format="turtle")
    jld = Graph().parse(data=_run(capsys, "ask", path, "-f", "jsonld"), format="json-ld")
    status = lambda g: sorted((str(s), str(o)) for s, o in g.subject_objects(LQ.outcomeStatus))
    assert status(ttl) == status(jld)
    assert len(ttl) == len(jld)
    assert (None, LQ.caseId, Literal("ionescu-2026")) in jld


def test_jsonld_is_compact_with_the_published_context(capsys):
    """Issue 15 §6: `ask --format jsonld` is compact JSON-LD whose @context is the published one
    (lexquery/data/context.jsonld, served at /context.jsonld), shorter than the expanded form."""
    from lexquery.kb.jsonld import CONTEXT_FILE, context
    path = str(ROOT / "examples/ionescu.json")
    text = _run(capsys, "ask", path, "-f", "jsonld")
    doc = json.loads(text)
    assert doc["@context"] == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"] == context()
    nodes = doc["@graph"]
    keys = {k for n in nodes for k in n}
    assert {"lq:hasOutcome", "lq:outcomeStatus", "prov:wasGeneratedBy"} & keys
    assert not any(k.startswith("https://w3id.org/lexquery/ontology#") for k in keys)   # no expanded term left
    expanded = Graph().parse(data=text, format="json-ld").serialize(format="json-ld")
    assert len(text) < 0.75 * len(expanded)

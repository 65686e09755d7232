"""The compiled SHACL checker (lexquery.caserdf.shapes_core) gives the same findings as
pySHACL on shapes/case-shapes.ttl — differential tests over every example, every invalid
example, generated registry rows, JSON-level mutations and RDF-level mutations (ill-typed
literals, repeated values, IRIs where literals go, subclasses, unknown States…)."""
import copy
import io
import json
import random
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from lexquery.caserdf import to_graph, validate_many
from lexquery.caserdf.graph import case_iri
from lexquery.caserdf.shapes_core import Data, Unsupported, compile_shapes
from lexquery.caserdf.validate import checker, findings, shapes_graph
from lexquery.screening.csv_cases import read_rows
from lexquery.screening.synth import synth_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "examples" / "invalid").glob("*.json"))
LQ = "https://w3id.org/lexquery/ontology#"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


def _key(f):
    norm = lambda n: "_:b" if isinstance(n, BNode) else (None if n is None else n.n3())  # noqa: E731
    return (norm(f.focus), norm(f.shape), str(f.component), norm(f.value), str(f.severity))


def same_findings(g: Graph):
    """Both engines over one graph: findings as multisets of (focus, shape, component, value, severity)."""
    ours = Counter(map(_key, findings(Data.of_graph(g), "compiled")))
    ref = Counter(map(_key, findings(g, "pyshacl")))
    return ours, ref


def synth_cases(n, seed):
    _, rows = read_rows(io.StringIO(synth_text(n, seed=seed)))
    return [r.raw for r in rows if r.raw is not None]


def test_the_case_shapes_compile():
    assert checker() is not None
    assert len(checker().targets) >= 6


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_same_results_as_pyshacl(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    cases = data if isinstance(data, list) else [data]
    a, b = validate_many(cases, engine="compiled"), validate_many(cases, engine="pyshacl")
    assert [[r.to_dict() for r in rs] for rs in a] == [[r.to_dict() for r in rs] for rs in b]
    for c in cases:   # the raw JSON, faulty values included, straight to RDF
        ours, ref = same_findings(to_graph({k: v for k, v in c.items() if k != "id"} | {"id": "x"}))
        assert ours == ref


def test_generated_registry_rows_same_results_as_pyshacl():
    cases = synth_cases(600, seed=7)
    a, b = validate_many(cases, engine="compiled"), validate_many(cases, engine="pyshacl")
    assert sum(map(len, a)) > 2000   # the rows do have findings to compare
    assert [[r.to_dict() for r in rs] for rs in a] == [[r.to_dict() for r in rs] for rs in b]


_JSON_MUTATIONS = {
    "sentence.execution_start": ["2030-01-01", "2001-02-03", "2024-02-30", 20240101, None],
    "sentence.expected_end": ["1999-12-31", "2024-13-01", "demain", None],
    "sentence.safety_period_end": ["none", "1990-01-01", "2099-01-01", True, None],
    "sentence.total": ["life", "P0D", "3 ans", "P18M", None],
    "person.nationalities": [[], ["XX"], ["RO", "MA"], ["ro"], "RO", None],
    "person.location": ["FR", "ZZ", None, ["FR"]],
    "person.protection": ["refugee", "réfugié", None],
    "removal_measures": [[], [{"kind": "ITF"}], [{"kind": "OQTF", "destination": "QQ"}], [{}], None],
    "consent": [{}, {"transfer": True}, {"transfer": "oui"}, None],
    "receiving_state": ["GB", "UK", 12, None],
    "detention.entry_date": ["2020-01-01", "01/02/2020", None],
    "id": ["", None, 3],
}


def _mutate(case, rng):
    c = copy.deepcopy(case)
    for _ in range(rng.randint(1, 4)):
        path = rng.choice(list(_JSON_MUTATIONS))
        *parents, last = path.split(".")
        node = c
        for p in parents:
            node = node.setdefault(p, {}) if isinstance(node.get(p), dict) or p not in node else node[p]
        if isinstance(node, dict):
            node[last] = copy.deepcopy(rng.choice(_JSON_MUTATIONS[path]))
    return c


def test_json_mutations_same_results_as_pyshacl():
    rng = random.Random(11)
    base = synth_cases(300, seed=3)
    cases = [_mutate(dict(rng.choice(base), id=f"j{i}"), rng) for i in range(700)]
    a, b = validate_many(cases, engine="compiled"), validate_many(cases, engine="pyshacl")
    assert any(r.shape and r.severity == "violation" for rs in a for r in rs)
    assert [[r.to_dict() for r in rs] for rs in a] == [[r.to_dict() for r in rs] for rs in b]


def _rdf_mutations(g: Graph, rng):
    """Change a case graph below the JSON reader: what a Turtle file could say."""
    subjects = sorted(set(g.subjects()), key=str)
    triples = sorted(g, key=lambda t: tuple(map(str, t)))
    for _ in range(rng.randint(1, 5)):
        s = rng.choice(subjects)
        m = rng.randrange(11)
        if m == 0 and triples:
            g.remove(rng.choice(triples))
        elif m == 1:
            g.add((s, URIRef(LQ + rng.choice(["executionStart", "expectedEnd", "safetyPeriodEnd", "entryDate"])),
                   Literal(rng.choice(["2024-13-01", "2024-02-30", "2024-01-01", "2031-05-05"]), datatype=XSD.date)))
        elif m == 2:
            g.add((s, URIRef(LQ + rng.choice(["expectedEnd", "executionStart", "totalLength"])),
                   Literal(rng.choice(["2024-01-01", "P3Y", "x"]))))          # plain strings
        elif m == 3:
            g.add((s, URIRef(LQ + rng.choice(["nationality", "location", "destination", "receivingState", "fledTo"])),
                   rng.choice([URIRef(COUNTRY + "XYZW"), URIRef(COUNTRY + "ROU"), Literal("RO"), BNode(),
                               URIRef("https://example.org/FRA")])))
        elif m == 4:
            g.add((s, URIRef(LQ + rng.choice(["final", "custodial", "incarcerated", "remediesExhausted", "definitive"])),
                   rng.choice([Literal(True), Literal(False), Literal("oui"), Literal(1), Literal("maybe", datatype=XSD.boolean)])))
        elif m == 5:
            g.add((s, URIRef(LQ + "protectionStatus"), rng.choice([URIRef(LQ + "protection_refugee"), URIRef(LQ + "x"),
                                                                   Literal("none")])))
        elif m == 6:
            g.add((s, RDF.type, URIRef(LQ + rng.choice(["ITF", "OQTF", "Case", "Person", "Sentence", "Conviction",
                                                        "RemovalMeasure", "Detention", "Nothing"]))))
        elif m == 7:
            g.add((URIRef(LQ + "Sub"), RDFS.subClassOf, URIRef(LQ + rng.choice(["Sentence", "Person", "Case"]))))
            g.add((s, RDF.type, URIRef(LQ + "Sub")))
        elif m == 8:
            g.add((s, URIRef(LQ + "totalLength"), Literal(rng.choice(["P3Y", "P2Y6M", "bad", "P"]), datatype=XSD.duration)))
        elif m == 9:
            g.add((s, URIRef(LQ + "caseId"), rng.choice([Literal("a"), Literal(3), Literal("b", lang="fr")])))
        else:
            g.add((s, URIRef(LQ + rng.choice(["judgmentDate", "birthDate", "asOf"])),
                   rng.choice([Literal("2020-01-01", datatype=XSD.date), Literal("2020-01-01T10:00:00", datatype=XSD.dateTime),
                               Literal("2020"), Literal("2020-01-01", datatype=XSD.gYear)])))
    return g


def test_rdf_mutations_same_findings_as_pyshacl():
    rng = random.Random(5)
    base = synth_cases(200, seed=9)
    g = Graph()
    for i in range(400):
        case = dict(rng.choice(base), id=f"m{i}")
        for t in _rdf_mutations(to_graph(case, base=case_iri(case["id"])), rng):
            g.add(t)
    ours, ref = same_findings(g)
    assert sum(ref.values()) > 2000
    assert {"DatatypeConstraintComponent", "NodeConstraintComponent", "LessThanConstraintComponent",
            "MaxCountConstraintComponent", "InConstraintComponent"} <= {k[2].rsplit("#", 1)[1] for k in ref}
    assert ours == ref


def test_shapes_outside_the_compiled_subset_are_refused():
    g = Graph().parse(data=shapes_graph().serialize(format="turtle"), format="turtle")
    g.add((URIRef("https://w3id.org/lexquery/shapes/case#case-id"), SH.sparql, BNode()))
    with pytest.raises(Unsupported):
        compile_shapes(g)
    g2 = Graph()
    g2.add((URIRef("urn:s"), RDF.type, SH.NodeShape))
    g2.add((URIRef("urn:s"), SH.targetNode, URIRef("urn:n")))
    with pytest.raises(Unsupported):
        compile_shapes(g2)

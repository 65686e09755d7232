"""The compiled SHACL checker (lexquery.caserdf.shapes_core) gives the same findings as
pySHACL on shapes/case-shapes.ttl — differential tests over every example, every invalid
example, generated registry rows, JSON-level mutations and RDF-level mutations (ill-typed
literals, repeated values, IRIs where literals go, subclasses, unknown States, dates outside
1900-01-01 .. 2199-12-31 and at those bounds…)."""
import copy
import io
import json
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from lexquery.caserdf import to_graph, validate_many
from lexquery.caserdf.graph import case_iri
from lexquery.caserdf.shapes_core import Data, Unsupported, _range_failing, _range_ok, compile_shapes
from lexquery.caserdf.validate import checker, findings, shapes_graph
from lexquery.dates import DATE_MAX, DATE_MIN
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
    "sentence.execution_start": ["2030-01-01", "2001-02-03", "2024-02-30", 20240101, "1900-01-01", "0202-01-01", None],
    "sentence.expected_end": ["1999-12-31", "2024-13-01", "demain", "9999-12-31", "2199-12-31", None],
    "sentence.safety_period_end": ["none", "1990-01-01", "2099-01-01", True, "2200-01-01", None],
    "sentence.total": ["life", "P0D", "3 ans", "P18M", None],
    "person.nationalities": [[], ["XX"], ["RO", "MA"], ["ro"], "RO", None],
    "person.location": ["FR", "ZZ", None, ["FR"]],
    "person.protection": ["refugee", "réfugié", None],
    "removal_measures": [[], [{"kind": "ITF"}], [{"kind": "OQTF", "destination": "QQ"}], [{}], None],
    "consent": [{}, {"transfer": True}, {"transfer": "oui"}, None],
    "receiving_state": ["GB", "UK", 12, None],
    "detention.entry_date": ["2020-01-01", "01/02/2020", "1899-12-31", None],
    "person.birth_date": ["1900-01-01", "1899-12-31", "2199-12-31", None],
    "as_of": ["2199-12-31", "2200-01-01", "1900-01-01", None],
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


_DATE_PROPERTIES = ["asOf", "birthDate", "entryDate", "executionStart", "expectedEnd", "safetyPeriodEnd",
                    "judgmentDate"]
_RANGE_VALUES = [Literal(x, datatype=XSD.date) for x in (
    "1900-01-01", "2199-12-31", "1899-12-31", "2200-01-01", "9999-12-31", "0001-01-01", "0202-01-01",
    "2024-02-30", "10000-01-01", "2199-12-31Z", "1900-01-01+14:00", "2200-01-01-05:00")] + [
    Literal("9999-12-31"), Literal("2020-01-01"), Literal("2020-01-01", datatype=XSD.string),
    Literal("2020-01-01", lang="fr"), Literal("2020-01-01T10:00:00", datatype=XSD.dateTime),
    Literal("2300-01-01T00:00:00", datatype=XSD.dateTime), Literal("2020", datatype=XSD.gYear),
    Literal(2020), Literal(True), Literal("P3Y", datatype=XSD.duration), BNode(), URIRef(LQ + "x")]
# pySHACL stops with an error on a blank node compared by sh:lessThan (these dates are): not generated there
_LESS_THAN = {"executionStart", "expectedEnd", "safetyPeriodEnd"}


def _rdf_mutations(g: Graph, rng):
    """Change a case graph below the JSON reader: what a Turtle file could say."""
    subjects = sorted(set(g.subjects()), key=str)
    triples = sorted(g, key=lambda t: tuple(map(str, t)))
    for _ in range(rng.randint(1, 5)):
        s = rng.choice(subjects)
        m = rng.randrange(12)
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
        elif m == 11:   # ranges: outside 1900-01-01 .. 2199-12-31, at the bounds, and odd values
            prop, value = rng.choice(_DATE_PROPERTIES), rng.choice(_RANGE_VALUES)
            if not (isinstance(value, BNode) and prop in _LESS_THAN):
                g.add((s, URIRef(LQ + prop), value))
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
            "MaxCountConstraintComponent", "InConstraintComponent", "MinInclusiveConstraintComponent",
            "MaxInclusiveConstraintComponent"} <= {k[2].rsplit("#", 1)[1] for k in ref}
    assert ours == ref


def test_date_ranges_same_findings_as_pyshacl_out_of_range_and_at_the_bounds():
    """Every date property, every odd value: the same findings; the bounds themselves pass."""
    g = Graph()
    rng = random.Random(1)
    base = synth_cases(len(_RANGE_VALUES), seed=4)
    nodes = {"asOf": "", "birthDate": "/person", "entryDate": "/detention", "executionStart": "/sentence",
             "expectedEnd": "/sentence", "safetyPeriodEnd": "/sentence"}
    for i, value in enumerate(_RANGE_VALUES):
        case = dict(rng.choice(base), id=f"r{i}", as_of=None)
        case["sentence"] = dict(case.get("sentence") or {}, convictions=[{"date": None, "final": True}])
        for t in to_graph(case, base=case_iri(case["id"])):
            g.add(t)
        for prop in _DATE_PROPERTIES:
            if isinstance(value, BNode) and prop in _LESS_THAN:
                continue
            node = nodes.get(prop, "/sentence/convictions/0")
            g.add((URIRef(case_iri(case["id"]) + node), URIRef(LQ + prop), value))
    ours, ref = same_findings(g)
    assert ours == ref
    ranged = Counter()   # case index -> range findings
    for k in ref:
        if "Inclusive" in k[2]:
            ranged[int(re.search(r"/case/r(\d+)", k[0]).group(1))] += ref[k]
    for i, value in enumerate(_RANGE_VALUES):
        if not isinstance(value, Literal) or value.datatype != XSD.date:
            assert ranged[i] > 0, value   # not a date: fails the bounds too (validate reports sh:datatype only)
        elif str(value) in (DATE_MIN.isoformat(), DATE_MAX.isoformat()):
            assert ranged[i] == 0, value          # at the bounds: no range finding
        elif str(value) in ("1899-12-31", "2200-01-01", "9999-12-31", "0001-01-01"):
            assert ranged[i] == len(_DATE_PROPERTIES), value   # outside: one per date property


def test_the_date_fast_path_decides_as_pyshacls_compare_literal():
    """Two well-typed xsd:date are compared as dates, without pySHACL: what compare_literal says."""
    values = [v for v in _RANGE_VALUES if isinstance(v, Literal)] + \
             [Literal(x, datatype=XSD.date) for x in ("1950-06-15", "2199-12-30", "1900-01-02", "2024-02-29")]
    for bound in (Literal(DATE_MIN.isoformat(), datatype=XSD.date), Literal(DATE_MAX.isoformat(), datatype=XSD.date),
                  Literal("2020-01-01Z", datatype=XSD.date)):
        for sign in (1, -1):
            assert _range_failing(bound, sign)(values) == [v for v in values if not _range_ok(v, bound, sign)]


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
    g3 = Graph()
    g3.add((URIRef("urn:s"), SH.targetClass, URIRef("urn:C")))
    g3.add((URIRef("urn:s"), SH.minInclusive, URIRef("urn:not-a-literal")))
    with pytest.raises(Unsupported):
        compile_shapes(g3)

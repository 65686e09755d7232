"""Case data as RDF and its SHACL shapes (shapes/case-shapes.ttl), through
``lexquery.caserdf`` and ``lexquery validate``: each finding names the JSON path of
the fact (as in contract/case-format.md) and the provision that needs it; unknown is
never false; impossible data is a violation (exit 6), a missing fact a warning/info."""
import copy
import json
from pathlib import Path

import pytest
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH

from case_edits import changed
from lexquery.caserdf import conforms, shapes_graph, to_graph, validate, validate_many
from lexquery.cli import main

ROOT = Path(__file__).resolve().parent.parent
INVALID = ROOT / "examples" / "invalid"
IONESCU = json.loads((ROOT / "examples" / "ionescu.json").read_text(encoding="utf-8"))
LQ = Namespace("https://w3id.org/lexquery/ontology#")
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
CASE = URIRef("https://w3id.org/lexquery/case/ionescu-2026")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_DURATION = URIRef("http://www.w3.org/2001/XMLSchema#duration")


def case(**changes):
    """Ionescu with changes given as sentence__total=None, ... (None = unknown)."""
    return changed(IONESCU, changes, sep="__")


def by_path(results):
    out = {}
    for r in results:
        out.setdefault(r.where, []).append(r)
    return out


# --- the RDF of a case -----------------------------------------------------------------
def test_to_graph_types_dates_durations_and_states():
    g = to_graph(IONESCU)
    person, sentence = URIRef(f"{CASE}/person"), URIRef(f"{CASE}/sentence")
    assert (CASE, RDF.type, LQ.Case) in g
    assert (person, LQ.nationality, COUNTRY.ROU) in g
    assert (person, LQ.location, COUNTRY.FRA) in g
    assert (sentence, LQ.executionStart, Literal("2025-06-01", datatype=XSD_DATE)) in g
    assert (sentence, LQ.totalLength, Literal("P3Y", datatype=XSD_DURATION)) in g
    assert (URIRef(f"{CASE}/removal_measures/0"), RDF.type, LQ.ITF) in g
    assert (person, LQ.protectionStatus, LQ.protection_none) in g


def test_the_fast_mapping_equals_rdflib_json_ld_processing_of_the_context():
    from rdflib.compare import isomorphic
    from lexquery.caserdf.graph import to_graph_jsonld
    variants = [IONESCU, load("periode-de-surete-avant-debut.json"), load("fin-de-peine-avant-debut.json"),
                case(person__nationalities=[], removal_measures=[], sentence__total="life",
                     sentence__safety_period_end="none", person__protection="refugee",
                     sentence__convictions=[{"total": "life", "date": "2020-01-01", "final": None}]),
                case(person=None, sentence__convictions=[], receiving_state="GB", consent__transfer=False)]
    for c in variants:
        assert isomorphic(to_graph(c), to_graph_jsonld(c)), c.get("id")


def test_unknown_gives_no_triple_and_false_stays_false():
    g = to_graph(case(person__protected_adult=None, sentence__legal_recidivism=False))
    person, sentence = URIRef(f"{CASE}/person"), URIRef(f"{CASE}/sentence")
    assert not list(g.objects(person, LQ.protectedAdult))
    assert (sentence, LQ.legalRecidivism, Literal(False)) in g
    assert not list(g.objects(sentence, LQ.safetyPeriodEnd))       # null: unknown
    assert not list(g.objects(sentence, LQ.hasSafetyPeriod))
    assert set(g.predicates(URIRef(f"{CASE}/consent"))) == {RDF.type}  # consent.* null: no fact


def test_known_none_is_explicit():
    g = to_graph(case(person__nationalities=[], removal_measures=[], sentence__safety_period_end="none",
                      sentence__total="life", sentence__convictions=[]))
    assert (URIRef(f"{CASE}/person"), LQ.stateless, Literal(True)) in g
    assert (CASE, LQ.noRemovalMeasure, Literal(True)) in g
    assert (URIRef(f"{CASE}/sentence"), LQ.hasSafetyPeriod, Literal(False)) in g
    assert (URIRef(f"{CASE}/sentence"), LQ.lifeSentence, Literal(True)) in g
    assert (URIRef(f"{CASE}/sentence"), LQ.noConviction, Literal(True)) in g
    wheres = {r.where for r in validate(case(person__nationalities=[], removal_measures=[]))}
    assert not wheres & {"person.nationalities", "removal_measures"}


def test_removing_a_list_is_unknown_not_none():
    c = case()
    del c["removal_measures"]
    g = to_graph(c)
    assert not list(g.objects(CASE, LQ.noRemovalMeasure))
    r = by_path(validate(c))["removal_measures"][0]
    assert r.severity == "warning" and "CPP 729-2 al. 1" in r.message and "CPP 729-2 al. 1" in r.provisions


# --- the valid example -------------------------------------------------------------------
def test_the_valid_example_conforms():
    results = validate(IONESCU)
    assert conforms(results)
    assert not [r for r in results if r.severity == "violation"]
    # facts the example leaves unknown are reported, with their provision
    r = by_path(results)["sentence.safety_period_end"][0]
    assert r.severity == "warning" and "CP 132-23 al. 1" in r.message


def test_cli_valid_case_exits_0(capsys):
    assert main(["validate", str(ROOT / "examples" / "ionescu.json")]) == 0
    assert "conforme" in capsys.readouterr().out


# --- missing facts ---------------------------------------------------------------------------
@pytest.mark.parametrize("path, provision, severity", [
    ("sentence.total", "CPP 729 al. 8", "warning"),
    ("sentence.expected_end", "STE 112 art. 3.1.c", "warning"),
    ("sentence.execution_start", "CPP 729 al. 8", "warning"),
    ("sentence.final", "CPP 728-10 al. 1", "warning"),
    ("person.location", "CPP 728-11 al. 1", "warning"),
    ("person.protection", "Circ. 2025 §1.3", "warning"),
    ("person.habitual_residence", "CPP 728-11 1°", "info"),
    ("detention.entry_date", "Circ. 2025 §1.2", "warning"),
    ("removal_measures[0].destination", "CPP 728-11 2°", "info"),
    ("removal_measures[0].kind", "CPP 729-2 al. 1", "warning"),
    ("removal_measures[0].remedies_exhausted", "STE 167 art. 3.1", "info"),
])
def test_a_missing_fact_names_its_path_and_provision(path, provision, severity):
    key = path.replace("[0]", ".0").replace(".", "__")
    results = validate(case(**{key: None}))
    assert conforms(results)
    r = by_path(results)[path]
    assert [x.severity for x in r] == [severity]
    assert r[0].message.startswith(path) and provision in r[0].message and provision in r[0].provisions
    assert r[0].message_en.startswith(path) and provision in r[0].message_en
    assert r[0].hint


# --- invalid examples ------------------------------------------------------------------------
def load(name):
    return json.loads((INVALID / name).read_text(encoding="utf-8"))


def violations(results):
    return {r.where: r for r in results if r.severity == "violation"}


def test_end_of_sentence_before_start():
    v = violations(validate(load("fin-de-peine-avant-debut.json")))
    assert set(v) == {"sentence.expected_end"}
    assert "2024-10-02" in v["sentence.expected_end"].message


def test_safety_period_before_start_is_a_shacl_violation_citing_cp_132_23():
    results = validate(load("periode-de-surete-avant-debut.json"))
    v = violations(results)
    assert set(v) == {"sentence.safety_period_end"}
    r = v["sentence.safety_period_end"]
    assert r.shape.endswith("#sentence-safety_after_start")
    assert "CP 132-23 al. 1" in r.message and r.provisions == ["CP 132-23 al. 1"]
    assert "sentence.safety_period_end" in r.message_en and r.value == "2019-05-04"
    assert r.expected == "une date postérieure à sentence.execution_start"


def test_shacl_catches_end_before_start_when_the_graph_comes_from_elsewhere():
    from lexquery.caserdf.validate import _run_shacl
    c = case(sentence__expected_end="2024-01-01")
    per_case = _run_shacl(to_graph(c))
    r = violations(per_case[str(CASE)])["sentence.expected_end"]
    assert "CPP 729 al. 8" in r.message


def test_unknown_keys_and_wrong_types_name_the_path():
    v = violations(validate(load("cles-et-types.json")))
    assert set(v) == {"person.nationalite", "person.habitual_residence", "sentence.final",
                      "sentence.total", "removal_measures[0].kind"}
    assert "nationalities" in v["person.nationalite"].hint
    assert v["person.habitual_residence"].hint == "écrivez « RO »"
    assert "OQTF" in v["removal_measures[0].kind"].hint
    assert "ISO 8601" in v["sentence.total"].expected
    # the JSON reader's finding is not repeated by a SHACL "unknown" at the same path
    assert [r.severity for r in validate(load("cles-et-types.json")) if r.where == "removal_measures[0].kind"] == ["violation"]


def test_french_spellings_are_rejected_with_their_path():
    v = violations(validate(load("dates-et-codes-a-la-francaise.json")))
    assert set(v) == {"as_of", "person.nationalities[0]", "person.protection", "sentence.total"}
    assert "refugee" in v["person.protection"].hint


@pytest.mark.parametrize("name", sorted(p.name for p in INVALID.glob("*.json")))
def test_cli_invalid_examples_exit_6(name, capsys):
    assert main(["validate", str(INVALID / name)]) == 6
    out = capsys.readouterr()
    assert "✘ violation" in out.out and "non conforme" in out.err


def test_cli_json_format_and_batches(tmp_path, capsys):
    cases = [IONESCU, load("periode-de-surete-avant-debut.json")]
    arr = tmp_path / "batch.json"
    arr.write_text(json.dumps(cases), encoding="utf-8")
    assert main(["validate", str(arr), "--format", "json"]) == 6
    reports = json.loads(capsys.readouterr().out)
    assert [r["conforms"] for r in reports] == [True, False]
    assert reports[1]["results"][0]["where"] == "sentence.safety_period_end"
    assert reports[1]["results"][0]["provisions"] == ["CP 132-23 al. 1"]
    jl = tmp_path / "batch.jsonl"
    jl.write_text("\n".join(json.dumps(c) for c in [IONESCU, IONESCU | {"id": "other"}]), encoding="utf-8")
    assert main(["validate", str(jl), "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2


def test_batch_results_equal_single_results_even_with_duplicate_ids():
    a, b = load("periode-de-surete-avant-debut.json"), case()
    for batch in ([a, b], [b, copy.deepcopy(b)]):
        assert [[r.to_dict() for r in rs] for rs in validate_many(batch)] == \
               [[r.to_dict() for r in validate(c)] for c in batch]


def test_not_an_object():
    v = violations(validate(["not", "a", "case"]))
    assert "$" in v


# --- the shapes themselves ---------------------------------------------------------------------
def _paths(spec, prefix=""):
    for k, v in spec.items():
        p = f"{prefix}.{k}" if prefix else k
        yield p
        if isinstance(v, dict):
            yield from _paths(v, p)
        elif isinstance(v, list) and isinstance(v[0], dict):
            yield from _paths(v[0], p + "[]")


from lexquery.engine.case import SCHEMA  # noqa: E402

CONTRACT_PATHS = set(_paths(SCHEMA))


def test_every_property_shape_has_severity_and_bilingual_message_naming_path_and_provision():
    g = shapes_graph()
    LQS = Namespace("https://w3id.org/lexquery/shapes/case#")
    shapes = set(g.subjects(RDF.type, SH.PropertyShape))
    assert len(shapes) >= 30
    for s in shapes:
        assert isinstance(s, URIRef), "every property shape has its own IRI"
        assert g.value(s, SH.severity) in (SH.Violation, SH.Warning, SH.Info), s
        msgs = {m.language: str(m) for m in g.objects(s, SH.message)}
        assert set(msgs) == {"fr", "en"}, s
        provisions = [str(p) for p in g.objects(s, LQS.provision)]
        assert provisions, s
        for lang, m in msgs.items():
            assert m.split(" ")[0] in CONTRACT_PATHS, (s, lang, m)
            for p in provisions:
                if p != "format de cas":
                    assert p in m, (s, lang, p)


# --- date ranges ---------------------------------------------------------------------------------
def _range_shapes():
    g = shapes_graph()
    return g, set(g.subjects(SH.minInclusive, None)) | set(g.subjects(SH.maxInclusive, None))


def test_the_date_bounds_of_the_shapes_are_those_of_the_json_reader():
    """DATE_MIN / DATE_MAX (lexquery.dates) are the bounds of every range shape and are named in
    its messages: the Turtle route and the JSON reader cannot drift apart."""
    from lexquery.dates import DATE_MAX, DATE_MIN
    from lexquery.caserdf.graph import context
    g, shapes = _range_shapes()
    lo, hi = Literal(DATE_MIN.isoformat(), datatype=XSD_DATE), Literal(DATE_MAX.isoformat(), datatype=XSD_DATE)
    date_properties = {LQ[d["@id"].split(":", 1)[1]] for d in context().values()
                       if isinstance(d, dict) and d.get("@type") == "xsd:date"}
    assert len(date_properties) == 10
    assert {g.value(s, SH.path) for s in shapes} == date_properties   # every date of a case, once
    assert len(shapes) == len(date_properties)
    for s in shapes:
        assert list(g.objects(s, SH.minInclusive)) == [lo] and list(g.objects(s, SH.maxInclusive)) == [hi], s
        assert g.value(s, SH.severity) == SH.Violation and str(s).endswith("-range")
        assert [str(p) for p in g.objects(s, Namespace("https://w3id.org/lexquery/shapes/case#").provision)] == \
               ["format de cas"]
        msgs = {m.language: str(m) for m in g.objects(s, SH.message)}
        for m in msgs.values():
            assert f"{DATE_MIN.isoformat()} et {DATE_MAX.isoformat()}" in m or \
                   f"{DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}" in m, (s, m)
            assert "9999-12-31" in m
        assert "null" in msgs["fr"] + msgs["en"] or "as_of" in msgs["fr"]
        assert {h.language for h in g.objects(s, Namespace("https://w3id.org/lexquery/shapes/case#").hint)} == {"fr", "en"}


@pytest.mark.parametrize("node, prop, where", [
    ("", "asOf", "as_of"),
    ("/person", "birthDate", "person.birth_date"),
    ("/detention", "entryDate", "detention.entry_date"),
    ("/sentence", "executionStart", "sentence.execution_start"),
    ("/sentence", "expectedEnd", "sentence.expected_end"),
    ("/sentence", "safetyPeriodEnd", "sentence.safety_period_end"),
    ("/sentence/convictions/0", "judgmentDate", "sentence.convictions[0].date"),
    ("/detention", "lastListDate", "detention.last_list_date"),
    ("/detention", "nextCapDate", "detention.next_cap_date"),
    ("/removal_measures/0", "endDate", "removal_measures[0].end_date"),
])
def test_a_date_out_of_range_in_rdf_is_a_violation_naming_the_field(node, prop, where):
    from lexquery.caserdf.validate import _run_shacl
    from lexquery.engine.case import EXPECTED
    for engine in ("compiled", "pyshacl"):
        for value, bad in (("9999-12-31", True), ("1899-12-31", True), ("1900-01-01", False), ("2199-12-31", False)):
            g = to_graph(IONESCU)
            g.set((URIRef(f"{CASE}{node}"), LQ[prop], Literal(value, datatype=XSD_DATE)))
            found = [r for r in _run_shacl(g, engine)[str(CASE)] if r.shape and r.shape.endswith("-range")]
            if not bad:
                assert not found, (engine, value)
                continue
            assert len(found) == 1, (engine, value, found)
            r = found[0]
            assert r.where == where and r.severity == "violation" and r.value == value
            assert r.message.startswith(f"{where} doit être une date entre 1900-01-01 et 2199-12-31")
            assert r.message_en.startswith(f"{where} must be a date between 1900-01-01 and 2199-12-31")
            assert r.expected == EXPECTED["date_range"] and r.provisions == ["format de cas"] and r.hint


def test_a_value_that_is_not_a_date_is_reported_as_such_not_as_out_of_range():
    from lexquery.caserdf.validate import _run_shacl
    sentence = URIRef(f"{CASE}/sentence")
    for value in (Literal("2024-02-30", datatype=XSD_DATE), Literal("9999-12-31"), Literal(2020)):
        g = to_graph(IONESCU)
        g.set((sentence, LQ.expectedEnd, value))
        shapes = [x.shape.rsplit("#", 1)[1] for x in _run_shacl(g)[str(CASE)] if x.where == "sentence.expected_end"]
        # the datatype is checked by its own Violation shape (a missing end is only a warning)
        assert "sentence-expected_end-type" in shapes and "sentence-expected_end-range" not in shapes, (value, shapes)


def test_a_json_date_out_of_range_is_reported_once_by_the_json_reader():
    rs = [r for r in validate(case(sentence__expected_end="9999-12-31")) if r.where == "sentence.expected_end"]
    assert [(r.severity, r.shape) for r in rs] == [("violation", None)]
    assert "1900-01-01" in rs[0].expected and "2199-12-31" in rs[0].expected


def test_a_life_sentence_is_not_asked_for_an_expected_end():
    """A life sentence has no expected end (its probation time is a fixed 18 or 22 years,
    CPP 729 al. 9): its absence is no warning there (review 12), while a fixed-term sentence
    without one still gets it — with both checkers (compiled and pySHACL)."""
    from lexquery.caserdf.validate import _run_shacl
    life = case(sentence__total="life", sentence__expected_end=None)
    fixed = case(sentence__expected_end=None)
    assert "sentence.expected_end" not in by_path(validate(life))
    r = by_path(validate(fixed))["sentence.expected_end"]
    assert [x.severity for x in r] == ["warning"] and "peine à temps" in r[0].message
    for engine in ("compiled", "pyshacl"):
        assert not [x for x in _run_shacl(to_graph(life), engine)[str(CASE)] if x.where == "sentence.expected_end"]
        assert [x.severity for x in _run_shacl(to_graph(fixed), engine)[str(CASE)]
                if x.where == "sentence.expected_end"] == ["warning"], engine

"""The domain ontology (ontology/lexquery.ttl): labels and definitions in French and
English on every term, removal measures as a class hierarchy with their legal nature
and case-format codes, SKOS schemes matching the contract, no term redefined from
ontology/lexquery-law.ttl, and consistency under HermiT (owlready2)."""
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from lexquery.engine.case import PROTECTION, REMOVAL_KINDS, SCHEMA

ROOT = Path(__file__).resolve().parent.parent
ONTO = ROOT / "ontology" / "lexquery.ttl"
LAW = ROOT / "ontology" / "lexquery-law.ttl"
CONTEXT = ROOT / "src" / "lexquery" / "data" / "case-context.jsonld"
LQ = Namespace("https://w3id.org/lexquery/ontology#")
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
              OWL.NamedIndividual, SKOS.ConceptScheme)


@pytest.fixture(scope="module")
def onto():
    return Graph().parse(ONTO, format="turtle")


def lq_terms(g):
    return {s for t in TERM_TYPES for s in g.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(str(LQ))}


def test_parses_and_declares_the_ontology(onto):
    assert (URIRef("https://w3id.org/lexquery/ontology"), RDF.type, OWL.Ontology) in onto
    assert len(lq_terms(onto)) > 100


def test_every_term_has_french_and_english_label_and_definition(onto):
    missing = []
    for t in sorted(lq_terms(onto)):
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in onto.objects(t, prop) if isinstance(o, Literal)}
            if not {"fr", "en"} <= langs:
                missing.append(f"{t.n3(onto.namespace_manager)} {prop.n3(onto.namespace_manager)} {sorted(langs)}")
    assert not missing, "\n".join(missing)


def test_no_term_is_redefined_from_the_law_ontology(onto):
    if not LAW.exists():
        pytest.skip("ontology/lexquery-law.ttl not written yet")
    law = Graph().parse(LAW, format="turtle")
    assert not (lq_terms(onto) & lq_terms(law))


def superclasses(g, c):
    return set(g.transitive_objects(c, RDFS.subClassOf))


def test_removal_measures_are_a_class_hierarchy_with_the_contract_codes(onto):
    codes = {str(o): s for s, o in onto.subject_objects(LQ.caseFormatCode)}
    assert set(codes) == set(REMOVAL_KINDS)
    for code, cls in codes.items():
        assert LQ.RemovalMeasure in superclasses(onto, cls), code
    judicial = {c for c, cls in codes.items() if LQ.JudicialRemovalMeasure in superclasses(onto, cls)}
    administrative = {c for c, cls in codes.items() if LQ.AdministrativeRemovalMeasure in superclasses(onto, cls)}
    assert judicial == {"ITF", "EAW"}
    assert administrative == {"IATF", "OQTF", "IRTF", "ICTF", "expulsion"}
    assert (LQ.JudicialRemovalMeasure, OWL.disjointWith, LQ.AdministrativeRemovalMeasure) in onto


def notations(g, scheme):
    return {str(g.value(c, SKOS.notation)) for c in g.subjects(SKOS.inScheme, scheme) if g.value(c, SKOS.notation)}


def test_concept_schemes_match_the_contract(onto):
    assert notations(onto, LQ.protectionStatuses) == set(PROTECTION)
    assert notations(onto, LQ.conditionStatuses) == {"met", "not_met", "unknown", "to_assess"}
    assert notations(onto, LQ.outcomeStatuses) == {"applicable", "applicable_later", "not_applicable", "undetermined"}
    assert notations(onto, LQ.procedures) == {"eu_recognition", "lc_expulsion", "ste_transfer",
                                              "consular_notification", "prefecture_notice",
                                              "forced_identification"}
    for scheme in (LQ.protectionStatuses, LQ.conditionStatuses, LQ.outcomeStatuses, LQ.procedures):
        assert set(onto.objects(scheme, SKOS.hasTopConcept)) == set(onto.subjects(SKOS.inScheme, scheme))


def test_authorities(onto):
    names = {str(s).split("#")[1] for s in onto.subjects(RDF.type, LQ.Authority)}
    assert names == {"authority_parquet", "authority_jap", "authority_tap", "authority_bepi",
                     "authority_prefecture", "authority_greffe"}


def contract_keys(spec):
    for k, v in spec.items():
        yield k
        if isinstance(v, dict):
            yield from contract_keys(v)
        elif isinstance(v, list) and isinstance(v[0], dict):
            yield from contract_keys(v[0])


def test_context_maps_every_contract_key_onto_a_defined_term(onto):
    ctx = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    assert set(contract_keys(SCHEMA)) <= set(ctx)
    defined = lq_terms(onto)
    for key, d in ctx.items():
        iri = d.get("@id") if isinstance(d, dict) else d
        if isinstance(iri, str) and iri.startswith("lq:"):
            assert LQ[iri[3:]] in defined, (key, iri)


def test_terms_used_by_the_answer_renderer_are_defined(onto):
    import re
    src = (ROOT / "src" / "lexquery" / "render" / "rdf.py").read_text(encoding="utf-8")
    used = set(re.findall(r"LQ\.([A-Za-z_0-9]+)", src))
    law = lq_terms(Graph().parse(LAW, format="turtle")) if LAW.exists() else set()
    assert {u for u in used if LQ[u] not in lq_terms(onto) | law} == set()


# --- HermiT ---------------------------------------------------------------------------
needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")


def run_hermit(graph):
    """Consistency check with owlready2's HermiT; returns (unsatisfiable classes, seconds)."""
    import owlready2
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "lq.nt")
        graph.serialize(path, format="nt", encoding="utf-8")  # owlready2 does not read Turtle
        world = owlready2.World()
        o = world.get_ontology("file://" + path).load()
        t = time.perf_counter()
        with o:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        return [c.iri for c in world.inconsistent_classes()], time.perf_counter() - t


@needs_java
def test_hermit_finds_the_ontologies_consistent_with_no_unsatisfiable_class():
    # about 1.1-1.3 s (JVM start included) on the 2-core development machine
    g = Graph().parse(ONTO, format="turtle")
    if LAW.exists():
        g.parse(LAW, format="turtle")
    unsat, seconds = run_hermit(g)
    assert unsat == []
    assert seconds < 30


@needs_java
def test_hermit_detects_a_measure_both_judicial_and_administrative():
    import owlready2
    g = Graph().parse(ONTO, format="turtle")
    bad = URIRef("https://w3id.org/lexquery/case/x/removal_measures/0")
    g.add((bad, RDF.type, OWL.NamedIndividual))
    g.add((bad, RDF.type, LQ.ITF))
    g.add((bad, RDF.type, LQ.OQTF))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        run_hermit(g)

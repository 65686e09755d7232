"""lexquery.kb.checks: every check passes on the fixture KB and on the real KB, and FAILS
on a deliberately broken copy (STYLE.md §13)."""
from __future__ import annotations

import re

import pytest

from kb_helpers import REPO, make_root, real_law_present
from lexquery.kb.checks import java_path, run_checks


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path_factory.getbasetemp() / "kb-cache"))


def errors(rep, check_prefix):
    return [f for f in rep.errors if f.check.startswith(check_prefix)]


def test_fixture_kb_passes(tmp_path):
    rep = run_checks(make_root(tmp_path), only={"shacl", "sparql"})
    assert rep.ok, [f.__dict__ for f in rep.errors]
    assert "shacl/kb-shapes" in rep.ran and "sparql/eli-terms" in rep.ran


@pytest.mark.skipif(not real_law_present(), reason="law/ has no YAML files yet (written by other helpers)")
def test_real_kb_passes():
    rep = run_checks(REPO)
    assert rep.ok, "\n".join(f"{f.check}: {f.what} @ {f.where}" for f in rep.errors)
    assert any(r.startswith("sparql/rule-citation-unresolved") for r in rep.ran)


def test_rule_citing_unknown_article_fails(tmp_path):
    root = make_root(tmp_path)
    f = root / "rules" / "demo.yaml"
    f.write_text(f.read_text().replace('sources: ["CPP 729-2 al. 1"]', 'sources: ["CPP 999-9"]'))
    rep = run_checks(root, only={"sparql"})
    bad = errors(rep, "sparql/rule-citation-unresolved")
    assert bad and "CPP 999-9" in bad[0].what and bad[0].where == "removal_measure"
    assert bad[0].fix


def test_rule_without_basis_fails(tmp_path):
    root = make_root(tmp_path)
    f = root / "rules" / "other.yaml"
    f.write_text(f.read_text().replace('    sources: ["CPP 712-11"]\n', ""))
    rep = run_checks(root, only={"sparql", "shacl"})
    assert errors(rep, "sparql/rule-without-basis")
    assert errors(rep, "shacl/RuleBasis")


def test_provision_without_source_fails(tmp_path):
    root = make_root(tmp_path)
    f = root / "law" / "cpp" / "712-11.yaml"
    f.write_text(f.read_text().replace('    source: "sources/seeds/002_3a42ed45e3e44a25.txt"\n', ""))
    rep = run_checks(root, only={"shacl"})
    bad = errors(rep, "shacl/VersionSource")
    assert len(bad) == 1 and "CPP 712-11" in bad[0].where


def test_version_without_text_or_date_fails(tmp_path):
    root = make_root(tmp_path)
    f = root / "law" / "cpp" / "712-11.yaml"
    text = f.read_text()
    f.write_text(text[:text.index("    paragraphs:")])
    rep = run_checks(root, only={"shacl"})
    assert errors(rep, "shacl/VersionShape")


def test_eli_typo_fails(tmp_path):
    root = make_root(tmp_path)
    (root / "ontology" / "zz-typo.ttl").write_text(
        "@prefix eli: <http://data.europa.eu/eli/ontology#> .\n"
        "@prefix lq: <https://w3id.org/lexquery/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "lq:Article rdfs:subClassOf eli:LegalRessource .\n")
    rep = run_checks(root, only={"sparql"})
    bad = errors(rep, "sparql/eli-terms")
    assert [f.where for f in bad] == ["http://data.europa.eu/eli/ontology#LegalRessource"]


def test_eli_property_outside_its_eli_domain_fails(tmp_path):
    """Issue 15 §6: eli:cites (domain LegalResource ∪ LegalExpression in sources/eli-ontology.nt)
    on an alinéa (lq:Paragraph, neither) is caught; on an article (lq:Article ⊑
    eli:LegalResourceSubdivision ⊑ eli:LegalResource, across our ontology and ELI's) it is not."""
    root = make_root(tmp_path)
    rep = run_checks(root, only={"sparql"})
    assert "sparql/eli-domain" in rep.ran and not errors(rep, "sparql/eli-domain")
    al = "https://w3id.org/lexquery/law/cpp/729-2/v/2016-03-09/al/1"
    art = "https://w3id.org/lexquery/law/cpp/729-2"
    (root / "ontology" / "zz-domain.ttl").write_text(
        "@prefix eli: <http://data.europa.eu/eli/ontology#> .\n"
        f"<{al}> eli:cites <https://w3id.org/lexquery/law/cpp/728-11> .\n"
        f"<{art}> eli:cites <https://w3id.org/lexquery/law/cpp/728-11> .\n")
    rep = run_checks(root, only={"sparql"})
    bad = errors(rep, "sparql/eli-domain")
    assert [(f.where, f.what.rsplit(" ", 1)[-1]) for f in bad] == [(al, "http://data.europa.eu/eli/ontology#cites")]
    assert bad[0].fix


def test_literal_source_fails_and_lists_are_split(tmp_path):
    """dcterms:source is an IRI (issue 15 §6): « a; b » gives two IRIs and keeps its text in
    lq:sourceNote; a text that names no URL or sources/ path is a violation."""
    from lexquery.kb.graph import source_iris
    iris, extra = source_iris("sources/legal/notes.md §8; https://example.org/a ; seed 000 §2.2")
    assert [str(i) for i in iris] == ["https://w3id.org/lexquery/sources/legal/notes.md", "https://example.org/a"]
    assert extra
    assert source_iris("https://example.org/a") == ([__import__("rdflib").URIRef("https://example.org/a")], False)
    root = make_root(tmp_path)
    (root / "ontology" / "zz-source.ttl").write_text(
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "<https://w3id.org/lexquery/law/cpp/729-2/v/2016-03-09> dcterms:source \"Légifrance, page citée\" .\n")
    rep = run_checks(root, only={"sparql"})
    bad = errors(rep, "sparql/source-not-iri")
    assert [f.where for f in bad] == ["https://w3id.org/lexquery/law/cpp/729-2/v/2016-03-09"]


def test_class_without_french_label_fails(tmp_path):
    root = make_root(tmp_path)
    f = root / "ontology" / "lexquery-law.ttl"
    text = f.read_text()
    text = re.sub(r'(lq:Precedence a owl:Class ;\n    rdfs:label )"précédence"@fr , ', r"\1", text)
    assert '"précédence"@fr' not in text
    f.write_text(text)
    rep = run_checks(root, only={"sparql", "shacl"})
    bad = errors(rep, "sparql/ontology-labels")
    assert any(b.where.endswith("#Precedence") and "rdfs:label @fr" in b.what for b in bad)
    assert any(b.where.endswith("#Precedence") or "Precedence" in b.where for b in errors(rep, "shacl/TermShape"))


def test_exclusive_group_without_precedence_fails(tmp_path):
    root = make_root(tmp_path)
    (root / "rules" / "precedence.yaml").write_text("precedence: []\n")
    rep = run_checks(root, only={"sparql"})
    bad = errors(rep, "sparql/exclusive-group-precedence")
    assert len(bad) == 1 and bad[0].where == "lc_expulsion / other_release"


def test_procedure_without_rule_file_fails(tmp_path):
    """A procedure of the answer format whose rule file is gone: its answers would silently
    disappear; the KB check names it."""
    root = make_root(tmp_path)
    (root / "rules" / "ste_transfer.yaml").unlink()
    rep = run_checks(root, only={"sparql"})
    bad = errors(rep, "sparql/procedure-without-rules")
    assert [f.where for f in bad] == ["ste_transfer"] and bad[0].fix


def test_open_question_as_law_fails(tmp_path):
    root = make_root(tmp_path)
    f = root / "law" / "cpp" / "712-11.yaml"
    f.write_text(f.read_text().replace("Dans le délai de vingt-quatre heures",
                                       "[U] Dans le délai (unverified) de vingt-quatre heures"))
    rep = run_checks(root, only={"sparql"})
    assert errors(rep, "sparql/open-question-as-law")


def test_reference_outside_kb_is_a_warning(tmp_path):
    rep = run_checks(make_root(tmp_path), only={"sparql"})
    warn = [f for f in rep.warnings if f.check == "sparql/reference-not-in-kb"]
    assert any("CPP 732" in f.what for f in warn)
    assert rep.ok


@pytest.mark.skipif(java_path() is None, reason="Java absent: HermiT cannot run")
def test_owl_consistent_then_inconsistent(tmp_path):
    root = make_root(tmp_path)
    rep = run_checks(root, only={"owl"}, use_cache=False)
    assert rep.ok and "owl/hermit" in rep.ran, [f.__dict__ for f in rep.findings]
    (root / "ontology" / "zz-broken.ttl").write_text(
        "@prefix lq: <https://w3id.org/lexquery/ontology#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "lq:RuleArticle a owl:Class ; rdfs:subClassOf lq:Rule , lq:Article .\n"
        "lq:bad a lq:RuleArticle .\n")
    rep = run_checks(root, only={"owl"}, use_cache=False)
    assert errors(rep, "owl/hermit")


def test_owl_without_java_is_reported_clearly(tmp_path, monkeypatch):
    import lexquery.kb.checks as K
    monkeypatch.setattr(K, "java_path", lambda: None)
    rep = run_checks(make_root(tmp_path), only={"owl"}, use_cache=False)
    assert rep.ok and ("owl", "pas de Java / no Java") in rep.skipped
    assert "Java" in rep.warnings[0].what


@pytest.mark.skipif(not (REPO / "reference").is_dir(), reason="reference/ not there")
def test_reference_fact_without_source_fails(tmp_path):
    root = make_root(tmp_path, reference=True)
    f = root / "reference" / "bilateral.yaml"
    text = f.read_text()
    new = re.sub(r"(?m)^(\s*-?\s*)source: [^\n]*\n", r"\1", text, count=1)
    if new == text:
        new = re.sub(r"source: [^,}\n]*,?\s*", "", text, count=1)
    assert new != text
    f.write_text(new)
    import lexquery.kb.reference as R
    R._load.cache_clear()
    rep = run_checks(root, only={"reference"})
    assert errors(rep, "reference/")


def test_shacl_findings_come_in_a_fixed_order(tmp_path):
    """pySHACL's results are a graph (a set): the report lists them sorted by shape, node and
    message, so `kb check` says the same thing in the same order every run."""
    root = make_root(tmp_path)
    f = root / "law" / "cpp" / "712-11.yaml"
    text = f.read_text()
    f.write_text(text[:text.index("    paragraphs:")])   # VersionShape violations
    f = root / "rules" / "other.yaml"
    f.write_text(f.read_text().replace('    sources: ["CPP 712-11"]\n', ""))   # RuleBasis
    rep = run_checks(root, only={"shacl"})
    found = [f for f in rep.findings if f.check.startswith("shacl/")]
    assert len({f.check for f in found}) >= 2, [f.__dict__ for f in found]
    assert found == sorted(found, key=lambda f: (f.check, f.where, f.what, f.severity))

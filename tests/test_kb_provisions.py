"""lexquery.kb.provisions and citations: loading law/ YAML, citations, versions at a date,
cross-references, resolution with a hint, and the cache (fixture law in tests/fixtures/kb)."""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from kb_helpers import FIXTURE
from lexquery.errors import NotFoundError
from lexquery.kb import citations as C
from lexquery.kb.provisions import build_kb, load_kb


@pytest.fixture(scope="module")
def kb():
    return build_kb(FIXTURE / "law", FIXTURE / "rules")


@pytest.mark.parametrize("query, citation", [
    ("728-11", "CPP 728-11"), ("CPP 729-2 al 1", "CPP 729-2 al. 1"), ("D541", "CPP D541"),
    ("D 541", "CPP D541"), ("CP 132-23", "CP 132-23"), ("cp 132-23 al. 2", "CP 132-23 al. 2"),
    ("STE 112 art. 3", "STE 112 art. 3"), ("ste112 art 3.1.c", "STE 112 art. 3.1.c"),
    ("Circ. 2025 §2.2", "Circ. 2025 §2.2"), ("Circ. 2025 n. 1", "Circ. 2025 n. 1"),
    ("L. 5252-4", "CPP-2029 L5252-4"), ("720 I 1°", "CPP 720 I 1°"), ("article 729", "CPP 729"),
    ("CVRC art. 36.1.b", "CVRC art. 36.1.b"), ("DC 2008/909 art. 26.1", "DC 2008/909 art. 26.1"),
])
def test_parse_query(query, citation):
    assert C.parse_query(query) == citation


@pytest.mark.parametrize("text, code, refs", [
    ("au sens de l'article 728-10 :", "CPP", [("CPP", "728-10")]),
    ("les articles 132-23 du code pénal et D. 541", "CPP", [("CP", "132-23"), ("CPP", "D541")]),
    ("l'article 729", "CPP", [("CPP", "729")]),
    ("les articles 712-5, 712-8 et 713-43", "CPP", [("CPP", "712-5"), ("CPP", "712-8"), ("CPP", "713-43")]),
    # CPP 712-11 1° as published (2021): a list broken by "et," still ends on the bare "720"
    ("aux articles 712-5,712-8,713-43 et, 713-44 et 720 ;", "CPP",
     [("CPP", "712-5"), ("CPP", "712-8"), ("CPP", "713-43"), ("CPP", "713-44"), ("CPP", "720")]),
    ("l'article L. 5121-3", "CPP2029", [("CPP2029", "L5121-3")]),
    ("articles L. 211-27 et L. 421-8 du code des assurances", "CPP", []),
    ("prévues à l'art. 9.1.a", "STE112", [("STE112", "9")]),
    ("l'article 6 de la convention européenne des droits de l'homme", "CPP", []),
    # Circ. 2025 §1.3 al. 1: the Vienna Convention's article, not CPP 36 (any « de la convention »)
    ("Conformément à l’article 36 de la convention de Vienne du 24 avril 1963", "CPP", []),
    ("en 2021, six mois", "CPP", []),
])
def test_extract_refs(text, code, refs):
    assert C.extract_refs(text, code) == refs


def test_citations_of_paragraphs(kb):
    assert kb.resolve("CPP 728-11 1°").paragraph.n == 2
    assert kb.resolve("CPP 728-11 al. 3").paragraph.label == "2°"
    assert kb.resolve("STE 112 art. 3.1.c").paragraph.n == 3
    assert kb.resolve("Circ. 2025 §2.2 al. 1") is not None
    assert kb.resolve("CPP 999-9") is None


def test_versions_merged_by_instrument_and_number(kb):
    p = kb.provisions[("CPP", "729-2")]
    assert {v.id for v in p.versions} == {"2016-03-09", "2016-03-09-en"}
    assert sorted(p.files) == ["tests/fixtures/kb/law/cpp/729-2-en.yaml", "tests/fixtures/kb/law/cpp/729-2.yaml"]


def test_version_at_date(kb):
    p = kb.provisions[("CPP", "728-11")]
    assert kb.version_at(p, date(2020, 1, 1)).id == "2013-08-07"
    assert kb.version_at(p, date(2022, 1, 1)).id == "2022-01-01"
    assert kb.resolve("CPP 728-11 al. 1", date(2020, 1, 1)).version.id == "2013-08-07"
    p = kb.provisions[("CPP", "729-2")]
    assert kb.version_at(p).translation is False           # authentic text first
    assert kb.version_at(p, lang="en").translation is True  # the translation only when asked


def test_cited_by_provisions_and_rules(kb):
    assert "Circ. 2025 §2.2 al. 1" in kb.cited_by["CPP 729-2"]
    assert "CPP 712-11 1°" in kb.cited_by["CPP 729-2"]
    assert {u.where for u in kb.rules_by_article["CPP 729-2"]} >= {"lc_expulsion", "lc_expulsion/removal_measure"}


def test_lookup_unknown_gives_hint(kb):
    with pytest.raises(NotFoundError) as e:
        kb.lookup("729-3")
    assert "729-2" in (e.value.hint or "")
    assert e.value.exit_code == 5


def test_cache_roundtrip_and_invalidation(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    law = tmp_path / "law"
    shutil.copytree(FIXTURE / "law", law)
    kb1 = load_kb(law, FIXTURE / "rules")
    assert list((tmp_path / "cache").glob("kb-*.pickle"))
    kb2 = load_kb(law, FIXTURE / "rules")
    assert kb2.digest == kb1.digest and len(kb2) == len(kb1)
    f = law / "cpp" / "712-11.yaml"
    f.write_text(f.read_text().replace("Appel des décisions", "Appel"))
    kb3 = load_kb(law, FIXTURE / "rules")
    assert kb3.digest != kb1.digest
    assert kb3.provisions[("CPP", "712-11")].title["fr"] == "Appel du JAP"   # rebuilt, not the stale cache


def test_rule_citations_match_the_rule_loader():
    """The KB reads rules/*.yaml without compiling them; it must see the same citations
    as RuleBook.citations() (the loader's own view)."""
    from kb_helpers import REPO
    from lexquery.rules.loader import load_rules
    book = load_rules(REPO / "rules")
    kb = build_kb(FIXTURE / "law", REPO / "rules")
    assert {(u.citation, u.where) for u in kb.rule_uses} == set(book.citations())


@pytest.mark.parametrize("text, refs", [
    ("depuis l'entrée en vigueur de la loi n°2024-42 du 26 janvier 2024", []),
    ("du deuxième alinéa de l'article 131-9 ou du second alinéa de l'article 131-11 du code pénal",
     [("CP", "131-9"), ("CP", "131-11")]),
    ("l'article 728-11 et l'article 132-23 du code pénal", [("CPP", "728-11"), ("CP", "132-23")]),
    ("aux articles 421-1 à 421-6 du code pénal ou à l'article 132-80 du même code",
     [("CP", "421-1"), ("CP", "421-6"), ("CP", "132-80")]),
])
def test_extract_refs_code_context(text, refs):
    assert C.extract_refs(text, "CPP") == refs


def test_seed_snapshot_takes_the_validity_of_the_same_dated_version():
    """The 2021 seed text of CPP 728-15 and 728-22 is the version ended by QPC 2021-905
    (abrogation deferred to 31 December 2021): it must not count as in force today, and on
    2021-09-17 (the seed's date) the seed's exact text, with its item labels, is the one given."""
    from datetime import date
    from lexquery.kb.provisions import load_kb as _load
    kb = _load()
    for number in ("728-15", "728-22"):
        p = kb.provisions[("CPP", number)]
        old = kb.version_at(p, date(2021, 9, 17))
        assert (old.id, old.valid_until) == ("2021-09-17", date(2021, 12, 31))
        assert "generated" in old.file                      # the seed's copy, kept verbatim
        assert kb.version_at(p, date(2026, 12, 1)).id == "post-qpc-2021-905"
        assert not any(v.id == "2021-seed" for v in p.versions)
    assert "1°" in kb.version_at(kb.provisions[("CPP", "728-22")], date(2021, 9, 17)).text


def test_sources_as_of_is_declared_and_true():
    """Answers carry knowledge_base.sources_as_of (answer-format.md); the declared date in
    law/manifest.json must be the KB's most recent dated version, or the manifest is stale."""
    from lexquery.kb.provisions import latest_version_date, load_kb as _load, sources_as_of
    from lexquery.engine import ask
    import json as _json
    from kb_helpers import REPO
    declared = sources_as_of()
    assert declared == latest_version_date(_load(REPO / "law", REPO / "rules")).isoformat()
    case = _json.loads((REPO / "examples" / "ionescu.json").read_text(encoding="utf-8"))
    assert ask(case).knowledge_base["sources_as_of"] == declared

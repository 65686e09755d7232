"""`lexquery article | sources | kb query | kb export | kb coverage | kb check` from the
command line (lexquery.cli.main), on the fixture KB and on the real one."""
from __future__ import annotations

import json

import pytest

from kb_helpers import REPO, make_root, real_law_present
from lexquery.cli import main

needs_law = pytest.mark.skipif(not real_law_present(), reason="law/ has no YAML files yet (written by other helpers)")


@pytest.fixture
def fixture_home(tmp_path, monkeypatch):
    root = make_root(tmp_path)
    monkeypatch.setenv("LEXQUERY_HOME", str(root))
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    return root


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_article_fixture(fixture_home, capsys):
    code, out, _ = run(capsys, "article", "729-2")
    assert code == 0
    assert out.startswith("CPP 729-2 — Libération conditionnelle-expulsion")
    assert "Version 2016-03-09" in out and "LEGIARTI000032172294" in out
    assert "al. 1 " in out and "al. 2 " in out
    assert "Cite : CPP 732 (hors base), CPP 728-11" in out
    assert "Circ. 2025 §2.2 al. 1" in out
    # the rule that cites it, in words (its id, lc_expulsion/removal_measure, is in the JSON)
    assert "Libération conditionnelle-expulsion › mesure d'éloignement (CPP 729-2 al. 1)" in out
    assert "texte stocké tronqué" in out and "Amending law of 2016" in out
    assert "CPP-2029 L5252-4" in out


def test_article_at_date_and_item(fixture_home, capsys):
    code, out, _ = run(capsys, "article", "CPP 728-11 1°", "--at", "2020-05-01")
    assert code == 0 and "Version 2013-08-07" in out
    code, out, _ = run(capsys, "article", "728-11 1°")
    assert "▶ al. 2 (1°)" in out


def test_article_english_and_json(fixture_home, capsys):
    code, out, _ = run(capsys, "article", "729-2", "--lang", "en")
    assert "translation, not the authentic text" in out and "Cited by" in out
    code, out, _ = run(capsys, "article", "STE 112 art. 3.1.c", "--format", "json")
    d = json.loads(out)
    assert d["citation"] == "STE 112 art. 3" and d["asked"] == "STE 112 art. 3.1.c"
    assert [p["highlight"] for p in d["version"]["paragraphs"]] == [False, False, True, False]


def test_article_unknown(fixture_home, capsys):
    code, _, err = run(capsys, "article", "999-9")
    assert code == 5 and "introuvable" in err and "Traceback" not in err
    code, _, err = run(capsys, "article", "729-2", "--at", "hier")
    assert code == 2


def test_sources(fixture_home, capsys):
    code, out, _ = run(capsys, "sources")
    assert code == 0 and "(5 disposition(s))" in out
    code, out, _ = run(capsys, "sources", "--instrument", "STE112", "--format", "json")
    assert [r["citation"] for r in json.loads(out)] == ["STE 112 art. 3"]
    code, out, _ = run(capsys, "sources", "--grep", "expulsion", "--used")
    assert "CPP 728-11" in out and "CPP 712-11" not in out


def test_kb_query_export_coverage(fixture_home, capsys, tmp_path):
    q = tmp_path / "q.rq"
    q.write_text("PREFIX lq: <https://w3id.org/lexquery/ontology#>\n"
                 "SELECT ?c WHERE { ?a a lq:Article ; lq:citation ?c } ORDER BY ?c")
    code, out, _ = run(capsys, "kb", "query", str(q), "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "c" and "CPP 729-2" in out
    code, out, _ = run(capsys, "kb", "query", str(q))
    assert "(5 ligne(s) / row(s))" in out
    code, out, _ = run(capsys, "kb", "export", "--format", "turtle")
    assert code == 0 and "eli:LegalExpression" in out and 'lq:citation "CPP 728-11 1°"' in out
    code, out, _ = run(capsys, "kb", "export", "--format", "jsonld")
    assert code == 0 and json.loads(out)
    code, out, _ = run(capsys, "kb", "coverage")
    text = (fixture_home / "docs" / "coverage.md").read_text()
    assert "| CPP 729-2 |" in text and "lc_expulsion" in text
    # the second part lists the ids of the fixture's rules (lexquery.kb.rule_ids)
    assert "## Identifiants des règles / Rule ids" in text and "### `lc_expulsion`" in text
    code, out, _ = run(capsys, "kb", "coverage", "--check")
    assert code == 0


def test_kb_check_exit_codes(fixture_home, capsys):
    code, out, _ = run(capsys, "kb", "check", "--only", "shacl,sparql")
    assert code == 0 and "base conforme / KB OK" in out
    f = fixture_home / "rules" / "demo.yaml"
    f.write_text(f.read_text().replace('"CPP 728-11 1°"', '"CPP 999-9"'))
    code, out, err = run(capsys, "kb", "check", "--only", "sparql")
    assert code == 6
    assert "CPP 999-9" in out and "où / where : transfer_conditions" in out and "à faire / fix" in out


def test_kb_check_that_ran_nothing_fails(fixture_home, capsys):
    """Issue 15 §2: a KB without shapes/, checks/, ontology/, reference/ (an install that
    lost them) is not « conforme » with 0 checks: exit 4, a message saying none ran."""
    import shutil
    for d in ("shapes", "checks", "ontology", "sources"):
        shutil.rmtree(fixture_home / d)
    code, out, err = run(capsys, "kb", "check")
    assert code == 4
    assert "aucun contrôle lancé / no check ran" in err and "LEXQUERY_HOME" in err
    assert "base conforme" not in out and "✘ aucun contrôle lancé" in out
    code, out, err = run(capsys, "kb", "check", "--format", "json")
    assert code == 4 and json.loads(out)["ran"] == []
    # one family that runs is a check: its findings decide (the fixture's citations are not
    # those of the real reference/, hence 6), no longer the absence of checks; the family
    # runs two: reference/facts and reference/english (issue 15 item 7)
    shutil.copytree(REPO / "reference", fixture_home / "reference")
    code, out, err = run(capsys, "kb", "check", "--only", "reference")
    assert code == 6 and "reference/facts" in out and "2 contrôles / checks" in out and "aucun contrôle lancé" not in out + err


@needs_law
@pytest.mark.parametrize("number, expected", [
    ("729-2", ["CPP 729-2", "Version", "LEGIARTI000032172294", "Source", "Cité par", "Utilisé par les règles"]),
    ("712-11", ["CPP 712-11", "Version", "Source", "Cite : CPP 712-5", "Utilisé par les règles"]),
])
def test_article_real_kb(number, expected, capsys, monkeypatch):
    monkeypatch.delenv("LEXQUERY_HOME", raising=False)
    code, out, _ = run(capsys, "article", number)
    assert code == 0
    for s in expected:
        assert s in out, f"« {s} » absent de la sortie :\n{out}"
    assert "al. 1" in out


@needs_law
def test_real_coverage_up_to_date(capsys, monkeypatch):
    monkeypatch.delenv("LEXQUERY_HOME", raising=False)
    if not (REPO / "docs" / "coverage.md").exists():
        pytest.skip("docs/coverage.md not generated yet")
    code, out, err = run(capsys, "kb", "coverage", "--check")
    assert code == 0, err


def _ids_of(p) -> list[str]:
    """Every id of a procedure as the answer can carry it, walked here apart from the
    generator (lexquery.kb.rule_ids): itself, its conditions at any depth, its notes, its
    routes with theirs."""
    def conds(cs):
        return [i for c in cs for i in [c.id, *conds(c.children)]]
    return [p.id, *conds(p.conditions), *[n.id for n in p.notes], *[i for r in p.routes for i in _ids_of(r)]]


def _rule_id_sections(text: str) -> dict[str, str]:
    """docs/coverage.md's « Rule ids » part, by procedure id (``### `id` — …`` headings)."""
    assert "\n## Identifiants des règles / Rule ids\n" in text, "no « Rule ids » part"
    part = text.split("\n## Identifiants des règles / Rule ids\n", 1)[1]
    out = {}
    for chunk in part.split("\n### `")[1:]:
        pid, rest = chunk.split("`", 1)
        out[pid] = rest
    return out


@needs_law
def test_real_coverage_lists_every_rule_id():
    """Review 25, notes § 11: a reviewer writing test cases from docs/ alone must find the
    ids the answer carries. Each procedure of the rules (as the engine loads them) has its
    section in docs/coverage.md, in the engine's order, and every id of it is a row there."""
    from lexquery.rules.loader import load_rules
    book = load_rules(REPO / "rules")
    sections = _rule_id_sections((REPO / "docs" / "coverage.md").read_text(encoding="utf-8"))
    assert list(sections) == list(book.procedures)

    def row(pid, ident):
        return next((ln for ln in sections[pid].splitlines() if ln.startswith(f"| `{ident}` |")), None)

    def has(pid, ident, kind):
        r = row(pid, ident)
        assert r is not None, f"{pid}: no row for {ident}"
        assert kind in r, f"{pid}: {ident} is not marked « {kind} »: {r}"

    # a few known ids, with their kind
    has("lc_expulsion", "lsc_720_i", "route")
    has("ste_transfer", "basis_ste167", "basis")
    has("lc_expulsion", "over_seventy_reading", "à vérifier / to verify")
    has("ste_transfer", "precedence:fd_replaces_ste_between_member_states", "precedence")
    has("lc_expulsion", "precedence:lsc_plein_droit_excludes_720_i", "precedence")
    # every condition id of ste_transfer, read from the rules (the bases' own at any depth)
    ste = book.procedures["ste_transfer"]
    cond_ids = [i for i in _ids_of(ste) if i not in {n.id for n in ste.notes} | {ste.id}]
    assert len(cond_ids) > 25 and "six_months_unserved_fled" in cond_ids
    assert [c for c in cond_ids if row("ste_transfer", c) is None] == []
    # and every id of every procedure, with its citations as written in the rules
    missing = [(p.id, i) for p in book.procedures.values() for i in _ids_of(p) if row(p.id, i) is None]
    assert missing == []
    lsc = next(r for r in book.procedures["lc_expulsion"].routes if r.id == "lsc_720_i")
    assert all(s in row("lc_expulsion", "lsc_720_i") for s in lsc.sources)
    assert "2021-12-24 → 2028-12-31" in row("lc_expulsion", "lsc_720_i")

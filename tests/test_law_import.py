"""`lexquery law import` (LEGI XML of the DILA → law/legi/) and `lexquery law diff`
(issue 13, item 4), on article files in the dump's format with real CPP text
(tests/fixtures/legi/README.md says where each text and id comes from)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from lexquery import yaml12

from kb_helpers import REPO, real_copy, run_cli
from lexquery.kb.legi import paragraphs_of, parse_article, read_path

LEGI = REPO / "tests" / "fixtures" / "legi"


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A copy of the real law/ and rules/ that an import may write into."""
    return real_copy(tmp_path, monkeypatch)


run = run_cli


def test_parse_article_real_format():
    a = parse_article((LEGI / "LEGIARTI000027808224.xml").read_bytes(), "728-12")
    assert (a.legiarti, a.num, a.etat, a.instrument) == ("LEGIARTI000027808224", "728-12", "VIGUEUR", "CPP")
    assert a.valid_from == date(2013, 8, 7) and a.valid_until is None     # DATE_FIN 2999-01-01: no end
    assert a.hierarchy[:2] == ["Partie législative", "Livre V : Des procédures d'exécution"]
    assert a.paragraphs[0]["text"].startswith("Toute décision de condamnation transmise")
    assert a.paragraphs[1] == {"label": "1°", "text": "La désignation de l'Etat de condamnation et de la "
                                                      "juridiction ayant rendu la décision de condamnation ;"}
    assert a.amended_by == ["LOI n°2013-711 du 5 août 2013 - art. 11"]
    assert a.official_link == "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000027808224"


def test_date_fin_is_the_first_day_out_of_force():
    # LEGI: DATE_FIN = the next version's DATE_DEBUT; law/: valid_until = last day in force
    a = parse_article((LEGI / "LEGIARTI000099000001.xml").read_bytes())
    assert a.date_fin == date(2022, 1, 1) and a.valid_until == date(2021, 12, 31)
    assert len(a.paragraphs) == 3 and a.nota[0].startswith("Par une décision n° 2021-905 QPC")


def test_br_separated_alineas_and_parts():
    # older LEGI files separate alinéas with <br/>; a part (« II.- ») labels its items « II 1° »
    xml = ("<ARTICLE><META><META_COMMUN><ID>LEGIARTI000044569670</ID></META_COMMUN><META_SPEC><META_ARTICLE>"
           "<NUM>720</NUM><ETAT>MODIFIE</ETAT><DATE_DEBUT>2021-12-24</DATE_DEBUT><DATE_FIN>2024-01-28</DATE_FIN>"
           "</META_ARTICLE></META_SPEC></META><CONTEXTE><TEXTE cid=\"LEGITEXT000006071154\"/></CONTEXTE>"
           "<BLOC_TEXTUEL><CONTENU>I.-Lorsqu'une personne condamnée exécute une ou plusieurs peines<br/><br/>"
           "1° Le juge de l'application des peines<br/>II.-Sauf en cas d'impossibilité matérielle<br/>"
           "1° Aux personnes condamnées</CONTENU></BLOC_TEXTUEL></ARTICLE>")
    a = parse_article(xml)
    assert [p.get("label") for p in a.paragraphs] == ["I", "I 1°", "II", "II 1°"]
    assert a.paragraphs[0]["text"] == "Lorsqu'une personne condamnée exécute une ou plusieurs peines"
    assert a.valid_until == date(2024, 1, 27)


def test_unreadable_xml_is_an_input_error(tmp_path, capsys, home):
    bad = tmp_path / "LEGIARTI000000000000.xml"
    bad.write_text("<ARTICLE><META>", encoding="utf-8")
    code, _, err = run(capsys, "law", "import", str(bad))
    assert code == 3 and "XML LEGI illisible" in err and str(bad) in err and "Traceback" not in err
    code, _, err = run(capsys, "law", "import", str(tmp_path / "absent"))
    assert code == 5 and "introuvable" in err


def test_directory_skips_non_article_files(tmp_path):
    (tmp_path / "section.xml").write_text("<SECTION_TA><ID>LEGISCTA000027808311</ID></SECTION_TA>")
    (tmp_path / "a.xml").write_bytes((LEGI / "LEGIARTI000027808224.xml").read_bytes())
    arts, skipped = read_path(tmp_path)
    assert [a.num for a in arts] == ["728-12"] and skipped[0][0].endswith("section.xml")


def test_import_adds_versions_and_reports_rules(home, capsys):
    code, out, _ = run(capsys, "law", "import", str(LEGI))
    assert code == 0
    written = home / "law" / "legi" / "cpp" / "728-15.yaml"
    doc = yaml12.load(written.read_text(encoding="utf-8"))
    ids = {v["legiarti"]: v for v in doc["versions"]}
    assert ids["LEGIARTI000099000001"]["valid_until"] == date(2021, 12, 31)
    assert ids["LEGIARTI000099000002"]["valid_from"] == date(2022, 1, 1)
    # the rule that cites 728-15 al. 3 over 2022 → : its text is no longer the réinsertion sentence
    assert "eu_recognition/remedy" in out and "« CPP 728-15 al. 3 » : texte modifié le 2022-01-01" in out
    # 728-12 has the same text and id as stored: nothing to write
    assert "inchangée(s) : 1" in out and not (home / "law" / "legi" / "cpp" / "728-12.yaml").exists()
    # the undated post-QPC copy is now the dated official version: no « à ce jour » guess left
    code, out, _ = run(capsys, "article", "728-15")
    assert "LEGIARTI000099000002" in out and "en vigueur depuis le 2022-01-01" in out
    assert "date inconnue → à ce jour" not in out
    # a second import changes nothing
    code, out, _ = run(capsys, "law", "import", str(LEGI), "--format", "json")
    d = json.loads(out)
    assert d["added"] == [] and d["updated"] == [] and len(d["unchanged"]) == 3


def _new_version(num: str, start: str, change) -> bytes:
    """A LEGI file for a new version of a stored article: its stored text with ``change``
    applied to the paragraph list (the test's own edit, not a real amendment)."""
    src = (LEGI / "LEGIARTI000027808224.xml").read_text(encoding="utf-8")
    doc = yaml12.load((REPO / "law" / "cpp" / f"{num}.yaml").read_text(encoding="utf-8"))
    paras = change([dict(p) for p in doc["versions"][-1]["paragraphs"]])
    from xml.sax.saxutils import escape
    body = "".join(f"<p>{escape((p['label'] + ' ') if p.get('label') else '')}{escape(p['text'])}</p>" for p in paras)
    head, rest = src.split("<BLOC_TEXTUEL>", 1)
    out = head.replace("<NUM>728-12</NUM>", f"<NUM>{num}</NUM>").replace(
        "<DATE_DEBUT>2013-08-07</DATE_DEBUT>", f"<DATE_DEBUT>{start}</DATE_DEBUT>").replace(
        "LEGIARTI000027808224", "LEGIARTI000099000010")
    return (out + "<BLOC_TEXTUEL><CONTENU>" + body + "</CONTENU></BLOC_TEXTUEL></ARTICLE>").encode()


def _edit_first(paras):
    paras[0]["text"] = paras[0]["text"].replace("privative de liberté", "privative de liberté ou restrictive")
    return paras


def test_changed_alinea_cited_within_the_rule_period_is_reported(home, tmp_path, capsys):
    f = tmp_path / "LEGIARTI000099000010.xml"
    f.write_bytes(_new_version("728-10", "2027-01-01", _edit_first))
    code, out, _ = run(capsys, "law", "import", str(f))
    assert code == 0 and "ajoutée(s) : 1" in out
    assert "« CPP 728-10 al. 1 » : texte modifié le 2027-01-01 (version 2013-08-07 → 2027-01-01)" in out
    code, out, _ = run(capsys, "law", "diff", "728-10", "--from", "2026-12-31", "--to", "2027-01-01")
    assert code == 0 and "CPP 728-10 al. 1 : modifié" in out and "{+ou restrictive+}" in out
    assert "eu_recognition/" in out


def test_change_after_the_rule_period_is_not_reported(home, tmp_path, capsys):
    # eu_recognition is encoded until 2028-12-31: a text of 2030 is outside what it claims
    f = tmp_path / "LEGIARTI000099000010.xml"
    f.write_bytes(_new_version("728-10", "2030-01-01", _edit_first))
    code, out, _ = run(capsys, "law", "import", str(f))
    assert code == 0 and "Aucune règle ne cite un alinéa dont le texte a changé." in out


def test_articles_outside_the_kb_need_all(home, tmp_path, capsys):
    src = (LEGI / "LEGIARTI000027808224.xml").read_text(encoding="utf-8").replace("<NUM>728-12</NUM>", "<NUM>728-76</NUM>")
    f = tmp_path / "LEGIARTI000099000011.xml"
    f.write_text(src.replace("LEGIARTI000027808224", "LEGIARTI000099000011"), encoding="utf-8")
    code, out, _ = run(capsys, "law", "import", str(f))
    assert code == 0 and "CPP 728-76 absent de la base (--all pour l'ajouter)" in out
    code, out, _ = run(capsys, "law", "import", str(f), "--all")
    assert "ajoutée(s) : 1" in out and (home / "law" / "legi" / "cpp" / "728-76.yaml").exists()


def test_dry_run_writes_nothing(home, capsys):
    code, out, _ = run(capsys, "law", "import", str(LEGI), "--dry-run")
    assert code == 0 and "essai" in out and not (home / "law" / "legi").exists()


def test_diff_real_kb_728_15(capsys, monkeypatch):
    monkeypatch.setenv("LEXQUERY_HOME", str(REPO))
    code, out, _ = run(capsys, "law", "diff", "728-15", "--from", "2021-06-01", "--to", "2022-06-01")
    assert code == 0
    assert "CPP 728-15 al. 2 : modifié" in out and "[-d'office ou-]" in out
    assert "CPP 728-15 al. 3 → CPP 728-15 al. 4 : renuméroté" in out
    code, out, _ = run(capsys, "law", "diff", "728-15", "--from", "2022-06-01", "--to", "2023-06-01", "--format", "json")
    assert json.loads(out)["same_version"] is True


def test_diff_unknown_article(capsys, monkeypatch):
    monkeypatch.setenv("LEXQUERY_HOME", str(REPO))
    code, _, err = run(capsys, "law", "diff", "999-9", "--from", "2021-01-01", "--to", "2022-01-01")
    assert code == 5 and "introuvable" in err


def test_paragraphs_of_nested_blocks():
    import xml.etree.ElementTree as ET
    el = ET.fromstring("<CONTENU><p>Un.</p><p>Deux <b>gras</b> fin.</p>Trois</CONTENU>")
    assert paragraphs_of(el) == ["Un.", "Deux gras fin.", "Trois"]

"""Citations checked against the version in force (issue 13, items 2 and 5): `kb check`'s
« law » family, its figures, `article X al. N --at DATE` on an absent alinéa, and the
repealed 712-16-3."""
from __future__ import annotations

import json
import shutil

import pytest
import yaml

from kb_helpers import REPO, real_copy, run_cli
from lexquery import yaml12
from lexquery.kb.checks import run_checks
from lexquery.kb.provisions import load_kb


run = run_cli


@pytest.fixture
def real(monkeypatch, tmp_path):
    monkeypatch.setenv("LEXQUERY_HOME", str(REPO))
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def copy_home(tmp_path, monkeypatch):
    return real_copy(tmp_path, monkeypatch)


def test_absent_alinea_at_a_date_is_not_found(real, capsys):
    # CPP 728-15 in its version of loi 2013-711 (in force until 2021-12-31) has three alinéas
    code, _, err = run(capsys, "article", "CPP 728-15 al. 4", "--at", "2021-06-01")
    assert code == 5 and "introuvable" in err and "version 2021-09-17, 3 alinéa(s)" in err
    assert "« CPP 728-15 al. 1 » à « CPP 728-15 al. 3 »" in err and "Traceback" not in err
    code, out, _ = run(capsys, "article", "CPP 728-15 al. 4", "--at", "2022-06-01")
    assert code == 0 and "▶ al. 4" in out and "facilitera la réinsertion sociale" in out
    code, out, _ = run(capsys, "article", "CPP 728-15 al. 3", "--at", "2021-06-01")
    assert code == 0 and "▶ al. 3" in out


def test_repealed_version_is_never_in_force_to_date(real, capsys):
    code, out, _ = run(capsys, "article", "712-16-3")
    assert code == 0
    assert "2021-seed-abroge (date inconnue → abrogée, date inconnue ; plus en vigueur au 2021-12-02)" in out
    assert "→ à ce jour" not in out
    kb = load_kb()
    v = next(x for x in kb.by_article_citation["CPP 712-16-3"].versions if x.id == "2021-seed-abroge")
    assert v.repealed and not any(v.valid_on(d) for d in (v.repealed_before, v.repealed_before.replace(year=2010)))


def test_law_family_on_the_real_kb(real):
    rep = run_checks(only={"law"})
    assert rep.ok, [f.what for f in rep.errors]
    assert rep.figures["absent_alineas"] == 0
    assert set(rep.figures) >= {"truncated_relied_on", "absent_alineas", "without_official_link_cited"}
    d = rep.to_dict()
    assert d["figures"] == rep.figures


def test_kb_check_prints_the_figures(real, capsys):
    code, out, _ = run(capsys, "kb", "check", "--only", "law")
    assert code == 0 and "Chiffres / figures (objectif 0 / goal 0)" in out
    assert "citations d'un alinéa absent de la version en vigueur" in out
    code, out, _ = run(capsys, "kb", "check", "--only", "law", "--format", "json")
    assert json.loads(out)["figures"]["absent_alineas"] == 0


def _rules_with(root, fname, edit):
    p = root / "rules" / fname
    doc = yaml12.load(p.read_text(encoding="utf-8"))
    edit(doc)
    p.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_rule_citing_an_absent_alinea_fails(copy_home):
    # the réinsertion condition cited as al. 4 over the whole period of the rule (from 2013):
    # the version in force until 2021-12-31 has no al. 4
    def edit(doc):
        doc["conditions"] = [c for c in doc["conditions"] if c["id"] != "rehabilitation_2013"]
        for c in doc["conditions"]:
            if c["id"] == "rehabilitation":
                c.pop("valid")
    _rules_with(copy_home, "eu_recognition.yaml", edit)
    rep = run_checks(copy_home, only={"law"}, use_cache=False)
    bad = [f for f in rep.errors if f.check == "law/citations-in-force"]
    assert len(bad) == 1 and "eu_recognition/rehabilitation" in bad[0].where
    assert "« CPP 728-15 al. 4 » n'existe pas dans la version 2021-09-17 en vigueur du 2013-08-07 au 2021-12-31" in bad[0].what
    assert rep.figures["absent_alineas"] == 1


def test_bounding_the_validity_fixes_it(copy_home):
    # the same citation bounded to the period of the version that has it: no failure
    def edit(doc):
        doc["conditions"] = [c for c in doc["conditions"] if c["id"] != "rehabilitation_2013"]
        for c in doc["conditions"]:
            if c["id"] == "rehabilitation":
                c["valid"] = {"from": "2022-01-01", "until": None}
    _rules_with(copy_home, "eu_recognition.yaml", edit)
    rep = run_checks(copy_home, only={"law"}, use_cache=False)
    assert rep.figures["absent_alineas"] == 0


def test_text_change_under_one_citation_is_a_warning(copy_home):
    # the remedy note cites 728-15 al. 3, which reads differently before and after QPC 2021-905
    before = run_checks(copy_home, only={"law"}, use_cache=False).figures["text_changed_under_citation"]

    def edit(doc):
        for n in doc["notes"]:
            if n["id"] == "remedy":
                n.pop("valid")
    _rules_with(copy_home, "eu_recognition.yaml", edit)
    rep = run_checks(copy_home, only={"law"}, use_cache=False)
    w = [f for f in rep.warnings if f.check == "law/text-changed" and "« CPP 728-15 al. 3 » change le 2022-01-01" in f.what]
    assert len(w) == 1 and "eu_recognition/remedy" in w[0].where
    assert rep.figures["text_changed_under_citation"] == before + 1


def test_truncated_and_unlinked_figures_move(copy_home):
    rep = run_checks(copy_home, only={"law"}, use_cache=False)
    before = dict(rep.figures)
    assert "CPP 729-2" in {f.where for f in rep.warnings if f.check == "law/truncated-relied-on"}
    p = copy_home / "law" / "cpp" / "729-2.yaml"
    doc = yaml12.load(p.read_text(encoding="utf-8"))
    for v in doc["versions"]:
        v["truncated"] = False
    p.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rep = run_checks(copy_home, only={"law"}, use_cache=False)
    assert rep.figures["truncated_relied_on"] == before["truncated_relied_on"] - 1
    # an article cited by the rules loses its official link (and the LEGIARTI ids it follows
    # from): one more without
    p = copy_home / "law" / "cpp" / "716-1.yaml"
    doc = yaml12.load(p.read_text(encoding="utf-8"))
    doc.pop("legiarti", None)
    for v in doc["versions"]:
        v.pop("official", None)
        v.pop("legiarti", None)
        v["source"] = "http://lexinter.net/PROCPEN/dispositions_generales7.htm"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rep2 = run_checks(copy_home, only={"law"}, use_cache=False)
    assert rep2.figures["without_official_link_cited"] == rep.figures["without_official_link_cited"] + 1
    assert "CPP 716-1" in {f.where for f in rep2.warnings if f.check == "law/official-link"}


def test_condition_valid_selects_the_numbering_of_the_date():
    # the answer as of 2021-06-01 cites al. 3 (three alinéas then); as of 2022-06-01 al. 4
    import lexquery
    case = json.loads((REPO / "examples" / "ionescu.json").read_text(encoding="utf-8"))

    def cites(day):
        a = lexquery.ask(case, as_of=day).to_dict()
        p = next(x for x in a["procedures"] if x["procedure"] == "eu_recognition")
        return {s for c in p["conditions"] for s in c["sources"]} | set(p["sources"])
    assert "CPP 728-15 al. 4" not in cites("2021-06-01") and "CPP 728-15 al. 3" in cites("2021-06-01")
    assert "CPP 728-15 al. 4" in cites("2022-06-01")


def test_seed_script_marks_the_repealed_version(tmp_path):
    import subprocess
    import sys
    out = tmp_path / "gen"
    subprocess.run([sys.executable, str(REPO / "scripts" / "extract_seeds.py"), "--out", str(out)], check=True,
                   capture_output=True)
    doc = yaml12.load((out / "cpp" / "712-16-3.yaml").read_text(encoding="utf-8"))
    v = next(x for x in doc["versions"] if x["id"] == "2021-seed-abroge")
    assert v["repealed"] is True and str(v["repealed_before"]) == "2021-12-02"
    shutil.rmtree(out)


def _questions_edit(home, edit):
    p = home / "reference" / "open-questions.yaml"
    doc = yaml.safe_load(p.read_text(encoding="utf-8"))
    edit(doc["questions"])
    p.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    from lexquery.kb import reference
    reference._load.cache_clear()           # read once per folder and process


def test_a_text_cited_before_it_was_issued_needs_a_dated_question(copy_home):
    """The circular of 21 March 2025 is cited by rules whose periods begin earlier (ste_transfer
    from 1985, prefecture_notice from 2019-08-16): the dated questions naming it under
    ``before_issued`` cover those days; without them each such citation is a warning naming the
    days, and the figure counts them. STE 167, cited by ste_transfer's protocol conditions from
    1985 while it exists from 2000-06-01, is a treaty dated State by State by
    reference/treaty-parties.yaml: cited before it exists as a law to come (« or from its known
    entry into force »), it needs no question — unless the parties' table loses it."""
    rep = run_checks(copy_home, use_cache=False)
    base = rep.figures["before_issued_uncovered"]
    said = {f.where for f in rep.warnings if f.check == "law/before-issued"}
    assert base == 0 and not said

    def drop(qs):
        for q in qs:
            if q["id"] == "circular_2025_not_yet_issued":
                q.pop("before_issued")
    _questions_edit(copy_home, drop)
    rep = run_checks(copy_home, use_cache=False)
    new = [f for f in rep.warnings if f.check == "law/before-issued" and f.where not in said]
    assert rep.figures["before_issued_uncovered"] > base
    assert any("« Circ. 2025 " in f.what and "est cité du 1985-07-01 au 2025-03-20" in f.what
               and "ste_transfer" in f.where for f in new), [f.where for f in new]
    assert not any("prefecture_notice" in f.where for f in new)    # its own question still covers it


def test_a_treaty_the_parties_table_does_not_date_needs_a_question():
    """Without the parties' table dating STE 167, its citations by ste_transfer from 1985 (the
    protocol exists from 2000-06-01) would be uncovered: the exemption is what clears them."""
    from lexquery.kb.checks import Layout, _questions_and_treaties, _rule_words
    from lexquery.kb import inforce
    lay = Layout(REPO)
    questions, treaties = _questions_and_treaties(lay)
    assert {"STE112", "STE167"} <= treaties
    res = inforce.check(load_kb())
    assert not inforce.uncovered_before_issued(res, questions, _rule_words(lay.rules), dated=treaties)
    left = inforce.uncovered_before_issued(res, questions, _rule_words(lay.rules), dated=treaties - {"STE167"})
    assert left and {i for _, i, _, _ in res.before_issued if i == "STE167"} == {"STE167"}
    assert any(u.citation == "STE 167 art. 3.1" and str(s) == "1985-07-01" and str(e) == "2000-05-31"
               for u, s, e in left)

"""The 2029 code (issue 13, item 3): the correspondence table, the successor links of the KB
graph, answers from 2029-01-01 citing the new code beside the old one and « à vérifier »
where the sources do not settle it, and dates computed past what a rule is encoded for."""
from __future__ import annotations

import copy
import json
from datetime import date

import pytest

from kb_helpers import REPO
from lexquery.cli import main
from lexquery.kb.succession import load

CASE = {
    "id": "benaissa", "person": {"name": "Benaïssa", "nationalities": ["MA"], "habitual_residence": "MA",
                                 "location": "FR", "protection": "none"},
    "detention": {"incarcerated": True, "entry_date": "2024-01-01"},
    "sentence": {"final": True, "custodial": True, "total": "P8Y", "execution_start": "2024-01-01",
                 "expected_end": "2032-01-01", "safety_period_end": "none", "legal_recidivism": False,
                 "lsc_plein_droit_excluded": False,
                 "convictions": [{"court": "tribunal correctionnel de Marseille", "date": "2023-12-15",
                                  "final": True, "total": "P8Y"}]},
    "removal_measures": [{"kind": "ITF", "definitive": True, "destination": "MA", "enforceable": True,
                          "remedies_exhausted": True}],
    "consent": {"transfer": None, "consular_notification": None}, "dual_criminality": True,
}


def answer(day, case=CASE):
    import lexquery
    return lexquery.ask(copy.deepcopy(case), as_of=day).to_dict()


def proc(a, pid):
    return next(p for p in a["procedures"] if p["procedure"] == pid)


def all_sources(p):
    out = list(p["sources"])

    def walk(cs):
        for c in cs:
            out.extend(c["sources"])
            walk(c.get("conditions", []))
    walk(p["conditions"])
    for n in p.get("notes", []):
        out.extend(n["sources"])
    return out


def test_table_entries_and_status():
    t = load()
    assert t.in_force == date(2029, 1, 1)
    assert t.of("CPP 729-2 al. 1").new == "CPP-2029 L5241-8" and t.of("CPP 729-2 al. 1").settled
    assert not t.of("CPP 729-2 al. 2").settled           # inferred from a cross-reference only
    assert t.of("CPP 720 I").status == "inferred" and not t.of("CPP 720 I").settled   # L5251-1 deduced only
    assert t.of("CPP 720 III").status == "unsettled"      # L5252-4 = the current III: not established
    # every settled successor is a provision of the KB, and says what it restates
    from lexquery.kb.provisions import load_kb
    kb = load_kb()
    for e in t.entries.values():
        if e.settled:
            assert kb.resolve(e.new) is not None, e.new
            assert e.source


def test_lc_expulsion_the_day_before_and_the_day_of():
    before, after = proc(answer("2028-12-31"), "lc_expulsion"), proc(answer("2029-01-01"), "lc_expulsion")
    assert before["status"] == after["status"] == "applicable"
    assert not any(s.startswith("CPP-2029") for s in all_sources(before)) and "successors" not in before
    src = all_sources(after)
    i = src.index("CPP-2029 L5241-8")
    assert src[i + 1] == "CPP 729-2 al. 1"                 # the new article, the old one beside it
    assert {"citation": "CPP 729 al. 8", "successor": "CPP-2029 L5241-3 1°"}.items() <= \
        next(x for x in after["successors"] if x["citation"] == "CPP 729 al. 8").items()
    verify = [v for v in after["to_verify"] if v["fact"] == "law:cpp2029"]
    assert verify and "à vérifier" in verify[0]["note"] and "CPP 730 al. 1" in verify[0]["citations"]
    assert "CPP 729-2 al. 1" not in verify[0]["citations"]


def test_text_answer_names_both_articles(capsys, tmp_path):
    f = tmp_path / "case.json"
    f.write_text(json.dumps(CASE), encoding="utf-8")
    code = main(["ask", str(f), "--as-of", "2029-06-01"])
    out = capsys.readouterr().out
    assert code == 0
    assert "CPP-2029 L5241-8 (anc. CPP 729-2 al. 1)" in out
    assert "CPP-2029 L5241-3 1° (anc. CPP 729 al. 8)" in out
    assert "à vérifier" in out and "« CPP 730 al. 1 »" in out


def test_bounded_procedure_says_to_verify():
    case = copy.deepcopy(CASE)
    case["person"].update({"nationalities": ["RO"], "habitual_residence": "RO"})
    case["removal_measures"][0]["destination"] = "RO"
    p = proc(answer("2029-06-01", case), "eu_recognition")
    assert p["status"] == "undetermined"
    assert p["conditions"][0]["id"] == "rules_in_force"
    assert "ordonnance n° 2025-1091" in p["conditions"][0]["label"] and "à vérifier" in p["conditions"][0]["label"]
    lc = proc(answer("2029-06-01", case), "lc_expulsion")
    assert next(r for r in lc["routes"] if r["procedure"] == "lsc_720_i")["status"] == "undetermined"


def test_date_past_the_encoded_end_is_flagged():
    # as of 2026: EU recognition is encoded until 2028-12-31; a twelve-year sentence ends in 2036
    case = copy.deepcopy(CASE)
    case["person"].update({"nationalities": ["RO"], "habitual_residence": "RO"})
    case["removal_measures"][0]["destination"] = "RO"
    case["sentence"].update({"total": "P12Y", "expected_end": "2036-01-01"})
    case["sentence"]["convictions"][0]["total"] = "P12Y"
    a = answer("2026-06-01", case)
    eu = proc(a, "eu_recognition")
    flags = [v for v in eu["to_verify"] if v["fact"] == "law:encoded_until"]
    assert flags and "dernier jour pour lequel la règle est encodée : 2028-12-31" in flags[0]["note"]
    assert "2036-01-01" in flags[0]["note"]          # the end of the sentence, computed past 2028
    # the LC « expulsion », carried over, computes dates after 2029 while 730 has no settled successor
    lc = proc(a, "lc_expulsion")
    lf = [v for v in lc["to_verify"] if v["fact"] == "law:encoded_until"]
    assert lf and "2029-01-01" in lf[0]["note"] and "CPP 730 al. 1" in lf[0]["note"]


def test_no_flag_when_every_date_is_within_the_encoded_period():
    case = copy.deepcopy(CASE)
    case["sentence"].update({"total": "P2Y", "expected_end": "2026-01-01"})
    case["sentence"]["convictions"][0]["total"] = "P2Y"
    a = answer("2025-06-01", case)
    for p in a["procedures"]:
        assert not [v for v in p.get("to_verify", []) if v["fact"].startswith("law:")], p["procedure"]


def test_graph_successor_links():
    from rdflib import URIRef
    from lexquery.kb.graph import ELI, LQ, build_graph
    from lexquery.kb.provisions import load_kb
    kb = load_kb()
    g = build_graph(kb)
    succ = [s for s in g.subjects(LQ.oldCitation, None) if str(g.value(s, LQ.oldCitation)) == "CPP 729-2 al. 1"]
    assert len(succ) == 1
    n = succ[0]
    assert str(g.value(n, LQ.successionStatus)) == "settled"
    assert g.value(n, LQ.successionDate).toPython() == date(2029, 1, 1)
    old, new = g.value(n, LQ.predecessor), g.value(n, LQ.successor)
    assert str(old).endswith("/al/1") and str(new).endswith("/cpp2029/L5241-8")
    assert (URIRef(str(old).split("/v/")[0]), ELI.repealed_by, new) in g   # article to article (ELI's domain)
    # not settled: no repealed_by link
    n2 = next(s for s in g.subjects(LQ.oldCitation, None) if str(g.value(s, LQ.oldCitation)) == "CPP 720 III")
    assert g.value(n2, LQ.predecessor) is not None and g.value(n2, LQ.successor) is not None
    assert g.value(n2, LQ.successionStatus).toPython() == "unsettled"
    assert isinstance(n2, URIRef)


def test_article_shows_the_correspondence(capsys, monkeypatch):
    monkeypatch.setenv("LEXQUERY_HOME", str(REPO))
    code = main(["article", "729"])
    out = capsys.readouterr().out
    assert code == 0 and "CPP 729 al. 8 → CPP-2029 L5241-3 1° (établie)" in out
    code = main(["article", "CPP-2029", "L5241-8"])
    out = capsys.readouterr().out
    assert "Reprend (code actuel) : CPP 729-2 al. 1" in out


@pytest.mark.parametrize("day,new", [("2028-12-31", False), ("2029-01-01", True)])
def test_boundary_of_entry_into_force(day, new):
    src = all_sources(proc(answer(day), "lc_expulsion"))
    assert ("CPP-2029 L5241-8" in src) is new and "CPP 729-2 al. 1" in src


def test_kb_check_counts_citations_without_settled_successor(tmp_path, monkeypatch):
    from kb_helpers import real_copy
    from lexquery.kb.checks import run_checks
    root = real_copy(tmp_path, monkeypatch)
    rep = run_checks(root, only={"law"}, use_cache=False)
    assert rep.ok
    warned = {f.what.split("»")[0].strip("« ") for f in rep.warnings if f.check == "law/successor-2029"}
    assert "CPP 730 al. 1" in warned and "CPP 729-2 al. 1" not in warned
    assert rep.figures["unsettled_after_2029"] == len(warned)
    # a settled successor that is not in the KB is an error
    p = root / "law" / "cpp2029" / "correspondence.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace('new: "CPP-2029 L5241-8"', 'new: "CPP-2029 L5241-88"'),
                 encoding="utf-8")
    rep = run_checks(root, only={"law"}, use_cache=False)
    assert any(f.check == "law/successor-2029" and "CPP 729-2 al. 1 → CPP-2029 L5241-88" in f.what for f in rep.errors)


def test_article_after_2029_points_to_the_new_code(capsys, monkeypatch):
    monkeypatch.setenv("LEXQUERY_HOME", str(REPO))
    main(["article", "729-2", "--at", "2029-01-01"])
    assert "le code de 2029 (ordonnance n° 2025-1091) remplace cet article" in capsys.readouterr().out
    main(["article", "729-2", "--at", "2028-12-31"])
    assert "remplace cet article" not in capsys.readouterr().out


def test_screening_notes_do_not_carry_2029_citations_into_earlier_answers():
    """Answers without explanations (screening), one engine, one process: the 2029
    recodification of a later answer must not reach the notes of the answers screened after
    it (it once did, when the removed status-only evaluator shared one result per note: 2029
    citations leaked into the 2012 answers). Notes are immutable; recodification replaces them."""
    import dataclasses
    from lexquery.engine.api import Engine
    eng = Engine().prepare_batch()
    later = eng.ask(copy.deepcopy(CASE), as_of="2029-06-01", explain=False)
    lc = later.procedure("lc_expulsion")
    assert any(s.startswith("CPP-2029") for n in lc.notes for s in n.sources)
    case = copy.deepcopy(CASE)
    case["sentence"].update({"total": "P4Y", "execution_start": "2012-06-01", "expected_end": "2016-06-01"})
    case["sentence"]["convictions"][0].update({"total": "P4Y", "date": "2012-05-15"})
    case["detention"]["entry_date"] = "2012-06-01"
    earlier = eng.ask(case, as_of="2012-12-01", explain=False)
    for p in earlier.procedures:
        for n in p.notes:
            assert not any(s.startswith("CPP-2029") for s in n.sources), (p.procedure, n.id, n.sources)
        assert not any(s.startswith("CPP-2029") for s in p.sources), p.procedure
    # and the later answer, asked again, is the same
    again = eng.ask(copy.deepcopy(CASE), as_of="2029-06-01", explain=False).procedure("lc_expulsion")
    assert [n.sources for n in again.notes] == [n.sources for n in lc.notes]
    with pytest.raises(dataclasses.FrozenInstanceError):
        lc.notes[0].sources = ()

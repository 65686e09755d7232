"""What the questions of the language answer, and the REPL."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lexquery import dsl
from lexquery.commands.repl import Completer, Session, completions
from lexquery.engine.api import load_kb
from lexquery.render.text import render_text

ROOT = Path(__file__).resolve().parents[1]
IONESCU = (ROOT / "examples" / "ionescu.lq").read_text(encoding="utf-8")
FACTS = IONESCU[:IONESCU.index("# --- les questions ---")]


def ask(questions: str, facts: str = FACTS) -> str:
    return dsl.run(dsl.load(facts + "\n" + questions, "t.lq"))


def test_quelles_procedures_is_the_answer_to_the_json_case():
    case = json.loads((ROOT / "examples" / "ionescu.json").read_text(encoding="utf-8"))
    expected = render_text(load_kb().ask(case))
    assert ask("quelles procédures ?") == "» quelles procédures ?\n" + expected


def test_a_case_without_question_gets_all_procedures():
    out = dsl.run(dsl.load(FACTS, "t.lq"))
    assert out.startswith("Ionescu — au 2026-12-01") and "Avis à la préfecture" in out


def test_english_aliases_give_the_same_answers():
    fr = ask("quelles procédures ?\npourquoi lc_expulsion ?\nque manque-t-il ?\n")
    en = ask("which procedures?\nwhy lc_expulsion?\nwhat is missing?\n")
    strip = lambda s: re.sub(r"^» .*$", "", s, flags=re.M)
    assert strip(fr) == strip(en)


def test_one_procedure_and_why():
    one = ask("reconnaissance ?")
    assert "Reconnaissance et exécution" in one and "Libération conditionnelle" not in one
    why = ask("pourquoi reconnaissance ?")
    assert "DC 2008/909 / Roumanie = oui" in why and "États considérés : RO" in why   # the evidence in words


def test_what_is_missing_says_why_and_which_provision():
    out = ask("que manque-t-il ?")
    block = out[out.index("? consentement au transfèrement"):]
    assert "pour : Reconnaissance et exécution dans un autre État membre (DC 2008/909) — RO" in block
    assert "disposition : CPP 728-11 3°, CPP 728-11 al. 5" in block
    assert "Transfèrement" not in out  # not applicable: its unknown facts change nothing


def test_nothing_missing():
    facts = FACTS + "a fui vers : Roumanie\nexclu de la LSC de plein droit : non\n"
    facts = facts.replace("a fui vers : inconnu\n", "").replace("exclu de la LSC de plein droit : inconnu\n", "")
    facts = facts.replace("consentement au transfèrement : inconnu", "consentement au transfèrement : oui")
    facts = facts.replace("demande d'information consulaire : inconnu", "demande d'information consulaire : non")
    facts = facts.replace("double incrimination : inconnu", "double incrimination : oui")
    assert "Aucun fait manquant" in ask("que manque-t-il ?", facts)


def test_from_when():
    out = ask("à partir de quand lc_expulsion ?")
    assert "applicable depuis le 2026-11-01" in out
    assert "applicable à partir du 2027-04-22" in out


def test_as_of_in_a_question_moves_the_date():
    assert "Ionescu — au 2027-05-01" in ask("à partir de quand lc_expulsion au 1er mai 2027 ?")


def test_what_if_shows_only_what_changes():
    assert ask("et si nom : \"Autre\" ?").endswith("Rien ne change dans les réponses.")
    out = ask("et si mesures : aucune ?")
    assert ("Libération conditionnelle « expulsion » : APPLICABLE, à partir du 2026-11-01, jusqu'au 2028-04-01, "
            "sans consentement → NON APPLICABLE") in out
    assert "Reconnaissance" not in out  # case 1° of 728-11 does not need the measure


def test_what_if_does_not_change_the_case():
    doc = dsl.load(FACTS + "\net si récidive légale : oui ?\nquelles procédures ?\n", "t.lq")
    assert doc.items[1].snapshot["sentence"]["legal_recidivism"] is False


def test_questions_see_the_facts_written_above_them():
    doc = dsl.load("cas a\nnationalité : Maroc\nmesures : aucune\nlc_expulsion ?\n"
                   "mesure : OQTF vers le Maroc, exécutoire, recours épuisés\nlc_expulsion ?\n", "t.lq")
    assert doc.items[0].snapshot["removal_measures"] == []
    assert doc.items[1].snapshot["removal_measures"][0]["kind"] == "OQTF"


def test_what_would_change_proposes_changes_that_do_change():
    out = ask("qu'est-ce qui changerait reconnaissance ?")
    assert "En l'état : RO : APPLICABLE" in out
    proposals = re.findall(r"^  et si (.*) \?  → (.*)$", out, flags=re.M)
    assert len(proposals) >= 5
    for change, result in proposals[:8]:
        doc = dsl.load(FACTS + f"\net si {change} ?\n", "t.lq")
        after = load_kb().ask(doc.items[0].changed)
        got = ", ".join(f"{p.state} : " + {"applicable": "APPLICABLE", "not_applicable": "NON APPLICABLE",
                                           "undetermined": "INDÉTERMINÉ", "applicable_later": "APPLICABLE PLUS TARD"}[p.status]
                        for p in after.procedures if p.procedure == "eu_recognition")
        assert got == result, change


def test_article_and_rules_citing():
    out = dsl.run(dsl.load("article 728-11 au 1er décembre 2026 ?\nquelles règles citent 728-11 ?\n", "t.lq"))
    assert "CPP 728-11 — Cas dans lesquels" in out
    # the rule in words (its id, eu_recognition/case_1, stays in `article --format json`)
    assert ("Reconnaissance et exécution dans un autre État membre (DC 2008/909) › ressortissant de l'État "
            "d'exécution et y résidant habituellement — CPP 728-11 1° (rules/eu_recognition.yaml)") in out


def test_unknown_article_is_said_not_raised():
    out = dsl.run(dsl.load("article 999-99 ?\n", "t.lq"))
    assert out.startswith("» article 999-99 ?\n✘ disposition introuvable")


def test_several_cases_are_answered_each_on_its_own():
    out = dsl.run(dsl.load_file(ROOT / "examples" / "plusieurs-cas.lq"))
    assert out.count("dupont-refugie — au") == 2 and out.count("smith-2026 — au") == 3


# ---- the REPL ------------------------------------------------------------------------------
def test_repl_session_builds_the_case_and_answers():
    import io
    out = io.StringIO()
    s = Session(out=out)
    for line in ["cas r", "au 2026-12-01", "nationalité : Maroc", "nationalité : Tunisie",
                 "mesures : aucune", "nationalite = x", ".json", "lc_expulsion ?", ".nouveau", ".montrer"]:
        assert s.handle(line)
    text = out.getvalue()
    assert '"nationalities": [\n      "TN"\n    ]' in text          # giving a fact again replaces it
    assert "erreur: « = » inattendu ici" in text and "<repl>:1:13" in text
    assert "Libération conditionnelle « expulsion »   NON APPLICABLE" in text
    assert text.rstrip().endswith("(aucun fait pour l'instant)")
    assert s.handle(".quitter") is False


def test_repl_completion():
    words = completions()
    assert {"Roumanie", "lc_expulsion", "nationalité :", "quelles procédures ?"} <= set(words)
    c = Completer(words)
    assert "Roumanie" in c.candidates("nationalité : Rou", "Rou")
    assert "nationalité :" in c.candidates("nationa", "nationa")
    assert "lc_expulsion" in c.candidates("pourquoi lc", "lc") or "lc_expulsion" in c.candidates("lc", "lc")


def test_repl_reads_stdin_to_the_end_without_waiting(tmp_path):
    script = "cas s\nau 2026-12-01\nnationalité : Maroc\nmesures : aucune\nlc_expulsion ?\n"
    r = subprocess.run([sys.executable, "-m", "lexquery.cli", "repl", "--no-history"], input=script,
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "s — au 2026-12-01" in r.stdout and "NON APPLICABLE" in r.stdout

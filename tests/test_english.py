"""French and English, each whole (issue 15 item 7): no French word in an English answer,
no internal id or JSON path in the French answer a magistrate reads.

The English text answer of every example (`ask --lang en`) is searched for French words
outside the names of French institutions and the articles' citations (which stay as they
are); the French text answer for the ids of procedures and statuses and for JSON paths.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]

# French words that never belong in an English sentence (whole words)
FRENCH = ["nationalité", "résidence", "habituelle", "mesure", "faits", "établir", "Compétent", "Motif",
          "consentement", "jusqu'au", "à partir", "peine", "États", "considérés", "applicable plus tard"]
# names of French institutions and terms of art kept in French in English texts
KEPT = ["juge de l'application des peines", "tribunal de l'application des peines", "chambre de l'application des peines",
        "tribunal correctionnel", "libération sous contrainte", "préfet", "préfecture", "LC-expulsion",
        "Centre pénitentiaire", "fiche pénale", "cour d'assises"]
INTERNAL = ["lc_expulsion", "eu_recognition", "ste_transfer", "consular_notification", "prefecture_notice",
            "not_applicable", "applicable_later", "undetermined", "to_assess", "not_met"]
JSON_PATH = re.compile(r"\b(person|sentence|detention|consent|removal_measures)\.[a-z_]+")


def ask(path, *extra):
    r = subprocess.run(CLI + ["ask", str(path), *extra], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return r.stdout


def french_words(text: str) -> list[str]:
    for k in KEPT:
        text = text.replace(k, "")
    text = re.sub(r"\((?:CPP|CP|STE|DC|Circ|CVRC)[^)]*\)", "", text)   # citations
    return [w for w in FRENCH if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.IGNORECASE)]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_english_answer_has_no_french_words(path):
    text = ask(path, "--lang", "en")
    lines = [l for l in text.splitlines() if not l.lstrip().startswith("! ")]   # see below
    assert french_words("\n".join(lines)) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_french_answer_has_no_internal_ids_or_json_paths(path):
    text = ask(path)
    assert [w for w in INTERNAL if re.search(rf"\b{w}\b", text)] == []
    lines = [l for l in text.splitlines() if not l.lstrip().startswith("! ")]
    assert JSON_PATH.findall("\n".join(lines)) == []


def test_missing_facts_in_words_both_languages(tmp_path):
    case = tmp_path / "c.json"
    case.write_text(json.dumps({"id": "x", "as_of": "2026-12-01", "person": {"nationalities": ["MA"]}}),
                    encoding="utf-8")
    fr = ask(case)
    assert "faits à établir : " in fr and "consentement au transfèrement" in fr
    assert "consent.transfer" not in fr
    en = ask(case, "--lang", "en")
    assert "facts to establish: " in en and "consent to transfer" in en


def test_english_notes_and_candidates():
    en = ask(ROOT / "examples" / "ionescu.json", "--lang", "en")
    assert "States considered: RO (nationality, habitual residence, destination of a removal measure)" in en
    assert "Competent: the prosecutor at the sentencing court" in en
    assert "Refusal ground:" in en


def test_argparse_speaks_french():
    r = subprocess.run(CLI + ["ask", "--help"], capture_output=True, text=True)
    assert "usage : lexquery ask" in r.stdout and "positional arguments" not in r.stdout
    assert "afficher cette aide et quitter" in r.stdout
    r = subprocess.run(CLI + ["ask"], capture_output=True, text=True)
    assert r.returncode == 2 and "arguments obligatoires manquants : case" in r.stderr

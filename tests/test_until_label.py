"""A rule words its `until` when it is a deadline rather than an end of use (`until_label`):
the préfecture notice stays due for the whole detention (lists every fifteen days, the step
before release — Circ. 2025 §1.2), its `until` being the avis d'écrou's eight-day deadline
(answer-format.md). The JSON answer keeps the contract's `until`; only the text says which."""
import json
from pathlib import Path

from lexquery.engine.api import load_kb
from lexquery.render.text import render_text

CASE = json.loads((Path(__file__).resolve().parents[1] / "examples" / "ionescu.json").read_text(encoding="utf-8"))


def _line(text, label):
    return next(l for l in text.splitlines() if l.startswith(("✔", "◷", "?", "✘")) and label in l)


def test_the_prefecture_notice_shows_a_deadline_not_an_end():
    a = load_kb().ask(CASE, "2026-12-01")
    text = render_text(a)
    line = _line(text, "Avis à la préfecture")
    assert "APPLICABLE, avis d'écrou au plus tard le 2025-06-09 (date passée)" in line
    assert "jusqu'au" not in line
    p = next(p for p in a.procedures if p.procedure == "prefecture_notice")
    assert p.to_dict()["until"] == "2025-06-09" and "until_label" not in p.to_dict()


def test_other_procedures_keep_jusqu_au():
    text = render_text(load_kb().ask(CASE, "2026-12-01"))
    assert "APPLICABLE, jusqu'au 2028-04-01" in _line(text, "Reconnaissance et exécution")


def test_english_wording():
    text = render_text(load_kb().ask(CASE, "2026-12-01"), lang="en")
    assert "committal notice due by" in text

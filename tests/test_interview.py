"""The guided interview (issue 17): it reaches the answer of `ask` on every example while
asking fewer questions than the form has fields, and asks nothing that cannot change it.

The interview starts from the example's id and date only and answers each question with
the example's own fact, written in the lexquery language (what a person would type);
a fact the example leaves unknown is answered « je ne sais pas ».
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lexquery.interview import (Interview, choose, form_field_count, get_fact, read_answer,
                                set_fact, _ITEM_PATH)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]


@pytest.fixture(scope="module")
def engine():
    from lexquery.engine import load_kb
    return load_kb()


def typed(path: str, value) -> str:
    """The example's fact as a person types it (the language's words)."""
    from lexquery.dsl.write import say, say_conviction, say_measure
    if value is None:
        return "je ne sais pas"
    m = _ITEM_PATH.match(path)
    if m:
        kind = {"kind": "kind", "destination": "state", "date": "date", "total": "duration", "court": "str"}
        attr = m.group(3)
        if attr == "kind":
            return value
        proxy = {"state": "receiving_state", "date": "person.birth_date", "duration": "sentence.total",
                 "str": "person.name"}.get(kind.get(attr), "person.protected_adult")
        return say(proxy, value)
    if path == "removal_measures":
        return " ; ".join(say_measure(x) for x in value) if value else "aucune"
    if path == "sentence.convictions":
        return " ; ".join(say_conviction(x) for x in value) if value else "aucune"
    return say(path, value)


def signature(answer):
    """What a magistrate acts on: each procedure's and route's status, dates and consent."""
    return [(p.procedure, p.state, p.status, p.date_from, p.date_until, p.consent_required,
             tuple((r.procedure, r.status, r.date_from, r.date_until) for r in p.routes))
            for p in answer.procedures]


def run_interview(engine, example: dict):
    iv = Interview(engine, {"id": example["id"], "as_of": example["as_of"]})
    asked = []
    for _ in range(60):
        ans, q = iv.next()
        if q is None:
            return iv, ans, asked
        asked.append(q.path)
        iv.give(q.path, typed(q.path, get_fact(example, q.path)))
    raise AssertionError(f"the interview did not end: {asked}")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_interview_reaches_the_answer_of_ask_with_fewer_questions(path, engine):
    example = json.loads(path.read_text(encoding="utf-8"))
    iv, ans, asked = run_interview(engine, example)
    assert signature(ans) == signature(engine.ask(example))
    assert len(asked) < form_field_count(), asked
    assert len(asked) == len(set(asked)), f"a fact asked twice: {asked}"


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_yes_no_question_could_change_the_answer(path, engine):
    """A yes/no fact asked must give two different answers for « oui » and « non »."""
    example = json.loads(path.read_text(encoding="utf-8"))
    iv = Interview(engine, {"id": example["id"], "as_of": example["as_of"]})
    for _ in range(60):
        ans, q = iv.next()
        if q is None:
            break
        if q.expects.startswith("« oui »"):
            yes = engine.ask(set_fact(iv.case, q.path, True))
            no = engine.ask(set_fact(iv.case, q.path, False))
            unknown = engine.ask(iv.case)
            assert signature(yes) != signature(no) or signature(yes) != signature(unknown) \
                or [p.missing_facts for p in yes.procedures] != [p.missing_facts for p in unknown.procedures], q.path
        iv.give(q.path, typed(q.path, get_fact(example, q.path)))


def test_first_question_is_the_fact_that_settles_most(engine):
    """From nothing, the nationality decides every procedure (each one's State or its
    « étranger » condition): it is asked first, and says why with the articles."""
    ans = engine.ask({"id": "vide", "as_of": "2026-12-01"})
    q = choose(ans)
    assert q.path == "person.nationalities"
    assert len(q.settles) == len(ans.procedures)
    assert any("CPP 729-2 al. 1" in r.sources for r in q.why)


def test_dont_know_is_not_asked_again(engine):
    iv = Interview(engine, {"id": "x", "as_of": "2026-12-01"})
    _ans, q = iv.next()
    iv.give(q.path, "je ne sais pas")
    _ans, q2 = iv.next()
    assert q2 is None or q2.path != q.path
    assert q.path in iv.skipped


def test_undo_and_revise(engine):
    iv = Interview(engine, {"id": "x", "as_of": "2026-12-01"})
    iv.give("person.nationalities", "Maroc")
    assert iv.case["person"]["nationalities"] == ["MA"]
    assert iv.undo() == "person.nationalities"
    assert "person" not in iv.case or iv.case["person"].get("nationalities") is None
    iv.give("person.nationalities", "Roumanie, Italie")
    assert iv.case["person"]["nationalities"] == ["RO", "IT"]


def test_answers_are_read_with_the_language(engine):
    assert read_answer("sentence.expected_end", "1er juin 2028") == "2028-06-01"
    assert read_answer("sentence.total", "2 ans 6 mois") == "P2Y6M"
    assert read_answer("removal_measures", "ITF définitive vers la Roumanie, exécutoire, recours épuisés")[0]["kind"] == "ITF"
    assert read_answer("removal_measures[0].remedies_exhausted", "oui") is True
    assert read_answer("removal_measures[0].kind", "MAE") == "EAW"
    from lexquery.errors import InputError
    with pytest.raises(InputError) as e:
        read_answer("sentence.expected_end", "bientôt")
    assert e.value.expected


def test_cli_interview_from_a_partial_case_saves_lq(tmp_path):
    start = tmp_path / "start.json"
    start.write_text(json.dumps({"id": "partiel", "as_of": "2026-06-01", "person": {"nationalities": ["MA"]}}),
                     encoding="utf-8")
    out = tmp_path / "fin.lq"
    answers = "\n".join(["4 ans", "1er janvier 2028", "ITF définitive vers le Maroc, exécutoire, recours épuisés",
                         "oui", "oui", "1er janvier 2024", "France", "aucune", "oui"] + ["je ne sais pas"] * 20) + "\n"
    r = subprocess.run(CLI + ["interview", str(start), "-o", str(out)], input=answers, capture_output=True,
                       text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Question 1 — durée totale ?" in r.stdout
    assert "pourquoi" in r.stdout and "CPP 729" in r.stdout
    assert "Plus rien ne peut changer la réponse" in r.stdout
    text = out.read_text(encoding="utf-8")
    assert "cas partiel" in text and "durée totale : 4 ans" in text
    r = subprocess.run(CLI + ["ask", str(out), "--format", "json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_cli_interview_from_a_csv_line(tmp_path):
    src = ROOT / "tests" / "fixtures" / "screening" / "comma.csv"
    r = subprocess.run(CLI + ["interview", str(src), "--line", "2", "--as-of", "2026-12-01"], input="",
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Réponse à ce stade" in r.stdout
    r = subprocess.run(CLI + ["interview", str(src)], input="", capture_output=True, text=True)
    assert r.returncode == 2 and "--line" in r.stderr

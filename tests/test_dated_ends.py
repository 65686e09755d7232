"""A tie between France and a State that ends on a known day (reference/eu.yaml
``applies_until``: FD 2008/909 with the United Kingdom up to 2020-12-31, the end of the
transition period), in every evaluator: the scalar engine (rules/eu_recognition.yaml
``fd_applies_until``, ``until: fd_until(state)``; rules/precedence.yaml ``until:``, the
precedence pending from the day after — engine/evaluate.py), the columnar program
(columnar/compile_settle.py) and the benchmark's floor (bench/floor.py). The legal outcomes
are asserted by the cases of tests/cases (review 6 D03, eu_recognition.yaml, review 8); here,
that the three evaluators give the same rows on registry exports where British detainees are
many, on the days around that end."""
from datetime import date

import pytest

from case_edits import detained
from columnar_helpers import blank, both_rows, engine, export_of_states

DAYS = ["2020-06-30", "2020-12-30", "2020-12-31", "2021-01-01"]


def british_export(n: int, seed: int, ref: date, ends=()) -> str:
    """A synthetic export where two rows in three are British nationals habitually resident in
    the United Kingdom (the removal measures' destination too); ``ends``: expected ends given in
    turn to those rows, each for a two-year sentence (columnar_helpers.export_of_states)."""
    return export_of_states(n, seed, ref, (None, "GB", "GB"), ends, years=2)


@pytest.mark.parametrize("day", DAYS)
def test_the_columnar_program_gives_the_scalar_rows_around_the_end(day):
    d = date.fromisoformat(day)
    text = british_export(300, 21, d)
    want, got = both_rows(text, d)
    assert len(got) == len(want) > 300
    for a, b in zip(want, got):
        assert b == a
    # the export does reach the end (cells: line, id, name, as_of, procedure, state, status,
    # from, until, …): recognition in the UK until 2020-12-31, the transfer from 2021-01-01
    if day != "2021-01-01":
        assert any(r[4:7] == ["eu_recognition", "GB", "applicable"] and r[8] == "2020-12-31" for r in want)
        assert any(r[4:6] == ["ste_transfer", "GB"] and r[6] != "not_applicable" and r[7] == "2021-01-01"
                   for r in want)
    else:
        assert any(r[4:7] == ["ste_transfer", "GB", "applicable"] for r in want)


@pytest.mark.parametrize("day", ["2020-12-31", "2021-01-01"])
def test_with_cells_blanked_the_proof_and_verification_follow(day):
    """A quarter of the cells blanked: the unknown facts proven irrelevant (engine/prove.py) and
    the facts to verify (engine/verify.py) are evaluated again through the precedence's end."""
    d = date.fromisoformat(day)
    want, got = both_rows(blank(british_export(300, 24, d), 0.25, 5), d)
    assert len(got) == len(want) > 300
    for a, b in zip(want, got):
        assert b == a


@pytest.mark.parametrize("day", ["2020-12-31", "2021-01-01"])
def test_the_floor_agrees_around_the_end(tmp_path, day):
    from floor_support import floor_agreement
    f = tmp_path / f"gb-{day}.csv"
    f.write_text(british_export(300, 22, date.fromisoformat(day)), encoding="utf-8")
    res = floor_agreement(f, day)
    assert res["rows"] > 300 and res["agree"] == res["rows"], (day, res)


def test_a_window_that_closes_before_it_opens_in_the_columnar_program():
    """On 2020-12-30, a two-year sentence ending on 2021-06-30 leaves its last day of transfer
    (six months before, STE 112 art. 3.1.c, CPP 716-1) on 2020-12-30, before the FD stops
    setting STE 112 aside (2021-01-01): not applicable; ending on 2021-07-01, the transfer is
    usable on 2021-01-01 only (engine/evaluate.py: the last day of use before the first)."""
    d = date(2020, 12, 30)
    text = british_export(240, 23, d, ends=(date(2021, 6, 30), date(2021, 7, 1)))
    want, got = both_rows(text, d)
    assert len(got) == len(want) > 240
    for a, b in zip(want, got):
        assert b == a
    gb = [r for r in want if r[4:6] == ["ste_transfer", "GB"]]
    assert any(r[6] == "applicable_later" and r[7] == r[8] == "2021-01-01" for r in gb)
    assert not any(r[6] == "applicable_later" and r[8] and r[7] > r[8] for r in gb)


def test_the_answer_says_until_when_the_precedence_ends():
    """On 2020-12-31 a Briton's transfer (consenting, STE 112): applicable from 2021-01-01 until
    six months before the end, set aside by the FD until 2020-12-31 — in the JSON answer
    (``set_aside_by.until``) and in the explained text, French and English."""
    from lexquery.render.text import render_text
    case = detained("GB", as_of="2020-12-31", start="2019-06-01", end="2022-06-01", case_id="gb", name="Smith")
    ans = engine().ask(case)
    ste = next(p for p in ans.procedures if p.procedure == "ste_transfer" and p.state == "GB")
    assert (ste.status, str(ste.date_from), str(ste.date_until)) == ("applicable_later", "2021-01-01", "2021-12-01")
    assert ste.set_aside_by["by"] == "eu_recognition" and ste.set_aside_by["until"] == "2020-12-31"
    assert "écartée jusqu'au 2020-12-31 : " in render_text(ans, explain=True)
    assert "set aside until 2020-12-31: " in render_text(ans, explain=True, lang="en")

"""What registry exports really hold, beside the format: dates written day/month/year, lengths
written « 3 ans », States written by name, and a spreadsheet's trailing « ; ». A value the
format does not take is still refused (never guessed), but the message says how to write it.
Empty cells past the last column were dropped until review 29 (D3) showed a separator too many
before empty cells read as a shifted row, silently: they are « cellules en trop » now, with a hint
saying both readings; a file whose header ends with the same « ; » reads as before."""
from datetime import date

import pytest

from case_edits import changed
from floor_support import floor_agreement
from lexquery.engine.case import read_case
from lexquery.errors import CaseError
from lexquery.screening.csv_cases import iter_cases

BASE = {"id": "x", "person": {"nationalities": ["RO"]},
        "sentence": {"total": "P3Y", "execution_start": "2025-06-01", "expected_end": "2028-04-01"}}


def _problem(path, value):
    """The one problem of BASE with ``path`` set (``…[0]``: a list of that one value)."""
    key = path.removesuffix("[0]")
    with pytest.raises(CaseError) as e:
        read_case(changed(BASE, {key: [value] if key != path else value}))
    (p,) = e.value.problems
    return p


@pytest.mark.parametrize("path, value, hint", [
    ("sentence.execution_start", "01/06/2025", "si « 01/06/2025 » est jour/mois/année, écrivez « 2025-06-01 »"),
    ("sentence.expected_end", "1.4.2028", "écrivez « 2028-04-01 »"),
    ("sentence.total", "3 ans", "écrivez « P3Y »"),
    ("sentence.total", "2 ans 6 mois", "écrivez « P2Y6M »"),
    ("sentence.total", "18 mois", "écrivez « P18M »"),
    ("sentence.total", "1 an et 15 jours", "écrivez « P1Y15D »"),
    ("sentence.total", "perpétuité", "écrivez « life »"),
    ("person.nationalities[0]", "Roumanie", "écrivez le code « RO »"),
    ("person.nationalities[0]", "Maroc", "écrivez le code « MA »"),
    ("receiving_state", "Pologne", "écrivez le code « PL »"),
])
def test_a_value_written_the_registry_way_is_refused_with_how_to_write_it(path, value, hint):
    p = _problem(path, value)
    assert p.where == path and "valeur invalide" in p.message
    assert hint in (p.hint or "")


@pytest.mark.parametrize("path, value", [("sentence.execution_start", "31/02/2025"),
                                         ("sentence.total", "trois ans"),
                                         ("person.nationalities[0]", "Atlantide")])
def test_no_hint_when_nothing_sure_can_be_said(path, value):
    assert _problem(path, value).hint is None


HEADER = "id;nationalities;total;execution_start;expected_end\n"


def test_empty_cells_past_the_last_column_are_an_error_with_both_readings(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text(HEADER + "a;RO;P3Y;2025-06-01;2028-04-01;;\n" + "b;RO;P3Y;2025-06-01;2028-04-01\n"
                 + "c;RO;P3Y;2025-06-01;2028-04-01; ;\n" + "d;RO;P3Y;2025-06-01;2028-04-01;;x\n"
                 + "e;RO;P3Y;2025-06-01;2028-04-01;\n", encoding="utf-8")
    rows = {r.line: r for r in iter_cases(f, date(2026, 12, 1))}
    assert rows[3].error is None   # the batch goes on
    for line in (2, 4, 6):
        text = str(rows[line].error.problems)
        assert "cellules en trop" in text and "terminez l'en-tête de même" in text, line
    assert "cellules en trop" in str(rows[5].error.problems) and "sont vides" not in str(rows[5].error.problems)


def test_a_header_ending_like_its_lines_reads_as_without(tmp_path):
    """A spreadsheet that ends every line with « ; » ends its header so too: the lines match it."""
    f, g = tmp_path / "r.csv", tmp_path / "s.csv"
    lines = ["a;RO;P3Y;2025-06-01;2028-04-01", "b;RO;P3Y;2025-06-01;2028-04-01"]
    f.write_text(HEADER.rstrip("\n") + ";\n" + "".join(x + ";\n" for x in lines), encoding="utf-8")
    g.write_text(HEADER + "".join(x + "\n" for x in lines), encoding="utf-8")
    with_sep = [r.case for r in iter_cases(f, date(2026, 12, 1))]
    assert all(c is not None for c in with_sep)
    assert with_sep == [r.case for r in iter_cases(g, date(2026, 12, 1))]


def test_the_floor_agrees_on_these_rows(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text(HEADER + "a;RO;P3Y;2025-06-01;2028-04-01;;\nb;Roumanie;3 ans;01/06/2025;2028-04-01\n"
                 "c;RO;P3Y;2025-06-01;2028-04-01;;x\n", encoding="utf-8")
    res = floor_agreement(f)
    assert res["rows"] > 0 and res["agree"] == res["rows"]


@pytest.mark.parametrize("value, hint", [("itf", "écrivez « ITF »"), ("Oqtf", "écrivez « OQTF »"),
                                         ("Expulsion", "écrivez « expulsion »"), ("OQFT", "vouliez-vous dire « OQTF » ?")])
def test_a_removal_kind_in_another_case_says_how_to_write_it(value, hint):
    with pytest.raises(CaseError) as e:
        read_case(changed(BASE, {"removal_measures": [{"kind": value}]}))
    (p,) = e.value.problems
    assert p.where == "removal_measures[0].kind" and p.hint == hint


def test_yes_and_no_written_otherwise_say_how_to_write_them(tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("id;nationalities;final;custodial;incarcerated\na;RO;O;vrai;x\n", encoding="utf-8")
    (row,) = list(iter_cases(f, date(2026, 12, 1)))
    msgs = {p.where: p.hint for p in row.error.problems}
    assert msgs == {"colonne « final »": "écrivez « oui »", "colonne « custodial »": "écrivez « oui »",
                    "colonne « incarcerated »": None}

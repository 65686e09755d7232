"""`lexquery screen`: one output row group per input row, error rows, summary, formats, order."""
from __future__ import annotations

import csv
import io
import json
from collections import OrderedDict
from datetime import date
from pathlib import Path

import pytest

from lexquery.cli import main
from lexquery.screening import csv_columns
from lexquery.screening.csv_cases import iter_cases, read_rows
from lexquery.screening.outputs import make_writer
from lexquery.screening.screen import screen
from lexquery.screening.synth import synth_text

FIX = Path(__file__).parent / "fixtures" / "screening"
AS_OF = date(2026, 12, 1)

# broken.csv: data rows start on these physical lines (line 7 is blank; row 9 spans 2 lines)
BROKEN_LINES = [2, 3, 4, 5, 6, 8, 9, 11, 12, 13, 14]
BROKEN_ERRORS = {3: "execution_start", 4: "nationalities", 5: "final", 6: "expected_end",
                 11: "déjà utilisé ligne 2", 12: "identifiant du cas manquant",
                 13: "cellules en trop", 14: "ligne incomplète"}


def _groups(rows):
    g = OrderedDict()
    for r in rows:
        g.setdefault(int(r["line"]), []).append(r)
    return g


def _run_csv(path, *extra, capsys=None):
    out = io.StringIO()
    w = make_writer("csv", out)
    summary = screen(str(path), w, as_of=AS_OF, progress=False, **dict(extra))
    return read_answer(out.getvalue()), summary


def read_answer(text: str) -> list[dict]:
    """The rows of a CSV answer, whose separator is the input's (« line;id;… » or « line,id,… »)."""
    return list(csv.DictReader(io.StringIO(text), delimiter=text[len("line")]))


def test_broken_file_one_group_per_input_row_and_summary():
    raw = (FIX / "broken.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.endswith(b"\n")  # BOM, truncated last line
    rows, s = _run_csv(FIX / "broken.csv")
    groups = _groups(rows)
    assert list(groups) == BROKEN_LINES
    for line, g in groups.items():
        assert len({r["id"] for r in g}) == 1
        if line in BROKEN_ERRORS:
            assert len(g) == 1 and g[0]["status"] == "error", line
            assert BROKEN_ERRORS[line] in g[0]["message"], (line, g[0]["message"])
            assert g[0]["procedure"] == ""
        else:
            assert all(r["status"] != "error" and r["procedure"] for r in g)
    assert (s.read, s.answered, s.rejected) == (11, 3, 8)
    assert s.rows_out == len(rows)
    assert sum(s.by_proc.values()) == len(rows) - 8
    assert s.separator == ";"
    # a bad cell names the CSV column and the JSON path, and keeps the value
    msg = groups[4][0]["message"]
    assert "colonne « nationalities »" in msg and '"XX"' in msg and "« habitual_residence »" in msg
    # the quoted cell with a separator inside and the multi-line cell are read as one cell
    assert groups[9][0]["name"] == "Nom\nsur deux lignes"


def test_comma_separator_lists_and_booleans():
    rows, s = _run_csv(FIX / "comma.csv")
    assert s.separator == "," and (s.read, s.answered, s.rejected) == (3, 3, 0)
    g = _groups(rows)
    assert list(g) == [2, 3, 4]
    c2 = next(c for c in iter_cases(FIX / "comma.csv", AS_OF) if c.id == "c-2").case
    assert c2["person"]["nationalities"] == ["MA", "FR"] and c2["sentence"]["final"] is False
    assert "removal_measures" not in c2  # empty cell = unknown, not "none"
    c3 = next(c for c in iter_cases(FIX / "comma.csv", AS_OF) if c.id == "c-3").case
    assert [m["kind"] for m in c3["removal_measures"]] == ["OQTF", "IRTF"]
    assert all(m["destination"] == "PL" for m in c3["removal_measures"])


def test_unknown_column_rejects_every_row_with_the_closest_name():
    rows, s = _run_csv(FIX / "unknown-column.csv")
    assert (s.read, s.rejected) == (2, 2)
    assert all("colonne inconnue « nationalites »" in r["message"] and "« nationalities »" in r["message"]
               for r in rows)


def test_known_none_vs_unknown():
    text = "id;removal_kinds;safety_period_end;nationalities\na;aucune;none;[]\nb;;;\n"
    p = io.StringIO(text)
    _, rows = read_rows(p)
    a, b = list(rows)
    assert a.raw["removal_measures"] == [] and a.raw["person"]["nationalities"] == []
    assert a.raw["sentence"]["safety_period_end"] == "none"
    assert b.raw == {"id": "b"}


def test_removal_columns_without_kind_are_an_error():
    _, rows = read_rows(io.StringIO("id,removal_destination\nx,RO\n"))
    (r,) = list(rows)
    assert r.problems and "removal_kinds" in r.problems[0].message


def test_row_as_of_beats_option():
    rows, _ = _run_csv(FIX / "comma.csv")
    assert {r["as_of"] for r in rows} == {"2026-12-01"}
    out = io.StringIO()
    screen(io_path := str(_write_tmp("id,as_of,nationalities\nz,2027-01-15,RO\n")), make_writer("csv", out),
           as_of=AS_OF, progress=False)
    assert {r["as_of"] for r in csv.DictReader(io.StringIO(out.getvalue()))} == {"2027-01-15"}
    Path(io_path).unlink()


def _write_tmp(text):
    import tempfile
    f = tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8")
    f.write(text)
    f.close()
    return f.name


def test_reading_is_streamed():
    """The reader pulls lines only as rows are consumed."""
    consumed = [0]

    class Lines(io.StringIO):
        def readline(self, *a):
            consumed[0] += 1
            return super().readline(*a)

        def __next__(self):
            consumed[0] += 1
            return super().__next__()

    text = "id;nationalities\n" + "".join(f"r{i};RO\n" for i in range(10000))
    _, rows = read_rows(Lines(text))
    first = [next(rows) for _ in range(3)]
    assert [r.id for r in first] == ["r0", "r1", "r2"]
    assert consumed[0] < 100


def test_jobs_preserve_order_and_answers(tmp_path):
    src = tmp_path / "s.csv"
    src.write_text(synth_text(450, seed=7, ref=AS_OF) + "bad;row\n", encoding="utf-8")
    one, s1 = _run_csv(src, ("chunk", 37))
    two, s2 = _run_csv(src, ("jobs", 2), ("chunk", 37))
    assert one == two
    assert (s1.read, s1.rejected) == (s2.read, s2.rejected) == (451, 1)
    assert s1.by_proc == s2.by_proc


@pytest.mark.parametrize("ext", ["csv", "jsonl", "json"])
def test_cli_formats_and_exit_code(tmp_path, ext, capsys):
    out = tmp_path / f"o.{ext}"
    rc = main(["screen", str(FIX / "broken.csv"), "--as-of", "2026-12-01", "-o", str(out)])
    assert rc == 3  # some rows rejected; the output is complete all the same
    err = capsys.readouterr().err
    assert "11 cas lus, 3 répondus, 8 rejetés" in err and "\r" not in err  # no progress bar when not a TTY
    text = out.read_text(encoding="utf-8")
    if ext == "csv":
        rows = read_answer(text)
    elif ext == "jsonl":
        rows = [json.loads(x) for x in text.splitlines()]
    else:
        data = json.loads(text)
        rows = data["rows"]
        assert data["summary"]["read"] == 11 and data["summary"]["rejected"] == 8
    assert sorted({int(r["line"]) for r in rows}) == BROKEN_LINES


def test_cli_stdin_and_clean_exit(tmp_path, monkeypatch, capsys):
    text = synth_text(20, seed=3, ref=AS_OF)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8"))
    rc = main(["screen", "-", "--as-of", "2026-12-01", "-f", "jsonl"])
    cap = capsys.readouterr()
    assert rc == 0
    rows = [json.loads(x) for x in cap.out.splitlines()]
    assert len({r["line"] for r in rows}) == 20
    assert "20 cas lus, 20 répondus, 0 rejetés" in cap.err


def test_iter_cases_for_other_commands():
    got = list(iter_cases(FIX / "broken.csv", AS_OF, validate=False))
    assert [c.line for c in got] == BROKEN_LINES
    assert got[0].raw["person"]["nationalities"] == ["RO"] and got[0].error is None
    assert got[-1].error is not None  # truncated: a CSV-level problem even without validation
    assert csv_columns.column_of("removal_measures[1].destination") == "removal_destination"
    assert csv_columns.column_of("person.nationalities[0]") == "nationalities"


def test_progress_bar_only_when_enabled(capsys):
    from lexquery.screening.screen import Progress
    with open(FIX / "comma.csv", encoding="utf-8", newline="") as f:
        f.readline()
        p = Progress(100, f, enabled=True)
        p.update(3, force=True)
        p.done()
        q = Progress(100, f, enabled=False)
        q.update(3, force=True)
    err = capsys.readouterr().err
    assert err.count("\r") == 3 and "3 cas" in err and "%" in err


# a good row between every bad one: (column, cell, words of the error message)
BOUNDS_ROWS = [
    ("execution_start", "9999-12-31", "colonne « execution_start » (sentence.execution_start) : date hors de la plage"),
    ("birth_date", "1899-12-31", "1900-01-01 et 2199-12-31"),
    ("safety_period_end", "2200-01-01", "colonne « safety_period_end »"),
    ("total", "P0Y", "colonne « total » (sentence.total) : durée nulle"),
    ("total", "P0D", "durée nulle"),
    ("total", "P250Y", "durée trop longue"),
    ("receiving_state", "FR", "colonne « receiving_state » (receiving_state) : État de réception « FR »"),
    ("nationalities", "RO|RO", "colonne « nationalities » (person.nationalities[1]) : « RO » répété (déjà en [0])"),
    ("id", "   ", "identifiant du cas manquant"),   # a CSV cell is trimmed: blank is empty
]


def test_rows_no_case_can_hold_are_error_rows_and_the_batch_goes_on(tmp_path):
    lines = synth_text(2 * len(BOUNDS_ROWS) + 1, seed=4, ref=AS_OF).splitlines()
    header = lines[0].split(";")
    body = []
    for k, line in enumerate(lines[1:]):
        cells = line.split(";")
        if k % 2:
            col, cell, _ = BOUNDS_ROWS[k // 2]
            cells[header.index(col)] = cell
        body.append(";".join(cells))
    p = tmp_path / "bornes.csv"
    p.write_text("\n".join([lines[0]] + body) + "\n", encoding="utf-8")
    rows, s = _run_csv(p)
    groups = _groups(rows)
    assert list(groups) == list(range(2, 2 + len(body)))
    for k, (line, g) in enumerate(groups.items()):
        if k % 2:
            words = BOUNDS_ROWS[k // 2][2]
            assert len(g) == 1 and g[0]["status"] == "error" and words in g[0]["message"], (line, g)
        else:
            assert all(r["status"] != "error" for r in g), (line, g)
    assert (s.read, s.rejected) == (len(body), len(BOUNDS_ROWS))


def test_the_answer_csv_takes_the_input_separator(tmp_path, capsys):
    """Issue 15 §9: a « ; » export (what a French spreadsheet writes) is answered in « ; », a
    « , » one in « , »; --separator decides otherwise."""
    semi = tmp_path / "semi.csv"
    semi.write_text("id;nationalities;final\na;RO;oui\n", encoding="utf-8")
    comma = tmp_path / "comma.csv"
    comma.write_text("id,nationalities,final\na,RO,oui\n", encoding="utf-8")
    for path, sep, forced in ((semi, ";", ","), (comma, ",", ";")):
        assert main(["screen", str(path), "--as-of", "2026-12-01", "-q"]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"line{sep}id{sep}name{sep}") and read_answer(out)[0]["id"] == "a"
        assert main(["screen", str(path), "--as-of", "2026-12-01", "-q", "--separator", forced, "-j", "2"]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"line{forced}id{forced}") and read_answer(out)[0]["id"] == "a"

"""Batches under damaged input (issue 14 §1–§6): one detainee per physical line, CR-only files,
formula injection, atomic outputs, -o naming the input, bounded input.

Each test here failed before its fix (the issue gives the reproduction): a stray quote merged
653 detainees into one error row, CR-only lines crashed the reader, ``=cmd`` reached the output
CSV as is, ``-o`` truncated before writing, ``-o`` equal to the input emptied it, ``ask -`` read an
endless stream without bound."""
import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from lexquery.cli import main
from lexquery.screening import csv_cases as CC
from lexquery.screening.outputs import make_writer
from lexquery.screening.screen import screen
from lexquery.screening.synth import synth_text

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 12, 1)


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "erreur interne" not in err and "Traceback" not in err
    return code, out, err


def _screen_text(text: str, tmp_path, name="in.csv", raw: bytes | None = None):
    p = tmp_path / name
    if raw is None:
        p.write_text(text, encoding="utf-8", newline="")
    else:
        p.write_bytes(raw)
    out = io.StringIO()
    s = screen(str(p), make_writer("csv", out), as_of=AS_OF, progress=False)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    return rows, s


def _data_lines(text: str) -> list[int]:
    """Line numbers (1-based) of the non-blank physical lines after the header."""
    return [i for i, l in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)
            if i > 1 and l.strip()]


# ---- §1 a stray quote never merges detainees ------------------------------------------------------
@pytest.mark.parametrize("cell", [2, 1, 4])
def test_a_stray_quote_stays_on_its_line_and_every_line_comes_out(tmp_path, cell):
    lines = synth_text(2000, seed=3, ref=AS_OF).split("\n")
    cells = lines[101].split(";")
    cells[cell] = '"' + cells[cell]
    lines[101] = ";".join(cells)
    text = "\n".join(lines)
    rows, s = _screen_text(text, tmp_path)
    assert (s.read, s.rejected, s.lines, s.split) == (2000, 1, 2000, 1)
    assert sorted({int(r["line"]) for r in rows}) == _data_lines(text)      # lines in = rows out
    (err,) = [r for r in rows if r["status"] == "error"]
    assert err["line"] == "102" and err["id"] == cells[0] and "guillemet ouvrant" in err["message"]


def test_a_quoted_cell_that_really_spans_lines_is_one_case(tmp_path):
    text = 'id;name;nationalities\na;"Dupont\nJean";RO\nb;Martin;MA\n'
    rows, s = _screen_text(text, tmp_path)
    assert (s.read, s.rejected, s.lines, s.spanning, s.spanning_lines) == (2, 0, 3, 1, 1)
    assert {r["id"]: r["name"] for r in rows} == {"a": "Dupont\nJean", "b": "Martin"}
    assert s.to_dict()["data_lines"] == 3 and s.to_dict()["multiline_cases"] == 1


def test_a_quote_left_open_to_the_end_is_one_error_row_per_line(tmp_path):
    text = 'id;name;nationalities\na;Dupont;RO\nb;"Martin;MA\nc;x\n'
    rows, s = _screen_text(text, tmp_path)
    assert (s.read, s.lines) == (3, 3)
    by_line = {r["line"]: r for r in rows}
    assert by_line["3"]["status"] == "error" and by_line["3"]["id"] == "b"
    assert "guillemet ouvrant" in by_line["3"]["message"]
    assert by_line["4"]["status"] == "error" and "incomplète" in by_line["4"]["message"]


def test_a_quoted_cell_never_takes_more_than_max_span_lines(tmp_path):
    text = "id;name\n" + 'a;"x\n' + "".join(f"suite {i}\n" for i in range(CC.MAX_SPAN + 5))
    rows, s = _screen_text(text, tmp_path)
    assert s.lines == s.read == CC.MAX_SPAN + 6
    assert sorted({int(r["line"]) for r in rows}) == _data_lines(text)


# ---- §2 lines ended by a CR alone ------------------------------------------------------------------
@pytest.mark.parametrize("header_end, end", [("\n", "\r"), ("\r", "\r"), ("\r\n", "\r"), ("\r", "\n")])
def test_cr_only_lines_are_read_line_by_line(tmp_path, header_end, end):
    lines = synth_text(300, seed=5, ref=AS_OF).rstrip("\n").split("\n")
    text = lines[0] + header_end + end.join(lines[1:]) + end
    rows, s = _screen_text(text, tmp_path)
    clean, s0 = _screen_text("\n".join(lines) + "\n", tmp_path, "clean.csv")
    assert (s.read, s.rejected, s.lines) == (300, s0.rejected, 300)
    assert rows == clean


def test_cr_only_file_through_the_cli_exits_0_and_through_a_text_stream(tmp_path, capsys):
    lines = synth_text(50, seed=2, ref=AS_OF).rstrip("\n").split("\n")
    f = tmp_path / "mac.csv"
    f.write_bytes("\r".join(lines).encode("utf-8") + b"\r")
    code, out, err = _run(capsys, "screen", f, "--as-of", "2026-12-01", "-q")
    assert code == 0 and len({r["line"] for r in csv.DictReader(io.StringIO(out))}) == 50
    header, records = CC.read_header(io.StringIO("\r".join(lines)))
    assert len(list(records)) == 50 and header.columns[0] == "id"


def test_an_overlong_line_is_one_error_row_and_memory_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(CC, "MAX_LINE", 1000)
    text = "id;name\na;Dupont\nb;" + "x" * 5000 + "\nc;Martin\n"
    rows, s = _screen_text(text, tmp_path)
    assert (s.read, s.rejected) == (3, 1)
    assert [r["status"] == "error" for r in rows if r["line"] == "3"] == [True]
    assert "trop longue" in [r for r in rows if r["line"] == "3"][0]["message"]


# ---- §3 formula injection -------------------------------------------------------------------------
DANGEROUS = ["=1+1", "+33", "-2+3", "@SUM(A1)", "\tx", "=HYPERLINK(\"http://x\")"]


@pytest.mark.parametrize("jobs_fmt", [("1", "csv"), ("2", "csv")])
def test_no_cell_of_the_output_csv_is_a_formula(tmp_path, capsys, jobs_fmt):
    rows = ["id;name;nationalities"] + [f'"{d}{i}";"{d}";RO' for i, d in enumerate(DANGEROUS)] + \
           ['"=bad";x;ZZ', 'ok;"=cmd|\' /C calc\'!A0";RO']
    f = tmp_path / "inj.csv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = _run(capsys, "screen", f, "--as-of", "2026-12-01", "-q", "-j", jobs_fmt[0])
    cells = [c for r in csv.reader(io.StringIO(out)) for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    got = {r["id"] for r in csv.DictReader(io.StringIO(out))}
    assert "'=1+10" in got and "'=bad" in got and "ok" in got
    assert "'=cmd|' /C calc'!A0" in {r["name"] for r in csv.DictReader(io.StringIO(out))}


def test_the_csv_writer_and_the_fast_path_neutralise_alike(tmp_path):
    text = 'id;name;nationalities\n"=a";"@b";RO\n"-c";x;ZZ\n'
    p = tmp_path / "i.csv"
    p.write_text(text, encoding="utf-8")
    fast, slow = io.StringIO(), io.StringIO()
    screen(str(p), make_writer("csv", fast), as_of=AS_OF, progress=False)
    w = make_writer("csv", slow)
    w.accepts_csv_text = False   # the generic writer, row by row
    screen(str(p), w, as_of=AS_OF, progress=False)
    assert fast.getvalue() == slow.getvalue() and "'=a" in fast.getvalue() and "'-c" in fast.getvalue()


def test_kb_query_csv_neutralises_too():
    from lexquery.commands.kb import format_table
    out = format_table(["t"], [["- item"], ["=x"], ["ok"]], "csv")
    assert out.split("\n") == ["t", "'- item", "'=x", "ok"]

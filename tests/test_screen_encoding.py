"""A registry export saved as « CSV » by spreadsheet software on a French Windows is often
Windows-1252, not UTF-8 (screening-csv.md asks for UTF-8). Such lines are read as
Windows-1252 — names keep their accents instead of turning into U+FFFD — and the summary
says how many lines and from which line, so that the export can be fixed. The answers are
the same: the rules read ASCII codes, dates and ids."""
import io
import json

from lexquery.cli import main
from lexquery.screening.csv_text import Utf8OrAnsiLines

HEADER = "id;name;nationalities;total;execution_start;expected_end\n"
ROWS = ["x1;Hélène Müller;RO;P3Y;2025-06-01;2028-04-01\n", "x2;Ionescu;RO;P2Y;2025-01-01;2027-01-01\n",
        "x3;Zoé Añez;MA;P5Y;2024-01-01;2029-01-01\n"]


def _screen(tmp_path, data: bytes, capsys, fmt="csv"):
    f = tmp_path / "registre.csv"
    f.write_bytes(data)
    out = tmp_path / f"out.{fmt}"
    code = main(["screen", str(f), "--as-of", "2026-12-01", "-o", str(out), "-j", "1"])
    return code, out.read_text(encoding="utf-8"), capsys.readouterr().err


def test_a_windows_1252_export_keeps_its_accents_and_the_summary_says_so(tmp_path, capsys):
    utf8 = (HEADER + "".join(ROWS)).encode("utf-8")
    ansi = (HEADER + "".join(ROWS)).encode("cp1252")
    code_u, out_u, err_u = _screen(tmp_path, utf8, capsys)
    code_a, out_a, err_a = _screen(tmp_path, ansi, capsys)
    assert code_u == code_a == 0
    assert out_a == out_u                      # same answers, same names
    assert "Hélène Müller" in out_a and "\ufffd" not in out_a
    assert "non UTF-8" not in err_u
    assert "2 ligne(s) non UTF-8 lue(s) comme Windows-1252 (« ANSI »), la première ligne 2" in err_a


def test_one_bad_line_in_a_utf8_export_is_counted_from_its_line(tmp_path, capsys):
    data = (HEADER + ROWS[1]).encode("utf-8") + ROWS[0].encode("cp1252") + ROWS[2].encode("utf-8")
    code, out, err = _screen(tmp_path, b"\xef\xbb\xbf" + data, capsys, fmt="json")
    assert code == 0
    doc = json.loads(out)
    assert doc["summary"]["non_utf8_lines"] == 1
    assert "1 ligne(s) non UTF-8" in err and "la première ligne 3" in err
    assert {r["name"] for r in doc["rows"]} == {"Hélène Müller", "Ionescu", "Zoé Añez"}


def test_the_line_reader_drops_the_bom_and_keeps_line_ends():
    lines = Utf8OrAnsiLines(io.BytesIO(b"\xef\xbb\xbfid;name\r\nx;\xe9t\xe9\r\ny;\"a\nb\"\n"))
    assert list(lines) == ["id;name\r\n", "x;été\r\n", "y;\"a\n", "b\"\n"]
    assert (lines.ansi_lines, lines.first_ansi_line) == (1, 2)


def test_the_html_report_carries_the_note(tmp_path, capsys):
    code, html, _ = _screen(tmp_path, (HEADER + "".join(ROWS)).encode("cp1252"), capsys, fmt="html")
    assert code == 0 and "Hélène Müller" in html
    assert "3 ligne(s) non UTF-8" not in html and "2 ligne(s) non UTF-8 lue(s) comme Windows-1252" in html

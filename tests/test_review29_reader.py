"""Review 29 (a developer's black-box review of docs/screening-csv.md, docs/reliability.md and
the README against `lexquery screen`; report in tests/cases/reviews/review-29-notes.md): each
disagreement that changed an answer or a message, on a five-row export, through the command
line and on both engines (`--engine scalar` / `columnar`, which must write the same bytes).

- D1: a cell longer than 131,072 characters (Python's csv limit) in a line under 1 MB — the
  scalar reader rejected the row with csv's own text, the columnar one answered it.
- D2: a quote the last line opens without closing, the file ending without a line end — read
  silently (« "MA » taken for MA: the answer changed with the file's last byte).
- D3: one separator too many before empty trailing cells — the values after it were read one
  column to the right, silently (consent.transfer read from the column before it).
- D4 / D5 / D7 / D9: messages — English for the reader's stray quote and overlong line and for
  three command errors; an empty file named with its line; a cell's column with its path.
"""
from __future__ import annotations

import json

import pytest

from lexquery.cli import main
from lexquery.screening.synth import synth_text

AS_OF = "2026-12-01"


def _lines():
    return synth_text(5, seed=1).rstrip("\n").split("\n")


def _screen(capsys, path, out, *more):
    code = main(["screen", str(path), "--as-of", AS_OF, "-q", "--no-progress", "-o", str(out), *more])
    _, err = capsys.readouterr()
    assert "Traceback" not in err and "erreur interne" not in err
    return code


def _both(capsys, tmp_path, name, text):
    """Both engines on ``text``: (exit code, rows of the output by line) — the bytes equal."""
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    got = {}
    for eng in ("scalar", "columnar"):
        out = tmp_path / f"{name}.{eng}.csv"
        got[eng] = (_screen(capsys, p, out, "--engine", eng, "-j", "1"), out.read_bytes())
    assert got["scalar"] == got["columnar"], "the two engines differ"
    code, data = got["scalar"]
    rows = {}
    for line in data.decode("utf-8").splitlines()[1:]:
        cells = line.split(";")
        rows.setdefault(int(cells[0]), []).append(cells)
    return code, rows


def test_a_long_cell_under_the_line_limit_is_read_by_both_engines(capsys, tmp_path):
    lines = _lines()
    header = lines[0].split(";")
    for n in (131_072, 131_073, 200_000):
        cells = lines[2].split(";")
        cells[header.index("name")] = "A" * n
        text = "\n".join(lines[:2] + [";".join(cells)] + lines[3:]) + "\n"
        code, rows = _both(capsys, tmp_path, f"cell{n}.csv", text)
        assert code == 0, n
        assert all(r[6] != "error" for r in rows[3]) and rows[3][0][2] == "A" * n


@pytest.mark.parametrize("end", ["", "\n"])
def test_a_quote_the_last_line_opens_is_a_stray_one_with_or_without_a_line_end(capsys, tmp_path, end):
    lines = _lines()
    header = lines[0].split(";")
    last = lines[-1].split(";")
    last[header.index("receiving_state")] = '"MA'
    code, rows = _both(capsys, tmp_path, f"stray{len(end)}.csv", "\n".join(lines[:-1] + [";".join(last)]) + end)
    assert code == 3
    (row,) = rows[6]
    assert row[6] == "error" and "guillemet ouvrant sans guillemet fermant" in row[14]
    assert row[1] == lines[-1].split(";")[0]   # its id, read without the quote
    # a quote opened in the name: the same message, not « ligne incomplète »
    last = lines[-1].split(";")
    last[header.index("name")] = '"' + last[header.index("name")]
    code, rows = _both(capsys, tmp_path, f"stray_name{len(end)}.csv", "\n".join(lines[:-1] + [";".join(last)]) + end)
    assert code == 3 and "guillemet ouvrant sans guillemet fermant" in rows[6][0][14]


def test_a_last_line_without_a_line_end_is_read_as_with_one(capsys, tmp_path):
    lines = _lines()
    _, with_end = _both(capsys, tmp_path, "end.csv", "\n".join(lines) + "\n")
    _, without = _both(capsys, tmp_path, "noend.csv", "\n".join(lines))
    assert with_end == without


def test_one_separator_too_many_before_empty_cells_is_an_error_row(capsys, tmp_path):
    lines = _lines()
    ncols = len(lines[0].split(";"))
    cells = lines[4].split(";")
    assert cells[-1] == ""   # the line ends with an empty cell: the shift would not show
    shifted = cells[:20] + [""] + cells[20:]   # a separator too many in the middle
    code, rows = _both(capsys, tmp_path, "extra.csv", "\n".join(lines[:4] + [";".join(shifted)] + lines[5:]) + "\n")
    assert code == 3
    (row,) = rows[5]
    assert row[6] == "error" and f"cellules en trop : {ncols + 1} cellule(s) pour {ncols} colonne(s)" in row[14]
    assert all(r[6] != "error" for k in (2, 3, 4, 6) for r in rows[k])   # the batch goes on
    # a trailing « ; » on every line and on the header: the lines match the header, nothing lost
    code, rows = _both(capsys, tmp_path, "trailing.csv", "\n".join(x + ";" for x in lines) + "\n")
    _, plain = _both(capsys, tmp_path, "plain.csv", "\n".join(lines) + "\n")
    assert code == 0 and rows == plain


def test_the_readers_messages_in_english(capsys, tmp_path):
    lines = _lines()
    header = lines[0].split(";")
    cells = lines[2].split(";")
    cells[header.index("name")] = '"Johnson'
    p = tmp_path / "stray.csv"
    p.write_text("\n".join(lines[:2] + [";".join(cells)] + lines[3:]) + "\n", encoding="utf-8")
    out = tmp_path / "r.html"
    assert _screen(capsys, p, out, "--lang", "en") == 3
    html = out.read_text(encoding="utf-8")
    assert "an opening quote without a closing quote" in html and "guillemet" not in html


@pytest.mark.parametrize("argv, fr, en", [
    (["screen", "{empty}", "--lang", "en"], None, "empty CSV file: the header line is missing"),
    (["screen", "{base}", "-o", "{dir}/x.txt", "--lang", "en"], None, "unknown output extension"),
    (["screen", "{base}", "--chunk", "0", "--lang", "en"], None, "--chunk must be at least 1"),
    (["screen", "{empty}"], "fichier CSV vide", None),
])
def test_command_errors_name_the_file_and_speak_english(capsys, tmp_path, argv, fr, en):
    empty, base = tmp_path / "empty.csv", tmp_path / "base.csv"
    empty.write_bytes(b"")
    base.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    code = main([a.format(empty=empty, base=base, dir=tmp_path) for a in argv])
    err = capsys.readouterr().err
    assert code in (2, 3)
    if en:
        assert en in err and "fichier" not in err and "doit" not in err
    if fr:
        assert fr in err
    if "{empty}" in argv:
        assert f"{empty}:1" in err   # the file and its line (README « Exit codes »)


def test_a_cells_problem_names_its_case_format_path(capsys, tmp_path):
    lines = _lines()
    header = lines[0].split(";")
    cells = lines[2].split(";")
    cells[header.index("final")] = "peut-être"
    dup = lines[1]
    p = tmp_path / "bad.csv"
    p.write_text("\n".join(lines[:2] + [";".join(cells), dup]) + "\n", encoding="utf-8")
    out = tmp_path / "bad.json"
    assert _screen(capsys, p, out) == 3
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    msgs = {r["line"]: r["message"] for r in rows if r["status"] == "error"}
    assert msgs[3].startswith("colonne « final » (sentence.final) : valeur invalide « peut-être »")
    assert msgs[4].startswith("colonne « id » (id) : identifiant")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_export_is_said_once_for_the_file(capsys, tmp_path, encoding):
    """Review 29 U8: a UTF-16 export (« Unicode text » of a spreadsheet), with or without its BOM,
    gave one error row per line listing 30 unknown columns full of NUL bytes; it is now one
    message naming the file and the encoding, exit 3, nothing written."""
    p = tmp_path / "u16.csv"
    p.write_bytes(("\n".join(_lines()) + "\n").encode(encoding))
    out = tmp_path / "u16.out.csv"
    for eng in ("scalar", "columnar"):
        code = main(["screen", str(p), "--as-of", AS_OF, "-q", "--no-progress", "--engine", eng, "-o", str(out)])
        err = capsys.readouterr().err
        assert code == 3 and "UTF-16" in err and f"{p}:1" in err and "enregistrez-le en UTF-8" in err
        assert not out.exists()

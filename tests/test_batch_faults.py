"""Batches under damaged input (issue 14 §1–§6): one detainee per physical line, CR-only files,
formula injection, atomic outputs, -o naming the input, bounded input.

Each test here failed before its fix (the issue gives the reproduction): a stray quote merged
653 detainees into one error row, CR-only lines crashed the reader, ``=cmd`` reached the output
CSV as is, ``-o`` truncated before writing, ``-o`` equal to the input emptied it, ``ask -`` read an
endless stream without bound."""
import csv
import io
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
from lexquery.screening import csv_records, csv_text
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
    return _rows(out.getvalue()), s


def _rows(out: str) -> list[dict]:
    """The rows of a screening CSV output, with its separator (the input's: ; in, ; out)."""
    return list(csv.DictReader(io.StringIO(out), delimiter=";" if out.startswith("line;") else ","))


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
    text = "id;name\n" + 'a;"x\n' + "".join(f"suite {i}\n" for i in range(csv_records.MAX_SPAN + 5))
    rows, s = _screen_text(text, tmp_path)
    assert s.lines == s.read == csv_records.MAX_SPAN + 6
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
    assert code == 0 and len({r["line"] for r in _rows(out)}) == 50
    header, records = CC.read_header(io.StringIO("\r".join(lines)))
    assert len(list(records)) == 50 and header.columns[0] == "id"


def test_an_overlong_line_is_one_error_row_and_memory_stays_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_text, "MAX_LINE", 1000)
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
    cells = [c for r in csv.reader(io.StringIO(out), delimiter=";" if out.startswith("line;") else ",") for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    got = {r["id"] for r in _rows(out)}
    assert "'=1+10" in got and "'=bad" in got and "ok" in got
    assert "'=cmd|' /C calc'!A0" in {r["name"] for r in _rows(out)}


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


# ---- §4 outputs are whole or absent ---------------------------------------------------------------
def _tmp_files(folder: Path):
    return [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_screen_leaves_the_previous_report_whole(tmp_path, sig):
    src = tmp_path / "big.csv"
    src.write_text(synth_text(6000, seed=1, ref=AS_OF), encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("le rapport précédent\n", encoding="utf-8")
    p = subprocess.Popen([sys.executable, "-m", "lexquery.cli", "screen", str(src), "--as-of", "2026-12-01",
                          "-o", str(out), "-j", "1", "--chunk", "50", "-q"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t0 = time.time()
    while not _tmp_files(tmp_path) and p.poll() is None and time.time() - t0 < 60:
        time.sleep(0.02)
    time.sleep(0.3)   # rows are being written to the temporary file
    assert p.poll() is None, "finished before it could be interrupted"
    p.send_signal(sig)
    p.communicate(timeout=60)
    assert p.returncode != 0
    assert out.read_text(encoding="utf-8") == "le rapport précédent\n"
    if sig != signal.SIGKILL:   # only SIGKILL cannot clean up after itself
        assert _tmp_files(tmp_path) == []


def test_a_full_disk_leaves_the_previous_file_and_exits_5(tmp_path, capsys, monkeypatch):
    import errno
    import lexquery.files as F
    src = tmp_path / "in.csv"
    src.write_text(synth_text(20, seed=1, ref=AS_OF), encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("avant\n", encoding="utf-8")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(F.os, "fsync", full)
    code = main(["screen", str(src), "--as-of", "2026-12-01", "-o", str(out), "-q"])
    err = capsys.readouterr().err
    assert code == 5 and "disque plein" in err and str(out) in err and "erreur interne" not in err
    assert out.read_text(encoding="utf-8") == "avant\n" and _tmp_files(tmp_path) == []


def test_standard_output_on_a_full_device_exits_5():
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    ex = str(ROOT / "examples" / "ionescu.json")
    with open("/dev/full", "w") as full:
        p = subprocess.run([sys.executable, "-m", "lexquery.cli", "ask", ex], stdout=full, stderr=subprocess.PIPE,
                           text=True, timeout=120)
    assert p.returncode == 5 and "sortie standard (disque plein)" in p.stderr and "Traceback" not in p.stderr


def test_outputs_keep_their_mode_and_write_through_a_symlink(tmp_path, capsys):
    src = tmp_path / "in.csv"
    src.write_text(synth_text(5, seed=1, ref=AS_OF), encoding="utf-8")
    real = tmp_path / "real.csv"
    real.write_text("x\n", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    code, _, _ = _run(capsys, "screen", src, "--as-of", "2026-12-01", "-o", link, "-q")
    assert code == 0 and link.is_symlink() and real.read_text(encoding="utf-8").startswith(("line,id,", "line;id;"))
    assert (real.stat().st_mode & 0o777) == 0o640


@pytest.mark.parametrize("argv", [["synth", "5", "--seed", "1", "-o", "{out}"],
                                  ["convert", str(ROOT / "examples" / "ionescu.lq"), "-o", "{out}"]])
def test_every_file_output_is_renamed_into_place(tmp_path, capsys, monkeypatch, argv):
    import lexquery.files as F
    seen = []
    real = F.os.replace
    monkeypatch.setattr(F.os, "replace", lambda a, b: (seen.append((a, b)), real(a, b)))
    out = tmp_path / "o.json" if argv[0] == "convert" else tmp_path / "o.csv"
    code, _, _ = _run(capsys, *[a.format(out=out) for a in argv])
    assert code == 0 and out.exists() and [Path(b) for _, b in seen] == [out]
    assert Path(seen[0][0]).parent == tmp_path


# ---- §5 the output never replaces the input --------------------------------------------------------
def test_output_equal_to_input_is_refused_and_the_input_kept(tmp_path, capsys):
    src = tmp_path / "in.csv"
    text = synth_text(5, seed=1, ref=AS_OF)
    src.write_text(text, encoding="utf-8")
    link = tmp_path / "lien.csv"
    link.symlink_to(src)
    for out in (src, link, tmp_path / "." / "in.csv"):
        code, _, err = _run(capsys, "screen", src, "-o", out, "-q")
        assert code == 2 and "est le fichier d'entrée" in err
    code, _, err = _run(capsys, "screen", link, "-o", src, "-q")
    assert code == 2
    assert src.read_text(encoding="utf-8") == text


def test_convert_refuses_to_overwrite_its_source(tmp_path, capsys):
    lq = tmp_path / "x.lq"
    text = (ROOT / "examples" / "ionescu.lq").read_text(encoding="utf-8")
    lq.write_text(text, encoding="utf-8")
    code, _, err = _run(capsys, "convert", lq, "-o", lq)
    assert code == 2 and "est le fichier d'entrée" in err and lq.read_text(encoding="utf-8") == text


def test_a_cr_inside_a_quoted_cell_never_splits_an_output_row(tmp_path):
    rows, s = _screen_text('id;name;nationalities\na;"Dupont\rJean";RO\nb;"Martin\r\nLouis";MA\n', tmp_path)
    assert {r["name"] for r in rows} == {"Dupont\nJean", "Martin\nLouis"} and s.spanning == 2
    out = io.StringIO()
    screen(str(tmp_path / "in.csv"), make_writer("csv", out), as_of=AS_OF, progress=False)
    assert "\r" not in out.getvalue()


def test_a_one_column_file_never_merges_lines(tmp_path):
    rows, s = _screen_text('id\n"8\r2\r3\n', tmp_path)
    assert s.lines == s.read == 3 and s.split == 1

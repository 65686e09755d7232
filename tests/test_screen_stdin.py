"""`lexquery screen -`: standard input screened as a file of its size would be, memory flat.

Its first bytes (AUTO_COLUMNAR_BYTES) are read ahead and put back (commands.screen.peek_stdin):
an input that ends within them is small — the scalar engine in one process (no numpy / polars
import, no fork); a larger one goes to the columnar engine (its workers start only once a second
2 MB batch is read) for a CSV, JSON Lines or JSON answer, the same bytes as ``--engine scalar``. The columnar reader
never holds a line whole: past OVERLONG bytes without a line feed, the scalar reader reads the
rest of the input as a stream (columnar_frame.ScalarRest) — an endless line included.
"""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from lexquery.cli import main
from lexquery.commands.screen import AUTO_COLUMNAR_BYTES
from lexquery.screening.csv_text import Prefixed
from lexquery.screening.synth import synth_text

pytest.importorskip("polars")
from lexquery.screening import columnar_frame as F  # noqa: E402
from test_columnar_pipeline import assert_same  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _rows(n, seed=6) -> list[bytes]:
    return synth_text(n, seed=seed).encode("utf-8").split(b"\n")


def test_prefixed_gives_back_what_was_read_ahead_then_the_rest():
    raw = io.BytesIO(b"abcdefghij")
    head = raw.read(4)
    assert io.BufferedReader(Prefixed(head, raw), 3).read() == b"abcdefghij"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_line_past_overlong_hands_the_rest_of_the_input_to_the_scalar_reader(tmp_path, monkeypatch, fmt):
    """Exact whatever the bound: here 3,000 bytes, so that a long name (which the scalar
    reader reads as a row, 40,000 bytes) sends the rest of the file — a quoted cell over two lines, a lone CR,
    a repeated id among it — to the scalar reader, with the line numbers and ids carried on."""
    monkeypatch.setattr(F, "OVERLONG", 3000)
    handed = _count_handovers(monkeypatch)
    rows = _rows(300)
    head, body = rows[0], rows[1:]
    cells = body[150].split(b";")
    cells[1] = b"N" * 40000
    body[150] = b";".join(cells)
    body[200] = body[200] + b';"deux\nlignes"'
    body[220] = body[220].replace(b";", b"\r", 1)
    body[250] = body[10]   # the same id again: an error row, as in the scalar reader
    assert_same(b"\n".join([head] + body), tmp_path, fmt=fmt)
    assert handed == [152]   # the physical line of the 40,000-byte row (body[150]; the header is line 1)


def test_an_input_that_never_ends_its_last_line(tmp_path, monkeypatch):
    monkeypatch.setattr(F, "OVERLONG", 3000)
    handed = _count_handovers(monkeypatch)
    rows = _rows(120)
    assert_same(b"\n".join(rows).rstrip(b"\n") + b";" + b"x" * 20000, tmp_path)
    assert_same(b"\n".join(rows[:60]) + b"\nq;" + b"y" * 9000, tmp_path)
    assert handed == [121, 61]   # the last data line made endless; the line after 59 data lines


def _count_handovers(monkeypatch) -> list:
    """The first line of each ScalarRest the columnar reader gives (a spy on Reader._rest_to_scalar)."""
    seen, real = [], F.Reader._rest_to_scalar

    def spy(self, data, first):
        seen.append(first)
        return real(self, data, first)
    monkeypatch.setattr(F.Reader, "_rest_to_scalar", spy)
    return seen


def test_a_line_of_12_mb_keeps_the_columnar_memory_flat(tmp_path):
    """Was: the columnar reader held the whole line (40 MB in: 488 MB peak, 21 s)."""
    f = tmp_path / "long.csv"
    rows = _rows(200)
    f.write_bytes(b"\n".join(rows[:100]) + b"\nzz;" + b"a" * (12 << 20) + b"\n" + b"\n".join(rows[100:]))
    code = ("import resource, subprocess, sys\n"
            f"r = subprocess.run([sys.executable, '-m', 'lexquery.cli', 'screen', {str(f)!r}, '-q', "
            "'--as-of', '2026-12-01', '--engine', 'columnar'], capture_output=True)\n"
            "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.stdout.count(b'\\n'))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    rc, maxrss_kb, lines = map(int, r.stdout.split())
    assert rc == 3 and maxrss_kb < 200 * 1024, (rc, maxrss_kb, r.stderr)
    ref = subprocess.run([sys.executable, "-m", "lexquery.cli", "screen", str(f), "-q", "--as-of", "2026-12-01",
                          "--engine", "scalar", "-j", "1"], capture_output=True, timeout=300, cwd=ROOT)
    assert ref.stdout.count(b"\n") == lines


def _screen_stdin(monkeypatch, capsys, data: bytes, *argv):
    from lexquery.screening import columnar_pipeline, screen as screening
    seen = []
    real_scalar, real_columnar = screening.screen, columnar_pipeline.screen_columnar
    monkeypatch.setattr(screening, "screen", lambda *a, **k: seen.append(("scalar", k["jobs"])) or real_scalar(*a, **k))
    monkeypatch.setattr(columnar_pipeline, "screen_columnar",
                        lambda *a, **k: seen.append(("columnar", None)) or real_columnar(*a, **k))
    stdin = io.TextIOWrapper(io.BufferedReader(io.BytesIO(data)), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    code = main(["screen", "-", "-q", "--as-of", "2026-12-01", *argv])
    assert sys.stdin is stdin   # put back as it was
    return code, capsys.readouterr().out, seen


@pytest.mark.parametrize("n, engine, jobs", [(3, "scalar", 1), (40, "scalar", 1), (400, "columnar", None)])
def test_standard_input_is_screened_as_a_file_of_its_size(tmp_path, monkeypatch, capsys, n, engine, jobs):
    data = synth_text(n, seed=7).encode("utf-8")
    assert (len(data) < AUTO_COLUMNAR_BYTES) == (engine == "scalar")
    f = tmp_path / "in.csv"
    f.write_bytes(data)
    code, out, seen = _screen_stdin(monkeypatch, capsys, data)
    assert seen == [(engine, jobs)]
    assert main(["screen", str(f), "-q", "--as-of", "2026-12-01", "--engine", "scalar", "-j", "1"]) == code
    assert capsys.readouterr().out == out


def test_standard_input_with_an_explicit_engine_is_not_read_ahead(monkeypatch, capsys):
    """--engine is taken as said; --jobs no longer chooses the engine (the columnar engine has
    workers too): with it, standard input is still read ahead to tell a small input from a large one."""
    data = synth_text(400, seed=7).encode("utf-8")
    assert _screen_stdin(monkeypatch, capsys, data, "-j", "1")[2] == [("columnar", None)]
    assert _screen_stdin(monkeypatch, capsys, data[:200], "-j", "2")[2] == [("scalar", 2)]
    assert _screen_stdin(monkeypatch, capsys, data, "--engine", "scalar")[2][0][0] == "scalar"
    assert _screen_stdin(monkeypatch, capsys, data[:200], "--engine", "columnar")[2] == [("columnar", None)]


def test_standard_input_for_an_html_report_stays_scalar_on_every_core(monkeypatch, capsys, tmp_path):
    import os
    data = synth_text(400, seed=7).encode("utf-8")
    _, _, seen = _screen_stdin(monkeypatch, capsys, data, "-o", str(tmp_path / "r.html"))
    assert seen == [("scalar", os.cpu_count() or 1)]

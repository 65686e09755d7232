"""Adversarial inputs for this morning's reader-lean and jobs-start merges: the columnar screening
must write the scalar one's bytes (and say the same) on a synthetic file mutated where the new
paths could go wrong — date columns typed from the batch's bytes (``columnar_dates.byte_dates``:
CRLF, a BOM, quoted dates, a date with a trailing space / tab / CR, ten-byte cells that are no
day, dates next to a block boundary, the ``as_of`` column per row, the extra date columns), the
id check's sorted hashes (duplicates within a block, across blocks, first seen on a line the
scalar reader read alone), the write side's cell plan (formula cells and empty names met only
after the first rows), and the worker's early start (``-j 2``: a file of one block plus a few
bytes, a file truncated after the start). Small blocks, so that every file is several batches.

Each case compares the engines on its mutated file: a reader that typed one of these cells
otherwise, lost a row or changed a message fails it.
"""
from __future__ import annotations

import io
import os
from datetime import date

import pytest

pl = pytest.importorskip("polars")

from lexquery import workers  # noqa: E402
from lexquery.engine import api as engine_api  # noqa: E402
from lexquery.screening import columnar_pipeline as CP  # noqa: E402
from lexquery.screening.columnar_pipeline import screen_columnar  # noqa: E402
from lexquery.screening.outputs import CsvWriter  # noqa: E402
from lexquery.screening.synth import synth_text  # noqa: E402
from test_columnar_pipeline import assert_same  # noqa: E402

AS_OF = date(2026, 12, 1)
BLOCK = 4096
_TEXT = synth_text(240, seed=3, ref=AS_OF)
_HEAD, *_BODY = _TEXT.rstrip("\n").split("\n")
_COL = {c: i for i, c in enumerate(_HEAD.split(";"))}


def _set(line: str, col: str, value: str) -> str:
    cells = line.split(";")
    cells[_COL[col]] = value
    return ";".join(cells)


def _get(line: str, col: str) -> str:
    return line.split(";")[_COL[col]]


def _every(k: int, r: int, col: str, value):
    """The body with ``col`` set to ``value(old, i)`` on every ``k``-th line from ``r``."""
    return [_set(x, col, value(_get(x, col), i)) if i % k == r else x for i, x in enumerate(_BODY)]


def _file(body, head=_HEAD, eol="\n", last=True) -> bytes:
    return (eol.join([head] + list(body)) + (eol if last else "")).encode("utf-8")


_BAD_DAYS = ["2025-02-29", "2024-02-29", "1900-02-29", "2000-02-29", "0000-01-01", "1899-12-31", "1900-01-01",
             "2199-12-31", "2200-01-01", "2025-13-01", "2025-00-10", "2025-04-31", "2025-01-00", "9999-99-99"]
_ODD_DATES = ["2025/01/05", "2025-1-005", "+025-01-05", "2025-01-5 ", " 025-01-05", "20250105xx", "２０２５-01-05",
              "2025-01-05\u00a0", "\ufeff2025-01-05", "2025-01-05 ", "2025-01-05\t", "\t2025-01-05", '"2025-01-05"']


def _boundary_lines(block: int):
    """The lines next to each ``block`` multiple of the file's bytes (where a batch may be cut)."""
    pos, marks = len(_HEAD) + 1, set()
    for i, x in enumerate(_BODY):
        nxt = pos + len(x) + 1
        if pos // block != nxt // block:
            marks |= {i - 1, i, i + 1}
        pos = nxt
    return marks


def _near_boundaries(col: str, value: str):
    marks = _boundary_lines(BLOCK)
    return [_set(x, col, value) if i in marks else x for i, x in enumerate(_BODY)]


def _dups():
    body = list(_BODY)
    ids = [_get(x, "id") for x in body]
    body[10] = _set(body[10], "id", ids[5])        # within a block
    body[200] = _set(body[200], "id", ids[3])      # across blocks
    body[201] = _set(body[201], "id", ids[2])
    body[170] = _set(body[170], "id", ids[61])     # both in blocks taken whole: found in the sorted runs
    body[171] = _set(body[171], "id", ids[100])
    body[20] = _set(body[20], "birth_date", "bad")   # read alone by the scalar reader: its id seen there
    body[150] = _set(body[150], "id", ids[20])
    body[151] = _set(body[151], "id", " " + ids[21] + " ")
    body[152] = _set(body[152], "id", "É-1")
    body[230] = _set(body[230], "id", "É-1")
    body[231] = _set(body[231], "id", "E\u0301-1")
    return body


def _extra_dates():
    vals = ["", "", "2026-03-01", "2027-01-15", "2024-02-29", "2025-02-29", "2030-12-31"]
    body = []
    for i, x in enumerate(_BODY):
        if i % 13 == 0:
            x = _set(x, "removal_kinds", "")   # a removal end date without its kinds
        body.append(";".join([x] + [vals[(i * 7 + j * 3) % len(vals)] for j in range(3)]))
    return _file(body, _HEAD + ";last_list_date;next_cap_date;removal_end_date")


def _reordered():
    """``birth_date`` the first column, ``expected_end`` the last (the first cell of a line is
    found after the previous line's end)."""
    order = [_COL["birth_date"]] + [i for i in range(len(_COL)) if i not in (_COL["birth_date"], _COL["expected_end"])] \
        + [_COL["expected_end"]]

    def re(x):
        c = x.split(";")
        return ";".join(c[i] for i in order)
    body = [re(x) for x in _BODY]
    body = [";".join([_BAD_DAYS[i % 4]] + x.split(";")[1:]) if i % 19 == 0 else x for i, x in enumerate(body)]
    return _file(body, re(_HEAD))


def _latin1():
    body = [x.encode("utf-8") for x in _BODY]
    for i in range(7, len(body), 41):
        body[i] = _set(_BODY[i], "name", "Müller-Éloïse").encode("latin-1", "replace")
    return b"\n".join([_HEAD.encode()] + body) + b"\n"


def _one_block_plus(extra: int, last: bool = True):
    """Header, then exactly ``BLOCK + extra`` bytes of lines (the last one's name padded)."""
    acc, size = [], 0
    for x in _BODY:
        n = len(x.encode("utf-8")) + 1
        if size + n > BLOCK:
            break
        acc.append(x)
        size += n
    acc[-1] = _set(acc[-1], "name", _get(acc[-1], "name") + "x" * (BLOCK + extra - size))
    data = _file(acc)
    assert len(data) - len(_HEAD) - 1 == BLOCK + extra
    return data if last else data[:-1]


def _write_cells():
    triggers = ["=1+1", "+33612", "-dash", "@at", "=HYPERLINK(x)", "'quote", "", " ", "\t=tab"]
    body = [_set(x, "name", triggers[(i // 7) % len(triggers)]) if i > 120 and i % 7 == 0 else x
            for i, x in enumerate(_BODY)]
    return _file([_set(x, "id", "=" + _get(x, "id")) if i > 200 and i % 11 == 0 else x for i, x in enumerate(body)])


CASES = {
    "crlf": lambda: _file(_BODY, eol="\r\n"),
    "bom_crlf": lambda: b"\xef\xbb\xbf" + _file(_BODY, eol="\r\n"),
    "mixed_crlf": lambda: ("\n".join([_HEAD] + [x + ("\r" if i % 3 else "") for i, x in enumerate(_BODY)]) + "\n").encode(),
    "crlf_no_final_eol": lambda: _file(_BODY, eol="\r\n", last=False),
    "quoted_dates": lambda: _file(_every(37, 5, "birth_date", lambda v, i: f'"{v}"')),
    "quoted_dates_every_line": lambda: _file(_every(1, 0, "entry_date", lambda v, i: f'"{v}"')),
    "date_trailing_space": lambda: _file(_every(23, 11, "execution_start", lambda v, i: v + " ")),
    "date_trailing_tab": lambda: _file(_every(23, 11, "execution_start", lambda v, i: v + "\t")),
    "date_trailing_cr": lambda: _file(_every(23, 11, "execution_start", lambda v, i: v + "\r")),
    "date_cr_last_column": lambda: ("\n".join([_HEAD + ";as_of"] + [x + ";" + ("2026-01-01\r" if i % 5 else "")
                                                                     for i, x in enumerate(_BODY)]) + "\n").encode(),
    "ten_bytes_no_day": lambda: _file(_every(9, 4, "expected_end", lambda v, i: _BAD_DAYS[(i // 9) % len(_BAD_DAYS)])),
    "odd_date_cells": lambda: _file(_every(11, 3, "birth_date", lambda v, i: _ODD_DATES[(i // 11) % len(_ODD_DATES)])),
    "end_before_start": lambda: _file(_every(17, 2, "execution_start", lambda v, i: "2030-01-01")),
    "empty_date_column": lambda: _file(_every(1, 0, "birth_date", lambda v, i: "")),
    "bad_day_at_boundaries": lambda: _file(_near_boundaries("entry_date", "2025-02-30")),
    "space_at_boundaries": lambda: _file(_near_boundaries("entry_date", "2025-01-05 ")),
    "empty_at_boundaries": lambda: _file(_near_boundaries("birth_date", "")),
    "as_of_per_row": lambda: _file([x + ";" + ["", "2020-01-01", "2030-06-30", "2025-02-29", "1899-01-01",
                                                   " 2025-01-01", "2026-12-01"][i % 7] for i, x in enumerate(_BODY)],
                                   _HEAD + ";as_of"),
    "as_of_first_column": lambda: _file([["", "2024-02-29", "2026-01-01"][i % 3] + ";" + x for i, x in enumerate(_BODY)],
                                        "as_of;" + _HEAD),
    "extra_date_columns": _extra_dates,
    "reordered_columns": _reordered,
    "comma_separator": lambda: _file([x.replace(",", " ").replace(";", ",") for x in _BODY], _HEAD.replace(";", ",")),
    "duplicate_ids": lambda: _file(_dups()),
    "latin1_lines": _latin1,
    "multiline_records": lambda: _file([_set(x, "name", '"Jean\nPierre"') if i in (50, 120, 190) else x
                                        for i, x in enumerate(_BODY)]),
    "no_final_eol_bad_day": lambda: _file(_BODY[:-1] + [_set(_BODY[-1], "expected_end", "2025-02-30")], last=False),
    "header_only": lambda: (_HEAD + "\n").encode(),
    "one_block_plus_0": lambda: _one_block_plus(0),
    "one_block_plus_1": lambda: _one_block_plus(1),
    "one_block_plus_3_no_eol": lambda: _one_block_plus(3, last=False),
    "write_cells_late": _write_cells,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_mutated_file_is_screened_to_the_scalar_engine_s_bytes(tmp_path, case):
    assert_same(CASES[case](), tmp_path, block_bytes=BLOCK)


@pytest.mark.parametrize("case", ["write_cells_late", "empty_date_column", "latin1_lines"])
def test_written_in_slices_of_a_few_rows(tmp_path, monkeypatch, case):
    """The write side's plan (``cell_plan``: an empty cell looked for in the first
    ``WRITE_ROWS`` rows, then in the other columns over the batch) with slices of 8 rows: cells
    met only after the first slice."""
    monkeypatch.setattr(CP, "WRITE_ROWS", 8)
    assert_same(CASES[case](), tmp_path, block_bytes=BLOCK)


# --- -j 2: the worker started early (none really: this process's thread answers every batch) -------
@pytest.fixture
def no_workers(monkeypatch):
    """``spawn_workers`` starts none (the early start's path is taken; this process's thread,
    its program compiled on ``_compile_under``'s thread, answers every batch)."""
    seen: list = []
    monkeypatch.setattr(workers, "spawn_workers", lambda *a, **k: seen.append("spawn") or [])
    return seen


def _screen(path: str, jobs: int) -> str:
    out = io.StringIO()
    screen_columnar(path, CsvWriter(out), as_of=AS_OF, progress=False, block_bytes=BLOCK, jobs=jobs)
    return out.getvalue()


@pytest.mark.parametrize("case", ["crlf", "one_block_plus_1", "one_block_plus_3_no_eol", "duplicate_ids",
                                  "multiline_records", "latin1_lines"])
def test_two_jobs_started_early_write_the_bytes_of_one(tmp_path, no_workers, case):
    p = tmp_path / "in.csv"
    p.write_bytes(CASES[case]())
    one = _screen(str(p), 1)
    assert not no_workers
    assert _screen(str(p), 2) == one
    assert no_workers == ["spawn"]   # a regular file of more than one block: the early start


@pytest.mark.parametrize("size", [0, 20000])
def test_a_file_truncated_after_the_early_start_is_read_to_its_new_end(tmp_path, no_workers, monkeypatch, size):
    """The file cut (to ``size`` bytes: 0, or in a line past the first read) once the worker has started (at
    this process's KB load): -j 2 writes what -j 1 writes in the same case, no hang, and a line
    cut in its middle is said (« ligne incomplète »), not dropped."""
    data = _file(_BODY)
    real = engine_api.load_kb
    p = tmp_path / "in.csv"

    def cut(*a, **k):
        os.truncate(p, size)
        return real(*a, **k)
    monkeypatch.setattr(engine_api, "load_kb", cut)
    got = []
    for jobs in (1, 2):
        p.write_bytes(data)
        got.append(_screen(str(p), jobs))
    assert no_workers == ["spawn"]
    assert got[0] == got[1]
    ids = [_get(x, "id") for x in _BODY]
    last = got[0].rstrip("\n").split("\n")[-1]
    assert last.split(";")[1] in ids and ("incompl" in last or _get(_BODY[-1], "id") in last)


@pytest.mark.parametrize("bits", [0, 3])
def test_ids_whose_hashes_collide_are_told_apart_by_their_text(tmp_path, monkeypatch, bits):
    """The id check's runs (``columnar_ids.SeenIds``: hashes sorted once, an equal hash compared
    with the id's text) with hashes of ``bits`` bits: every id of a run shares its hash with many
    (0: with all), new ids and duplicates alike."""
    from lexquery.screening import columnar_ids as CI
    monkeypatch.setattr(CI, "_hash", lambda s: hash(s) & ((1 << bits) - 1))
    assert_same(CASES["duplicate_ids"](), tmp_path, block_bytes=BLOCK)


# --- the output's reader gone: what the engines say ------------------------------------------------
def _screen_into_closed_pipe(path: str, *args: str):
    """``lexquery screen PATH -o -`` whose standard output's reader reads 100 bytes and goes:
    (exit code, standard error)."""
    import subprocess
    import sys
    from pathlib import Path
    src = str(Path(__file__).resolve().parent.parent / "src")
    env = dict(os.environ, PYTHONPATH=src + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.Popen([sys.executable, "-m", "lexquery", "screen", path, "-o", "-", "--as-of", "2026-12-01",
                          "--no-progress", "--quiet", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    p.stdout.read(100)
    p.stdout.close()
    err = p.stderr.read()
    return p.wait(timeout=120), err.decode("utf-8", "replace")


def test_an_output_whose_reader_is_gone_ends_as_the_scalar_engine_ends(tmp_path):
    """polars' write error carries no errno (« Broken pipe (os error 32) »): the columnar engine
    said « fichier illisible » (a read error, exit 3) where the scalar one ends quietly (exit 0,
    as any command whose reader stops, ``| head``)."""
    p = tmp_path / "in.csv"
    p.write_bytes(_file(_BODY))   # ≈ 300 KB of output: more than a pipe holds
    scalar = _screen_into_closed_pipe(str(p), "--engine", "scalar")
    assert scalar == (0, "")
    assert _screen_into_closed_pipe(str(p), "--engine", "columnar", "-j1") == scalar

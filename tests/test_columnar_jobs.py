"""The columnar screening on several processes (issue 16): ``--jobs N`` hands the batches to N
worker processes (screening/columnar_jobs.py) and writes them in input order — the same bytes and
the same summary as one process and as the scalar engine; a batch whose worker raises, dies or
hangs is answered by the main process (never lost, never a hang)."""
from __future__ import annotations

import io
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

pl = pytest.importorskip("polars")

import columnar_faults  # noqa: E402  (tests/columnar_faults.py: importable by the workers)
from lexquery.screening import columnar_jobs as CJ  # noqa: E402
from lexquery.screening import columnar_pipeline as CP  # noqa: E402
from lexquery.screening.columnar_pipeline import screen_columnar  # noqa: E402
from lexquery.screening.outputs import CsvWriter, JsonlWriter  # noqa: E402
from lexquery.screening.screen import screen  # noqa: E402
from lexquery.screening.synth import synth_text  # noqa: E402

AS_OF = date(2026, 12, 1)
BLOCK = 64 * 1024   # ≈ 320 rows a batch: many batches, more than the batches held at once


@pytest.fixture
def workers_only(monkeypatch):
    """N workers and this process only reading and writing (``MAIN_ANSWERS`` false): the tests of
    a worker's failures need every batch to go to a worker (this process's thread would take
    batches while the worker starts, and the fault is the worker's)."""
    monkeypatch.setattr(CP, "MAIN_ANSWERS", False)


@pytest.fixture(params=[True, False], ids=["main-answers", "workers-only"])
def main_answers(request, monkeypatch):
    monkeypatch.setattr(CP, "MAIN_ANSWERS", request.param)
    return request.param


def _run(path, jobs, fmt="csv", **kw):
    out = io.StringIO()
    w = CsvWriter(out) if fmt == "csv" else JsonlWriter(out)
    s = screen_columnar(str(path), w, as_of=AS_OF, progress=False, block_bytes=BLOCK, jobs=jobs, **kw)
    return out.getvalue(), s


def _scalar(path, fmt="csv"):
    out = io.StringIO()
    w = CsvWriter(out) if fmt == "csv" else JsonlWriter(out)
    s = screen(str(path), w, as_of=AS_OF, progress=False, jobs=1)
    return out.getvalue(), s


def _summary(s) -> dict:
    d = s.to_dict()
    d.pop("seconds")
    d.pop("cases_per_second")
    return d


def _damaged(n: int, seed: int = 3) -> bytes:
    """A synthetic export with damage every few lines: stray and spanning quotes (scalar blocks),
    duplicate ids, bad cells, a non-UTF-8 line, blank and ragged lines, formula cells."""
    rnd = random.Random(seed)
    lines = synth_text(n, seed=seed, ref=AS_OF).rstrip("\n").split("\n")
    out = [lines[0].encode()]
    ncols = lines[0].count(";") + 1
    for k, line in enumerate(lines[1:]):
        cells = line.split(";")
        r = rnd.random()
        if r < 0.02:
            cells[1] = '"Martin'                         # a stray quote
        elif r < 0.04:
            cells[1] = '"Dupont\nJean"'                  # a cell over two lines
        elif r < 0.07 and k > 10:
            cells[0] = lines[1 + rnd.randrange(k)].split(";")[0]   # an id already used
        elif r < 0.10:
            cells[rnd.randrange(1, ncols)] = rnd.choice(["2026-13-01", "RO|", "peut-être", "=1+1", "P1Z"])
        elif r < 0.11:
            out.append(";".join(cells).replace("a", "\xe9").encode("latin-1", "replace"))   # not UTF-8
            continue
        elif r < 0.12:
            out.append(b"")
        elif r < 0.13:
            cells = cells[:3]                            # too few cells
        out.append(";".join(cells).encode("utf-8"))
    return b"\n".join(out) + b"\n"


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_two_workers_write_the_bytes_of_one_process(tmp_path, fmt, main_answers):
    p = tmp_path / "s.csv"
    p.write_text(synth_text(3000, seed=5, ref=AS_OF), encoding="utf-8")
    one, s1 = _run(p, 1, fmt)
    two, s2 = _run(p, 2, fmt)
    assert not CJ.WORKER_ERRORS or all("batch" not in e for e in CJ.WORKER_ERRORS[-2:])
    assert two == one and _summary(s2) == _summary(s1)
    assert s2.read == 3000 and s2.rows_out == (one.count("\n") - (1 if fmt == "csv" else 0))
    scal, ss = _scalar(p, fmt)
    assert two == scal and _summary(s2) == _summary(ss)


def test_a_damaged_file_on_two_workers(tmp_path, main_answers):
    p = tmp_path / "d.csv"
    p.write_bytes(_damaged(2500))
    two, s2 = _run(p, 2)
    scal, ss = _scalar(p)
    one, s1 = _run(p, 1)
    assert two == one == scal
    assert _summary(s2) == _summary(ss) == _summary(s1)
    assert s2.rejected > 0 and s2.spanning > 0 and s2.split > 0 and s2.ansi_lines > 0


@pytest.mark.parametrize("fault", ["raises", "dies"])
def test_a_failing_worker_loses_no_batch(tmp_path, fault, workers_only):
    p = tmp_path / "s.csv"
    p.write_text(synth_text(2000, seed=8, ref=AS_OF), encoding="utf-8")
    one, s1 = _run(p, 1)
    before = len(CJ.WORKER_ERRORS)
    two, s2 = _run(p, 2, fault=getattr(columnar_faults, fault))
    assert two == one and _summary(s2) == _summary(s1)
    new = CJ.WORKER_ERRORS[before:] if len(CJ.WORKER_ERRORS) > before else CJ.WORKER_ERRORS[-1:]
    assert new and ("panne simulée" in new[-1] if fault == "raises" else "exit code 7" in new[-1]), new


def test_a_hung_worker_is_stopped_and_its_batch_answered(tmp_path, monkeypatch, workers_only):
    monkeypatch.setattr(CJ, "BATCH_TIMEOUT", 3.0)
    p = tmp_path / "s.csv"
    p.write_text(synth_text(2000, seed=8, ref=AS_OF), encoding="utf-8")
    one, _ = _run(p, 1)
    t = time.monotonic()
    two, _ = _run(p, 2, fault=columnar_faults.hangs)
    assert two == one and time.monotonic() - t < 600
    assert "no answer after 3 s" in CJ.WORKER_ERRORS[-1]


def test_every_worker_failing_leaves_the_main_process_answering(tmp_path, workers_only):
    p = tmp_path / "s.csv"
    p.write_text(synth_text(1500, seed=9, ref=AS_OF), encoding="utf-8")
    one, s1 = _run(p, 1)
    two, s2 = _run(p, 2, fault=columnar_faults.always_raises)
    assert two == one and _summary(s2) == _summary(s1)
    assert "MemoryError: simulated" in CJ.WORKER_ERRORS[-1]


def test_cli_jobs_with_the_columnar_engine(tmp_path):
    """``--engine columnar -j 2`` (workers) and ``-j 1``, and ``--engine scalar -j 1``: one output."""
    p = tmp_path / "r.csv"
    p.write_bytes(_damaged(1200, seed=11))
    outs = {}
    for eng, j in (("columnar", "2"), ("columnar", "1"), ("scalar", "1")):
        o = tmp_path / f"{eng}{j}.csv"
        r = subprocess.run([sys.executable, "-m", "lexquery", "screen", str(p), "--as-of", "2026-12-01",
                            "--engine", eng, "-j", j, "-o", str(o)], capture_output=True, text=True)
        assert r.returncode == 3, r.stderr
        assert "Traceback" not in r.stderr
        outs[(eng, j)] = (o.read_bytes(), r.stderr.split("\n", 1)[1])
    assert outs[("columnar", "2")] == outs[("columnar", "1")] == outs[("scalar", "1")]


def test_no_worker_is_left_behind(tmp_path):
    """The workers end with the screening (none left running, none a zombie)."""
    import os
    p = tmp_path / "s.csv"
    p.write_text(synth_text(800, seed=2, ref=AS_OF), encoding="utf-8")
    _run(p, 2)
    kids = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    if kids.exists():
        assert kids.read_text().split() == []


def test_workers_start_only_for_a_second_batch(tmp_path, monkeypatch):
    """An input of one batch is answered by the main process whatever --jobs says (starting a
    worker, ≈ 1 s of CPU, would cost more); two batches or more start the workers."""
    started = []
    real = CJ.Pool
    monkeypatch.setattr(CJ, "Pool", lambda *a, **k: started.append(a[0]) or real(*a, **k))
    p = tmp_path / "s.csv"
    p.write_text(synth_text(400, seed=4, ref=AS_OF), encoding="utf-8")
    out = io.StringIO()
    s = screen_columnar(str(p), CsvWriter(out), as_of=AS_OF, progress=False, jobs=2)   # 2 MB blocks: one
    assert started == [] and s.read == 400
    one, _ = _run(p, 1)
    assert out.getvalue() == one
    two, _ = _run(p, 2)   # 64 KB blocks: several
    assert started == [1] and two == one   # this process answers too (MAIN_ANSWERS): one worker
    monkeypatch.setattr(CP, "MAIN_ANSWERS", False)
    assert _run(p, 2)[0] == one and started == [1, 2]


def test_this_process_and_one_worker_share_the_batches_and_a_worker_lost_costs_nothing(tmp_path, monkeypatch):
    """``-j 2``: one worker and this process's thread (MAIN_ANSWERS); each answers batches (the
    thread's slowed down so that the worker is ready before the last), the same bytes as one
    process; a worker that dies leaves its batch to this process, and the rest to the thread."""
    from lexquery import workers
    answered = []
    real_local, real_answer = workers._local, CP.answer_block

    def slow(ctx, *batch, **kw):
        import threading
        if threading.current_thread().name == "lexquery-local-worker":
            answered.append("here")
            time.sleep(0.3)
        return real_answer(ctx, *batch, **kw)
    monkeypatch.setattr(CP, "answer_block", slow)
    spawned = []
    real_spawned = workers._spawned
    monkeypatch.setattr(workers, "_spawned", lambda *a: spawned.append(1) or real_spawned(*a))
    p = tmp_path / "s.csv"
    p.write_text(synth_text(6000, seed=6, ref=AS_OF), encoding="utf-8")
    one, s1 = _run(p, 1)
    answered.clear()
    two, s2 = _run(p, 2)
    batches = s2.read // 300
    assert two == one and _summary(s2) == _summary(s1) and spawned == [1]
    assert 1 <= len(answered) < batches   # both answered
    for fault in (columnar_faults.dies, columnar_faults.raises):
        assert _run(p, 2, fault=fault)[0] == one
    assert real_local is workers._local


def _spool_dirs(tmp_path):
    return sorted(p.name for p in tmp_path.glob("lexquery-spool-*"))


@pytest.mark.parametrize("fault", [None, "dies", "spool_lost"])
def test_the_spool_of_csv_output_is_removed_and_never_loses_a_batch(tmp_path, monkeypatch, fault, workers_only):
    """The workers give their CSV bytes as files in a spool directory (columnar_jobs.py, « Spool »):
    the same bytes as one process; the directory is gone when the screening ends, also when a
    worker died; a batch whose file cannot be written (the directory removed under the workers) is
    answered by the main process."""
    import tempfile
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    p = tmp_path / "s.csv"
    p.write_text(synth_text(2000, seed=8, ref=AS_OF), encoding="utf-8")
    one, s1 = _run(p, 1)
    before = len(CJ.WORKER_ERRORS)
    two, s2 = _run(p, 2, fault=getattr(columnar_faults, fault) if fault else None)
    assert two == one and _summary(s2) == _summary(s1)
    assert _spool_dirs(tmp_path) == []
    if fault == "spool_lost":
        new = CJ.WORKER_ERRORS[before:]
        assert new and any("FileNotFoundError" in e for e in new), new   # the worker's write, or the main's open


def test_a_spool_file_of_another_size_is_not_written(tmp_path):
    """A spool file whose size is not the one its worker gave is refused before a byte is written."""
    from lexquery.screening.columnar_pipeline import BlockOut, put_block
    f = tmp_path / "b.csv"
    f.write_bytes(b"1,a\n")
    out = io.StringIO()
    w = CsvWriter(out)
    with pytest.raises(RuntimeError, match="au lieu de"):
        put_block(_NoSummary(), w, BlockOut(spool=str(f), spool_size=10), {"write": 0.0})
    assert out.getvalue() == "" and f.exists()


class _NoSummary:
    def add_counts(self, counts):
        pass

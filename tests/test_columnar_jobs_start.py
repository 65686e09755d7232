"""When the columnar screening's worker starts (``screen -j 2``, issue 16): as soon as the input
is known to make more than one batch — a regular file with more than a block's bytes after its
header (``os.fstat``) — before this process loads its knowledge base and reads its first block,
so that the worker's start-up (interpreter, imports, knowledge base, program: ≈ 1 s of CPU)
overlaps this process's; an input whose size is not known (a pipe) starts it once a second batch
is read, as before. The same bytes either way."""
from __future__ import annotations

import io
import os
import sys
import threading
from datetime import date

import pytest

pl = pytest.importorskip("polars")

from lexquery import workers  # noqa: E402
from lexquery.engine import api as engine_api  # noqa: E402
from lexquery.screening import columnar_frame as CF  # noqa: E402
from lexquery.screening import columnar_pipeline as CP  # noqa: E402
from lexquery.screening.columnar_pipeline import more_than_one_block, screen_columnar  # noqa: E402
from lexquery.screening.outputs import CsvWriter  # noqa: E402
from lexquery.screening.synth import synth_text  # noqa: E402

AS_OF = date(2026, 12, 1)
BLOCK = 64 * 1024


@pytest.fixture
def events(monkeypatch):
    """What happens in what order: ``spawn`` (the workers started: none really, this process's
    thread answers every batch), ``kb`` (this process's knowledge base loaded), ``block`` (a block
    read)."""
    seen: list = []
    monkeypatch.setattr(workers, "spawn_workers", lambda *a, **k: seen.append("spawn") or [])
    real_kb, real_next = engine_api.load_kb, CF.Reader.__next__
    monkeypatch.setattr(engine_api, "load_kb", lambda *a, **k: seen.append("kb") or real_kb(*a, **k))

    def counted(self):
        block = real_next(self)
        seen.append("block")
        return block
    monkeypatch.setattr(CF.Reader, "__next__", counted)
    return seen


def _one(text: str) -> str:
    out = io.StringIO()
    screen_columnar(_file(text), CsvWriter(out), as_of=AS_OF, progress=False,
                    block_bytes=BLOCK, jobs=1)
    return out.getvalue()


_FILES: list = []


def _file(text: str) -> str:
    import tempfile
    fd, path = tempfile.mkstemp(suffix=".csv")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    _FILES.append(path)
    return path


@pytest.fixture(autouse=True)
def _cleanup():
    yield
    while _FILES:
        os.unlink(_FILES.pop())


def test_a_file_of_several_blocks_starts_its_worker_before_anything_is_read(events):
    text = synth_text(1500, seed=12, ref=AS_OF)
    one = _one(text)
    events.clear()
    out = io.StringIO()
    screen_columnar(_file(text), CsvWriter(out), as_of=AS_OF, progress=False, block_bytes=BLOCK, jobs=2)
    assert out.getvalue() == one
    assert events.index("spawn") == 0 and events.count("spawn") == 1, events   # before the KB, before any block
    assert events.count("block") > 3


def test_a_pipe_starts_its_worker_once_a_second_batch_is_read(events, monkeypatch):
    """Standard input from a pipe: no size to go by; the worker starts when the second batch is read."""
    text = synth_text(1500, seed=12, ref=AS_OF)
    one = _one(text)
    events.clear()
    r, w = os.pipe()

    def feed():
        with os.fdopen(w, "wb") as f:
            f.write(text.encode("utf-8"))
    t = threading.Thread(target=feed)
    t.start()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(os.fdopen(r, "rb"), encoding="utf-8"))
    out = io.StringIO()
    screen_columnar("-", CsvWriter(out), as_of=AS_OF, progress=False, block_bytes=BLOCK, jobs=2)
    t.join()
    sys.stdin.close()
    assert out.getvalue() == one
    assert events.count("spawn") == 1 and events[:events.index("spawn")].count("block") == 2, events


def test_a_file_of_one_block_starts_no_worker(events):
    text = synth_text(200, seed=12, ref=AS_OF)
    assert len(text.encode()) < BLOCK
    one = _one(text)
    events.clear()
    out = io.StringIO()
    screen_columnar(_file(text), CsvWriter(out), as_of=AS_OF, progress=False, block_bytes=BLOCK, jobs=2)
    assert out.getvalue() == one and "spawn" not in events


def test_more_than_one_block_goes_by_the_bytes_left_of_a_regular_file():
    text = "h\n" + "x" * 99 + "\n"
    path = _file(text)
    with open(path, "rb") as f:
        f.readline()   # the header read: 100 bytes left
        assert more_than_one_block(f, 99) and not more_than_one_block(f, 100)
    assert not more_than_one_block(io.BytesIO(b"x" * 1000), 10)   # no file behind it
    r, w = os.pipe()
    try:
        os.write(w, b"x" * 1000)
        with os.fdopen(r, "rb") as f:
            assert not more_than_one_block(f, 10)   # a pipe: size unknown
    finally:
        os.close(w)


def test_a_screening_that_fails_after_the_early_start_leaves_no_worker_and_no_spool(tmp_path, monkeypatch):
    """The worker started, then this process fails before a batch is answered (its knowledge base
    here): the worker is stopped and the spool directory removed all the same."""
    import tempfile
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)
    spawned = []
    real = workers.spawn_workers
    monkeypatch.setattr(workers, "spawn_workers", lambda *a, **k: spawned.extend(real(*a, **k)) or spawned)

    def broken(*a, **k):
        raise RuntimeError("base introuvable")
    monkeypatch.setattr(engine_api, "load_kb", broken)
    p = tmp_path / "s.csv"
    p.write_text(synth_text(1500, seed=12, ref=AS_OF), encoding="utf-8")
    with pytest.raises(RuntimeError, match="base introuvable"):
        screen_columnar(str(p), CsvWriter(io.StringIO()), as_of=AS_OF, progress=False, block_bytes=BLOCK, jobs=2)
    assert len(spawned) == 1 and not spawned[0].proc.is_alive()
    assert sorted(x.name for x in tmp_path.glob("lexquery-spool-*")) == []
    kids = f"/proc/{os.getpid()}/task/{os.getpid()}/children"
    assert not os.path.exists(kids) or open(kids).read().split() == []


def test_this_process_compiles_its_program_on_a_thread_of_its_own_once(events, monkeypatch):
    """With the early start, this process's program is compiled on a thread of its own, begun
    before the first block is read (the thread answering batches waits for it), once; the same
    bytes. A compilation that fails there is left to the first batch, which compiles again. None
    ahead when this process answers no batch (``MAIN_ANSWERS`` false)."""
    names = []
    real = CP.load_program

    def recorded(*a, **k):
        names.append(threading.current_thread().name)
        return real(*a, **k)
    monkeypatch.setattr(CP, "load_program", recorded)
    text = synth_text(1500, seed=12, ref=AS_OF)
    one = _one(text)
    names.clear()
    out = io.StringIO()
    screen_columnar(_file(text), CsvWriter(out), as_of=AS_OF, progress=False, block_bytes=BLOCK, jobs=2)
    assert out.getvalue() == one and names == ["lexquery-compile"], names

    def fails_once(*a, **k):
        names.append(threading.current_thread().name)
        if len(names) == 1:
            raise RuntimeError("compilation manquée")
        return real(*a, **k)
    monkeypatch.setattr(CP, "load_program", fails_once)
    names.clear()
    out = io.StringIO()
    screen_columnar(_file(text), CsvWriter(out), as_of=AS_OF, progress=False, block_bytes=BLOCK, jobs=2)
    assert out.getvalue() == one and names == ["lexquery-compile", "lexquery-local-worker"], names
    monkeypatch.setattr(CP, "load_program", recorded)
    monkeypatch.setattr(CP, "MAIN_ANSWERS", False)   # this process answers no batch: nothing compiled ahead
    names.clear()
    out = io.StringIO()
    screen_columnar(_file(text), CsvWriter(out), as_of=AS_OF, progress=False, block_bytes=BLOCK, jobs=2)
    assert out.getvalue() == one and "lexquery-compile" not in names, names


@pytest.mark.parametrize("jobs, expected", [(1, "ONE_PROCESS_BLOCK_BYTES"), (2, "BLOCK_BYTES")])
def test_one_process_reads_larger_blocks_than_several(monkeypatch, jobs, expected):
    """One process answering every batch reads 4 MB blocks (one 20,000-case chunk of the program:
    its fixed costs per batch paid half as often); on several processes each holds its own batch,
    so ``-j N`` keeps 2 MB blocks (issue 16's 500 MB for the processes together)."""
    sizes: list = []
    real_init = CF.Reader.__init__

    def spy(self, *a, **k):
        real_init(self, *a, **k)
        sizes.append(self.block_bytes)
    monkeypatch.setattr(CF.Reader, "__init__", spy)
    monkeypatch.setattr(workers, "spawn_workers", lambda *a, **k: [])   # no real worker: this process answers
    text = synth_text(50, seed=3)
    out = io.StringIO()
    screen_columnar(_file(text), CsvWriter(out), as_of=AS_OF, progress=False, jobs=jobs)
    assert CF.ONE_PROCESS_BLOCK_BYTES == 2 * CF.BLOCK_BYTES
    assert sizes == [getattr(CF, expected)]
    assert out.getvalue() == _one(text)

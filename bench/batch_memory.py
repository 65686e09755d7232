"""Where one batch's memory goes in a process answering it (issue 16; docs/columnar.md « Two
processes, larger batches: where the memory goes »): the columnar answer of a few batches of a
screening file (``columnar_pipeline.answer_block``, CSV into a spool file, as a worker), in this
process, with

- its RSS sampled every 5 ms by a thread (``/proc/self/status``), with the function the main
  thread was in at the peak (``sys._current_frames``): the peak of each batch and the RSS after it;
  with ``--trim``, also after ``malloc_trim(0)`` (glibc malloc(3): the heap's free pages given back
  — what the process holds but no longer uses);
- then, under :mod:`tracemalloc` (numpy's arrays and Python's objects; not polars' buffers, which
  its own allocator, jemalloc, holds), for one more batch: the traced memory before the program's
  ``screen``, its peak inside, what is still alive when it returns, and what a collection of the
  young generation frees there (objects in reference cycles, holding arrays: the collector is
  paused during ``Program.run``); and the output frame's rows and size (polars' ``estimated_size``).

Run:  PYTHONPATH=src .venv/bin/python bench/batch_memory.py FILE [--block-mb 4] [--as-of 2026-12-01] [--trim]
      (FILE: e.g. ``lexquery synth 100000 --seed 0``; the batches are the file's first four)
"""
from __future__ import annotations

import argparse
import ctypes
import gc
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import date


def rss_mb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--block-mb", type=float, default=4)
    ap.add_argument("--as-of", default="2026-12-01")
    ap.add_argument("--trim", action="store_true")
    a = ap.parse_args(argv)
    from lexquery.columnar import program as P
    from lexquery.engine.api import load_kb
    from lexquery.screening import columnar_pipeline as cp
    from lexquery.screening.columnar_frame import Reader
    from lexquery.screening.csv_cases import read_header
    from lexquery.screening.csv_rows import RowBuilder
    from lexquery.screening.csv_text import open_text
    cp.bound_heap()
    as_of = date.fromisoformat(a.as_of)
    engine, program = load_kb(), cp.load_program()
    stream, _, _ = open_text(a.file)
    header, _ = read_header(stream)
    reader = Reader(stream.buffer, header, header.line + 1, as_of, int(a.block_mb * 1024 * 1024))
    ctx = cp.BlockContext(engine, program, RowBuilder(header), reader.known, as_of, "bench", ",", False)
    batches = []
    for block in reader:
        batches.append((block.frame, block.fallback))
        if len(batches) == 4:
            break
    spool = tempfile.mkdtemp(prefix="lexquery-batch-memory-")
    libc = ctypes.CDLL(None)
    gc.collect()
    print(f"{a.block_mb:g} MB blocks: {[b[0].height for b in batches]} rows; RSS with them read: {rss_mb()} MB")

    main_id, samples, stop = threading.main_thread().ident, [], threading.Event()

    def sample():
        while not stop.is_set():
            frame, names = sys._current_frames().get(main_id), []
            while frame is not None and len(names) < 40:
                names.append(frame.f_code.co_name)
                frame = frame.f_back
            samples.append((rss_mb(), names[:4][::-1]))
            time.sleep(0.005)
    t = threading.Thread(target=sample, daemon=True)
    t.start()
    for k, batch in enumerate(batches[:3]):
        del samples[:]
        c = time.process_time()
        path = os.path.join(spool, f"{k}.csv")
        cp.answer_block(ctx, *batch, path)
        os.unlink(path)
        cpu = time.process_time() - c
        gc.collect()
        peak = max(samples, key=lambda s: s[0]) if samples else (rss_mb(), [])
        line = f"batch {k}: CPU {cpu:.2f} s, RSS peak {peak[0]} MB (in {' > '.join(peak[1])}), after {rss_mb()} MB"
        if a.trim:
            libc.malloc_trim(0)
            line += f", after malloc_trim {rss_mb()} MB"
        print(line)
    stop.set()
    t.join()

    traced = lambda: round(tracemalloc.get_traced_memory()[0] / 1e6, 1)
    seen = {}
    screen = P.Program.screen

    def screen_traced(self, *args, **kw):
        seen["before"] = traced()
        tracemalloc.reset_peak()
        out = screen(self, *args, **kw)
        seen["peak"] = round(tracemalloc.get_traced_memory()[1] / 1e6, 1)
        seen["after"] = traced()
        gc.collect(0)   # not kept: only measures what the cycles hold (the collector is paused here)
        seen["after young collection"] = traced()
        return out
    P.Program.screen = screen_traced
    tracemalloc.start()
    try:
        res, vec, results, fb, out, *_ = cp.answered_rows(ctx, *batches[3])
    finally:
        P.Program.screen = screen
        tracemalloc.stop()
    print(f"traced (MB) in the program's screen of batch 3: {seen}; output frame {out.height} rows, "
          f"{out.estimated_size() / 1e6:.1f} MB")
    os.rmdir(spool)


if __name__ == "__main__":
    main()

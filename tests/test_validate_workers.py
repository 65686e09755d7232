"""`validate --jobs N` never hangs, never ends early and never passes a case nobody checked when
a worker process is lost.

The class of fault (lexquery.workers): with concurrent.futures.ProcessPoolExecutor, a worker
killed mid-chunk (the OOM killer, a signal) broke the whole executor — `validate -j 2` of 1,212
cases printed 250 reports, then « erreur interne : BrokenProcessPool », exit 1. Here: a worker
killed once changes nothing in the output; a chunk that kills every worker given it gives each of
its cases a violation saying it was not validated and what to do (French, English with --lang en),
keeps their reading problems, and every other case is validated as on one process.

The workers are forked only from a process with one thread, so these run in a fresh interpreter
(the pytest process may already have numpy's or polars' threads).
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from lexquery.caserdf.stream import lost_result
from lexquery.screening.synth import synth_text

ROOT = Path(__file__).resolve().parent.parent

# chunks of 5 cases: the victim (line 19 of the CSV) is in the fourth chunk, lines 17..21
_SCRIPT = """
import functools, os, signal, sys
import lexquery.caserdf.stream as S
from lexquery import workers
workers.POLL_SECONDS = 0.05
mode, mark = sys.argv[1], sys.argv[2]
real = S._check_chunk
def _check_chunk(chunk, engine, render=None):
    if os.getpid() != PARENT and any(it.source.endswith(":19") for it in chunk) and (
            mode == "always" or (mode == "once" and not os.path.exists(mark))):
        open(mark, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)     # the OOM killer's way: no goodbye
    if os.getpid() != PARENT and mode == "raises" and any(it.source.endswith(":19") for it in chunk):
        raise RuntimeError("panne simulée")
    return real(chunk, engine, render)
PARENT = os.getpid()
S._check_chunk = _check_chunk
S.validate_stream = functools.partial(S.validate_stream, chunk=5)
from lexquery.cli import main
sys.exit(main(["validate", *sys.argv[3:]]))
"""


def _validate(mode: str, mark: Path, *args: str) -> tuple[int, str, str]:
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(_SCRIPT), mode, str(mark), *args],
                       capture_output=True, timeout=120, cwd=ROOT)
    assert time.monotonic() - t0 < 60
    return r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8")


def _by_source(out: str) -> dict:
    return {rep["source"]: rep for rep in json.loads(out)}


def test_a_worker_killed_mid_chunk_changes_nothing(tmp_path):
    src = tmp_path / "registre.csv"
    src.write_text(synth_text(40, seed=4), encoding="utf-8")
    mark = tmp_path / "killed-once"
    code1, reference, _ = _validate("never", mark, str(src), "-j", "1")
    code, once, err = _validate("once", mark, str(src), "-j", "2")
    assert mark.exists(), "the worker was not killed: the test tested nothing"
    assert (code, once) == (code1, reference), err
    assert reference.count("— cas ") == 40


def test_a_chunk_that_kills_every_worker_reports_its_cases_not_validated_and_the_rest_as_on_one_process(tmp_path):
    src = tmp_path / "registre.csv"
    text = synth_text(40, seed=4).splitlines(keepends=True)
    head, rows = text[0], text[1:]
    cells = rows[16].split(";")
    cells[12] = "peut-être"                      # line 18 (the lost chunk): « final » not a yes/no, a reading problem
    rows[16] = ";".join(cells)
    src.write_text(head + "".join(rows), encoding="utf-8")
    mark = tmp_path / "mark"
    code1, reference, _ = _validate("never", mark, str(src), "-j", "1", "-f", "json", "--lang", "en")
    code, always, err = _validate("always", mark, str(src), "-j", "2", "-f", "json", "--lang", "en")
    assert mark.exists()
    assert code == 6 and "BrokenProcessPool" not in err and "interne" not in err, err
    ref, got = _by_source(reference), _by_source(always)
    assert list(got) == list(ref) and len(got) == 40          # every case, in input order
    lost = {f"{src}:{line}" for line in range(17, 22)}       # the fourth chunk of 5
    for source, rep in got.items():
        if source not in lost:
            assert rep == ref[source]
            continue
        assert rep["conforms"] is False
        *before, last = rep["results"]
        assert last == lost_result("SIGKILL").to_dict()
        assert last["where"] == "$" and last["severity"] == "violation"
        assert "non validé" in last["message"] and "SIGKILL" in last["message_en"]
        # the reading problems found before validating are kept: the bad cell of line 18
        assert before == [r for r in ref[source]["results"] if r["shape"] is None]
    assert got[f"{src}:18"]["results"][:-1], "line 18's bad cell was not reported"


def test_the_text_report_of_a_lost_case_says_what_happened_and_what_to_do_in_either_language(tmp_path):
    src = tmp_path / "registre.csv"
    src.write_text(synth_text(25, seed=4), encoding="utf-8")
    for lang, said, todo in (("fr", "cas non validé", "que faire : validez ce fichier à nouveau"),
                             ("en", "case not validated", "what to do : validate this file again")):
        code, out, err = _validate("always", tmp_path / "mark", str(src), "-j", "2", "--lang", lang)
        assert code == 6, err
        block = out.split(f"{src}:19 — ")[1].split(f"{src}:20 — ")[0]
        assert "✘ violation" in block and said in block and "SIGKILL" in block and todo in block
        assert "--jobs 1" in block
        assert out.count(said) == 5              # the five cases of the lost chunk, no more


def test_the_old_module_name_is_the_same_module():
    """lexquery.screening.workers moved to lexquery.workers (floor 0): code and tests that set
    ``workers.STALL_SECONDS`` through the old name still change what the workers read."""
    from lexquery import workers
    from lexquery.screening import workers as old
    assert old is workers


def test_a_chunk_whose_validation_raises_in_a_worker_says_so_and_the_rest_is_validated(tmp_path):
    src = tmp_path / "registre.csv"
    src.write_text(synth_text(25, seed=4), encoding="utf-8")
    _, reference, _ = _validate("never", tmp_path / "m", str(src), "-j", "1", "-f", "json")
    code, out, err = _validate("raises", tmp_path / "m", str(src), "-j", "2", "-f", "json")
    assert code == 6 and "Traceback" not in err, err
    ref, got = _by_source(reference), _by_source(out)
    lost = {f"{src}:{line}" for line in range(17, 22)}
    assert list(got) == list(ref)
    assert all(got[k] == ref[k] for k in got if k not in lost)
    assert all(got[k]["results"] == [lost_result("RuntimeError: panne simulée").to_dict()] for k in lost)

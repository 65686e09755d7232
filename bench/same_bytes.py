"""Same bytes as a reference commit: the check run before every speed change of the columnar
screening is merged (issue 16: « 0 differing bytes »; docs/columnar.md, docs/performance.md).

    .venv/bin/python bench/same_bytes.py                 # against the commit HEAD~1 (a git worktree)
    .venv/bin/python bench/same_bytes.py --ref 3e0f87a   # against another commit
    .venv/bin/python bench/same_bytes.py --rows 5000     # smaller inputs (default 20,000)

Makes two inputs (``lexquery synth N --seed 0`` as of 2026-12-01, and the same with 25 % of its
cells blanked, ``tests/columnar_helpers.blank``, seed 1), screens each with this checkout's code
and with the reference commit's (checked out in a temporary git worktree, run with the same
interpreter) at three dates — 2026-12-01, 2014-10-01 (before the framework decision's French
transposition: other routes in force), 2029-06-01 — as CSV with one and with two processes,
and as JSON Lines at the first date, ``--engine columnar``; prints one line per output, ``same``
or ``DIFFER``, and exits 1 if any differs. A benchmark-side check, not a test: the tests hold
the differential checks between the engines (tests/test_columnar_pipeline.py and others); this
one holds the columnar engine to its own earlier bytes across a change.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATES = ("2026-12-01", "2014-10-01", "2029-06-01")


def inputs(tmp: Path, rows: int) -> dict[str, Path]:
    """The plain and the blanked synthetic inputs, written under ``tmp``."""
    sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]
    from columnar_helpers import blank
    from lexquery.screening.synth import synth_text
    text = synth_text(rows, 0, date(2026, 12, 1))
    out = {"plain": tmp / "plain.csv", "blank": tmp / "blank.csv"}
    out["plain"].write_text(text, encoding="utf-8")
    out["blank"].write_text(blank(text, 0.25, 1), encoding="utf-8")
    return out


def screen(src: Path, case_file: Path, as_of: str, jobs: int, out: Path) -> int:
    """``lexquery screen`` with the code of ``src`` (its ``src/`` first on the path)."""
    env = dict(os.environ, PYTHONPATH=str(src / "src"))
    return subprocess.run([sys.executable, "-m", "lexquery", "screen", str(case_file), "--as-of", as_of,
                           f"-j{jobs}", "-o", str(out), "--engine", "columnar", "--no-progress", "--quiet"],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


@contextmanager
def ref_tree(tmp: Path, ref: str):
    """The commit ``ref`` checked out in a temporary git worktree ``tmp/ref`` (removed after)."""
    tree = tmp / "ref"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), ref],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield tree
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def options(doc: str) -> argparse.ArgumentParser:
    """The command line both checks take (this one and bench/same_impact.py): described by the
    first paragraph of ``doc`` (the script's docstring), with ``--ref`` and ``--rows``; a script
    adds its own options after."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--ref", default="HEAD~1", help="the reference commit (default HEAD~1)")
    ap.add_argument("--rows", type=int, default=20_000, help="rows of each input (default 20,000)")
    return ap


def main() -> int:
    a = options(__doc__).parse_args()
    differ = 0
    with tempfile.TemporaryDirectory(prefix="lq-same-") as t:
        tmp = Path(t)
        with ref_tree(tmp, a.ref) as ref:
            for name, f in inputs(tmp, a.rows).items():
                for d in DATES:
                    for fmt in ("csv", "jsonl"):
                        if fmt == "jsonl" and d != DATES[0]:
                            continue
                        for jobs in (1, 2):
                            mine, theirs = tmp / f"mine.{fmt}", tmp / f"ref.{fmt}"
                            rc = (screen(ROOT, f, d, jobs, mine), screen(ref, f, d, jobs, theirs))
                            same = rc[0] == rc[1] and filecmp.cmp(mine, theirs, shallow=False)
                            differ += not same
                            print(f"{'same' if same else 'DIFFER'} {name} {d} {fmt} j{jobs}"
                                  + ("" if rc == (0, 0) else f" (exit {rc[0]} / {rc[1]})"), flush=True)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

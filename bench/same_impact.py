"""Same impact as a reference commit: the check run before every change of ``screen --reform``
(issue 16; docs/reforms.md), as bench/same_bytes.py is for the plain screening.

    .venv/bin/python bench/same_impact.py                 # against the commit HEAD~1 (a git worktree)
    .venv/bin/python bench/same_impact.py --ref 8f3ff5f   # against another commit
    .venv/bin/python bench/same_impact.py --rows 5000     # smaller inputs (default 20,000)

Makes two inputs (``lexquery synth N --seed 0`` as of 2026-12-01, and the same with 25 % of its
cells blanked, ``tests/columnar_helpers.blank``, seed 1), and for each example reform
(examples/reforms/*.yaml) computes the impact with this checkout's code and with the reference
commit's (checked out in a temporary git worktree, run with the same interpreter) as of
``--as-of`` (default 2027-07-01: every example reform in force), ``--engine columnar``, with one
and with two processes; each run writes the impact in every format of ``screen --reform`` — the
text (French and English), CSV, JSON Lines, JSON (its ``seconds`` left out: timings) and HTML
(French and English) — by the functions ``lexquery screen --reform`` writes them with
(:func:`lexquery.commands.screen.run_reform`: one screening, every format, rather than one
command per format). Prints one line per reform × input × processes, ``same`` or ``DIFFER`` (the
formats that differ), and exits 1 if any differs. A benchmark-side check, not a test.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from same_bytes import inputs, options, ref_tree  # noqa: E402

FORMATS = ("text", "text.en", "csv", "jsonl", "json", "html", "html.en")

_RUN = r"""
import io, sys
from datetime import date
from lexquery.engine.api import load_kb
from lexquery.engine.reform import load_reform
from lexquery.screening import impact as imp
case_file, reform, as_of, jobs, out = sys.argv[1:6]
base = load_kb()
r = load_reform(reform, base.book, base.ref)
i, before, after = imp.screen_impact(case_file, r, base=base, as_of=date.fromisoformat(as_of), jobs=int(jobs),
                                     progress=False, engine="columnar", label=case_file)
i.seconds = {}
for fmt in %r:
    kind, _, lang = fmt.partition(".")
    lang = lang or "fr"
    with open(f"{out}.{fmt}", "w", encoding="utf-8", newline="") as f:
        if kind == "text":
            f.write(imp.render_text(i, lang=lang) + "\n")
        elif kind == "html":
            imp.write_html(i, f, lang=lang)
        else:
            imp.WRITERS[kind](i, f)
with open(f"{out}.summaries", "w", encoding="utf-8") as f:
    f.write(repr([(s.read, s.answered, s.rejected, s.rows_out, sorted(s.by_proc.items()), s.lines,
                   s.spanning, s.spanning_lines, s.split, s.unknown_columns, s.separator, s.source)
                  for s in (before, after)]))
""" % (FORMATS,)


def impact(src: Path, case_file: Path, reform: Path, as_of: str, jobs: int, out: Path) -> int:
    """The impact in every format with the code of ``src`` (its ``src/`` first on the path)."""
    env = dict(os.environ, PYTHONPATH=str(src / "src"))
    return subprocess.run([sys.executable, "-c", _RUN, str(case_file), str(reform), as_of, str(jobs), str(out)],
                          env=env, cwd=str(src), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


def main() -> int:
    ap = options(__doc__)
    ap.add_argument("--as-of", default="2027-07-01", help="evaluation date (default 2027-07-01)")
    a = ap.parse_args()
    differ = 0
    with tempfile.TemporaryDirectory(prefix="lq-impact-") as t:
        tmp = Path(t)
        with ref_tree(tmp, a.ref) as ref:
            for name, f in inputs(tmp, a.rows).items():
                for reform in sorted((ROOT / "examples" / "reforms").glob("*.yaml")):
                    for jobs in (1, 2):
                        rc = (impact(ROOT, f, reform, a.as_of, jobs, tmp / "mine"),
                              impact(ref, f, reform, a.as_of, jobs, tmp / "ref"))
                        bad = [fmt for fmt in FORMATS + ("summaries",)
                               if not (tmp / f"mine.{fmt}").exists()
                               or (tmp / f"mine.{fmt}").read_bytes() != (tmp / f"ref.{fmt}").read_bytes()]
                        same = rc == (0, 0) and not bad
                        differ += not same
                        changes = (tmp / "mine.jsonl").read_bytes().count(b"\n") if not bad else "?"
                        print(f"{'same' if same else 'DIFFER'} {name} {reform.stem} j{jobs} ({changes} changes)"
                              + (f" {' '.join(bad)}" if bad else "") + ("" if rc == (0, 0) else f" (exit {rc[0]} / {rc[1]})"),
                              flush=True)
                        for p in tmp.glob("mine.*"):
                            p.unlink()
                        for p in tmp.glob("ref.*"):
                            p.unlink()
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())

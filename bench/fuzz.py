"""Fuzz lexquery at length (issue 14): the language, the JSON case reader, the screening CSV reader
and the HTTP API, with the generators and oracles of tests/fuzzing.py (hypothesis).

Run:  .venv/bin/python bench/fuzz.py [--examples 5000] [--seconds 300] [--no-write]

Each target gets up to --examples inputs or --seconds seconds. Prints, and writes into
docs/reliability.md (between the `bench:fuzz` markers): inputs tried, crashes (distinct),
errors without a position, and for the CSV the non-blank data lines in and the lines out
(output lines plus the extra lines of multi-line cells). Exit 1 on any crash or unplaced error.
The same properties run briefly in the test suite (tests/test_fuzz.py).
"""
from __future__ import annotations

import argparse
import platform
import re
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
DOC = ROOT / "docs" / "reliability.md"

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

import fuzzing as F  # noqa: E402


class Tally:
    def __init__(self, name):
        self.name, self.n, self.crashes, self.unplaced, self.errors = name, 0, {}, [], 0
        self.lines_in = self.lines_out = 0
        self.seconds = 0.0

    def add(self, o: F.Outcome, shown):
        self.n += 1
        self.errors += o.errors
        self.lines_in += o.lines_in
        self.lines_out += o.lines_out
        if o.crash:
            key = o.crash.split("\n")[0][:120]
            self.crashes.setdefault(key, repr(shown)[:300])
        self.unplaced += [(u, repr(shown)[:200]) for u in o.unplaced][:20]


def run(name, strategy, oracle, examples, seconds) -> Tally:
    t = Tally(name)
    t0 = time.monotonic()

    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def prop(x):
        if time.monotonic() - t0 > seconds:
            return
        try:
            o = oracle(x)
        except Exception as e:  # noqa: BLE001 - the oracle itself failed on what lexquery wrote: count it
            o = F.Outcome(crash=F._crash(e))
        t.add(o, x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prop()
    t.seconds = time.monotonic() - t0
    return t


def render(tallies, args) -> str:
    lines = [f"Measured {date.today().isoformat()} on {platform.machine()}, Python {platform.python_version()} "
             f"(`python bench/fuzz.py --examples {args.examples} --seconds {args.seconds:g}`).", "",
             "| target | inputs tried | crashes | errors without a position | errors reported | lines in = rows out | seconds |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for t in tallies:
        rows = f"{t.lines_in:,} = {t.lines_out:,}".replace(",", " ") if t.name == "CSV reader" else "—"
        lines.append(f"| {t.name} | {t.n:,} | {len(t.crashes)} | {len(t.unplaced)} | {t.errors:,} | {rows} | "
                     f"{t.seconds:.0f} |".replace(",", " "))
    for t in tallies:
        for k, v in t.crashes.items():
            lines.append(f"\n- crash in {t.name}: `{k}` on `{v}`")
        for u, v in t.unplaced[:5]:
            lines.append(f"\n- error without a position in {t.name}: `{u}` on `{v}`")
    return "\n".join(lines)


def write_doc(text):
    doc = DOC.read_text(encoding="utf-8")
    start, end = "<!-- bench:fuzz -->", "<!-- /bench:fuzz -->"
    DOC.write_text(re.sub(re.escape(start) + ".*?" + re.escape(end), start + "\n" + text + "\n" + end, doc,
                          flags=re.S), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--examples", type=int, default=5000)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--only", choices=["lq", "json", "csv", "api"])
    args = ap.parse_args()
    from lexquery.engine.api import load_kb
    load_kb()
    tallies = []
    with tempfile.TemporaryDirectory(prefix="lexquery-fuzz-") as tmp:
        targets = {"lq": ("language (.lq)", F.LQ_TEXT, F.run_lq),
                   "json": ("JSON case reader", F.JSON_TEXT, F.run_json),
                   "csv": ("CSV reader", F.CSV_BYTES, lambda d: F.run_csv(d, Path(tmp)))}
        for key, (name, strat, oracle) in targets.items():
            if args.only in (None, key):
                tallies.append(run(name, strat, oracle, args.examples, args.seconds))
                print(name, tallies[-1].n, "inputs,", len(tallies[-1].crashes), "crashes,",
                      len(tallies[-1].unplaced), "unplaced", flush=True)
        if args.only in (None, "api"):
            from starlette.testclient import TestClient

            from lexquery.web.app import create_app
            with TestClient(base_url="http://127.0.0.1", app=create_app(), raise_server_exceptions=False) as c:
                tallies.append(run("HTTP API", F.API_INPUT, lambda x: F.run_api(c, *x), args.examples, args.seconds))
                print("HTTP API", tallies[-1].n, "inputs,", len(tallies[-1].crashes), "crashes", flush=True)
    text = render(tallies, args)
    print(text)
    if not args.no_write and args.only is None:
        write_doc(text)
    return 1 if any(t.crashes or t.unplaced for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())

"""The fuzzing harness of lexquery (issue 14): generators of hostile inputs and the oracles that
judge what lexquery did with them, for four readers — the language (.lq), the JSON case reader,
the screening CSV reader and the HTTP API.

An oracle returns an :class:`Outcome`: ``crash`` (an exception that is not lexquery's error for a
person — a defect), ``unplaced`` (an error without a position: no line:col, no JSON path, no
line number), and for the CSV ``lines_in`` / ``lines_out`` (non-blank data lines of the file;
output lines plus the extra lines of multi-line cells: they must be equal). Used briefly by
tests/test_fuzz.py and at length by ``bench/fuzz.py`` (figures in docs/reliability.md).
Generators are hypothesis strategies: mutations of the examples (insert, delete, duplicate,
swap, case changes, quotes, line ends, huge numbers, surrogates, NUL, long runs) plus raw text.
"""
from __future__ import annotations

import csv
import io
import json
import re
import traceback
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
LQ_SEEDS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.lq"))]
JSON_SEEDS = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.json"))]
AS_OF = date(2026, 12, 1)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Outcome:
    crash: str | None = None
    unplaced: list = field(default_factory=list)
    lines_in: int = 0
    lines_out: int = 0
    errors: int = 0


# ---- mutations --------------------------------------------------------------------------------------
NASTY = ["\"", "'", "\r", "\n", "\r\n", "\x00", "\ufeff", "\ud800", "\\ud800", "\\u0000", "{", "}", "[", "]", ":",
         ";", ",", "?", "#", "1ER", "1er", "9" * 5000, "-" * 10, "=1+1", "@x", "\t", "é", "ß", "𝔘", "\u2028",
         "cas ", "au ", "et si ", "inconnu", "aucune", "oui", "non", "P3Y", "2026-13-45", "29 février 2027",
         "x" * 3000, "\"\"\"", "''", "\\", "\\\\", "null", "true", "1e999", "-0", "0x10", "NaN"]


def _mutate(text: str, ops) -> str:
    for kind, pos, arg in ops:
        n = len(text)
        i = pos % (n + 1)
        if kind == 0:      # insert something nasty
            text = text[:i] + NASTY[arg % len(NASTY)] + text[i:]
        elif kind == 1:    # delete a run
            text = text[:i] + text[i + arg % 40:]
        elif kind == 2:    # duplicate a run (lines repeat, keys repeat)
            text = text[:i] + text[i:i + arg % 200] + text[i:]
        elif kind == 3:    # upper / lower case a run
            j = i + arg % 30
            text = text[:i] + (text[i:j].upper() if arg % 2 else text[i:j].lower()) + text[j:]
        elif kind == 4:    # line ends: CR only, CRLF
            text = text.replace("\n", "\r" if arg % 2 else "\r\n")
        elif kind == 5:    # swap two runs
            j = (pos * 7 + arg) % (n + 1)
            a, b = sorted((i, j))
            text = text[:a] + text[b:b + 10] + text[a + 10:b] + text[a:a + 10] + text[b + 10:]
    return text


OPS = st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10 ** 6), st.integers(0, 10 ** 6)), max_size=8)


def mutated(seeds) -> st.SearchStrategy:
    return st.builds(_mutate, st.sampled_from(seeds), OPS)


LQ_TEXT = st.one_of(mutated(LQ_SEEDS), st.text(max_size=400), st.text(alphabet="cas au:?\n\"{}[]é1er2026-12 ", max_size=300))
JSON_TEXT = st.one_of(mutated(JSON_SEEDS), st.text(max_size=300),
                      st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                                   lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                                   max_leaves=20).map(lambda v: json.dumps(v, ensure_ascii=False)))


def _csv_seed(seed: int, sep: str) -> str:
    from lexquery.screening.synth import synth_text
    return synth_text(12, seed=seed, ref=AS_OF, sep=sep)


CSV_BYTES = st.one_of(
    st.builds(lambda seed, sep, ops, enc: _encode(_mutate(_csv_seed(seed, sep), ops), enc),
              st.integers(0, 50), st.sampled_from([";", ","]), OPS, st.sampled_from(["utf-8", "cp1252", "utf-8-sig"])),
    st.binary(max_size=600),
    st.builds(lambda head, body: (head + "\n" + body).encode("utf-8", "surrogatepass"),
              st.sampled_from(["id;name;nationalities", "id,total,execution_start,expected_end", "id"]),
              st.text(alphabet="ab;,\"\r\n=+-@\t 0123456789RO|", max_size=300)))


def _encode(text: str, enc: str) -> bytes:
    return text.encode(enc, errors="surrogatepass" if enc.startswith("utf-8") else "replace")


# ---- oracles ------------------------------------------------------------------------------------------
def _crash(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}"[:300] + "\n" + "".join(traceback.format_tb(e.__traceback__)[-3:])


def run_lq(text: str) -> Outcome:
    """The language: a Document, or LqErrors whose every error is at a line of the text and renders."""
    from lexquery import dsl
    from lexquery.dsl.errors import LqErrors
    from lexquery.errors import LexqueryError
    out = Outcome()
    try:
        doc = dsl.load(text, "f.lq")
        json.dumps(doc.case_dicts(), ensure_ascii=False, default=str).encode("utf-8")
    except LqErrors as e:
        n_lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
        out.errors = len(e.errors)
        for x in e.errors:
            if not (1 <= x.span.line <= n_lines + 1 and x.span.col >= 1):
                out.unplaced.append(x.where)
        try:
            e.render().encode("utf-8")
        except Exception as r:  # noqa: BLE001 - the report itself failed
            out.crash = _crash(r)
    except LexqueryError as e:
        out.errors = 1
        if not e.where:
            out.unplaced.append(e.message)
    except Exception as e:  # noqa: BLE001 - anything else is a defect
        out.crash = _crash(e)
    return out


_PLACE = re.compile(r":\d+:\d+|:\d+$|\$|\[|^[A-Za-z_\"]")


def run_json(text: str) -> Outcome:
    """The JSON case reader then the engine: answers, or errors with file:line:col or a JSON path."""
    from lexquery.casefiles.batch import entries_of
    from lexquery.casefiles.json_text import parse_json
    from lexquery.engine.api import load_kb
    from lexquery.errors import CaseError, LexqueryError
    from lexquery.render import render
    out = Outcome()
    try:
        batch = entries_of(parse_json(text, "f.json"), "f.json", text)
        engine = load_kb()
        for e in batch.entries:
            try:
                if e.problems:
                    raise CaseError(e.problems, e.source)
                a = engine.ask(e.raw, AS_OF, source=e.source)
                render(a, "json").encode("utf-8")
                render(a, "text").encode("utf-8")
            except CaseError as err:
                out.errors += 1
                out.unplaced += [p.message for p in err.problems if p.where in ("", None)]
    except LexqueryError as e:
        out.errors += 1
        if not e.where or not _PLACE.search(e.where.split("f.json", 1)[-1] or "$"):
            out.unplaced.append(f"{e.where}: {e.message}")
    except Exception as e:  # noqa: BLE001
        out.crash = _crash(e)
    return out


_EOL = re.compile(rb"\r\n|\r|\n")


def data_lines(data: bytes) -> list[int] | None:
    """Line numbers of the non-blank data lines (after the header), as a person counts them: a
    line ends with LF, CRLF or CR; blank = nothing but spaces, separators and quotes. None
    without a header."""
    parts = _EOL.split(data)
    if data and _EOL.match(data[-1:]) or (data.endswith(b"\r\n")):
        parts = parts[:-1] if parts and parts[-1] == b"" else parts
    header = None
    out = []
    for i, p in enumerate(parts, 1):
        try:   # as the reader decodes a line: UTF-8, else Windows-1252
            t = p.decode("utf-8")
        except UnicodeDecodeError:
            t = p.decode("cp1252", errors="replace")
        if header is None:
            if t.lstrip("\ufeff").strip():
                from lexquery.screening.csv_header import detect_separator   # the documented rule
                header, sep = i, detect_separator(t)
            continue
        if any(c.strip() for c in re.split(f'[{sep}"]', t)):
            out.append(i)
    return None if header is None else out


def run_csv(data: bytes, tmp: Path) -> Outcome:
    """The screening reader and writer: every non-blank data line gives its rows (or is an extra line
    of a quoted cell over several lines), no cell is a formula, nothing raises."""
    from lexquery.errors import LexqueryError
    from lexquery.screening.outputs import make_writer
    from lexquery.screening.screen import screen
    out = Outcome()
    f = tmp / "f.csv"
    f.write_bytes(data)
    buf = io.StringIO()
    try:
        s = screen(str(f), make_writer("csv", buf), as_of=AS_OF, progress=False)
    except LexqueryError as e:   # no header: a message, nothing else to count
        out.errors = 1
        if data_lines(data) not in (None, []) and "en-tête" not in e.message:
            out.crash = f"refused a file with a header and data lines: {e.message}"
        return out
    except Exception as e:  # noqa: BLE001
        out.crash = _crash(e)
        return out
    try:   # the output must itself be a CSV that reads back, row for row (a CR in a cell would split it)
        text = buf.getvalue()   # the output's separator is the input's (; in, ; out)
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";" if text.startswith("line;") else ",",
                               strict=True))[1:]
    except csv.Error as e:
        out.crash = f"the output CSV does not read back: {e}"
        return out
    from lexquery.engine.screen_row import FIELDS
    if any(len(r) != len(FIELDS) for r in rows):
        out.crash = f"an output row without its {len(FIELDS)} cells: {[r for r in rows if len(r) != len(FIELDS)][:1]}"
    lines = {int(r[0]) for r in rows if r and r[0].isdigit()}
    out.unplaced = [r for r in rows if not (r and r[0].isdigit())]
    bad = [c for r in rows for c in r if c[:1] in TRIGGERS]
    if bad:
        out.crash = f"formula cells in the output: {bad[:3]}"
    expected = data_lines(data) or []
    out.lines_in = len(expected)
    spanned = getattr(s, "spanning_lines", 0)
    out.lines_out = len(lines) + spanned
    missing = [n for n in expected if n not in lines]
    if not set(lines) <= set(expected) or len(missing) > spanned or s.read != len(lines):
        out.crash = out.crash or (f"lines in {len(expected)} != rows out {len(lines)} (+{spanned} spanned): "
                                  f"missing {missing[:5]}, unexpected {sorted(set(lines) - set(expected))[:5]}")
    out.errors = s.rejected
    return out


API_ROUTES = ["/api/ask", "/api/parse", "/api/what-if", "/api/validate", "/api/screen"]
CTYPES = ["application/json", "text/csv", "text/turtle", "text/plain", None, "application/json; charset=latin-1"]


def api_body(route: str, text: str) -> bytes:
    if route == "/api/parse":
        return json.dumps({"text": text, "syntax": "lq" if not text.lstrip().startswith(("{", "[")) else "json"}).encode()
    if route == "/api/what-if":
        return json.dumps({"case": json.loads(JSON_SEEDS[0]), "set": {"consent.transfer": text[:20]}}).encode()
    return text.encode("utf-8", "surrogatepass")


API_INPUT = st.tuples(st.sampled_from(API_ROUTES), st.sampled_from(CTYPES),
                      st.one_of(mutated(JSON_SEEDS), mutated(LQ_SEEDS), st.text(max_size=200),
                                st.builds(lambda s, o: _mutate(_csv_seed(s, ";"), o), st.integers(0, 20), OPS)))


def run_api(client, route: str, ctype, text: str) -> Outcome:
    """Any body to any costly route: never a 500; every error has a message, and a place when it
    is about the body (4xx other than 413 / 415 / 503 / 504)."""
    out = Outcome()
    try:
        r = client.post(route, content=api_body(route, text), headers={"Content-Type": ctype} if ctype else {})
    except Exception as e:  # noqa: BLE001
        out.crash = _crash(e)
        return out
    if r.status_code >= 500 and r.status_code not in (503, 504):
        out.crash = f"{route} {ctype}: HTTP {r.status_code} {r.text[:200]}"
        return out
    if r.status_code >= 400:
        out.errors = 1
        try:
            err = r.json()["error"]
        except Exception:  # noqa: BLE001
            out.crash = f"{route}: {r.status_code} without an error body: {r.text[:200]}"
            return out
        if not err.get("message"):
            out.crash = f"{route}: {r.status_code} without a message"
        if r.status_code in (400, 422) and not (err.get("where") or err.get("line") or err.get("problems")):
            out.unplaced.append(f"{route}: {err.get('message')}")
    return out

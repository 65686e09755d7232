"""Shared by the columnar tests: synthetic registry exports read by the scalar reader."""
from __future__ import annotations

import io
import random
from datetime import date

from lexquery.engine.api import load_kb
from lexquery.engine.facts import apply_defaults
from lexquery.errors import CaseError
from lexquery.screening.csv_cases import RowBuilder, normalise, read_header
from lexquery.screening.synth import synth_text

AS_OF = date(2026, 12, 1)


def blank(text: str, share: float, seed: int = 1) -> str:
    """The same export with ``share`` of its cells (not the id) emptied at random: unknown facts."""
    rng = random.Random(seed)
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        if line:
            out.append(";".join(c if i == 0 or rng.random() >= share else "" for i, c in enumerate(line.split(";"))))
    return "\n".join(out) + "\n"


def read_cases(text: str, as_of=AS_OF):
    """(line, id, normalised case) of every row the scalar reader accepts."""
    header, records = read_header(io.StringIO(text))
    b = RowBuilder(header)
    out = []
    for rec in records:
        row = b.row(rec)
        try:
            case = normalise(row, as_of, "t")
        except CaseError:
            continue
        out.append((row.line, row.id, case))
    return out


def synth_cases(n, seed=0, share=0.0):
    text = synth_text(n, seed, AS_OF)
    if share:
        text = blank(text, share, seed + 1)
    return read_cases(text)


def engine():
    return load_kb().prepare_batch()


def with_defaults(cases, eng):
    return [apply_defaults(c, eng.book, eng.ref)[0] for c in cases]


def frame_from_cases(rows):
    """The typed input frame (lexquery.screening.columnar_frame) of (line, id, case) read by the scalar
    reader — what columnar-io's reader gives for rows it takes."""
    import polars as pl
    from lexquery.columnar.program import COLUMN_PATHS
    from lexquery.engine.facts import get_path
    from lexquery.rules.values import UNKNOWN
    cols = {"line": [], "id": [], "as_of": [], "name": []}
    for c in COLUMN_PATHS:
        cols[c] = []
    cols["safety_period_end__none"] = []
    for line, cid, case in rows:
        cols["line"].append(line)
        cols["id"].append(cid)
        cols["as_of"].append(case["as_of"])
        cols["name"].append(case.get("person", {}).get("name"))
        rm = case.get("removal_measures")
        for c, path in COLUMN_PATHS.items():
            if path.startswith("removal_measures[]."):
                key = path.split(".")[1]
                if rm is None:
                    v = None
                elif key == "kind":
                    v = [m["kind"] for m in rm]
                else:
                    vals = [m[key] for m in rm if key in m]
                    v = vals[0] if vals else None
            elif path == "sentence.convictions[0].court":
                conv = get_path(case, "sentence.convictions")
                v = conv[0].get("court") if isinstance(conv, list) and conv else None
            else:
                v = get_path(case, path)
                v = None if v is UNKNOWN else v
            if c == "safety_period_end":
                cols["safety_period_end__none"].append(get_path(case, path) is None)
            if c in ("total", "offence_max_penalty") and v is not None:
                v = v.iso()
            cols[c].append(v)
    types = {"line": pl.Int64, "id": pl.Utf8, "as_of": pl.Date, "name": pl.Utf8,
             "nationalities": pl.List(pl.Utf8), "removal_kinds": pl.List(pl.Utf8),
             "safety_period_end__none": pl.Boolean}
    for c in ("birth_date", "entry_date", "last_list_date", "next_cap_date", "execution_start", "expected_end",
              "safety_period_end", "removal_end_date"):
        types[c] = pl.Date
    for c in ("protected_adult", "incarcerated", "final", "custodial", "legal_recidivism", "lsc_plein_droit_excluded",
              "removal_definitive", "removal_enforceable", "removal_remedies_exhausted", "consent_transfer",
              "consent_consular_notification", "dual_criminality", "suspect_hearing", "refuses_identity",
              "false_identity", "prosecutor_authorisation"):
        types[c] = pl.Boolean
    return pl.DataFrame({k: pl.Series(k, v, dtype=types.get(k, pl.Utf8)) for k, v in cols.items()})


def scalar_rows(text, eng, as_of=AS_OF):
    """The scalar engine's screening rows of an export (``screen._answer_csv``), cells as text,
    without its error rows (the reader's business, columnar-io's)."""
    import csv
    from lexquery.screening.screen import _answer_csv
    header, records = read_header(io.StringIO(text))
    out, _ = _answer_csv(eng, RowBuilder(header), list(records), as_of, "t", ";")
    return [r for r in csv.reader(io.StringIO(out), delimiter=";") if r[6] != "error"]


def program_rows(out) -> list[list]:
    """The rows of the columnar program's output frame as the scalar screening writes them
    (:func:`scalar_rows`): id and name neutralised as CSV formulas (``csvsafe.neutral``)."""
    from lexquery.csvsafe import neutral
    return [[r[0], neutral(r[1]), neutral(r[2]), *r[3:]] for r in out.iter_rows()]


def export_of_states(n: int, seed: int, ref, states, ends=(), years: int = 2) -> str:
    """A synthetic export (``synth_text``) whose row ``i`` holds the nationality, habitual
    residence and (when it has one) removal destination ``states[i % len(states)]`` (None: the row
    as synthesised); for those rows, with ``ends``, the expected end ``ends[i % len(ends)]`` of a
    sentence of ``years`` years ending then (start, entry and total to match)."""
    from lexquery.screening.synth import synth_text
    lines = synth_text(n, seed, ref).rstrip("\n").split("\n")
    head = lines[0].split(";")
    at = {k: head.index(k) for k in ("nationalities", "habitual_residence", "removal_destination",
                                     "expected_end", "execution_start", "entry_date", "total")}
    out = [lines[0]]
    for i, line in enumerate(lines[1:]):
        cells = line.split(";")
        st = states[i % len(states)]
        if st is not None:
            cells[at["nationalities"]] = cells[at["habitual_residence"]] = st
            if cells[at["removal_destination"]]:
                cells[at["removal_destination"]] = st
            if ends:
                end = ends[i % len(ends)]
                cells[at["expected_end"]], cells[at["total"]] = end.isoformat(), f"P{years}Y"
                cells[at["execution_start"]] = cells[at["entry_date"]] = end.replace(year=end.year - years).isoformat()
        out.append(";".join(cells))
    return "\n".join(out) + "\n"


def export_of_protection(n: int, seed: int, ref, protection: str, wishes) -> str:
    """A synthetic export (``synth_text``) where a row in two (the even ones) is detained, with
    the protection ``protection`` (``refugee``, ``asylum_pending``…) and, in turn, the wishes
    ``wishes`` about consular notification (cells: ``oui``, ``non``, ``""`` unknown)."""
    from lexquery.screening.synth import synth_text
    lines = synth_text(n, seed, ref).rstrip("\n").split("\n")
    head = lines[0].split(";")
    at = {k: head.index(k) for k in ("protection", "consent_consular_notification", "incarcerated")}
    out = [lines[0]]
    for i, line in enumerate(lines[1:]):
        cells = line.split(";")
        if i % 2 == 0:
            cells[at["protection"]] = protection
            cells[at["consent_consular_notification"]] = wishes[(i // 2) % len(wishes)]
            cells[at["incarcerated"]] = "oui"
        out.append(";".join(cells))
    return "\n".join(out) + "\n"


def both_rows(text: str, as_of):
    """(the scalar screening's rows, the columnar program's) of an export, as of ``as_of``."""
    from lexquery.columnar.program import compile_book
    eng = engine()
    want = scalar_rows(text, eng, as_of)
    prog = compile_book(eng.book, eng.ref)
    return want, program_rows(prog.run(frame_from_cases(read_cases(text, as_of))))

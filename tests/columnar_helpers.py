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

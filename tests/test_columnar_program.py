"""The columnar program (issue 16) against the scalar engine, row for row and cell for cell:
the output frame of Program.run on the typed frame of a synthetic registry export equals the
rows `lexquery screen` writes (before formula neutralisation) — whole, with a quarter and half
of the cells blanked (unknown facts: the proof of irrelevant facts, what to verify), and on
other dates of evaluation (routes and conditions outside their encoded periods, dates past
what the rules encode)."""
import pytest

from lexquery.columnar.program import COLUMN_PATHS, compile_book
from lexquery.screening.csv_columns import COLUMNS
from lexquery.screening.synth import synth_text

from columnar_helpers import AS_OF, blank, engine, frame_from_cases, program_rows, read_cases, scalar_rows


def test_column_table_is_the_readers():
    assert COLUMN_PATHS == {c: p for c, (p, _) in COLUMNS.items() if c not in ("id", "as_of", "name")}


def _check(text, as_of=AS_OF, fallback=0):
    eng = engine()
    want = scalar_rows(text, eng, as_of)
    prog = compile_book(eng.book, eng.ref)
    out = prog.run(frame_from_cases(read_cases(text, as_of)))
    got = program_rows(out)
    if fallback:   # rows of the 2029 code: asked to the scalar engine
        assert len(prog.fallback) > 0
    assert not getattr(prog, "not_vectorised", None)
    assert len(got) == len(want)
    for a, b in zip(want, got):
        assert b == a


@pytest.mark.parametrize("n,seed,share", [(600, 0, 0.0), (600, 1, 0.25), (400, 2, 0.5)])
def test_synthetic_exports(n, seed, share):
    text = synth_text(n, seed, AS_OF)
    _check(blank(text, share, seed + 1) if share else text)


@pytest.mark.parametrize("as_of", ["2013-03-01", "2021-12-31", "2024-01-27", "2028-12-31", "2029-01-01"])
def test_other_dates_of_evaluation(as_of):
    """From 2029-01-01 (the new code in force) the rows are asked to the scalar engine inside
    Program.run: the output is whole all the same."""
    from datetime import date
    d = date.fromisoformat(as_of)
    _check(blank(synth_text(300, 5, d), 0.25, 9), d, fallback=as_of >= "2029-01-01")


def test_dates_of_evaluation_per_row():
    """An ``as_of`` column: each row its own date, some from the 2029 code (asked to the scalar
    engine inside Program.run), in the order of the file."""
    lines = blank(synth_text(240, 8, AS_OF), 0.2, 3).rstrip("\n").split("\n")
    days = ["2029-02-01", "2016-06-30", "2026-12-01", "2023-01-01", "2031-05-05", "2012-03-28"]
    text = "\n".join([lines[0] + ";as_of"] + [x + ";" + days[i % len(days)] for i, x in enumerate(lines[1:])]) + "\n"
    _check(text, AS_OF, fallback=1)


def test_frame_evaluated_by_chunks(monkeypatch):
    """A frame longer than CHUNK cases is evaluated chunk by chunk: the same rows, the same order,
    the positions of the rows asked to the scalar engine counted over the whole frame."""
    import lexquery.columnar.program as P
    monkeypatch.setattr(P, "CHUNK", 97)
    lines = blank(synth_text(300, 4, AS_OF), 0.2, 5).rstrip("\n").split("\n")
    days = ["2029-02-01", "2016-06-30", "2026-12-01", "2024-02-29"]
    text = "\n".join([lines[0] + ";as_of"] + [x + ";" + days[i % len(days)] for i, x in enumerate(lines[1:])]) + "\n"
    eng = engine()
    want = scalar_rows(text, eng, AS_OF)
    prog = compile_book(eng.book, eng.ref)
    frame = frame_from_cases(read_cases(text, AS_OF))
    out = prog.run(frame)
    assert program_rows(out) == want
    later_code = {i for i, d in enumerate(frame.get_column("as_of").to_list()) if d.isoformat() >= "2029-01-01"}
    # the rows of the 2029 code, and only those: a date settled under a later law (engine/in_time.py)
    # is settled in the program
    assert later_code == set(prog.fallback.tolist())


def test_a_chunk_the_vector_code_does_not_take_is_asked_to_the_scalar_engine(monkeypatch):
    """A value the vector code has no form for (NotVectorisable) sends its chunk to the scalar
    engine, and says so (``not_vectorised``): the output stays whole and identical."""
    import lexquery.columnar.program as P
    from lexquery.columnar.compile import NotVectorisable
    text = blank(synth_text(120, 6, AS_OF), 0.25, 2)
    eng = engine()
    want = scalar_rows(text, eng, AS_OF)
    prog = compile_book(eng.book, eng.ref)

    def refuse(self, *a, **k):
        raise NotVectorisable("test")
    monkeypatch.setattr(P.Program, "screen", refuse)
    frame = frame_from_cases(read_cases(text, AS_OF))
    out = prog.run(frame)
    assert program_rows(out) == want
    assert len(prog.fallback) == frame.height and prog.not_vectorised == ["test"]


def test_a_narrow_header():
    """A frame with few columns (the others unknown for every row) — columnar-io's damaged file
    « blank and separator lines » (header id;name;nationalities) once raised KeyError here."""
    text = "id;name;nationalities\nA1;Ionescu;RO\nB2;;MA|FR\nC3;X;\nD4;Y;aucune\n"
    eng = engine()
    want = scalar_rows(text, eng, AS_OF)
    frame = frame_from_cases(read_cases(text, AS_OF)).select(["line", "id", "as_of", "name", "nationalities"])
    prog = compile_book(eng.book, eng.ref)
    out = prog.run(frame)
    assert program_rows(out) == want
    assert not getattr(prog, "not_vectorised", None)

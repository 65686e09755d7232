"""The sources of an answer follow the conditions evaluated (engine/evaluate.py
``shape_sources``, one definition for both engines): a composite condition outside the period
its text is encoded for (``valid:``) is unknown and its children are not evaluated — their
sources are not cited — and that on each date, whatever was asked before on the same engine.

The rule files are copied and one condition moved (the law is data): the basis STE 112 of a
transfer (``basis_ste112``, an ``all_of`` under ``legal_basis``) encoded from 2020-01-01 only, a
law gap before (``valid:`` with a ``note:``, rules/README.md). Its child ``person_consents`` is
the only condition citing « STE 112 art. 7 ». Boundary pair: the day before and
the day of (2019-12-31 / 2020-01-01). The scalar engine's shape memo once kept the first date's
list for the other date; the columnar program cited the children on both days."""
import shutil
from datetime import date

import pytest

from lexquery.columnar.program import compile_book
from lexquery.engine.api import Engine
from lexquery.paths import rules_dir

from columnar_helpers import frame_from_cases, program_rows, read_cases, scalar_rows

HEADER = "id;nationalities;habitual_residence;location;incarcerated;final;custodial;total;execution_start;expected_end;as_of"
CHILD = "STE 112 art. 7"


@pytest.fixture(scope="module")
def dated_book(tmp_path_factory):
    d = tmp_path_factory.mktemp("rules")
    shutil.copytree(rules_dir(), d, dirs_exist_ok=True)
    ste = (d / "ste_transfer.yaml").read_text(encoding="utf-8")
    old = '        sources: ["STE 112 art. 3.1", "Circ. 2025 §2.3 al. 3"]\n        all_of:\n'
    assert ste.count(old) == 1
    new = old.replace("        all_of:", '        valid: {from: 2020-01-01, until: null, note: {fr: "essai", en: "test"}}\n        all_of:')
    (d / "ste_transfer.yaml").write_text(ste.replace(old, new), encoding="utf-8")
    return Engine(rules_dir=d).prepare_batch()


def _text(days):
    rows = [f"E{i};TR;TR;FR;oui;oui;oui;P3Y;2018-06-01;2021-06-01;{day}" for i, day in enumerate(days)]
    return "\n".join([HEADER, *rows]) + "\n"


def _ste_sources(rows):
    return {r[1]: set(r[11].split("|")) for r in rows if r[4] == "ste_transfer"}


@pytest.mark.parametrize("order", [("2019-12-31", "2020-01-01"), ("2020-01-01", "2019-12-31")])
def test_a_composite_outside_its_period_cites_no_child_in_either_engine(dated_book, order):
    eng = dated_book
    text = _text(order)
    as_of = date(2019, 12, 31)
    want = scalar_rows(text, eng, as_of)   # one engine, the two days in this order
    by_id = dict(zip(("E0", "E1"), order))
    srcs = _ste_sources(want)
    before = next(k for k, d in by_id.items() if d == "2019-12-31")
    after = next(k for k, d in by_id.items() if d == "2020-01-01")
    assert "STE 112 art. 3.1" in srcs[before] and CHILD not in srcs[before]
    assert CHILD in srcs[after]
    prog = compile_book(eng.book, eng.ref)
    out = prog.run(frame_from_cases(read_cases(text, as_of)))
    got = program_rows(out)
    assert len(prog.fallback) == 0
    assert got == want

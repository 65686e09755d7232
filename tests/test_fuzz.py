"""Fuzzing (issue 14), briefly: hypothesis feeds the language, the JSON case reader, the screening
CSV reader and the HTTP API with mutated examples and raw text (tests/fuzzing.py). Nothing may
crash, every error has a position, and a CSV gives as many lines out as it has lines in.

At length: ``.venv/bin/python bench/fuzz.py --minutes 10`` (figures in docs/reliability.md), or
``LEXQUERY_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_fuzz.py``."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import fuzzing as F

N = int(os.environ.get("LEXQUERY_FUZZ_EXAMPLES", "60"))
SETTINGS = settings(max_examples=N, deadline=None, derandomize=N <= 200,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def _ok(o: F.Outcome):
    assert o.crash is None, o.crash
    assert not o.unplaced, o.unplaced


@SETTINGS
@given(F.LQ_TEXT)
def test_the_language_never_crashes_and_places_every_error(text):
    _ok(F.run_lq(text))


@SETTINGS
@given(F.JSON_TEXT)
def test_the_json_reader_never_crashes_and_places_every_error(text):
    _ok(F.run_json(text))


@SETTINGS
@given(F.CSV_BYTES)
def test_the_csv_reader_gives_lines_in_equal_rows_out(data):
    with tempfile.TemporaryDirectory() as tmp:
        o = F.run_csv(data, Path(tmp))
    _ok(o)
    assert o.lines_in == o.lines_out


@pytest.fixture(scope="module")
def client():
    from starlette.testclient import TestClient

    from lexquery.web.app import create_app
    with TestClient(base_url="http://127.0.0.1", app=create_app(), raise_server_exceptions=False) as c:
        yield c


@SETTINGS
@given(F.API_INPUT)
def test_the_api_never_answers_500(client, route_ctype_text):
    _ok(F.run_api(client, *route_ctype_text))


def test_the_oracles_can_fail():
    """The harness would see a merge of lines, a formula, an unplaced error, a crash."""
    o = F.Outcome()
    assert F.data_lines(b"id;name\r\na;b\rc;d\n\n;;\n") == [2, 3]
    assert F.run_lq("cas a\nnationalités : Xyzzy\n").errors == 1
    import lexquery.dsl as dsl
    real = dsl.load
    dsl.load = lambda *a, **k: 1 / 0
    try:
        assert F.run_lq("cas a").crash.startswith("ZeroDivisionError")
    finally:
        dsl.load = real
    assert o.crash is None


@pytest.mark.parametrize("data", [b'id\n"\r', b'id,total,execution_start,expected_end\n+\r1726=0\n"\n-@ +a',
                                  b'id\n"8\r2;"-|RbO0@'])
def test_inputs_the_fuzzer_found(tmp_path, data):
    """A line of nothing but a quote is blank; a CR inside a cell does not split an output row."""
    o = F.run_csv(data, tmp_path)
    _ok(o)
    assert o.lines_in == o.lines_out

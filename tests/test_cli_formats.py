"""Output formats of issue 15 §9: ``ask --format jsonl`` (JSON Lines), ``kb query --format
tsv`` (both also in tests/test_cli_words.py), ``validate --format turtle|jsonld`` (W3C SHACL
validation reports) — each the same content as the format it sits beside."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from lexquery.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
LQ = "https://w3id.org/lexquery/ontology#"


def run(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(argv))
    return code, out.getvalue()


def test_ask_jsonl_is_the_json_answers_one_a_line(tmp_path):
    batch = tmp_path / "lot.json"
    batch.write_text(json.dumps([json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES]), encoding="utf-8")
    code, as_json = run("ask", str(batch), "--format", "json", "--as-of", "2026-12-01")
    assert code == 0
    code, as_jsonl = run("ask", str(batch), "--format", "jsonl", "--as-of", "2026-12-01")
    assert code == 0
    lines = as_jsonl.splitlines()
    assert len(lines) == len(EXAMPLES) >= 5
    assert [json.loads(x) for x in lines] == json.loads(as_json)
    # one case (an object) gives one line, not an array
    code, one = run("ask", str(EXAMPLES[0]), "--format", "jsonl", "--lang", "en")
    assert code == 0 and len(one.splitlines()) == 1 and json.loads(one)["case"]


def test_ask_jsonl_answers_the_good_cases_of_a_bad_batch(tmp_path):
    good = json.loads((ROOT / "examples" / "ionescu.json").read_text(encoding="utf-8"))
    f = tmp_path / "lot.jsonl"
    f.write_text(json.dumps(good) + "\n" + '{"id": "x", "sentence": {"total": "trois ans"}}\n', encoding="utf-8")
    code, out = run("ask", str(f), "--format", "jsonl")
    assert code == 3 and [json.loads(x)["case"] for x in out.splitlines()] == [good["id"]]


def test_kb_query_tsv_is_the_csv_with_tabs():
    text = ("PREFIX lq: <https://w3id.org/lexquery/ontology#> SELECT ?c ?t WHERE { ?a a lq:Paragraph ; "
            "lq:citation ?c ; lq:text ?t FILTER(STRSTARTS(?c, \"CPP 729-2\")) } ORDER BY ?c")
    import csv
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".rq", delete=False, encoding="utf-8") as fh:
        fh.write(text)
    code, tsv = run("kb", "query", fh.name, "--format", "tsv")
    code2, as_csv = run("kb", "query", fh.name, "--format", "csv")
    Path(fh.name).unlink()
    assert code == code2 == 0
    rows = [line.split("\t") for line in tsv.splitlines()]
    expected = list(csv.reader(io.StringIO(as_csv)))
    assert rows[0] == ["c", "t"] and len(rows) == len(expected) >= 3
    unescape = lambda s: s.replace("\\t", "\t").replace("\\n", "\n").replace("\\\\", "\\")  # noqa: E731
    assert [[unescape(c) for c in r] for r in rows] == expected


def test_validate_turtle_is_a_shacl_validation_report(tmp_path):
    f = tmp_path / "cas.json"
    bad = {"id": "bad-1", "person": {"nationalities": ["RO"]}, "sentence": {"total": "P3Y", "final": True,
                                                                          "expected_end": "2020-01-01",
                                                                          "execution_start": "2025-01-01"}}
    good = json.loads((ROOT / "examples" / "mansouri-algerie.json").read_text(encoding="utf-8"))
    f.write_text(json.dumps([good, bad]), encoding="utf-8")
    code_json, as_json = run("validate", str(f), "--format", "json")
    reports = json.loads(as_json)
    for fmt, parse in (("turtle", "turtle"), ("jsonld", "json-ld")):
        code, text = run("validate", str(f), "--format", fmt)
        assert code == code_json
        g = Graph().parse(data=text, format=parse)
        found = {}
        for rep in g.subjects(RDF.type, SH.ValidationReport):
            cid = str(g.value(rep, URIRef(LQ + "caseId")))
            found[cid] = (g.value(rep, SH.conforms).toPython(), len(list(g.objects(rep, SH.result))))
        assert found == {r["case"]: (r["conforms"], len(r["results"])) for r in reports}
        for res in g.subjects(RDF.type, SH.ValidationResult):   # the properties SHACL §3.6.2 requires
            assert g.value(res, SH.focusNode) is not None and g.value(res, SH.resultSeverity) in (
                SH.Violation, SH.Warning, SH.Info)
            assert (res, SH.resultMessage, None) in g
    assert any(not r["conforms"] for r in reports)
    assert (None, URIRef(LQ + "jsonPath"), Literal("person.protection")) in g

"""`lexquery validate` on CSV, JSON Lines and Turtle, streamed in chunks on several
processes: same findings and order as one process, a bad row or line is a finding of
that row (the others are still validated), bounded reading ahead."""
import json
from pathlib import Path

import pytest

from lexquery.caserdf import to_graph, validate_many
from lexquery.caserdf.inputs import read_items
from lexquery.caserdf.stream import Item, validate_stream
from lexquery.cli import main
from lexquery.screening.synth import synth_text

ROOT = Path(__file__).resolve().parent.parent
IONESCU = json.loads((ROOT / "examples" / "ionescu.json").read_text(encoding="utf-8"))
SAFETY = json.loads((ROOT / "examples" / "invalid" / "periode-de-surete-avant-debut.json").read_text(encoding="utf-8"))


@pytest.fixture
def csv_file(tmp_path):
    p = tmp_path / "registre.csv"
    p.write_text(synth_text(40, seed=2), encoding="utf-8")
    return p


def test_csv_rows_are_cases_with_their_line(csv_file, capsys):
    code = main(["validate", str(csv_file), "--format", "json", "--jobs", "1"])
    reports = json.loads(capsys.readouterr().out)
    assert len(reports) == 40
    assert reports[0]["source"] == f"{csv_file}:2" and reports[-1]["source"] == f"{csv_file}:41"
    _, items, _ = read_items(str(csv_file))
    raws = [it.raw for it in items]
    expected = validate_many(raws)
    assert [r["results"] for r in reports] == [[x.to_dict() for x in rs] for rs in expected]
    assert [r["case"] for r in reports] == [c["id"] for c in raws]
    assert code == (6 if any(not r["conforms"] for r in reports) else 0)


def test_a_bad_csv_cell_is_a_finding_of_its_row(tmp_path, capsys):
    text = synth_text(3, seed=1).splitlines()
    header = text[0].split(";")
    cells = text[2].split(";")
    cells[header.index("final")] = "peut-être"
    cells[header.index("expected_end")] = "2001-01-01"
    p = tmp_path / "bad.csv"
    p.write_text("\n".join([text[0], text[1], ";".join(cells), text[3]]) + "\n", encoding="utf-8")
    assert main(["validate", str(p), "--format", "json"]) == 6
    reports = json.loads(capsys.readouterr().out)
    assert [r["source"] for r in reports] == [f"{p}:2", f"{p}:3", f"{p}:4"]
    bad = {r["where"]: r for r in reports[1]["results"] if r["severity"] == "violation"}
    assert "oui/non" in bad["colonne « final »"]["expected"]
    assert "2001-01-01" in bad["sentence.expected_end"]["message"]   # the rest of the row is still validated
    # one message per mistake: the bad cell is not also reported by SHACL as an unknown fact
    wheres = [r["where"] for r in reports[1]["results"]]
    assert "colonne « final »" in wheres and "sentence.final" not in wheres
    assert "sentence.final" in [r.where for r in validate_many([_row(p, 3)])[0]]   # what SHACL alone says
    assert reports[0]["conforms"] and reports[2]["conforms"]


def test_an_unreadable_json_line_is_reported_and_the_others_validated(tmp_path, capsys):
    p = tmp_path / "lot.jsonl"
    p.write_text(json.dumps(IONESCU) + "\n{\"id\": \"cassé\",\n" + json.dumps(SAFETY) + "\n", encoding="utf-8")
    assert main(["validate", str(p)]) == 6
    out = capsys.readouterr().out
    assert f"{p}:1 — cas « ionescu-2026 » : conforme" in out
    assert f"{p}:2:" in out and "JSON illisible" in out
    assert f"{p}:3 — cas" in out and "sentence.safety_period_end" in out


def test_turtle_case_data_is_validated_per_case(tmp_path, capsys):
    g = to_graph(IONESCU)
    to_graph(SAFETY, g)
    p = tmp_path / "cas.ttl"
    p.write_text(g.serialize(format="turtle"), encoding="utf-8")
    assert main(["validate", str(p), "--format", "json"]) == 6
    reports = json.loads(capsys.readouterr().out)
    by_case = {r["case"]: r for r in reports}
    assert set(by_case) == {IONESCU["id"], SAFETY["id"]}
    assert by_case[IONESCU["id"]]["conforms"]
    v = [r for r in by_case[SAFETY["id"]]["results"] if r["severity"] == "violation"]
    assert [r["where"] for r in v] == ["sentence.safety_period_end"] and v[0]["provisions"] == ["CP 132-23 al. 1"]
    # the same findings as from the JSON (the Turtle skips only the JSON reader)
    assert by_case[SAFETY["id"]]["results"] == [r.to_dict() for r in validate_many([SAFETY])[0]]


def test_unreadable_turtle_is_an_error_for_people(tmp_path, capsys):
    p = tmp_path / "cassé.ttl"
    p.write_text("@prefix lq: <https://w3id.org/lexquery/ontology#> .\n<a> lq:x \"open .\n", encoding="utf-8")
    assert main(["validate", str(p)]) == 3
    err = capsys.readouterr().err
    assert "Turtle illisible" in err and "Traceback" not in err


def test_parallel_chunks_give_the_serial_results_in_input_order():
    cases = [dict(IONESCU, id=f"c{i}") if i % 3 else dict(SAFETY, id=f"c{i}") for i in range(45)]
    cases[7] = ["pas", "un", "cas"]
    items = [Item(f"x[{i}]", c) for i, c in enumerate(cases)]
    serial = [[r.to_dict() for r in rs] for _, rs in validate_stream(items, jobs=1, chunk=4)]
    parallel = list(validate_stream(items, jobs=2, chunk=4))
    assert [it.source for it, _ in parallel] == [it.source for it in items]
    assert [[r.to_dict() for r in rs] for _, rs in parallel] == serial
    assert serial == [[r.to_dict() for r in rs] for rs in validate_many(cases)]


@pytest.mark.parametrize("jobs, bound", [(1, 2), (2, 7)])
def test_the_stream_reads_a_bounded_number_of_chunks_ahead(jobs, bound):
    pulled = []

    def source():
        for i in range(10_000):
            pulled.append(i)
            yield Item(f"x{i}", dict(IONESCU, id=f"c{i}"))
    stream = validate_stream(source(), jobs=jobs, chunk=10)
    next(stream)
    assert len(pulled) <= bound * 10
    stream.close()


def test_the_fast_json_writer_equals_json_dumps_indent_2():
    from lexquery.commands.validate import dump_json
    cases = [IONESCU, SAFETY, ["pas", "un", "cas"], {"id": "é\"\\\n\t", "person": {"nationalities": []}}]
    for c, rs in zip(cases, validate_many(cases)):
        rep = {"case": c.get("id") if isinstance(c, dict) else None, "source": "a\u2028b", "conforms": False,
               "results": [r.to_dict() for r in rs], "empty": {}, "none": [], "n": [1, 2.5, None, True]}
        assert dump_json(rep) == json.dumps(rep, ensure_ascii=False, indent=2)


def _row(path, line):
    """The raw case of the CSV row at ``line`` (its bad cells left out)."""
    _, items, _ = read_items(str(path))
    return next(it.raw for it in items if it.source.endswith(f":{line}"))


@pytest.mark.parametrize("change, where", [
    ({"receiving_state": "FR"}, "receiving_state"),
    ({"id": ""}, "id"),
    ({"extensions": []}, "extensions"),
    ({"as_of": "9999-12-31"}, "as_of"),
    ({"person": dict(IONESCU["person"], nationalities=["RO", "RO"])}, "person.nationalities[1]"),
    ({"sentence": dict(IONESCU["sentence"], total="P0Y")}, "sentence.total"),
    ({"sentence": dict(IONESCU["sentence"], total="P300Y")}, "sentence.total"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_validate_reports_what_no_case_can_hold(tmp_path, capsys, change, where):
    """`validate` runs the JSON reader first: its refusals are violations at their JSON path (exit 6)."""
    p = tmp_path / "case.json"
    p.write_text(json.dumps({**IONESCU, **change}), encoding="utf-8")
    assert main(["validate", str(p), "--format", "json"]) == 6
    out = json.loads(capsys.readouterr().out)
    report = out[0] if isinstance(out, list) else out
    found = [r for r in report["results"] if r["where"] == where]
    assert found and found[0]["severity"] == "violation" and found[0]["shape"] is None, report["results"]


def test_validate_csv_row_with_a_repeated_nationality_is_a_finding_of_its_row(tmp_path, capsys):
    lines = synth_text(3, seed=1).splitlines()
    header = lines[0].split(";")
    cells = lines[2].split(";")
    cells[header.index("nationalities")] = "MA|MA"
    p = tmp_path / "doublon.csv"
    p.write_text("\n".join([lines[0], lines[1], ";".join(cells), lines[3]]) + "\n", encoding="utf-8")
    assert main(["validate", str(p), "--format", "json", "--jobs", "1"]) == 6
    reports = json.loads(capsys.readouterr().out)
    bad = [r for r in reports[1]["results"] if r["severity"] == "violation"]
    assert [r["where"] for r in bad] == ["person.nationalities[1]"] and "répété" in bad[0]["message"]
    assert len(reports) == 3


def test_turtle_receiving_state_france_and_blank_id_are_violations(tmp_path, capsys):
    """Turtle skips the JSON reader: the case shapes refuse France as receiving State and a blank id."""
    from rdflib import Literal, Namespace, URIRef
    lq = Namespace("https://w3id.org/lexquery/ontology#")
    country = Namespace("http://publications.europa.eu/resource/authority/country/")
    g = to_graph(dict(IONESCU, id="a"))
    g.add((URIRef("https://w3id.org/lexquery/case/a"), lq.receivingState, country.FRA))
    to_graph(dict(IONESCU, id="b"), g)
    g.set((URIRef("https://w3id.org/lexquery/case/b"), lq.caseId, Literal("  ")))
    to_graph(dict(IONESCU, id="c", receiving_state="RO"), g)
    p = tmp_path / "cas.ttl"
    p.write_text(g.serialize(format="turtle"), encoding="utf-8")
    assert main(["validate", str(p), "--format", "json"]) == 6
    reports = json.loads(capsys.readouterr().out)
    flat = sorted((x["where"], x["message"]) for r in reports for x in r["results"] if x["severity"] == "violation")
    assert [w for w, _ in flat] == ["id", "receiving_state"], flat
    assert "non vide" in flat[0][1] and "autre que la France" in flat[1][1]


@pytest.mark.parametrize("node, prop, where", [
    ("", "asOf", "as_of"),
    ("/person", "birthDate", "person.birth_date"),
    ("/sentence", "expectedEnd", "sentence.expected_end"),
    ("/sentence/convictions/0", "judgmentDate", "sentence.convictions[0].date"),
])
def test_turtle_date_out_of_range_exits_6_naming_the_field(tmp_path, capsys, node, prop, where):
    """Turtle skips the JSON reader: the range shapes refuse what `ask` would refuse (9999-12-31)."""
    from rdflib import Literal, Namespace, URIRef
    from rdflib.namespace import XSD
    lq = Namespace("https://w3id.org/lexquery/ontology#")
    subject = URIRef(f"https://w3id.org/lexquery/case/{IONESCU['id']}{node}")
    p = tmp_path / "cas.ttl"
    for value, code in (("9999-12-31", 6), ("1899-12-31", 6), ("1900-01-01", 0), ("2199-12-31", 0)):
        if prop == "expectedEnd" and value == "1900-01-01":
            continue   # an end of sentence in 1900 precedes the start: another violation
        g = to_graph(IONESCU)
        g.set((subject, lq[prop], Literal(value, datatype=XSD.date)))
        p.write_text(g.serialize(format="turtle"), encoding="utf-8")
        assert main(["validate", str(p)]) == code, value
        out = capsys.readouterr().out
        if code == 6:
            assert f"✘ violation      {where}" in out
            assert f"{where} doit être une date entre 1900-01-01 et 2199-12-31" in out and f"valeur : {value}" in out
        else:
            assert "✘" not in out and "entre 1900-01-01 et 2199-12-31" not in out


@pytest.mark.parametrize("engine", ["compiled", "pyshacl"])
@pytest.mark.parametrize("node, prop, where", [
    ("/detention", "entryDate", "detention.entry_date"),
    ("/sentence", "executionStart", "sentence.execution_start"),
    ("/sentence", "expectedEnd", "sentence.expected_end"),
])
def test_turtle_date_that_does_not_exist_is_a_violation_without_a_trace(tmp_path, capsys, engine, node, prop, where):
    """"2025-02-30"^^xsd:date in a field whose absence is only a warning is still a mistake
    (a -type shape, Violation); rdflib's own warning (a Python trace) is not shown."""
    from rdflib import Literal, Namespace, URIRef
    from rdflib.namespace import XSD
    lq = Namespace("https://w3id.org/lexquery/ontology#")
    g = to_graph(IONESCU)
    g.set((URIRef(f"https://w3id.org/lexquery/case/{IONESCU['id']}{node}"), lq[prop],
           Literal("2025-02-30", datatype=XSD.date)))
    p = tmp_path / "cas.ttl"
    p.write_text(g.serialize(format="turtle"), encoding="utf-8")
    assert main(["validate", str(p), "--engine", engine]) == 6
    out, err = capsys.readouterr()
    assert f"✘ violation      {where}" in out and f"{where} doit être une date ISO 8601 qui existe" in out
    assert "valeur : 2025-02-30" in out
    assert "Traceback" not in err and "Failed to convert" not in err


def test_a_blank_node_for_a_date_is_named_and_pyshacl_says_why_it_stops(tmp_path, capsys):
    """The compiled engine reports the blank node as a value that is not a date; pySHACL (the
    reference) cannot compare it under sh:lessThan: a message with what to do, exit 3, no trace."""
    from rdflib import BNode, Namespace, URIRef
    lq = Namespace("https://w3id.org/lexquery/ontology#")
    g = to_graph(IONESCU)
    g.set((URIRef(f"https://w3id.org/lexquery/case/{IONESCU['id']}/sentence"), lq.expectedEnd, BNode()))
    p = tmp_path / "cas.ttl"
    p.write_text(g.serialize(format="turtle"), encoding="utf-8")
    assert main(["validate", str(p)]) == 6
    out, _ = capsys.readouterr()
    assert "✘ violation      sentence.expected_end" in out and "valeur : un nœud anonyme (_:…), pas une valeur" in out
    assert main(["validate", str(p), "--engine", "pyshacl"]) == 3
    _, err = capsys.readouterr()
    assert "pySHACL ne peut pas valider ces données" in err and "moteur compilé" in err
    assert "Traceback" not in err and "erreur interne" not in err


@pytest.mark.parametrize("engine", ["compiled", "pyshacl"])
@pytest.mark.parametrize("node, where", [("/sentence", "sentence.total"), ("/sentence/convictions/0", "sentence.convictions[0].total")])
def test_turtle_zero_length_is_a_violation_and_an_ill_typed_one_a_single_message(tmp_path, capsys, engine, node, where):
    """Turtle skips the JSON reader: a zero length is refused by the shapes as `ask` refuses it;
    a length that is not one (\"abc\"^^xsd:duration) is one message (its datatype), not two."""
    from rdflib import Literal, Namespace, URIRef
    from rdflib.namespace import XSD
    lq = Namespace("https://w3id.org/lexquery/ontology#")
    subject = URIRef(f"https://w3id.org/lexquery/case/{IONESCU['id']}{node}")
    p = tmp_path / "cas.ttl"
    for value, code in (("P0Y", 6), ("P0M", 6), ("P2Y", 0), ("P10D", 0), ("abc", 6)):
        g = to_graph(IONESCU)
        g.set((subject, lq.totalLength, Literal(value, datatype=XSD.duration)))
        p.write_text(g.serialize(format="turtle"), encoding="utf-8")
        assert main(["validate", str(p), "--engine", engine, "--format", "json"]) == code, value
        results = [x for r in json.loads(capsys.readouterr().out) for x in r["results"]
                   if x["severity"] == "violation"]
        if value.startswith("P0"):
            assert [(x["where"], "ne peut pas être nul" in x["message"]) for x in results] == [(where, True)]
        elif value == "abc":
            assert [x["where"] for x in results] == [where] and "ne peut pas être nul" not in results[0]["message"]
        else:
            assert results == []

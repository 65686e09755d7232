"""The HTTP API (issue 6, docs/web.md): every endpoint's answers against the CLI's, and their errors.

``POST /api/ask`` must give exactly what ``lexquery ask FILE --format json`` prints, for every
file of examples/ (the CLI run in a subprocess, once per file); the other endpoints are
compared with the commands they mirror, run in-process through :func:`lexquery.cli.main`.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from lexquery.cli import main  # noqa: E402
from lexquery.web.app import API, LINKED, create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
SCREENING = ROOT / "tests" / "fixtures" / "screening"
CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]
IONESCU = json.loads((ROOT / "examples" / "ionescu.json").read_text(encoding="utf-8"))
BENALI = json.loads((ROOT / "examples" / "benali-maroc.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def client():
    with TestClient(base_url="http://127.0.0.1", app=create_app()) as c:
        yield c


def cli_stdout(*argv) -> tuple[int, str]:
    """Run ``lexquery ARGV`` in this process; (exit code, standard output)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(list(argv))
    return code, out.getvalue()


def cli_subprocess_json(*argv):
    r = subprocess.run(CLI + list(argv), capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


# ---- /api/ask ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_ask_equals_the_cli_json_for_every_example(client, path):
    expected = cli_subprocess_json("ask", str(path), "--format", "json")
    r = client.post("/api/ask", content=path.read_bytes(), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == expected
    assert r.text == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"   # the same bytes too


def test_ask_examples_are_not_trivially_equal():
    """The comparison above would pass for any server returning [] if examples/ were empty."""
    assert len(EXAMPLES) >= 5


def test_ask_array_as_of_and_english_follow_the_cli(client, tmp_path):
    f = tmp_path / "deux.json"
    f.write_text(json.dumps([IONESCU, BENALI]), encoding="utf-8")
    code, out = cli_stdout("ask", str(f), "--format", "json", "--as-of", "2027-06-01", "--lang", "en")
    assert code == 0
    r = client.post("/api/ask?as_of=2027-06-01&lang=en", json=[IONESCU, BENALI])
    assert r.status_code == 200 and isinstance(r.json(), list) and len(r.json()) == 2
    assert r.json() == json.loads(out)
    # an array of one case is answered as one object, as the CLI does for such a file
    one = client.post("/api/ask", json=[IONESCU]).json()
    assert isinstance(one, dict) and one == client.post("/api/ask", json=IONESCU).json()


def test_ask_text_rendering_is_the_cli_text(client, tmp_path):
    f = tmp_path / "c.json"
    f.write_text(json.dumps(IONESCU), encoding="utf-8")
    _, out = cli_stdout("ask", str(f), "--explain")
    r = client.post("/api/ask?explain=1", json=IONESCU, headers={"Accept": "text/plain"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.text == out
    assert client.post("/api/ask?format=text&explain=1", json=IONESCU).text == out


def test_ask_invalid_case_is_422_with_each_problem_by_json_path(client):
    bad = dict(IONESCU, person=dict(IONESCU["person"], nationalities="RO", birth_date="hier"))
    r = client.post("/api/ask", json=bad)
    assert r.status_code == 422
    err = r.json()["error"]
    wheres = [p["where"] for p in err["problems"]]
    assert "person.nationalities" in " ".join(wheres) and "person.birth_date" in " ".join(wheres)
    assert err["message"] and "Traceback" not in r.text


@pytest.mark.parametrize("body, status, where", [
    (b"{\"id\": ", 400, "1:8"), (b"", 400, "corps"), (b"[]", 400, "$"), (b"[1, 2]", 422, "$[0]"), (b"\"x\"", 422, "$"),
])
def test_ask_unreadable_bodies_say_where(client, body, status, where):
    r = client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == status
    assert r.json()["error"]["where"] == where


@pytest.mark.parametrize("query, where", [("as_of=2026-13-01", "?as_of"), ("explain=peut-être", "?explain"),
                                          ("format=pdf", "?format"), ("lang=de", "?lang")])
def test_ask_bad_parameters_are_400(client, query, where):
    r = client.post(f"/api/ask?{query}", json=IONESCU)
    assert r.status_code == 400 and r.json()["error"]["where"] == where


def test_ask_refuses_other_content_types(client):
    r = client.post("/api/ask", content=b"<case/>", headers={"Content-Type": "application/xml"})
    assert r.status_code == 415 and r.json()["error"]["expected"] == "application/json"
    assert client.get("/api/ask").status_code == 405


# ---- /api/parse -------------------------------------------------------------------------------
@pytest.mark.parametrize("lq", sorted((ROOT / "examples").glob("*.lq")), ids=lambda p: p.name)
def test_parse_lq_gives_the_cases_of_lexquery_convert(client, lq):
    from lexquery.dsl import cases_from_file
    r = client.post("/api/parse", json={"text": lq.read_text(encoding="utf-8"), "syntax": "lq"})
    assert r.status_code == 200, r.text
    assert r.json()["cases"] == json.loads(json.dumps(cases_from_file(lq), default=str))


def test_parse_json_and_errors_with_line_and_column(client):
    r = client.post("/api/parse", json={"text": json.dumps([IONESCU, BENALI]), "syntax": "json"})
    assert r.json()["cases"] == [IONESCU, BENALI]
    r = client.post("/api/parse", json={"text": "cas x\n  nationalités : Roumanie\n  durée totale : beaucoup\n"})   # « trois ans » is read since 1815f2e (lengths in words)
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["line"] == 3 and err["column"] >= 1 and err["message"] and err["expected"]
    r = client.post("/api/parse", json={"text": "{\"id\": 1,\n ]", "syntax": "json"})
    assert r.status_code == 400 and r.json()["error"]["where"] == "2:2"
    assert client.post("/api/parse", json={"text": "x", "syntax": "yaml"}).json()["error"]["where"] == "$.syntax"
    assert client.post("/api/parse", json={"syntax": "lq"}).json()["error"]["where"] == "$.text"


# ---- /api/what-if -----------------------------------------------------------------------------
def test_what_if_answers_before_and_after_as_the_engine(client):
    # a refusal closes the transfer to Morocco: its bilateral convention, like STE 112, requires
    # consent by principle (Circ. 2025 §2.3 al. 3) — dual criminality would not: it is STE 112's
    # condition (art. 3.1.e), not one encoded for the convention (issue 12, item 3)
    changed = json.loads(json.dumps(BENALI))
    changed["consent"]["transfer"] = False
    r = client.post("/api/what-if", json={"case": BENALI, "set": {"consent.transfer": False}})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["before"] == client.post("/api/ask", json=BENALI).json()
    assert d["after"] == client.post("/api/ask", json=changed).json()
    assert [(c["procedure"], c["state"], c["before"], c["after"]) for c in d["changes"]] == [
        ("ste_transfer", "MA", "undetermined", "not_applicable")]   # before: the convention's own terms not encoded


def test_what_if_nothing_changes_and_errors(client):
    r = client.post("/api/what-if", json={"case": IONESCU, "set": {"consent.transfer": True}, "as_of": "2026-12-01"})
    assert r.status_code == 200 and r.json()["changes"] == []
    assert client.post("/api/what-if", json={"set": {}}).json()["error"]["where"] == "$.case"
    r = client.post("/api/what-if", json={"case": IONESCU, "set": {"person.couleur": "bleu"}})
    assert r.status_code == 422 and r.json()["error"]["where"] == "$.set.person.couleur"
    r = client.post("/api/what-if", json={"case": IONESCU, "set": {"person.nationalities": "RO"}})
    assert r.status_code == 422 and any("nationalities" in p["where"] for p in r.json()["error"]["problems"])
    assert client.post("/api/what-if", json={"case": IONESCU, "as_of": "demain"}).json()["error"]["where"] == "$.as_of"


# ---- /api/validate ----------------------------------------------------------------------------
def test_validate_json_gives_the_findings_of_lexquery_validate(client):
    bad = dict(IONESCU, id="bad", person=dict(IONESCU["person"], nationalities="RO"))
    r = client.post("/api/validate", json=[IONESCU, bad])
    assert r.status_code == 200
    cases = r.json()["cases"]
    assert [(c["id"], c["conforms"]) for c in cases] == [("ionescu-2026", True), ("bad", False)]
    code, out = cli_stdout("validate", str(ROOT / "examples" / "ionescu.json"), "--format", "json", "--jobs", "1")
    assert code == 0 and cases[0]["results"] == json.loads(out)["results"]
    assert any(x["where"] == "person.nationalities" and x["severity"] == "violation" for x in cases[1]["results"])


def test_validate_turtle_from_the_body(client):
    from lexquery.caserdf.graph import to_graph
    ttl = to_graph(IONESCU).serialize(format="turtle")
    r = client.post("/api/validate", content=ttl.encode(), headers={"Content-Type": "text/turtle"})
    assert r.status_code == 200, r.text
    assert [(c["id"], c["conforms"]) for c in r.json()["cases"]] == [("ionescu-2026", True)]
    r = client.post("/api/validate", content=b"@prefix lq: <x#> .\n<a> lq:x \"open .\n",
                    headers={"Content-Type": "text/turtle"})
    assert r.status_code == 400 and "Turtle illisible" in r.json()["error"]["message"]
    r = client.post("/api/validate", content=b"{}", headers={"Content-Type": "application/ld+json"})
    assert r.status_code == 415


# ---- /api/screen ------------------------------------------------------------------------------
def _cli_screen(path, fmt):
    code, out = cli_stdout("screen", str(path), "-f", fmt, "--no-progress", "--quiet")
    return out


@pytest.mark.parametrize("name", ["comma.csv", "broken.csv"])
def test_screen_csv_body_and_upload_equal_lexquery_screen(client, name):
    path = SCREENING / name
    expected = _cli_screen(path, "csv")
    r = client.post("/api/screen?format=csv", content=path.read_bytes(), headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.text.replace("\r\n", "\n") == expected.replace("\r\n", "\n")
    assert r.headers["content-disposition"] == 'attachment; filename="lexquery-screening.csv"'
    rows = list(csv.DictReader(io.StringIO(expected), delimiter=expected[len("line")]))   # the input's separator
    assert int(r.headers["x-lexquery-output-rows"]) == len(rows)
    assert int(r.headers["x-lexquery-read"]) == int(r.headers["x-lexquery-answered"]) + int(r.headers["x-lexquery-rejected"])
    up = client.post("/api/screen?format=csv", content=path.read_bytes(), headers={"Content-Type": "application/csv"})
    assert up.status_code == 200 and up.text == r.text


def test_screen_html_and_json_reports(client):
    data = (SCREENING / "comma.csv").read_bytes()
    r = client.post("/api/screen", content=data, headers={"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and "<html" in r.text.lower()
    j = client.post("/api/screen?format=json&as_of=2026-12-01", content=data, headers={"Content-Type": "text/csv"})
    assert j.status_code == 200 and j.json()["summary"]["read"] == int(j.headers["x-lexquery-read"])
    assert j.json()["summary"]["source"] == "upload.csv"


def test_screen_errors(client):
    assert client.post("/api/screen", content=b"", headers={"Content-Type": "text/csv"}).status_code == 400
    r = client.post("/api/screen", content=b"a,b", headers={"Content-Type": "application/pdf"})
    assert r.status_code == 415
    for ctype in ("text/plain", "multipart/form-data; boundary=x", ""):   # no CORS preflight: refused (issue 14 §15)
        r = client.post("/api/screen", content=b"a;b\n", headers={"Content-Type": ctype} if ctype else {})
        assert r.status_code == 415 and r.json()["error"]["where"] == "Content-Type"
    assert client.post("/api/screen?format=xlsx", content=b"a", headers={"Content-Type": "text/csv"}).status_code == 400


# ---- /api/articles, /api/sources --------------------------------------------------------------
@pytest.mark.parametrize("citation", ["729-2", "728-11 al. 5", "D147-24", "STE112 art. 3", "Circ. 2025 §2.2"])
def test_article_is_the_cli_article_json(client, citation):
    code, out = cli_stdout("article", citation, "--at", "2026-12-01", "--format", "json")
    assert code == 0
    r = client.get(f"/api/articles/{citation}", params={"at": "2026-12-01"})
    assert r.status_code == 200, r.text
    assert r.json() == json.loads(out)
    d = r.json()
    assert d["version"]["paragraphs"] and "cited_by" in d and "cites" in d


def test_article_in_english_and_errors(client):
    code, out = cli_stdout("article", "729-2", "--lang", "en", "--format", "json", "--at", "2026-01-01")
    assert client.get("/api/articles/729-2?lang=en&at=2026-01-01").json() == json.loads(out)
    r = client.get("/api/articles/999-99")
    assert r.status_code == 404 and r.json()["error"]["hint"]
    assert client.get("/api/articles/729-2?at=hier").json()["error"]["where"] == "?at"


def test_sources_are_the_cli_sources(client):
    code, out = cli_stdout("sources", "--instrument", "STE112", "--grep", "transf", "--format", "json")
    r = client.get("/api/sources", params={"instrument": "STE112", "q": "transf"})
    assert r.status_code == 200 and r.json() == json.loads(out) and r.json()
    code, out = cli_stdout("sources", "--format", "json")
    assert client.get("/api/sources").json() == json.loads(out)
    r = client.get("/api/sources?instrument=XYZ")
    assert r.status_code == 400 and "CPP" in r.json()["error"]["expected"]


# ---- /api/vocabulary --------------------------------------------------------------------------
def test_vocabulary_is_read_from_the_project_data(client):
    from lexquery.dsl.vocab import FIELDS
    from lexquery.engine.api import load_kb
    from lexquery.engine.case import PROTECTION, REMOVAL_KINDS
    v = client.get("/api/vocabulary").json()
    states = {s["code"]: s for s in v["states"]}
    assert states["RO"] == {"code": "RO", "fr": "Roumanie", "en": "Romania"}
    assert [k["code"] for k in v["removal_kinds"]] == list(REMOVAL_KINDS)
    assert next(k for k in v["removal_kinds"] if k["code"] == "OQTF")["fr"].startswith("obligation de quitter")
    assert [p["code"] for p in v["protection"]] == list(PROTECTION)
    assert [p["code"] for p in v["procedures"]] == list(load_kb().book.procedures)
    assert all(p["fr"] != p["code"] and p["en"] for p in v["procedures"])
    # a rule whose `until` is a deadline says so (rules/prefecture_notice.yaml until_label)
    wording = {p["code"]: p.get("until_label") for p in v["procedures"]}
    assert wording["prefecture_notice"] == {"fr": "avis d'écrou au plus tard le", "en": "committal notice due by"}
    assert wording["lc_expulsion"] is None
    consent = {p["code"]: p["consent"] for p in v["procedures"]}
    assert consent == {pid: p.consent_required is not None for pid, p in load_kb().book.procedures.items()}
    assert consent["prefecture_notice"] is False and consent["ste_transfer"] is True
    paths = [f["path"] for f in v["fields"]]
    assert [p for p in paths if "[]" not in p] == list(FIELDS)
    assert {"removal_measures[].kind", "removal_measures[].destination", "sentence.convictions[].total"} <= set(paths)
    assert all(f["fr"] and f["en"] and f["type"] for f in v["fields"])


# ---- /api/sparql ------------------------------------------------------------------------------
def test_sparql_select_ask_construct(client):
    from lexquery.kb import load_kb
    from lexquery.kb.checks import run_query
    q = "PREFIX eli: <http://data.europa.eu/eli/ontology#> SELECT ?x WHERE { ?x a eli:LegalResource } ORDER BY ?x"
    r = client.get("/api/sparql", params={"query": q})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    vars_, rows = run_query(q, load_kb())
    assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == [row[0] for row in rows] and rows
    assert client.post("/api/sparql", content=b"ASK { ?s ?p ?o }",
                       headers={"Content-Type": "application/sparql-query"}).json()["boolean"] is True
    assert client.post("/api/sparql", data={"query": "ASK { <urn:x> <urn:y> <urn:z> }"}).json()["boolean"] is False
    construct = {"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"}
    c = client.post("/api/sparql", json=construct, headers={"Accept": "application/sparql-results+json"}).json()
    assert c["head"]["vars"] == ["s", "p", "o"] and len(c["results"]["bindings"]) == 3   # asked by name
    r = client.post("/api/sparql", json=construct)      # otherwise RDF (tests/test_web_sparql_protocol.py)
    assert r.headers["content-type"].startswith("text/turtle") and r.text.count(" .\n") >= 3
    assert client.get("/api/sparql").status_code == 400


# ---- OpenAPI, the page ------------------------------------------------------------------------
def _openapi_path(route: str) -> str:
    return route.replace("{citation:path}", "{citation}").replace("{path:path}", "{path}")


def test_openapi_documents_every_route_and_only_those(client):
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    documented = {(p, m.upper()) for p, ops in doc["paths"].items() for m in ops}
    served = {(_openapi_path(p), m) for p, _, methods in API + LINKED for m in methods}
    assert documented == served
    linked = {_openapi_path(p) for p, _, _ in LINKED}
    app_routes = {r.path for r in client.app.routes if r.path.startswith("/api/") or _openapi_path(r.path) in linked}
    assert {_openapi_path(p) for p in app_routes} == {p for p, _ in documented}


def test_openapi_document_is_valid_and_whole(client):
    """Issue 15 §4: openapi-spec-validator finds no error, and no description was cut by YAML
    into a stray key (an unquoted « a, b » in a flow mapping: a key with a space, or a null)."""
    validator = pytest.importorskip("openapi_spec_validator")
    doc = client.get("/openapi.json").json()
    errors = [f"{list(e.path)}: {e.message}" for e in validator.OpenAPIV31SpecValidator(doc).iter_errors()]
    assert errors == []
    stray = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                if " " in k or v is None:
                    stray.append("/".join(path + [k]))
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + [str(i)])
    walk(doc, [])
    assert stray == []
    # the four descriptions the issue found cut are whole
    params = {p.get("name"): p for p in doc["paths"]["/api/ask"]["post"]["parameters"] if "name" in p}
    assert params["explain"]["description"] == "with the text format, the whole reasoning tree"
    assert doc["components"]["parameters"]["as_of"]["description"].endswith("replaces the case's own")


def test_page_and_static_files(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html") and "/static/app.js" in r.text
    assert client.get("/?lang=en").text == r.text
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert client.get("/static/nothing.js").status_code == 404
    nf = client.get("/nowhere")
    assert nf.status_code == 404 and nf.json()["error"]["where"] == "/nowhere"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_real_lexquery_serve_serves_the_page():
    port = _free_port()
    proc = subprocess.Popen(CLI + ["serve", "--port", str(port)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with opener.open(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    body, headers = r.read().decode(), r.headers
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"lexquery serve did not start: {proc.stdout.read() if proc.poll() is not None else ''}")
                time.sleep(0.2)
        assert "<html" in body and headers["X-Frame-Options"] == "DENY"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=15)
    assert f"http://127.0.0.1:{port}/" in out and "attention" not in out

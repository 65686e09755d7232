"""The safety measures of the HTTP API (issue 6, docs/web.md § Security), one test each.

Loopback by default; request-size (413) and time (504) limits; read-only SPARQL with a
timeout, no SERVICE / FROM, a row cap, the worker without network; no file path taken from
a client; security headers; RDF parsed without fetching; JSON depth and size limits; a 500
without traceback.
"""
from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

from lexquery.cli import build_parser  # noqa: E402
from lexquery.commands.serve import is_loopback, loopback_warning  # noqa: E402
from lexquery.web import answers, body, sparql  # noqa: E402
from lexquery.web.app import STATIC, create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IONESCU = json.loads((ROOT / "examples" / "ionescu.json").read_text(encoding="utf-8"))
HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY",
           "cross-origin-opener-policy": "same-origin"}


@pytest.fixture(scope="module")
def client():
    with TestClient(base_url="http://127.0.0.1", app=create_app(), raise_server_exceptions=False) as c:
        yield c


# ---- loopback by default ----------------------------------------------------------------------
def test_serve_listens_on_loopback_by_default_and_warns_otherwise():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert loopback_warning("127.0.0.1") is None
    for host in ("0.0.0.0", "192.168.1.10", "::"):
        assert "attention" in loopback_warning(host) and host in loopback_warning(host)


# ---- security headers -------------------------------------------------------------------------
@pytest.mark.parametrize("method, url", [("GET", "/"), ("GET", "/static/app.js"), ("GET", "/api/vocabulary"),
                                         ("GET", "/api/articles/999-99"), ("GET", "/nowhere"), ("POST", "/api/ask")])
def test_every_response_carries_the_security_headers(client, method, url):
    r = client.request(method, url, content=b"{" if method == "POST" else None,
                       headers={"Content-Type": "application/json"})
    for k, v in HEADERS.items():
        assert r.headers[k] == v, k
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


class _Inline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and not a.get("src"):
            self.found.append("inline <script>")
        self.found += [f"{tag} {k}=" for k in a if k.startswith("on") or k == "style"]
        if tag == "style":
            self.found.append("<style>")
        for k in ("src", "href"):
            if a.get(k, "").startswith(("http:", "https:", "//")):
                self.found.append(f"{tag} {k} to another origin")


def test_the_page_works_under_the_csp_no_inline_script_nothing_elsewhere():
    p = _Inline()
    p.feed((STATIC / "index.html").read_text(encoding="utf-8"))
    assert p.found == []
    for js in STATIC.glob("*.js"):
        text = js.read_text(encoding="utf-8")
        assert not re.search(r"\beval\(|new Function\(|https?://", text), js.name


# ---- request size -----------------------------------------------------------------------------
def test_a_body_over_the_limit_is_413_with_a_message():
    with TestClient(base_url="http://127.0.0.1", app=create_app(json_limit=1000)) as c:
        assert c.post("/api/ask", json=IONESCU).status_code == 200          # ionescu.json: < 1000 bytes
        big = json.dumps(dict(IONESCU, padding="x" * 2000)).encode()
        r = c.post("/api/ask", content=big, headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert "trop grande" in r.json()["error"]["message"] and r.headers["x-frame-options"] == "DENY"

        def chunks():                                                       # no Content-Length: counted as it comes
            for _ in range(10):
                yield b" " * 500
        r = c.post("/api/ask", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413


def test_the_default_limits_are_2_mb_json_and_50_mb_uploads():
    from lexquery.web.limits import JSON_LIMIT, UPLOAD_LIMIT
    assert (JSON_LIMIT, UPLOAD_LIMIT) == (2 * 1024 * 1024, 50 * 1024 * 1024)
    with TestClient(base_url="http://127.0.0.1", app=create_app()) as c:
        r = c.post("/api/ask", content=b" " * (JSON_LIMIT + 1), headers={"Content-Type": "application/json"})
        assert r.status_code == 413


def test_screening_uploads_have_their_own_larger_limit():
    csv = (ROOT / "tests" / "fixtures" / "screening" / "comma.csv").read_bytes()
    with TestClient(base_url="http://127.0.0.1", app=create_app(json_limit=10, upload_limit=len(csv) + 10)) as c:
        assert c.post("/api/screen?format=csv", content=csv, headers={"Content-Type": "text/csv"}).status_code == 200
        r = c.post("/api/screen?format=csv", content=csv * 3, headers={"Content-Type": "text/csv"})
        assert r.status_code == 413


# ---- time limit -------------------------------------------------------------------------------
def test_a_request_over_the_time_limit_is_504_with_a_message(monkeypatch):
    real = answers._render

    def slow(*a, **k):
        time.sleep(1.0)
        return real(*a, **k)
    monkeypatch.setattr(answers, "_render", slow)
    with TestClient(base_url="http://127.0.0.1", app=create_app(time_limit=0.2)) as c:
        t = time.monotonic()
        r = c.post("/api/ask", json=IONESCU)
        assert r.status_code == 504 and time.monotonic() - t < 0.9
        assert "délai dépassé" in r.json()["error"]["message"] and r.json()["error"]["hint"]


# ---- SPARQL -----------------------------------------------------------------------------------
@pytest.mark.parametrize("query, words", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "lecture seule"),
    ("DELETE WHERE { ?s ?p ?o }", "lecture seule"),
    ("DROP ALL", "lecture seule"),
    ("LOAD <http://example.org/data.ttl>", "lecture seule"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * WHERE { OPTIONAL { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } } }", "SERVICE"),
    ("SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://example.org/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("ASK { ?s ?p ?o } ; INSERT DATA { <urn:a> <urn:b> <urn:c> }", "invalide"),
    ("SELECT * WHERE { ?s ?p ?o ", "invalide"),
])
def test_sparql_only_reads_the_kb(client, query, words):
    r = client.get("/api/sparql", params={"query": query})
    assert r.status_code == 400, r.text
    assert words in r.json()["error"]["message"]


def test_sparql_query_text_goes_to_the_parser_as_is(monkeypatch):
    seen = []
    real = sparql.Worker.run

    def spy(self, text, timeout, max_rows=sparql.MAX_ROWS):
        seen.append(text)
        return real(self, text, timeout, max_rows)
    monkeypatch.setattr(sparql.Worker, "run", spy)
    q = 'SELECT ?t WHERE { ?x <http://purl.org/dc/terms/title> ?t FILTER(CONTAINS(STR(?t), "\\"}")) }'
    with TestClient(base_url="http://127.0.0.1", app=create_app()) as c:
        assert c.get("/api/sparql", params={"query": q}).status_code == 200
    assert seen == [q]


def test_sparql_timeout_kills_the_query_and_the_next_one_runs():
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with TestClient(base_url="http://127.0.0.1", app=create_app(sparql_timeout=1.5)) as c:
        c.get("/api/sparql", params={"query": "ASK { ?s ?p ?o }"})           # the worker is up
        t = time.monotonic()
        r = c.get("/api/sparql", params={"query": heavy})
        assert r.status_code == 504 and time.monotonic() - t < 5
        assert "délai dépassé" in r.json()["error"]["message"]
        assert c.get("/api/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_sparql_rows_are_capped(monkeypatch):
    monkeypatch.setattr(sparql, "MAX_ROWS", 7)
    with TestClient(base_url="http://127.0.0.1", app=create_app()) as c:
        d = c.get("/api/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}).json()
        assert len(d["results"]["bindings"]) == 7 and d["truncated"] is True
        d = c.get("/api/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"}).json()
        assert len(d["results"]["bindings"]) == 3 and d["truncated"] is False


def test_the_sparql_worker_opens_no_socket():
    code = ("from lexquery.web.sparql_worker import no_network; import socket, urllib.request\n"
            "no_network()\n"
            "for f in (lambda: socket.create_connection(('127.0.0.1', 9)), lambda: urllib.request.urlopen('http://127.0.0.1:9/')):\n"
            "    try:\n        f(); print('REACHED')\n    except OSError as e:\n        print('refused', e)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.count("refused") == 2 and "REACHED" not in r.stdout, r.stdout + r.stderr


# ---- no file path from a client ---------------------------------------------------------------
@pytest.mark.parametrize("url", ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2fapp.py",
                                 "/static/%2e%2e/%2e%2e/commands/serve.py", "/static//etc/passwd"])
def test_static_files_stay_in_their_folder(client, url):
    r = client.get(url)
    assert r.status_code == 404 and "create_app" not in r.text and "root:" not in r.text


def test_no_endpoint_opens_a_path_given_by_the_client(client, tmp_path):
    r = client.post("/api/ask", json=str(ROOT / "examples" / "ionescu.json"))
    assert r.status_code == 422                                       # a string is not a case, never a file name
    r = client.post("/api/validate", json="/etc/passwd")
    assert r.status_code == 422
    r = client.get("/api/articles/../../../../etc/passwd")
    assert r.status_code == 404 and "root:" not in r.text
    csv = (ROOT / "tests" / "fixtures" / "screening" / "comma.csv").read_bytes()
    target = tmp_path / "pwned.csv"
    r = client.post("/api/screen?format=json", files={"file": (str(target), csv, "text/csv")})
    assert r.status_code == 415 and not target.exists()        # multipart (a client's file name): refused
    r = client.post("/api/screen?format=json", content=csv, headers={"Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json()["summary"]["source"] == "upload.csv" and str(tmp_path) not in r.text


# ---- RDF parsed without fetching -----------------------------------------------------------------
def test_turtle_case_data_is_parsed_without_any_network(client, monkeypatch):
    import socket

    from lexquery.caserdf.graph import to_graph
    calls = []

    def refuse(*a, **k):
        calls.append(a)
        raise OSError("network used")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    ttl = ("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
           "<http://example.org/remote> owl:imports <http://example.org/remote.ttl> .\n"
           + to_graph(IONESCU).serialize(format="turtle"))
    r = client.post("/api/validate", content=ttl.encode(), headers={"Content-Type": "text/turtle"})
    assert r.status_code == 200 and calls == []
    r = client.post("/api/validate", content=b'{"@context": "http://example.org/ctx.jsonld"}',
                    headers={"Content-Type": "application/ld+json"})
    assert r.status_code == 415 and calls == []                            # JSON-LD (remote contexts) not accepted


# ---- JSON depth and size ----------------------------------------------------------------------
@pytest.mark.parametrize("depth", [body.MAX_DEPTH + 1, 100_000])
def test_deep_json_is_refused(client, depth):
    doc = "[" * depth + "]" * depth
    r = client.post("/api/ask", content=doc.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "trop profond" in r.json()["error"]["message"]


def test_json_with_too_many_values_is_refused(client, monkeypatch):
    monkeypatch.setattr(body, "MAX_ITEMS", 50)
    r = client.post("/api/ask", json=[IONESCU] * 10)
    assert r.status_code == 400 and "trop volumineux" in r.json()["error"]["message"]


def test_a_case_at_the_depth_limit_is_still_read(client):
    deep: dict = {}
    node = deep
    for _ in range(body.MAX_DEPTH - 3):
        node["x"] = {}
        node = node["x"]
    r = client.post("/api/ask", json=dict(IONESCU, extensions=deep))
    assert r.status_code == 200


# ---- 500 without traceback ----------------------------------------------------------------------
def test_an_internal_error_gives_an_id_never_a_traceback(client, monkeypatch, caplog):
    def broken(*a, **k):
        raise ValueError("secret detail /srv/lexquery/internal.py")
    monkeypatch.setattr(answers, "_render", broken)
    with caplog.at_level(logging.ERROR, logger="lexquery.web"):
        r = client.post("/api/ask", json=IONESCU)
    assert r.status_code == 500
    err = r.json()["error"]
    assert "Traceback" not in r.text and "secret" not in r.text and "internal.py" not in r.text
    assert re.fullmatch(r"[0-9a-f]{12}", err["id"]) and err["id"] in err["message"]
    assert any(err["id"] in rec.getMessage() and rec.exc_info for rec in caplog.records)
    assert r.headers["x-content-type-options"] == "nosniff"

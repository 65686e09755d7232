"""``GET|POST /api/sparql``: read-only SPARQL 1.1 over the KB graph, with a timeout and a row cap.

The query text goes as-is to rdflib's SPARQL parser (never concatenated into another query):
only SELECT, ASK, CONSTRUCT and DESCRIBE are accepted (an update does not parse as a query),
and a query naming a dataset (``FROM``, ``FROM NAMED``) or a remote endpoint (``SERVICE``)
is refused, so that no query makes the server fetch anything. It runs in a separate worker
process holding the dataset of ``lexquery kb query`` (KB graph, ontologies, ELI in
``<urn:lexquery:eli>``); past the time limit that process is killed (504) and a new one is
started for the next query. At most ``MAX_ROWS`` rows or triples (JSON: ``"truncated": true``;
every format: the header ``X-Lexquery-Truncated: true``).

SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/): query via GET ``?query=``,
POST form (``application/x-www-form-urlencoded``) or POST ``application/sparql-query`` (and,
for the page, JSON ``{"query"}``); the answer's format follows ``Accept`` (§2.1.4) — SELECT /
ASK in JSON, XML, CSV, TSV; CONSTRUCT / DESCRIBE in Turtle, N-Triples, JSON-LD, RDF/XML — and
a format the server cannot give is a 406 naming those it can (:mod:`.sparql_formats`). The
query is checked and the format chosen before anything runs.
"""
from __future__ import annotations

import threading
import time

from starlette.responses import Response

from . import sparql_formats as F
from .errors import ApiError
from .negotiate import choose
from .limits import run_limited

MAX_QUERY = 64 * 1024      # characters
MAX_ROWS = 10_000
TIMEOUT = 10.0             # seconds
READ_ONLY = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


def _walk(node):
    """Every node of an rdflib parse tree / algebra (CompValue, lists, dicts)."""
    from pyparsing import ParseResults
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        if isinstance(n, dict):
            stack.extend(n.values())
        elif isinstance(n, (list, tuple, ParseResults)):
            stack.extend(list(n))


def check(text: str) -> str:
    """The query's form (SELECT, ASK, …) after parsing; ApiError 400 when it is not allowed."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    if not text.strip():
        raise ApiError(400, "requête SPARQL vide", where="query", expected="SELECT, ASK, CONSTRUCT ou DESCRIBE",
                       message_en="empty SPARQL query", expected_en="SELECT, ASK, CONSTRUCT or DESCRIBE")
    if len(text) > MAX_QUERY:
        raise ApiError(413, f"requête SPARQL trop longue : plus de {MAX_QUERY} caractères", where="query",
                       message_en=f"SPARQL query too long: more than {MAX_QUERY} characters")
    try:
        tree = parseQuery(text)
    except ParseException as e:
        if _looks_like_update(text):
            raise ApiError(400, "mise à jour refusée : l'accès SPARQL est en lecture seule", where="query",
                           expected="SELECT, ASK, CONSTRUCT ou DESCRIBE",
                           hint="la base se modifie dans law/, rules/, reference/ (fichiers suivis par git)",
                           message_en="update refused: SPARQL access is read-only", expected_en="SELECT, ASK, CONSTRUCT or DESCRIBE",
                           hint_en="the KB is changed in law/, rules/, reference/ (files tracked by git)") from None
        raise ApiError(400, f"requête SPARQL invalide : {e.msg}", where=f"{e.lineno}:{e.col}",
                       expected="une requête SPARQL 1.1 (SELECT, ASK, CONSTRUCT, DESCRIBE)",
                       hint="vérifiez la syntaxe à cette ligne (préfixes déclarés, accolades, points)",
                       message_en=f"invalid SPARQL query: {e.msg}",
                       expected_en="a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE)",
                       hint_en="check the syntax on this line (declared prefixes, braces, dots)") from None
    except RecursionError:
        raise ApiError(400, "requête SPARQL trop imbriquée", where="query",
                       message_en="SPARQL query nested too deep") from None
    for n in _walk(tree):
        name = getattr(n, "name", None)
        if name == "ServiceGraphPattern":
            raise ApiError(400, "SERVICE refusé : le serveur n'interroge aucun autre point d'accès", where="query",
                           hint="retirez le bloc SERVICE",
                           message_en="SERVICE refused: the server queries no other endpoint",
                           hint_en="remove the SERVICE block")
        if name == "DatasetClause":
            raise ApiError(400, "FROM / FROM NAMED refusés : la requête porte sur le graphe de la base seulement",
                           where="query", hint="retirez FROM … ; le graphe ELI est nommé <urn:lexquery:eli> (GRAPH)",
                           message_en="FROM / FROM NAMED refused: the query is on the KB's graph only",
                           hint_en="remove FROM …; the ELI graph is named <urn:lexquery:eli> (GRAPH)")
    try:
        q = translateQuery(tree)
    except Exception as e:  # rdflib's algebra errors: the query is wrong, say so
        raise ApiError(400, f"requête SPARQL invalide : {e}", where="query",
                       message_en=f"invalid SPARQL query: {e}") from None
    form = READ_ONLY.get(q.algebra.name)
    if form is None:
        raise ApiError(400, f"forme de requête refusée : {q.algebra.name}", where="query",
                       expected="SELECT, ASK, CONSTRUCT ou DESCRIBE",
                       message_en=f"query form refused: {q.algebra.name}", expected_en="SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form


def _looks_like_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate
    try:
        parseUpdate(text)
        return True
    except Exception:  # pyparsing's ParseException, RecursionError: not an update either
        return False


# ---- the worker process --------------------------------------------------------------------
class Worker:
    """One query at a time in a child process (:mod:`.sparql_worker`, JSON lines over its pipes);
    killed and replaced when a query runs too long."""

    def __init__(self):
        self.lock = threading.Lock()
        self.proc = None

    def _start(self):
        import subprocess
        import sys
        self.proc = subprocess.Popen([sys.executable, "-m", "lexquery.web.sparql_worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, encoding="utf-8")
        if self._wait(120) is None:
            self.stop()
            raise RuntimeError("the SPARQL worker did not start")

    def _wait(self, seconds: float):
        """The next line of the worker as JSON, or None after ``seconds``."""
        import json
        import select
        ready, _, _ = select.select([self.proc.stdout], [], [], max(0.0, seconds))
        if not ready:
            return None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the SPARQL worker stopped")
        return json.loads(line)

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)
            for f in (self.proc.stdin, self.proc.stdout):
                f.close()
        self.proc = None

    def run(self, text: str, timeout: float, max_rows: int = MAX_ROWS) -> dict:
        import json
        if not self.lock.acquire(timeout=timeout):
            raise _Timeout()
        try:
            if self.proc is None or self.proc.poll() is not None:
                self.stop()
                self._start()
            deadline = time.monotonic() + timeout
            self.proc.stdin.write(json.dumps({"query": text, "max_rows": max_rows}) + "\n")
            self.proc.stdin.flush()
            reply = self._wait(deadline - time.monotonic())
            if reply is None:
                self.stop()   # the only way to end a runaway query: end its process
                raise _Timeout()
        finally:
            self.lock.release()
        if "error" in reply:
            raise ApiError(400, f"la requête a échoué à l'évaluation : {reply['error']}", where="query",
                           message_en=f"the query failed in evaluation: {reply['error']}")
        return reply["result"]


class _Timeout(Exception):
    pass


_WORKER = Worker()


def run_query(text: str, timeout: float = TIMEOUT) -> dict:
    try:
        return _WORKER.run(text, timeout, MAX_ROWS)
    except _Timeout:
        raise ApiError(504, f"délai dépassé : la requête SPARQL a pris plus de {timeout:g} s", where="query",
                       hint="restreignez la requête (motifs plus précis, LIMIT)",
                       message_en=f"time out: the SPARQL query took more than {timeout:g} s",
                       hint_en="narrow the query (more precise patterns, LIMIT)") from None


async def sparql(request):
    """GET /api/sparql?query=… or POST (application/sparql-query body, or form / JSON {"query"})."""
    text = request.query_params.get("query")
    if request.method == "POST" and text is None:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/sparql-query":
            text = (await request.body()).decode("utf-8", errors="replace")
        elif ctype == "application/x-www-form-urlencoded":
            # SPARQLWrapper adds format, output, results… beside query (ignored: Accept decides)
            async with request.form(max_files=0, max_fields=32) as form:
                text = form.get("query")
        elif ctype in ("application/json", ""):
            from .body import read_json
            body = await read_json(request, '{"query": "SELECT …"}')
            text = body.get("query") if isinstance(body, dict) else None
        else:
            raise ApiError(415, f"type de contenu non pris en charge : {ctype}", where="Content-Type",
                           expected="application/sparql-query, application/x-www-form-urlencoded ou application/json",
                           message_en=f"content type not supported: {ctype}",
                           expected_en="application/sparql-query, application/x-www-form-urlencoded or application/json")
    if not isinstance(text, str):
        raise ApiError(400, "paramètre « query » manquant", where="query", expected="?query=SELECT …",
                       message_en="parameter « query » missing", expected_en="?query=SELECT …")
    form = check(text)
    media = negotiate(form, request.headers.get("accept"))
    timeout = request.app.state.sparql_timeout
    res = await run_limited(request, run_query, text, timeout, limit=timeout + 5)
    truncated = bool(res.get("truncated"))
    if "graph" in res:
        body = await run_limited(request, F.render_graph, res["graph"], media, truncated, limit=timeout + 5)
    else:
        body = F.render_results(res, media)
    ctype = media + ("; charset=utf-8" if media.startswith("text/") or media == F.NTRIPLES else "")
    headers = {"Vary": "Accept"}
    if truncated:
        headers["X-Lexquery-Truncated"] = "true"
    return Response(body, media_type=ctype, headers=headers)


def negotiate(form: str, accept: str | None) -> str:
    """The format of the answer (SPARQL 1.1 Protocol §2.1.4); ApiError 406 naming the formats
    this form can be given in. CSV and TSV define no form for ASK (W3C CSV/TSV results §1)."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    offers = dict(F.GRAPH_OFFERS if graph else F.RESULT_OFFERS)
    if form == "ASK":
        offers = {k: v for k, v in offers.items() if v not in (F.CSV, F.TSV)}
    if graph:   # the former ?s ?p ?o bindings only when asked by name, never through */*
        explicit = any(r == F.JSON and q > 0 for r, q, _ in _ranges(accept))
        if not explicit:
            offers.pop(F.JSON)
    got = choose(accept, list(offers))
    if got is None:
        can = sorted({v for v in offers.values()})
        raise ApiError(406, f"format non disponible pour une requête {form} : {accept}", where="Accept",
                       expected=", ".join(can),
                       hint="SELECT / ASK : résultats JSON, XML (CSV, TSV : SELECT seulement) ; "
                            "CONSTRUCT / DESCRIBE : Turtle, N-Triples, JSON-LD, RDF/XML",
                       message_en=f"format not available for a {form} query: {accept}", expected_en=", ".join(can),
                       hint_en="SELECT / ASK: JSON, XML results (CSV, TSV: SELECT only); "
                               "CONSTRUCT / DESCRIBE: Turtle, N-Triples, JSON-LD, RDF/XML")
    return offers[got]


def _ranges(accept):
    from .negotiate import parse_accept
    return parse_accept(accept)


def shutdown():
    _WORKER.stop()

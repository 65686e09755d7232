"""`lexquery validate FILE [--format text|json|turtle|jsonld] [--lang fr|en] [--jobs N] [--engine E] [--timing]`.

Checks case data — one JSON case or an array (``.json``), JSON Lines (``.jsonl``), the
screening CSV (``.csv``) or RDF in Turtle (``.ttl``) — in two stages: the JSON reader
(unknown keys, wrong types, values outside an enumeration — each with its JSON path; CSV
cells and JSON lines that cannot be read are findings of their row), then the SHACL case
shapes (``shapes/case-shapes.ttl``: impossible data as violations, missing facts that a
procedure needs as warnings / infos, each naming the provision). Prints, case by case as
they are validated (streamed: .jsonl and .csv of any length in flat memory): where (JSON
path), what, what was expected, what to do. JSON, JSON Lines and .lq are read by
:mod:`lexquery.casefiles` (nesting limit, repeated keys refused; a value that is not an object or an
identifier already used in the file is a finding of its case); ``--format json`` gives an
object for one JSON object, an array otherwise (even for an array of one case); a file
without any case is an error (exit 3). ``--engine pyshacl`` runs the reference
engine instead of the shapes compiled once (same findings, tests/test_validate_engine.py).
``--format turtle|jsonld`` gives the reports as W3C SHACL validation reports
(:mod:`lexquery.caserdf.report_rdf`), written once every case is validated.
Exit 0 when no case has a violation; 6 (ValidationFailed) otherwise.
"""
from __future__ import annotations

import json
import sys
import gc
import time
from contextlib import contextmanager
from functools import partial

from ..errors import ValidationFailed

RDF_FORMATS = ("turtle", "jsonld")
_MARK = {"violation": "✘ violation", "warning": "! avertissement", "info": "· info"}
_MARK_EN = {"violation": "✘ violation", "warning": "! warning", "info": "· info"}


EPILOG = """\
deux étapes : la lecture (clés inconnues, types, valeurs hors énumération, chacune avec son
chemin JSON), puis les formes SHACL des cas (shapes/case-shapes.ttl : données impossibles =
violations, faits manquants qu'une procédure demande = avertissements ou infos). Fichiers :
.json (un cas ou un tableau), .jsonl, .lq, le CSV de criblage (.csv), Turtle (.ttl, termes de
src/lexquery/data/case-context.jsonld). Code de sortie : 0 sans violation (les avertissements
n'y changent rien), 6 si un cas a une violation, 3 pour une entrée illisible ou sans cas,
5 pour un fichier introuvable.

exemples :
  lexquery validate examples/ionescu.json              conforme, avec ses avertissements et infos
  lexquery validate examples/ionescu.lq --lang en      le langage lexquery ; messages en anglais
  lexquery validate examples/ionescu.json --format json
  lexquery validate examples/ionescu.json --format turtle    le rapport de validation SHACL (W3C) en Turtle
  lexquery validate examples/ionescu.json --engine pyshacl   le moteur de référence (plus lent)
  lexquery validate examples/invalid/fin-de-peine-avant-debut.json   une violation : code 6
  lexquery synth 200 --seed 1 > registre.csv           un export synthétique de 200 détenus
  lexquery validate registre.csv --timing              un CSV de criblage ; la durée sur stderr
"""


def register(sub):
    import argparse
    p = sub.add_parser("validate", help="valider des cas (format JSON puis formes SHACL), chemin JSON par chemin JSON",
                       description="Valider des données de cas : le format des cas, chemin JSON par chemin JSON, "
                                   "puis les formes SHACL des cas.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("case", help="fichier de cas (.json, tableau JSON, .jsonl, .csv, .ttl) ou - pour l'entrée standard (JSON)")
    p.add_argument("--format", "-f", choices=["text", "json", "turtle", "jsonld"], default="text",
                   help="text (défaut), json, ou le rapport de validation SHACL en RDF (turtle, jsonld)")
    from .options import add_lang
    add_lang(p)
    p.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                   help="processus de validation (défaut : les processeurs disponibles)")
    p.add_argument("--engine", choices=["compiled", "pyshacl"], default=None,
                   help="moteur SHACL : formes compilées (défaut) ou pySHACL (référence, plus lent)")
    p.add_argument("--timing", action="store_true", help="afficher le temps de validation sur la sortie d'erreur")
    p.set_defaults(func=run)


def render_text(reports, lang="fr") -> str:
    lines = []
    for rep in reports:
        res = rep["results"]
        counts = {k: sum(r["severity"] == k for r in res) for k in ("violation", "warning", "info")}
        head = f"{rep['source']} — cas « {rep['case']} » : " if lang == "fr" else f"{rep['source']} — case \"{rep['case']}\": "
        if lang == "fr":
            head += (f"{'conforme' if rep['conforms'] else 'NON CONFORME'} ({counts['violation']} violation(s), "
                     f"{counts['warning']} avertissement(s), {counts['info']} info(s))")
        else:
            head += (f"{'conforms' if rep['conforms'] else 'DOES NOT CONFORM'} ({counts['violation']} violation(s), "
                     f"{counts['warning']} warning(s), {counts['info']} info(s))")
        lines.append(head)
        for r in res:
            msg = (r["message_en"] or r["message"]) if lang == "en" else r["message"]
            lines.append(f"  {(_MARK_EN if lang == 'en' else _MARK)[r['severity']]:<16} {r['where']}")
            lines.append(f"      {msg}")
            if r.get("value") is not None:
                lines.append(f"      = {'valeur' if lang == 'fr' else 'value'} : {r['value']}")
            expected = (r.get("expected_en") or r.get("expected")) if lang == "en" else r.get("expected")
            if expected:
                lines.append(f"      = {'attendu' if lang == 'fr' else 'expected'} : {expected}")
            hint = (r.get("hint_en") or r.get("hint")) if lang == "en" else r.get("hint")
            if hint:
                lines.append(f"      = {'que faire' if lang == 'fr' else 'what to do'} : {hint}")
    return "\n".join(lines)


def _report(item, results) -> dict:
    from ..caserdf import conforms
    return {"case": item.case_id, "source": item.source, "conforms": conforms(results),
            "results": [r.to_dict() for r in results]}


def render_case(fmt: str, lang: str, item, results) -> tuple[str, bool]:
    """One case's report as output text (JSON, or text), and whether it conforms."""
    rep = _report(item, results)
    text = dump_json(rep) if fmt == "json" else render_text([rep], lang)
    return text, rep["conforms"]


_dumps = json.JSONEncoder(ensure_ascii=False).encode   # the C encoder (indent=… falls back to Python)


def dump_json(value, level: int = 0) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, byte for byte, about 3 × faster."""
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{\n" + ",\n".join(f"{inner}{_dumps(str(k))}: {dump_json(v, level + 1)}" for k, v in value.items()) + f"\n{pad}}}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + dump_json(v, level + 1) for v in value) + f"\n{pad}]"
    return _dumps(value)


@contextmanager
def _quiet_gc():
    """Validation allocates many short-lived objects: keep the start-up objects out of the
    collector's scans (``gc.freeze``) and collect less often (≈ 15 % less CPU, docs/validation.md);
    restored afterwards (the command may run inside a longer process: tests, the REPL)."""
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def _reports(args):
    """(single, reports iterator): reports streamed in input order."""
    from ..caserdf.inputs import kind_of, read_items, read_turtle
    fmt = "json" if args.format in RDF_FORMATS else args.format   # RDF: built from the JSON reports
    if kind_of(args.case) == "turtle":
        label, g = read_turtle(args.case)
        return False, _turtle_reports(label, g, args.engine, fmt, args.lang)
    from ..caserdf.stream import validate_stream
    if kind_of(args.case) == "csv":
        label, items, single = read_items(args.case)
    else:
        single, items = _case_items(args.case)
    render = partial(render_case, fmt, args.lang)
    return single, (out for _, out in validate_stream(items, jobs=args.jobs, engine=args.engine, render=render))


def _case_items(path: str):
    """(single, items) of a .json (object or array), .jsonl (streamed) or .lq file, read by
    :mod:`lexquery.casefiles`: a value that is not an object, a line that cannot be read, or an
    identifier already used in the file is a finding of its case (the others are validated)."""
    from ..caserdf.inputs import kind_of
    from ..caserdf.stream import Item
    from ..casefiles.batch import iter_jsonl, read_batch

    def item(e):
        readable = isinstance(e.raw, dict)
        return Item(e.source, e.raw if readable else None, e.problems, case_id=e.case_id)

    if kind_of(path) == "jsonl" and path != "-":
        return False, (item(e) for e in iter_jsonl(path))
    if path == "-":
        from ..casefiles.load import read_stdin_cases
    batch = read_batch(path, read_stdin_cases() if path == "-" else None)
    return not batch.many, (item(e) for e in batch.entries)


def _turtle_reports(label, g, engine, fmt, lang):
    """One report per lq:Case of the graph (by IRI), its findings those of the nodes it links to."""
    from rdflib import URIRef
    from rdflib.namespace import RDF
    from ..caserdf import conforms
    from ..caserdf.graph import LQ
    from ..caserdf.validate import _merge, findings, report
    from ..caserdf.shapes_core import Data
    data = Data.of_graph(g)
    cases = sorted(str(c) for c in g.subjects(RDF.type, LQ.Case))
    owner = _owners(g, cases)
    per_case = report(findings(g if engine == "pyshacl" else data, engine), data, lambda n: owner.get(n))
    for iri in cases + sorted(k for k in per_case if k not in cases):
        res = _merge([], per_case.get(iri, []))   # the order of every report: severity, path, message
        cid = g.value(URIRef(iri), LQ.caseId) if iri else None
        rep = {"case": str(cid) if cid is not None else None, "source": f"{label} <{iri}>" if iri else label,
               "conforms": conforms(res), "results": [r.to_dict() for r in res]}
        yield (dump_json(rep) if fmt == "json" else render_text([rep], lang)), rep["conforms"]


def _owners(g, cases) -> dict:
    """Node -> the case IRI it hangs from (breadth-first from each lq:Case along its links)."""
    from rdflib import Literal, URIRef
    owner: dict = {}
    for c in cases:
        todo = [URIRef(c)]
        while todo:
            n = todo.pop()
            if n in owner:
                continue
            owner[n] = c
            todo.extend(o for o in g.objects(n, None) if not isinstance(o, Literal) and o not in owner)
    return owner


def run(args) -> int:
    with _quiet_gc():
        return _run(args)


def _run(args) -> int:
    t0 = time.perf_counter()
    single, reports = _reports(args)
    n = failed = 0
    out = sys.stdout
    rdf = [] if args.format in RDF_FORMATS else None
    for text, ok in reports:
        if rdf is not None:
            rdf.append(json.loads(text))
        elif args.format == "json":
            if single:
                out.write(text + "\n")
            else:
                out.write(("," if n else "[") + "\n  " + text.replace("\n", "\n  "))
        else:
            out.write(text + "\n")
        n += 1
        failed += not ok
    if not n:
        from ..casefiles.batch import no_case
        from ..caserdf.inputs import kind_of
        kind = "lq" if args.case.endswith(".lq") else kind_of(args.case)
        raise no_case(args.case if args.case != "-" else "<stdin>", kind)
    if args.format == "json" and not single:
        out.write("\n]\n")
    if rdf is not None:
        from ..caserdf.report_rdf import render_report
        out.write(render_report(rdf, args.format))
    elapsed = time.perf_counter() - t0
    if args.timing:
        print(f"validation : {n} cas en {elapsed * 1000:.0f} ms ({elapsed * 1000 / max(n, 1):.2f} ms/cas)", file=sys.stderr)
    if failed:
        raise ValidationFailed(f"{failed} cas sur {n} non conforme(s)",
                               hint="corriger les violations signalées ci-dessus (chemin JSON, attendu, que faire)")
    return 0


ENGLISH = {"validate": {
    "help": "validate cases (JSON format, then SHACL shapes), JSON path by JSON path",
    "description": "Validate case data: the case format, JSON path by JSON path, then the cases' SHACL shapes.",
    "epilog": """\
two steps: the reading (unknown keys, types, values outside an enumeration, each with its JSON
path), then the cases' SHACL shapes (shapes/case-shapes.ttl: impossible data = violations, missing
facts a procedure asks for = warnings or infos). Files: .json (one case or an array), .jsonl,
.lq, the screening CSV (.csv), Turtle (.ttl, terms of src/lexquery/data/case-context.jsonld).
Exit code: 0 without a violation (warnings change nothing), 6 when a case has a violation, 3 for
an unreadable input or one without a case, 5 for a file not found.

examples:
  lexquery validate examples/ionescu.json --lang en    conforms, with its warnings and infos
  lexquery validate examples/ionescu.lq --lang en      the lexquery language; messages in English
  lexquery validate examples/ionescu.json --format json
  lexquery validate examples/ionescu.json --format turtle    the SHACL validation report (W3C) in Turtle
  lexquery validate examples/ionescu.json --engine pyshacl   the reference engine (slower)
  lexquery synth 200 --seed 1 -o registry.csv          a synthetic export of 200 detainees
  lexquery validate registry.csv --timing              a screening CSV; the time on stderr
""",
    "options": {"case": "case file (.json, JSON array, .jsonl, .csv, .ttl) or - for standard input (JSON)",
                "--format": "text (default), json, or the SHACL validation report in RDF (turtle, jsonld)",
                "--jobs": "validation processes (default: the processors available)",
                "--engine": "SHACL engine: compiled shapes (default) or pySHACL (reference, slower)",
                "--timing": "show the validation time on the error output"},
}}

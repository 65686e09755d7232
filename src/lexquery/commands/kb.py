"""`lexquery kb check | query | export | coverage` — the knowledge base as code.

- ``check``: SHACL + SPARQL (checks/*.rq) + OWL (HermiT) + reference data; exit 0, or
  ValidationFailed (exit 6) listing each violation (what, where, what to do);
- ``query FILE.rq``: run SPARQL over the KB graph (+ ontologies, ELI in <urn:lexquery:eli>);
- ``export``: the KB graph as Turtle or JSON-LD;
- ``coverage``: regenerate docs/coverage.md (the provisions' coverage, then the rule ids).
"""
from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

from ..errors import NotFoundError, UsageError, ValidationFailed
from ..paths import home


EPILOG = """\
exemples :
  lexquery kb check                                    tous les contrôles de la base
  lexquery kb query checks/eli-terms.rq                une requête SPARQL sur le graphe de la base
  lexquery kb export -o base.ttl                       le graphe de la base en Turtle
  lexquery kb coverage -o couverture.md                la couverture des dispositions par les règles
  lexquery kb check --help                             les options d'une action
"""

EPILOG_CHECK = """\
familles : shacl (shapes/kb-shapes.ttl), sparql (checks/*.rq), owl (HermiT, Java nécessaire ;
résultat mis en cache), reference (reference/*.yaml), law (les citations des règles contre la
version du texte en vigueur sur leur période ; chiffres : textes tronqués utilisés, liens
officiels manquants, alinéas absents — objectif 0 chacun).
code de sortie : 0 si la base est conforme (les avertissements n'y changent rien), 6 si un
contrôle trouve une violation (chacune : quoi, où, que faire), 4 si law/ ou rules/ ne se
chargent pas ou si aucun contrôle n'a pu être lancé (dossiers de la base absents).

exemples :
  lexquery kb check                                    tous les contrôles, avertissements résumés
  lexquery kb check --only shacl,reference             quelques familles seulement
  lexquery kb check --only sparql --warnings           chaque avertissement, pas seulement le résumé
  lexquery kb check --only reference --format json     le rapport en JSON
  lexquery kb check --only owl --no-cache              relancer HermiT sans le cache
"""

EPILOG_QUERY = """\
le graphe interrogé : la base (law/, rules/), les ontologies (ontology/*.ttl), les formes
shapes/kb-shapes.ttl et l'ontologie ELI officielle dans le graphe nommé <urn:lexquery:eli>.
un nom de fichier absent du dossier courant est cherché dans checks/. code de sortie : 0,
3 pour une requête SPARQL invalide, 5 pour un fichier introuvable.

exemples :
  lexquery kb query checks/eli-terms.rq                un contrôle de checks/, en tableau
  lexquery kb query duplicate-article.rq --format csv  trouvé dans checks/ ; le résultat en CSV
  lexquery kb query checks/procedure-without-rules.rq --format json
  lexquery kb query duplicate-article.rq --format tsv  des valeurs séparées par des tabulations
  echo 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' | lexquery kb query -
"""

EPILOG_EXPORT = """\
exemples :
  lexquery kb export                                   le graphe en Turtle sur la sortie standard
  lexquery kb export -o base.ttl                       dans un fichier
  lexquery kb export --format jsonld -o base.jsonld    en JSON-LD
"""

EPILOG_COVERAGE = """\
exemples :
  lexquery kb coverage                                 réécrire docs/coverage.md
  lexquery kb coverage --check                         code 6 si docs/coverage.md n'est pas à jour
  lexquery kb coverage -o -                            le Markdown sur la sortie standard
  lexquery kb coverage -o couverture.md                dans un autre fichier
"""


def register(subparsers):
    from .groups import add_action, add_group
    sub = add_group(subparsers, "kb", help="base de connaissances : contrôles, requêtes, export, couverture",
                    description="Base de connaissances (law/, rules/, ontology/) : contrôles, SPARQL, export, couverture.",
                    epilog=EPILOG)
    c = add_action(sub, "check", cmd_check, help="contrôler la base (SHACL, SPARQL, OWL, données de référence)",
                   description="Contrôler la base de connaissances : formes SHACL, requêtes SPARQL de checks/, "
                               "cohérence OWL (HermiT) et données de référence.",
                   epilog=EPILOG_CHECK)
    c.add_argument("--only", help="familles à lancer, séparées par des virgules : shacl,sparql,owl,reference,law")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.add_argument("--no-cache", action="store_true", help="reconstruire sans cache")
    c.add_argument("--warnings", action="store_true", help="afficher chaque avertissement (sinon : un résumé)")
    q = add_action(sub, "query", cmd_query, help="lancer une requête SPARQL sur le graphe de la base",
                   description="Lancer une requête SPARQL (fichier .rq ou entrée standard) sur le graphe de "
                               "la base de connaissances.",
                   epilog=EPILOG_QUERY)
    q.add_argument("file", help="fichier .rq (ou '-' pour l'entrée standard)")
    q.add_argument("--format", choices=["table", "csv", "tsv", "json"], default="table")
    e = add_action(sub, "export", cmd_export, help="exporter le graphe de la base (Turtle, JSON-LD)",
                   description="Exporter le graphe de la base de connaissances en Turtle ou en JSON-LD.",
                   epilog=EPILOG_EXPORT)
    e.add_argument("--format", choices=["turtle", "jsonld"], default="turtle")
    e.add_argument("-o", "--output", help="fichier de sortie (défaut : sortie standard)")
    v = add_action(sub, "coverage", cmd_coverage, help="régénérer docs/coverage.md",
                   description="Régénérer docs/coverage.md, la couverture des dispositions de la base par "
                               "les règles puis les identifiants des règles (procédures, voies, conditions, "
                               "notes, fondements), ou vérifier qu'il est à jour.",
                   epilog=EPILOG_COVERAGE)
    v.add_argument("-o", "--output", help="fichier (défaut : docs/coverage.md ; '-' : sortie standard)")
    v.add_argument("--check", action="store_true", help="échouer si docs/coverage.md n'est pas à jour")


def cmd_check(args) -> int:
    from ..kb.checks import FAMILIES, run_checks
    only = None
    if args.only:
        only = {x.strip() for x in args.only.split(",") if x.strip()}
        bad = only - set(FAMILIES)
        if bad:
            raise UsageError(f"famille de contrôles inconnue : {', '.join(sorted(bad))}", expected=", ".join(FAMILIES),
                             message_en=f"unknown check family: {', '.join(sorted(bad))}", expected_en=", ".join(FAMILIES))
    rep = run_checks(only=only, use_cache=not args.no_cache)
    if args.format == "json":
        print(json.dumps(rep.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(render_report(rep, show_warnings=args.warnings, lang=args.lang))
    if not rep.ran:   # every family skipped: a pass would say « conforme » having checked nothing
        from ..errors import KnowledgeBaseError
        why = "; ".join(f"{c} : {w}" for c, w in rep.skipped) or "aucune famille demandée"
        err = KnowledgeBaseError(f"aucun contrôle lancé / no check ran ({why})", where=str(home()),
                                 expected="les dossiers shapes/, checks/, ontology/, reference/ de la base",
                                 hint="lancer depuis le dépôt, installer le paquet complet (la roue contient la "
                                      "base), ou donner le dossier de la base dans LEXQUERY_HOME",
                                 message_en=f"no check ran ({in_lang(why, 'en')})",
                                 expected_en="the KB's folders shapes/, checks/, ontology/, reference/",
                                 hint_en="run from the repository, install the whole package (the wheel holds the KB), "
                                         "or give the KB's folder in LEXQUERY_HOME")
        if args.format == "json":
            err.render = lambda lang="fr": (f"erreur: {err.message}" if lang == "fr" else f"error: {err.message_en}")
        raise err
    if not rep.ok:
        err = ValidationFailed(f"{len(rep.errors)} violation(s) dans la base de connaissances / KB check failed",
                               hint="corriger chaque point ci-dessus puis relancer `lexquery kb check`",
                               message_en=f"{len(rep.errors)} violation(s) in the knowledge base: KB check failed",
                               hint_en="fix each point above, then run `lexquery kb check` again")
        if args.format == "json":
            err.render = lambda lang="fr": (f"erreur: {err.message}" if lang == "fr" else f"error: {err.message_en}")
        raise err
    return 0


REPORT_WORDS = {
    "fr": {"title": "Contrôle de la base de connaissances / knowledge base check", "skipped": "non lancé / skipped",
           "violations": "Violations", "where": "où / where", "fix": "à faire / fix",
           "warnings": "Avertissements / warnings", "detail": "(détail : --warnings)",
           "figures": "Chiffres / figures (objectif 0 / goal 0) :", "none_ran": "✘ aucun contrôle lancé / no check ran",
           "ok": "✔ base conforme / KB OK", "checks": "contrôles / checks", "n_warnings": "avertissement(s) / warning(s)",
           "colon": " :"},
    "en": {"title": "Knowledge base check", "skipped": "skipped", "violations": "Violations", "where": "where",
           "fix": "fix", "warnings": "Warnings", "detail": "(detail: --warnings)", "figures": "Figures (goal 0):",
           "none_ran": "✘ no check ran", "ok": "✔ KB OK", "checks": "checks", "n_warnings": "warning(s)", "colon": ":"},
}


def in_lang(text: str, lang: str) -> str:
    """A finding's text in ``lang``: the checks word theirs « français / English » (checks/*.rq,
    shapes/kb-shapes.ttl, lexquery.kb.checks); in English the part after « / », in French the
    text as it is (both, as before). A text in one language only is shown as it is."""
    if lang != "en" or " / " not in text:
        return text
    import re
    # « alinéa vide / empty paragraph [text] », « le texte de « X » change … / the cited text changes »,
    # « texte tronqué … / truncated text relied on: CPP 720 (…) »: the English side, then what follows
    # the French side's own colon (the values), when the English side has none
    fr, en = text.split(" / ", 1)
    if ":" not in en and ": " in fr and not re.search(r"[«»]", fr.split(": ", 1)[1]):
        en = f"{en}: {fr.split(': ', 1)[1]}"
    return en


def render_report(rep, show_warnings=False, lang: str = "fr") -> str:
    t = REPORT_WORDS[lang]
    lines = [t["title"], ""]
    for name in rep.ran:
        fam = name.split("/")[0]
        n_err = sum(1 for f in rep.errors
                    if (f.check == name.split(" ")[0] if fam == "sparql" else f.check.startswith(fam + "/")))
        mark = "✘" if n_err else "✔"
        lines.append(f"  {mark} {name}" + (f" — {n_err} violation(s)" if n_err else ""))
    for check, why in rep.skipped:
        lines.append(f"  – {check} : {t['skipped']} ({in_lang(why, lang)})" if lang == "fr"
                     else f"  – {check}: {t['skipped']} ({in_lang(why, lang)})")
    if rep.errors:
        lines += ["", f"{t['violations']} ({len(rep.errors)}){t['colon']}"]
        for f in rep.errors:
            lines.append(f"  ✘ [{f.check}] {in_lang(f.what, lang)}")
            lines.append(f"      {t['where']} : {f.where}" if lang == "fr" else f"      {t['where']}: {f.where}")
            if f.fix:
                lines.append(f"      {t['fix']} : {f.fix}" if lang == "fr" else f"      {t['fix']}: {in_lang(f.fix, lang)}")
    if rep.warnings:
        lines += ["", f"{t['warnings']} ({len(rep.warnings)})" + (t["colon"] if show_warnings else " " + t["detail"])]
        by = {}
        for f in rep.warnings:
            by.setdefault(f.check, []).append(f)
        for check, fs in by.items():
            if show_warnings:
                for f in fs:
                    lines.append(f"  ! [{check}] {in_lang(f.what, lang)} — {f.where}")
            else:
                lines.append(f"  ! [{check}] {len(fs)}{t['colon']} "
                             + "; ".join(f"{in_lang(f.what, lang).split(': ')[-1]} ({f.where})" for f in fs[:4])
                             + (" …" if len(fs) > 4 else ""))
    if rep.figures:
        from ..kb.inforce import FIGURE_LABELS
        lines += ["", t["figures"]]
        for k, n in rep.figures.items():
            fr, en = FIGURE_LABELS.get(k, (k, k))
            lines.append(f"  {n:>4}  {fr} / {en}" if lang == "fr" else f"  {n:>4}  {en}")
    verdict = (t["none_ran"] if not rep.ran else t["ok"] if rep.ok else f"✘ {len(rep.errors)} violation(s)")
    lines += ["", verdict + f" — {len(rep.ran)} {t['checks']}, {len(rep.warnings)} {t['n_warnings']}"]
    return "\n".join(lines)


def cmd_query(args) -> int:
    from ..kb import load_kb
    from ..kb.checks import run_query
    if args.file == "-":
        text = sys.stdin.read()
    else:
        path = Path(args.file)
        if not path.exists():
            alt = home() / "checks" / args.file
            if alt.exists():
                path = alt
            else:
                raise NotFoundError(f"requête introuvable : {args.file}", hint="donner le chemin d'un fichier .rq (ex. checks/eli-terms.rq)",
                                    message_en=f"query not found: {args.file}",
                                    hint_en="give the path of a .rq file (e.g. checks/eli-terms.rq)")
        text = path.read_text(encoding="utf-8")
    try:
        vars_, rows = run_query(text, load_kb())
    except Exception as e:  # pyparsing / rdflib errors: the user's query is wrong
        if e.__class__.__module__.startswith(("pyparsing", "rdflib")):
            from ..errors import InputError
            raise InputError(f"requête SPARQL invalide : {e}", where=args.file, message_en=f"invalid SPARQL query: {e}") from None
        raise
    print(format_table(vars_, rows, args.format, args.lang))
    return 0


def format_table(vars_, rows, fmt="table", lang="fr") -> str:
    if fmt == "json":
        return json.dumps([dict(zip(vars_, r)) for r in rows], ensure_ascii=False, indent=1)
    if fmt == "tsv":   # tab-separated; a tab, a newline or a backslash in a value is escaped
        esc = lambda v: v.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")  # noqa: E731
        return "\n".join("\t".join(esc(c) for c in r) for r in [list(vars_), *rows])
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        from ..csvsafe import neutral   # a law text may begin with « - »: no formula in a spreadsheet
        w.writerow([neutral(v) for v in vars_])
        w.writerows([[neutral(c) for c in r] for r in rows])
        return buf.getvalue().rstrip("\n")
    widths = [min(60, max([len(v)] + [len(r[i]) for r in rows])) for i, v in enumerate(vars_)]

    def cut(s, w):
        return s if len(s) <= w else s[:w - 1] + "…"
    out = [" | ".join(v.ljust(w) for v, w in zip(vars_, widths)), "-+-".join("-" * w for w in widths)]
    out += [" | ".join(cut(c, w).ljust(w) for c, w in zip(r, widths)) for r in rows]
    out.append(f"({len(rows)} ligne(s) / row(s))" if lang == "fr" else f"({len(rows)} row(s))")
    return "\n".join(out)


def cmd_export(args) -> int:
    from ..kb import load_kb
    from ..kb.graph import export
    text = export(load_kb(), args.format)
    if args.output and args.output != "-":
        from ..files import write_atomic
        write_atomic(args.output, text)
        print(f"écrit / written: {args.output}" if args.lang == "fr" else f"written: {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_coverage(args) -> int:
    from ..kb import load_kb
    from ..kb.coverage import coverage_markdown
    text = coverage_markdown(load_kb())
    target = Path(args.output) if args.output and args.output != "-" else home() / "docs" / "coverage.md"
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            raise ValidationFailed(f"{target} n'est pas à jour / is out of date", hint="lancer `lexquery kb coverage`",
                                   message_en=f"{target} is out of date", hint_en="run `lexquery kb coverage`")
        print(f"✔ {target} à jour / up to date" if args.lang == "fr" else f"✔ {target} up to date")
        return 0
    if args.output == "-":
        sys.stdout.write(text)
    else:
        from ..files import write_atomic
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
        print(f"écrit / written: {target}" if args.lang == "fr" else f"written: {target}")
    return 0


ENGLISH = {
    "kb": {"help": "knowledge base: checks, queries, export, coverage",
           "description": "Knowledge base (law/, rules/, ontology/): checks, SPARQL, export, coverage.",
           "epilog": """\
examples:
  lexquery kb check --lang en                          every check of the knowledge base
  lexquery kb query checks/eli-terms.rq                a SPARQL query over the KB's graph
  lexquery kb export -o base.ttl                       the KB's graph in Turtle
  lexquery kb coverage -o coverage.md                  the provisions' coverage by the rules
  lexquery kb check --help --lang en                   the options of an action
"""},
    "kb check": {"help": "check the knowledge base (SHACL, SPARQL, OWL, reference data)",
                 "description": "Check the knowledge base: SHACL shapes, SPARQL queries of checks/, OWL "
                                "consistency (HermiT) and reference data.",
                 "epilog": """\
families: shacl (shapes/kb-shapes.ttl), sparql (checks/*.rq), owl (HermiT, needs Java; result
cached), reference (reference/*.yaml), law (the rules' citations against the version of the text
in force over their period; figures: truncated texts relied on, official links missing, absent
alinéas — goal 0 each).
exit code: 0 when the KB is OK (warnings change nothing), 6 when a check finds a violation
(each: what, where, what to do), 4 when law/ or rules/ do not load or no check could run (the
KB's folders missing).

examples:
  lexquery kb check --lang en                          every check, warnings summed up
  lexquery kb check --only shacl,reference --lang en   a few families only
  lexquery kb check --only sparql --warnings --lang en  every warning, not only the summary
  lexquery kb check --only reference --format json     the report in JSON
  lexquery kb check --only owl --no-cache --lang en    run HermiT again without the cache
""",
                 "options": {"--only": "families to run, separated by commas: shacl,sparql,owl,reference,law",
                             "--no-cache": "rebuild without the cache",
                             "--warnings": "show each warning (else: a summary)"}},
    "kb query": {"help": "run a SPARQL query over the KB's graph",
                 "description": "Run a SPARQL query (a .rq file or standard input) over the knowledge base's graph.",
                 "epilog": """\
the graph queried: the KB (law/, rules/), the ontologies (ontology/*.ttl), the shapes
shapes/kb-shapes.ttl and the official ELI ontology in the named graph <urn:lexquery:eli>. A file
name not in the current folder is looked up in checks/. exit code: 0, 3 for an invalid SPARQL
query, 5 for a file not found.

examples:
  lexquery kb query checks/eli-terms.rq --lang en      a check of checks/, as a table
  lexquery kb query duplicate-article.rq --format csv  found in checks/; the result in CSV
  lexquery kb query checks/procedure-without-rules.rq --format json
  lexquery kb query duplicate-article.rq --format tsv  values separated by tabs
""",
                 "options": {"file": ".rq file (or '-' for standard input)"}},
    "kb export": {"help": "export the KB's graph (Turtle, JSON-LD)",
                  "description": "Export the knowledge base's graph in Turtle or JSON-LD.",
                  "epilog": """\
examples:
  lexquery kb export                                   the graph in Turtle on standard output
  lexquery kb export --format jsonld                   in JSON-LD
""",
                  "options": {"--output": "output file (default: standard output)"}},
    "kb coverage": {"help": "regenerate docs/coverage.md",
                    "description": "Regenerate docs/coverage.md, the coverage of the KB's provisions by the rules "
                                   "then the ids of the rules (procedures, routes, conditions, notes, bases), "
                                   "or check that it is up to date.",
                    "epilog": """\
examples:
  lexquery kb coverage                                 rewrite docs/coverage.md
  lexquery kb coverage --check --lang en               exit 6 when docs/coverage.md is out of date
  lexquery kb coverage -o -                            the Markdown on standard output
""",
                    "options": {"--output": "file (default: docs/coverage.md; '-': standard output)",
                                "--check": "fail when docs/coverage.md is out of date"}},
}

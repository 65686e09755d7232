"""`lexquery check FILE.lq [FILE.lq ...]` — read lexquery files without answering them.

Reports every mistake at its place (file:line:col, the line, a caret under the token,
what was expected, a « vouliez-vous dire » hint) and exits 3; prints a one-line summary
per file and exits 0 when all are correct. ``-`` reads standard input.
"""
from __future__ import annotations

import json
import sys

from ..errors import InputError


EPILOG = """\
chaque erreur est montrée à sa place (fichier:ligne:colonne, la ligne, un repère sous le mot,
ce qui était attendu, « vouliez-vous dire ») ; les autres fichiers sont vérifiés quand même.
code de sortie : 0 si tous les fichiers sont corrects (une ligne de résumé par fichier),
3 si l'un d'eux a une erreur ; 5 pour un fichier introuvable.

exemples :
  lexquery check examples/ionescu.lq                   « correct — 1 cas, 11 question(s) »
  lexquery check examples/*.lq                         plusieurs fichiers, un résumé chacun
  lexquery check examples/plusieurs-cas.lq -f json     le rapport en JSON (un objet par fichier)
  cat examples/ionescu.lq | lexquery check -           depuis l'entrée standard
"""


def register(sub):
    import argparse
    p = sub.add_parser("check", help="vérifier un fichier en langage lexquery (.lq) sans l'évaluer",
                       description="Vérifier un ou plusieurs fichiers en langage lexquery (.lq) sans les évaluer, "
                                   "chaque erreur à sa place.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", metavar="FICHIER", help="fichier(s) .lq, ou - pour l'entrée standard")
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")
    from .options import add_lang
    add_lang(p)
    p.set_defaults(func=run)


def check_one(path: str):
    from .. import dsl
    from ..casefiles.batch import check_input, no_case
    if path == "-":
        from ..files import MAX_LQ_BYTES, read_stdin
        text = read_stdin(MAX_LQ_BYTES, "texte en langage lexquery", "découpez le texte en plusieurs fichiers")
        doc = dsl.load(text, "<stdin>", implicit_id="stdin")
    else:
        check_input(path)
        doc = dsl.load_file(path)
    if not doc.cases and not doc.items:   # an empty file is a mistake, not « correct — 0 cas »
        raise no_case("<stdin>" if path == "-" else path, "lq")
    return doc


def run(args) -> int:
    failed = 0
    report = []
    for path in args.files:
        try:
            doc = check_one(path)
        except InputError as e:
            failed += 1
            if args.format == "json":
                report.append({"file": path, "ok": False, **e.to_dict()})
            else:
                from .language import render_error
                print(render_error(e, args.lang), file=sys.stderr)
            continue
        n_cases, n_q = len(doc.cases), len(doc.items)
        if args.format == "json":
            report.append({"file": path, "ok": True, "cases": n_cases, "questions": n_q})
        else:
            print(f"{path} : correct — {n_cases} cas, {n_q} question(s)" if args.lang == "fr" else
                  f"{path}: correct — {n_cases} case(s), {n_q} question(s)")
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=1))
    return InputError.exit_code if failed else 0


ENGLISH = {"check": {
    "help": "check a file in the lexquery language (.lq) without evaluating it",
    "description": "Check one or more files in the lexquery language (.lq) without evaluating them, each "
                   "mistake at its place.",
    "epilog": """\
each mistake is shown at its place (file:line:column, the line, a mark under the word, what was
expected, « did you mean »); the other files are checked all the same.
exit code: 0 when every file is correct (one summary line per file), 3 when one has a mistake;
5 for a file not found.

examples:
  lexquery check examples/ionescu.lq --lang en         « correct — 1 case(s), 11 question(s) »
  lexquery check examples/*.lq --lang en               several files, a summary each
  lexquery check examples/plusieurs-cas.lq -f json     the report in JSON (one object per file)
  cat examples/ionescu.lq | lexquery check - --lang en  from standard input
""",
    "options": {"files": ("file(s) .lq, or - for standard input", "FILE")},
}}

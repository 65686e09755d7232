"""`lexquery ask CASE [--format text|json|turtle|jsonld] [--as-of DATE] [--explain]`.

CASE is a JSON file (one case or an array; ``-`` for standard input) in the public
case format, a ``.jsonl`` file (one case per line), or a ``.lq`` file in the lexquery
language; read by :mod:`lexquery.casefiles` (nesting, repeated keys, repeated ids, no case).
With ``--format json`` an object answers an object, an array (even of one case) or a
.jsonl answers an array; a .lq file answers an object for one case, an array for several
(its questions are answered in the text format only: a note says so on stderr).
Exits 0 when every case could be answered (whatever the answer), 3 when a case is invalid
or uses an identifier already used in the file (its problems are printed, the other cases
are still answered).
"""
from __future__ import annotations

import sys

from ..casefiles.load import load_lq, read_stdin_cases
from ..errors import CaseError
from .language import render_error


EPILOG = """\
forme de la sortie JSON (--format json) : un objet pour un fichier qui tient un seul objet cas,
un tableau pour un tableau JSON (même d'un seul cas) ou un fichier .jsonl ; pour un fichier .lq,
un objet s'il décrit un cas, un tableau s'il en décrit plusieurs.
un cas invalide (format des cas, identifiant déjà utilisé dans le fichier) est signalé sur la
sortie d'erreur avec son chemin JSON ; les autres cas du lot sont répondus ; code de sortie 3.
les questions d'un fichier .lq ne sont répondues qu'au format texte.

exemples :
  lexquery ask examples/ionescu.json --as-of 2026-12-01
  lexquery ask examples/ionescu.json --explain            tout l'arbre, preuves et questions ouvertes
  lexquery ask examples/ionescu.json --format json        le JSON du contrat (un objet)
  lexquery convert examples/plusieurs-cas.lq -o lot.json  (un lot JSON pour les exemples suivants)
  lexquery ask lot.json --format json                     un tableau de cas -> un tableau de réponses
  lexquery ask lot.json --format jsonl                    une réponse JSON par ligne
  lexquery ask lot.json --format turtle                   les réponses en RDF avec leur trace PROV-O
  lexquery ask examples/ionescu.lq                        le langage lexquery : cas et questions
  lexquery ask examples/ionescu.json -f pdf -o fiche.pdf  la fiche d'éligibilité, pour le dossier
  lexquery ask examples/ionescu.json -f docx -o fiche.docx  la même, à reprendre en réquisitions
  lexquery ask examples/ionescu.json -f ics -o dates.ics  les échéances, pour l'agenda du greffe
  cat examples/ionescu.json | lexquery ask -              depuis l'entrée standard (JSON ou .lq)
"""


def register(sub):
    import argparse
    p = sub.add_parser("ask", help="quelles procédures s'appliquent à ce(s) cas ?",
                       description="Quelles procédures s'appliquent au(x) cas du fichier, avec leurs conditions, "
                                   "leurs dates et leurs sources.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("case", help="fichier de cas (.json, tableau JSON, .jsonl, .lq) ou - pour l'entrée standard")
    p.add_argument("--format", "-f", choices=["text", "json", "jsonl", "turtle", "jsonld", "ics", "docx", "pdf"], default="text",
                   help="text, json, jsonl (une réponse JSON par ligne), turtle, jsonld ; ics : les dates de la réponse pour un agenda ; "
                        "docx / pdf : la fiche d'éligibilité à verser au dossier (avec -o)")
    p.add_argument("--output", "-o", metavar="FICHIER",
                   help="écrire la réponse dans ce fichier (obligatoire pour docx et pdf) ; "
                        "écrit d'un coup : un fichier à moitié écrit n'apparaît jamais")
    p.add_argument("--as-of", help="date d'évaluation (AAAA-MM-JJ), remplace celle du cas")
    p.add_argument("--explain", action="store_true", help="montrer tout l'arbre du raisonnement")
    from .options import add_lang
    add_lang(p)
    p.add_argument("--reform", metavar="R.yaml",
                   help="réforme simulée (docs/reforms.md) : la réponse sous le droit en vigueur, sous la réforme, "
                        "et ce qui change (formats text, json, jsonl)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..casefiles.batch import lq_batch, read_batch
    from .options import date_option
    from ..errors import UsageError
    as_of = date_option(args.as_of)
    binary = args.format in ("docx", "pdf")
    if getattr(args, "reform", None) and args.format not in ("text", "json", "jsonl"):
        raise UsageError(f"--reform ne produit pas le format {args.format}", expected="text, json ou jsonl",
                         hint="une réponse sous réforme simulée n'est jamais une fiche ou un agenda du droit en vigueur")
    if binary and not args.output:
        raise UsageError(f"--format {args.format} écrit un fichier : donnez-le avec -o",
                         expected=f"ex. lexquery ask {args.case} --format {args.format} -o fiche.{args.format}")
    if args.output and args.case != "-":   # the case file itself, directly or through a symlink
        from ..files import refuse_same
        refuse_same(args.case, args.output)
    stdin_text = read_stdin_cases() if args.case == "-" else None
    doc = load_lq(args.case, stdin_text)
    label = "<stdin>" if args.case == "-" else args.case
    if doc is not None:
        if args.format == "text" and not getattr(args, "reform", None):  # the language: answer its questions
            if not doc.cases and not doc.items:
                lq_batch(doc, label)   # raises: no case
            from .. import dsl
            from ..engine.api import load_kb
            sys.stdout.write(dsl.run(doc, load_kb(), explain=args.explain, as_of=as_of, lang=args.lang) + "\n")
            return 0
        note = None
        if doc.items:
            n = len(doc.items)
            note = (f"la question de {label} n'est répondue" if n == 1 else f"les {n} questions de {label} ne sont répondues")
            note += " qu'au format texte (--format text)"
            if getattr(args, "reform", None):
                note = (f"la question de {label} n'est pas répondue sous --reform" if n == 1
                        else f"les {n} questions de {label} ne sont pas répondues sous --reform")
            if args.lang == "en":
                note_en = (f"the question(s) of {label} are answered in the text format only (--format text)"
                           if not getattr(args, "reform", None) else f"the question(s) of {label} are not answered under --reform")
                print(f"note: {note_en}; here only the cases are evaluated, as « quelles procédures ? »", file=sys.stderr)
            else:
                print(f"note : {note} ; ici seuls les cas sont évalués, comme « quelles procédures ? »", file=sys.stderr)
        batch = lq_batch(doc, label, note and "les questions ne sont répondues qu'au format texte")
    else:
        batch = read_batch(args.case, stdin_text)
    from ..engine.api import load_kb
    from ..render import render
    engine = load_kb()
    if getattr(args, "reform", None):
        return run_reform(args, batch, engine, as_of)
    answers, raws, failed = [], [], 0
    for e in batch.entries:
        try:
            if e.problems:
                raise CaseError(e.problems, e.source)
            answers.append(engine.ask(e.raw, as_of, source=e.source, lang=args.lang))
            raws.append(e.raw if isinstance(e.raw, dict) else {})
        except CaseError as err:
            failed += 1
            print(render_error(err, args.lang), file=sys.stderr)
    if answers:
        if binary:
            from ..render import render_note
            data = render_note(answers, raws, args.format, lang=args.lang)
        else:
            data = (render(answers if batch.many else answers[0], args.format, explain=args.explain,
                           lang=args.lang) + "\n").encode("utf-8")
        if args.output:
            write_whole(args.output, data)
        else:
            sys.stdout.write(data.decode("utf-8"))
    return CaseError.exit_code if failed else 0


def write_whole(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (:func:`lexquery.files.atomic_output`: a
    temporary file beside it, renamed on success): an interrupted run never leaves a
    half-written note that looks complete."""
    from ..files import atomic_output
    from .outputs import check_output
    check_output(path)
    with atomic_output(path, binary=True) as f:
        f.write(data)


def run_reform(args, batch, engine, as_of) -> int:
    """``ask CASE --reform R.yaml``: each case under the law in force and under the simulated
    reform, then what differs (:func:`lexquery.engine.reform.compare_answers`). JSON: an object
    ``{current, reformed, differences}`` per case (an array for a batch)."""
    import json
    from ..engine.reform import compare_answers, load_reform
    from ..render.text import render_reform_text
    reform = load_reform(args.reform, engine.book, engine.ref)
    reformed = reform.engine(engine)
    outs, failed = [], 0
    for e in batch.entries:
        try:
            if e.problems:
                raise CaseError(e.problems, e.source)
            a = engine.ask(e.raw, as_of, source=e.source, lang=args.lang)
            b = reformed.ask(e.raw, as_of, source=e.source, lang=args.lang)
            outs.append((a, b, compare_answers(a, b)))
        except CaseError as err:
            failed += 1
            print(render_error(err, args.lang), file=sys.stderr)
    if outs:
        if args.format == "text":
            text = "\n\n".join(render_reform_text(a, b, d, args.explain, args.lang) for a, b, d in outs)
        else:
            objs = [{"reform": reform.meta(), "current": a.to_dict(args.lang), "reformed": b.to_dict(args.lang),
                     "differences": d} for a, b, d in outs]
            if args.format == "jsonl":
                text = "\n".join(json.dumps(o, ensure_ascii=False) for o in objs)
            else:
                text = json.dumps(objs if batch.many else objs[0], ensure_ascii=False, indent=2)
        data = (text + "\n").encode("utf-8")
        if args.output:
            write_whole(args.output, data)
        else:
            sys.stdout.write(data.decode("utf-8"))
    return CaseError.exit_code if failed else 0


ENGLISH = {"ask": {
    "help": "which procedures apply to this case (these cases)?",
    "description": "Which procedures apply to the case(s) of the file, with their conditions, their dates and "
                   "their sources.",
    "epilog": """\
shape of the JSON output (--format json): an object for a file holding one case object, an
array for a JSON array (even of one case) or a .jsonl file; for a .lq file, an object when it
describes one case, an array when it describes several.
an invalid case (case format, identifier already used in the file) is reported on the error
output with its JSON path; the other cases of the batch are answered; exit code 3.
the questions of a .lq file are answered in the text format only.

examples:
  lexquery ask examples/ionescu.json --as-of 2026-12-01 --lang en
  lexquery ask examples/ionescu.json --explain --lang en   the whole tree, evidence and open questions
  lexquery ask examples/ionescu.json --format json --lang en   the contract's JSON (one object)
  lexquery convert examples/plusieurs-cas.lq -o lot.json  (a JSON batch for the next examples)
  lexquery ask lot.json --format json                     an array of cases -> an array of answers
  lexquery ask lot.json --format jsonl                    one JSON answer per line
  lexquery ask lot.json --format turtle                   the answers in RDF with their PROV-O trace
  lexquery ask examples/ionescu.lq --lang en              the lexquery language: cases and questions
  lexquery ask examples/ionescu.json -f pdf -o note.pdf --lang en   the eligibility note, for the file
  lexquery ask examples/ionescu.json -f ics -o dates.ics --lang en  the deadlines, for the registry's calendar
  cat examples/ionescu.json | lexquery ask - --lang en    from standard input (JSON or .lq)
""",
    "options": {"case": "case file (.json, JSON array, .jsonl, .lq) or - for standard input",
                "--format": "text, json, jsonl (one JSON answer per line), turtle, jsonld; ics: the answer's dates "
                            "for a calendar; docx / pdf: the eligibility note for the file (with -o)",
                "--output": ("write the answer to this file (required for docx and pdf); written at once: a "
                             "half-written file never appears", "FILE"),
                "--as-of": "date of evaluation (YYYY-MM-DD), instead of the case's",
                "--explain": "show the whole tree of the reasoning",
                "--reform": "simulated reform (docs/reforms.md): the answer under the law in force, under the "
                            "reform, and what changes (formats text, json, jsonl)"},
}}

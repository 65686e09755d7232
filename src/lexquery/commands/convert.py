"""`lexquery convert FILE --to json|lq [-o OUT]` — between the lexquery language and JSON.

A .lq file becomes the JSON case format (one object, or an array for several cases);
a JSON case (or array of cases) becomes .lq text. The two spellings say the same facts:
converting back gives the same case (tests/test_dsl_roundtrip.py). ``-`` reads standard
input (its format is recognised: JSON starts with « { » or « [ »).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import UsageError


EPILOG = """\
un fichier .lq qui décrit un cas donne un objet JSON, plusieurs cas un tableau ; un objet JSON
donne un cas .lq, un tableau plusieurs cas (« cas <identifiant> » pour chacun). Les questions
d'un fichier .lq ne passent pas en JSON (le format des cas n'a que des faits).

exemples :
  lexquery convert examples/ionescu.lq                 le cas en JSON sur la sortie standard
  lexquery convert examples/ionescu.json --to lq       le cas dans le langage lexquery
  lexquery convert examples/plusieurs-cas.lq -o lot.json
  cat cas.json | lexquery convert - --to lq            depuis l'entrée standard (JSON ou .lq)
"""


def register(sub):
    import argparse
    p = sub.add_parser("convert", help="convertir un cas entre le langage lexquery (.lq) et JSON",
                       description="Convertir un cas (ou un lot) entre le langage lexquery (.lq) et le format "
                                   "JSON des cas ; les deux écritures disent les mêmes faits.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FICHIER", help="fichier .lq ou .json, ou - pour l'entrée standard")
    p.add_argument("--to", choices=["json", "lq"], help="format de sortie (défaut : l'autre)")
    p.add_argument("--output", "-o", metavar="SORTIE", help="écrire dans ce fichier plutôt que sur la sortie standard")
    from .options import add_lang
    add_lang(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import dsl
    from ..errors import CaseError
    from ..casefiles.batch import check_input, entries_of, lq_batch
    from ..casefiles.json_text import parse_json
    from ..casefiles.load import looks_like_lq
    from .outputs import check_output, open_output
    check_output(args.output)
    if args.output and args.file != "-":   # convert x.lq -o x.lq would replace its source
        from ..files import refuse_same
        refuse_same(args.file, args.output)
    if args.file == "-":
        from ..casefiles.load import read_stdin_cases
        text, label = read_stdin_cases(), "<stdin>"
        is_lq = looks_like_lq(text)
    else:
        f = check_input(args.file)
        text, label = dsl.read_text(f), args.file
        is_lq = f.suffix == ".lq" or (f.suffix != ".json" and looks_like_lq(text))
    to = args.to or ("json" if is_lq else "lq")
    if is_lq:
        doc = dsl.load(text, label, implicit_id=Path(label).stem if label != "<stdin>" else "stdin")
        cases = [e.raw for e in lq_batch(doc, label).entries]   # none: an error, not « [] »
        if to == "json":
            out = json.dumps(cases[0] if len(cases) == 1 else cases, ensure_ascii=False, indent=2)
        else:
            out = dsl.to_lq(cases, args.lang).rstrip("\n")
    else:
        if to == "json":
            raise UsageError("le fichier est déjà en JSON", hint="--to lq pour l'écrire dans le langage lexquery",
                             message_en="the file is already JSON", hint_en="--to lq to write it in the lexquery language")
        if not text.strip():
            from ..casefiles.batch import no_case
            raise no_case(label)
        batch = entries_of(parse_json(text, label), label, text)
        for e in batch.entries:
            if e.problems:
                raise CaseError(e.problems, e.source)
        data = [e.raw for e in batch.entries] if batch.many else batch.entries[0].raw
        try:
            out = dsl.to_lq(data, args.lang).rstrip("\n")
        except CaseError as e:
            e.source = (label + e.source) if (e.source or "").startswith("[") else (e.source or label)
            raise
    if args.output:
        with open_output(args.output) as f:
            f.write(out + "\n")
    else:
        sys.stdout.write(out + "\n")
    return 0


ENGLISH = {"convert": {
    "help": "convert a case between the lexquery language (.lq) and JSON",
    "description": "Convert a case (or a batch) between the lexquery language (.lq) and the JSON case format; "
                   "both say the same facts.",
    "epilog": """\
a .lq file that describes one case gives a JSON object, several cases an array; a JSON object
gives one .lq case, an array several cases (« cas <identifier> » for each). The questions of a
.lq file do not go into JSON (the case format has facts only).

examples:
  lexquery convert examples/ionescu.lq                 the case in JSON on standard output
  lexquery convert examples/ionescu.json --to lq --lang en   the case in the lexquery language
  lexquery convert examples/plusieurs-cas.lq -o lot.json
  cat cas.json | lexquery convert - --to lq            from standard input (JSON or .lq)
""",
    "options": {"file": ("a .lq or .json file, or - for standard input", "FILE"),
                "--to": "output format (default: the other one)",
                "--output": ("write to this file instead of standard output", "OUT")},
}}

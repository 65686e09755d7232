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

from ..errors import InputError, NotFoundError, UsageError


def register(sub):
    p = sub.add_parser("convert", help="convertir un cas entre le langage lexquery (.lq) et JSON")
    p.add_argument("file", metavar="FICHIER", help="fichier .lq ou .json, ou - pour l'entrée standard")
    p.add_argument("--to", choices=["json", "lq"], help="format de sortie (défaut : l'autre)")
    p.add_argument("--output", "-o", metavar="SORTIE", help="écrire dans ce fichier plutôt que sur la sortie standard")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import dsl
    from .ask import looks_like_lq
    if args.file == "-":
        text, label = sys.stdin.read(), "<stdin>"
        is_lq = looks_like_lq(text)
    else:
        f = Path(args.file)
        if not f.is_file():
            raise NotFoundError(f"fichier introuvable : {args.file}", hint="vérifiez le chemin")
        text, label = dsl.read_text(f), args.file
        is_lq = f.suffix == ".lq" or (f.suffix != ".json" and looks_like_lq(text))
    to = args.to or ("json" if is_lq else "lq")
    if is_lq:
        doc = dsl.load(text, label, implicit_id=Path(label).stem if label != "<stdin>" else "stdin")
        cases = doc.case_dicts()
        if to == "json":
            out = json.dumps(cases[0] if len(cases) == 1 else cases, ensure_ascii=False, indent=2)
        else:
            out = dsl.to_lq(cases).rstrip("\n")
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise InputError(f"JSON illisible : {e.msg}", where=f"{label}:{e.lineno}:{e.colno}",
                             expected="un objet cas ou un tableau de cas") from None
        if to == "json":
            raise UsageError("le fichier est déjà en JSON", hint="--to lq pour l'écrire dans le langage lexquery")
        from ..errors import CaseError
        try:
            out = dsl.to_lq(data).rstrip("\n")
        except CaseError as e:
            e.source = e.source or label
            raise
    if args.output:
        Path(args.output).write_text(out + "\n", encoding="utf-8")
    else:
        sys.stdout.write(out + "\n")
    return 0

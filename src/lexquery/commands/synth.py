"""`lexquery synth N [--seed S] [--as-of DATE] [-o FILE.csv] [--sep ;|,]`.

Writes a realistic synthetic registry export in the screening CSV format, for demos and
benchmarks: reproducible (same N, seed and reference date → same bytes).
"""
from __future__ import annotations

import sys

from ..errors import UsageError


EPILOG = """\
reproductible : mêmes N, graine et date de référence, mêmes octets ; le format est celui que
lit « lexquery screen » (et « lexquery validate »).

exemples :
  lexquery synth 5 --seed 1                            cinq détenus sur la sortie standard
  lexquery synth 1000 --seed 1 > registre.csv          un export de 1 000 détenus
  lexquery synth 1000 --seed 1 --as-of 2026-12-01 -o registre.csv   mêmes octets quel que soit le jour
  lexquery synth 20 --sep , -o virgules.csv            séparateur virgule
  lexquery synth 20000 | lexquery screen - -o rapport.html    cribler sans fichier intermédiaire
"""


def register(sub):
    import argparse
    p = sub.add_parser("synth", help="écrire un export du greffe synthétique (CSV de criblage), reproductible",
                       description="Écrire un export du greffe synthétique et réaliste au format CSV de criblage, "
                                   "pour les démonstrations et les mesures.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("n", type=int, help="nombre de détenus (lignes)")
    p.add_argument("--seed", type=int, default=0, help="graine (défaut 0)")
    p.add_argument("--as-of", help="date de référence des dates générées (AAAA-MM-JJ ; défaut : aujourd'hui)")
    p.add_argument("--sep", choices=[";", ","], default=";", help="séparateur (défaut ;)")
    p.add_argument("-o", "--output", help="fichier CSV (défaut : sortie standard)")
    from .options import add_lang
    add_lang(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..screening.synth import synth
    if args.n < 0:
        raise UsageError("N doit être positif ou nul", message_en="N must be zero or more")
    from .options import date_option
    ref = date_option(args.as_of)
    if args.output and args.output != "-":
        from .outputs import open_output
        with open_output(args.output) as f:   # whole or absent (lexquery.files.atomic_output)
            synth(args.n, args.seed, ref, f, args.sep)
    else:
        synth(args.n, args.seed, ref, sys.stdout, args.sep)
        sys.stdout.flush()
    return 0


ENGLISH = {"synth": {
    "help": "write a synthetic prison registry export (screening CSV), reproducible",
    "description": "Write a synthetic and realistic prison registry export in the screening CSV format, "
                   "reproducible from its seed.",
    "epilog": """\
reproducible: the same N, seed and reference date give the same bytes; the format is the one
« lexquery screen » (and « lexquery validate ») reads.

examples:
  lexquery synth 5 --seed 1                            five detainees on standard output
  lexquery synth 1000 --seed 1 > registry.csv          an export of 1,000 detainees
  lexquery synth 1000 --seed 1 --as-of 2026-12-01 -o registry.csv   the same bytes whatever the day
  lexquery synth 20 --sep , -o commas.csv              comma as separator
  lexquery synth 20000 | lexquery screen - -o report.html    screen without an intermediate file
""",
    "options": {"n": "number of detainees (lines)", "--seed": "seed (default 0)",
                "--as-of": "reference date of the dates generated (YYYY-MM-DD; default: today)",
                "--sep": "separator (default ;)", "--output": "CSV file (default: standard output)"},
}}

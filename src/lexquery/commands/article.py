"""`lexquery article CITATION [--at DATE] [--lang fr|en] [--format text|json]`

Shows one provision as stored in law/: alinéas numbered, version and validity, source
and LEGIARTI, confidence, notes apart from the operative text, what it cites, what cites
it (provisions and rules), open questions, and its successor in the 2029 code.
Accepts "728-11", "CPP 729-2 al. 1", "STE 112 art. 3", "Circ. 2025 §2.2", "D541", "CP 132-23".
"""
from __future__ import annotations

import json
from datetime import date


EPILOG = """\
la citation s'écrit comme dans les textes : le numéro seul pour le code de procédure pénale,
sinon l'instrument d'abord (CP, STE 112, STE 167, CVRC, DC 2008/909, Circ. 2025, CPP-2029) ;
« lexquery sources » les liste toutes. Une citation introuvable : code de sortie 5, avec les
citations les plus proches (« vouliez-vous dire »).

exemples :
  lexquery article 728-11                              CPP 728-11, la version en vigueur ce jour
  lexquery article "CPP 729-2 al. 1" --at 2026-12-01   un alinéa, version en vigueur à cette date
  lexquery article "STE 112 art. 3" --lang en          la convention, dans son texte anglais
  lexquery article "Circ. 2025 §2.2"                   un paragraphe de la circulaire de 2025
  lexquery article D541 --format json                  la partie réglementaire du CPP, en JSON
  lexquery article CPP-2029 L5252-2                    le code de 2029 (en vigueur le 1er janvier 2029)
"""


def register(subparsers):
    import argparse
    p = subparsers.add_parser("article", help="afficher une disposition (texte, version, source, renvois)",
                              description="Afficher une disposition de la base (law/) telle qu'elle est stockée : "
                                          "alinéas numérotés, version, source, confiance, renvois, règles qui "
                                          "l'utilisent et successeur dans le code de 2029.",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("citation", nargs="+", help="ex. 728-11, « CPP 729-2 al. 1 », « STE 112 art. 3 », « Circ. 2025 §2.2 », D541, « CP 132-23 »")
    p.add_argument("--at", metavar="DATE", help="la version en vigueur à cette date (AAAA-MM-JJ ; défaut : aujourd'hui)")
    from .options import add_lang
    add_lang(p)   # a stored translation is shown in English; the French text otherwise, marked so
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run)


def parse_at(s: str | None) -> date | None:
    from .options import date_option
    return date_option(s, "--at")


def run(args) -> int:
    from ..kb import load_kb
    from ..kb.describe import describe
    from ..render.article import render_text
    kb = load_kb()
    at = parse_at(args.at)
    node = kb.lookup(" ".join(args.citation), at)
    data = describe(kb, node, at, args.lang)
    if args.format == "json":
        print(json.dumps(data, ensure_ascii=False, indent=1, default=str))
    else:
        print(render_text(data, args.lang))
    return 0


ENGLISH = {"article": {
    "help": "show a provision (text, version, source, cross-references)",
    "description": "Show a provision of the knowledge base (law/) as stored: its text by alinéa, its version "
                   "and validity, its source, its confidence, what it cites and what cites it.",
    "epilog": """\
the citation is written as in the texts: the number alone for the code of criminal procedure,
else the instrument first (CP, STE 112, STE 167, CVRC, DC 2008/909, Circ. 2025, CPP-2029);
« lexquery sources » lists them all. A citation not found: exit code 5, with the closest
citations (« did you mean »).

examples:
  lexquery article 728-11 --lang en                    CPP 728-11, the version in force today
  lexquery article "CPP 729-2 al. 1" --at 2026-12-01   an alinéa, the version in force on that date
  lexquery article "STE 112 art. 3" --lang en          the convention, in its English text
  lexquery article "Circ. 2025 §2.2" --lang en         a paragraph of the 2025 circular
  lexquery article D541 --format json                  the regulatory part of the CPP, in JSON
  lexquery article CPP-2029 L5252-2 --lang en          the 2029 code (in force on 1 January 2029)
""",
    "options": {"citation": "e.g. 728-11, « CPP 729-2 al. 1 », « STE 112 art. 3 », « Circ. 2025 §2.2 », D541, "
                            "« CP 132-23 »",
                "--at": "the version in force on that date (YYYY-MM-DD; default: today)"},
}}

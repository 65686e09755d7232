"""`lexquery sources [--instrument X] [--grep TEXT] [--used | --unused] [--format text|json]`

Lists the provisions of the KB (law/): citation, title, versions, confidence of the
current version, and the rules that use it.
"""
from __future__ import annotations

import json

from ..errors import UsageError


EPILOG = """\
une ligne par disposition : citation, titre, versions, confiance de la version en vigueur,
nombre de règles qui la citent (leurs identifiants : --format json) ; « lexquery article
CITATION » en montre une, avec ses règles en mots.

exemples :
  lexquery sources                                     toutes les dispositions de la base
  lexquery sources --instrument STE112                 celles de la convention STE 112
  lexquery sources --grep expulsion                    dans la citation, le titre ou le texte
  lexquery sources --used                              seulement celles qu'une règle cite
  lexquery sources --unused --instrument CPP           le texte seul, sans règle
  lexquery sources --instrument CIRC2025 --format json
"""


def register(subparsers):
    import argparse
    p = subparsers.add_parser("sources", help="lister les dispositions de la base (law/)",
                              description="Lister les dispositions de la base (law/) avec leurs versions, leur "
                                          "confiance et les règles qui les citent.",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--instrument", help="CPP, CP, STE112, STE167, CETS222, CVRC, DC2008-909, CIRC2025, CPP2029")
    p.add_argument("--grep", metavar="TEXTE", help="ne garder que les dispositions dont la citation, le titre ou le texte contient TEXTE")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--used", action="store_true", help="seulement celles qu'une règle cite")
    g.add_argument("--unused", action="store_true", help="seulement celles qu'aucune règle ne cite")
    p.add_argument("--format", choices=["text", "json"], default="text")
    from .options import add_lang
    add_lang(p)
    p.set_defaults(func=run)


def provision_rows(kb, instrument: str | None = None, grep: str | None = None,
                   used: bool = False, unused: bool = False) -> list[dict]:
    """The rows `lexquery sources --format json` prints (also GET /api/sources)."""
    from ..kb import citations as C
    inst = None
    if instrument:
        try:
            inst = C.instrument(instrument).code
        except KeyError:
            raise UsageError(f"instrument inconnu « {instrument} »", expected=", ".join(C.INSTRUMENTS),
                             message_en=f"unknown instrument « {instrument} »", expected_en=", ".join(C.INSTRUMENTS)) from None
    from ..words import fold as _fold   # case- and accent-insensitive: « eloignement » finds « éloignement »
    needle = _fold(grep) if grep else None
    rows = []
    for p in kb:
        if inst and p.instrument != inst:
            continue
        uses = kb.rules_by_article.get(p.citation, [])
        if used and not uses or unused and uses:
            continue
        if needle:
            hay = _fold(" ".join([p.citation, *p.title.values(), *(v.text for v in p.versions)]))
            if needle not in hay:
                continue
        v = kb.version_at(p)
        rows.append({"citation": p.citation, "title": p.title.get("fr", ""), "versions": [x.id for x in p.versions],
                     "current": v.id if v else None, "confidence": v.confidence if v else None,
                     "truncated": bool(v and v.truncated), "rules": sorted({u.where.split("/")[0] for u in uses}),
                     "files": p.files})
    return rows


WORDS = {"fr": {"none": "aucune disposition", "truncated": "tronqué", "rules": "règle(s)", "no_rule": "aucune règle",
                "count": "disposition(s)"},
         "en": {"none": "no provision", "truncated": "truncated", "rules": "rule(s)", "no_rule": "no rule",
                "count": "provision(s)"}}


def run(args) -> int:
    from ..kb import load_kb
    from ..render.article import CONFIDENCE, _quoted
    kb = load_kb()
    rows = provision_rows(kb, args.instrument, args.grep, used=args.used, unused=args.unused)
    if args.format == "json":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    lang = getattr(args, "lang", "fr")
    t = WORDS[lang]
    if not rows:
        print(t["none"])
        return 0
    w = max(len(r["citation"]) for r in rows)
    titles = {p.citation: p.title for p in kb}
    for r in rows:
        # a title without English is the French one as published, quoted (render.article._quoted)
        title = titles.get(r["citation"], {}).get(lang) or _quoted(r["title"], lang) if lang == "en" else r["title"]
        conf = CONFIDENCE[lang].get(r["confidence"], r["confidence"]) if r["confidence"] else "?"
        flags = conf + (f", {t['truncated']}" if r["truncated"] else "")
        # the rules by their number here (their ids stay in the JSON, « lexquery article » names them in words)
        rules = f"{len(r['rules'])} {t['rules']}" if r["rules"] else t["no_rule"]
        print(f"{r['citation']:<{w}}  {_cut(title, 50):<50}  v{len(r['versions'])} [{flags}]  {rules}")
    print(f"({len(rows)} {t['count']})")
    return 0


def _cut(text: str, n: int) -> str:
    """``text`` in ``n`` characters at most; a cut one ends with « … » (and its closing « » » if it
    was quoted)."""
    if len(text) <= n:
        return text
    if text.endswith(" »"):
        return text[:n - 3] + "… »"
    return text[:n - 1] + "…"


ENGLISH = {"sources": {
    "help": "list the provisions of the knowledge base (law/)",
    "description": "List the provisions of the knowledge base (law/) with their versions, their confidence and "
                   "the rules that cite them.",
    "epilog": """\
one line per provision: citation, title, versions, confidence of the version in force, number
of rules that cite it (their ids: --format json); « lexquery article CITATION » shows one, with
its rules in words.

examples:
  lexquery sources --lang en                           every provision of the knowledge base
  lexquery sources --instrument STE112 --lang en       those of the convention ETS 112
  lexquery sources --grep expulsion --lang en          in the citation, the title or the text
  lexquery sources --used --lang en                    only those a rule cites
  lexquery sources --unused --instrument CPP --lang en  the text alone, without a rule
  lexquery sources --instrument CIRC2025 --format json
""",
    "options": {"--instrument": "CPP, CP, STE112, STE167, CETS222, CVRC, DC2008-909, CIRC2025, CPP2029",
                "--grep": ("keep only the provisions whose citation, title or text holds TEXT", "TEXT"),
                "--used": "only those a rule cites", "--unused": "only those no rule cites"},
}}

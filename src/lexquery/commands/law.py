"""`lexquery law import PATH` · `lexquery law diff ARTICLE --from DATE --to DATE`

Keeping the law current from Legifrance's open data (base LEGI, DILA): article files in
the dump's XML format become versions in ``law/legi/`` (kb/legi.py, kb/law_import.py), and
the rules citing an alinéa whose text changed are listed; ``diff`` shows, alinéa by alinéa,
what changed in an article between two dates (kb/lawdiff.py).
"""
from __future__ import annotations

import json
from pathlib import Path

EPILOG = """\
exemples :
  lexquery law import LEGIARTI000032172294.xml         un fichier d'article LEGI (une version)
  lexquery law import DOSSIER_DU_DUMP                  tous les fichiers d'article d'un dossier du dump
  lexquery law import DOSSIER --dry-run                ce qui serait ajouté, sans rien écrire
  lexquery law diff 729 --from 2019-03-25 --to 2022-01-01
  lexquery law diff "CPP 728-15" --from 2021-06-01 --to 2022-06-01 --format json
"""

EPILOG_IMPORT = """\
le format lu est celui de la base LEGI de la DILA (un fichier XML par version d'article :
<ARTICLE> avec META/META_COMMUN/ID, META_SPEC/META_ARTICLE/NUM, ETAT, DATE_DEBUT, DATE_FIN,
CONTEXTE, BLOC_TEXTUEL/CONTENU, NOTA, LIENS). Seuls les articles du code de procédure
pénale et du code pénal que la base contient déjà sont repris (--all : tous ceux de ces
deux codes) ; les autres fichiers sont signalés et ignorés.
Les versions vont dans law/legi/<code>/<numéro>.yaml ; puis la commande liste les règles
qui citent un alinéa dont le texte a changé (à relire : `lexquery law diff`).
Aucun accès réseau. Code de sortie : 0 ; 3 pour un XML illisible ; 5 pour un chemin absent.

exemples :
  lexquery law import LEGIARTI000027808224.xml           un fichier d'article (CPP 728-12)
  lexquery law import LEGIARTI000027808224.xml --format json
  lexquery law import DOSSIER --dry-run
"""

EPILOG_DIFF = """\
compare les versions en vigueur aux deux dates, alinéa par alinéa : [-retiré-] {+ajouté+},
avec les règles qui citent chaque alinéa modifié. Code de sortie 5 pour un article inconnu.

exemples :
  lexquery law diff 729 --from 2019-03-25 --to 2022-01-01
  lexquery law diff 728-15 --from 2021-06-01 --to 2022-06-01
  lexquery law diff "CPP 720" --from 2022-01-01 --to 2024-06-01 --format json
"""


def register(subparsers):
    from .groups import add_action, add_group
    sub = add_group(subparsers, "law", help="tenir le droit à jour : importer la base LEGI, comparer deux versions",
                    description="Tenir law/ à jour depuis les données ouvertes de Legifrance (base LEGI) "
                                "et comparer deux versions d'un article.",
                    epilog=EPILOG)
    i = add_action(sub, "import", cmd_import, help="importer des fichiers d'article LEGI (XML de la DILA) dans law/",
                   description="Importer des fichiers d'article de la base LEGI (XML de la DILA) dans law/legi/, "
                               "puis lister les règles qui citent un alinéa dont le texte a changé.",
                   epilog=EPILOG_IMPORT)
    i.add_argument("path", help="un fichier d'article LEGI (.xml) ou un dossier du dump")
    i.add_argument("--dry-run", action="store_true", help="montrer ce qui serait ajouté sans rien écrire")
    i.add_argument("--all", action="store_true",
                   help="ajouter aussi les articles que la base ne contient pas encore (défaut : seulement ceux qu'elle contient)")
    i.add_argument("--format", choices=["text", "json"], default="text")
    d = add_action(sub, "diff", cmd_diff, help="ce qui a changé dans un article entre deux dates",
                   description="Comparer, alinéa par alinéa, les versions d'un article en vigueur à deux dates.",
                   epilog=EPILOG_DIFF)
    d.add_argument("citation", nargs="+", help="ex. 729, « CPP 728-15 », D147-20")
    d.add_argument("--from", dest="at_from", required=True, metavar="DATE", help="première date (AAAA-MM-JJ)")
    d.add_argument("--to", dest="at_to", required=True, metavar="DATE", help="seconde date (AAAA-MM-JJ)")
    d.add_argument("--format", choices=["text", "json"], default="text")


def cmd_import(args) -> int:
    from ..kb.law_import import import_articles
    from ..kb.legi import read_path
    from ..paths import home
    arts, skipped = read_path(Path(args.path))
    root = home()
    rep = import_articles(arts, root / "law", root / "rules", dry_run=args.dry_run, skipped=skipped, every=args.all)
    if args.format == "json":
        print(json.dumps({"dry_run": args.dry_run, **rep.to_dict()}, ensure_ascii=False, indent=1))
        return 0
    en = args.lang == "en"
    out = [(f"LEGI import: {len(arts)} article file(s) read" + (" — dry run, nothing is written" if args.dry_run else ""))
           if en else
           (f"Import LEGI : {len(arts)} fichier(s) d'article lu(s)" + (" — essai, rien n'est écrit" if args.dry_run else ""))]
    titles = (("added", "updated", "unchanged") if en else ("ajoutée(s)", "mise(s) à jour", "inchangée(s)"))
    for title, lst in zip(titles, (rep.added, rep.updated, rep.unchanged)):
        out.append(f"  versions {title}{': ' if en else ' : '}{len(lst)}")
        out += [f"    · {x}" for x in lst]
    for f, why in rep.skipped:   # the reason as the reader of LEGI words it (French)
        out.append(f"  skipped: {f} — « {why} »" if en else f"  ignoré : {f} — {why}")
    if rep.files and not args.dry_run:
        out.append(("  written: " if en else "  écrit : ") + ", ".join(rep.files))
    if not args.dry_run:
        if rep.changes:
            out.append("")
            out.append(f"Rules to reread ({len(rep.changes)}) — they cite an alinéa whose text changed:" if en else
                       f"Règles à relire ({len(rep.changes)}) — elles citent un alinéa dont le texte a changé :")
            for c in rep.changes:
                out.append(f"  ! {c.rule} ({c.file}) cites « {c.citation} »: {KINDS_EN.get(c.what, c.what)} on "
                           f"{c.on or '?'} (version {c.before} → {c.after})" if en else
                           f"  ! {c.rule} ({c.file}) cite « {c.citation} » : {c.what} le {c.on or '?'} "
                           f"(version {c.before} → {c.after})")
        else:
            out.append("No rule cites an alinéa whose text changed." if en else
                       "Aucune règle ne cite un alinéa dont le texte a changé.")
    print("\n".join(out))
    return 0


def cmd_diff(args) -> int:
    from ..kb import load_kb
    from ..kb.lawdiff import diff
    from .options import date_option
    kb = load_kb()
    node = kb.lookup(" ".join(args.citation))
    p = node.provision
    a, b = date_option(args.at_from, "--from"), date_option(args.at_to, "--to")
    d = diff(kb, p, a, b)
    if args.format == "json":
        print(json.dumps(d.to_dict(), ensure_ascii=False, indent=1))
        return 0
    print(render_diff(d, args.lang))
    return 0


KINDS_EN = {"modifié": "changed", "ajouté": "added", "supprimé": "removed", "renuméroté": "renumbered",
            "inchangé": "unchanged", "non comparable (texte tronqué)": "not comparable (truncated text)"}
DIFF_WORDS = {
    "fr": {"none": "aucune version stockée", "span": "du {a} au {b}", "unknown": "date inconnue",
           "truncated": "tronquée", "translation": "traduction", "not_valid": "pas en vigueur à cette date",
           "head": "{c} — du {a} au {b}", "on": "au {d} : ", "impossible": "Comparaison impossible : une des deux "
           "dates n'a pas de version stockée.", "same": "Même version aux deux dates : aucun changement.",
           "languages": "Textes stockés dans deux langues ({a} / {b}, traduction) : pas de comparaison alinéa par "
           "alinéa — il faut le texte français des deux versions.", "same_text": "Deux versions, même texte alinéa "
           "par alinéa.", "renumbered": "(même texte)", "stops": "une des deux versions s'arrête ici dans le texte stocké",
           "rules": "règles qui le citent : ", "cut": "⚠ au moins une des deux versions est stockée tronquée : la "
           "comparaison s'arrête où le texte s'arrête.", "colon": " : "},
    "en": {"none": "no stored version", "span": "from {a} to {b}", "unknown": "unknown date",
           "truncated": "truncated", "translation": "translation", "not_valid": "not in force on that date",
           "head": "{c} — from {a} to {b}", "on": "on {d}: ", "impossible": "No comparison: one of the two dates has "
           "no stored version.", "same": "The same version on both dates: no change.",
           "languages": "Texts stored in two languages ({a} / {b}, translation): no comparison alinéa by alinéa — "
           "the French text of both versions is needed.", "same_text": "Two versions, the same text alinéa by alinéa.",
           "renumbered": "(same text)", "stops": "one of the two versions stops here in the stored text",
           "rules": "rules that cite it: ", "cut": "⚠ at least one of the two versions is stored truncated: the "
           "comparison stops where the text stops.", "colon": ": "},
}


def _vline(v, day, lang: str = "fr") -> str:
    t = DIFF_WORDS[lang]
    if v is None:
        return t["none"]
    span = t["span"].format(a=v.valid_from or t["unknown"], b=v.valid_until or "…")
    flags = [t[x] for x, on in (("truncated", v.truncated), ("translation", v.translation),
                                ("not_valid", not v.valid_on(day))) if on]
    return f"version {v.id} ({span})" + (f" — {', '.join(flags)}" if flags else "")


def render_diff(d, lang: str = "fr") -> str:
    """The changes of a provision between two dates, in ``lang``; the law's words, added or
    removed, are quoted as published (French)."""
    t = DIFF_WORDS[lang]
    kind = (lambda k: KINDS_EN.get(k, k)) if lang == "en" else (lambda k: k)
    law = (lambda x: f"« {x} »") if lang == "en" else (lambda x: x)   # the law's words, as published
    out = [t["head"].format(c=d.provision.citation, a=d.at_from, b=d.at_to),
           "  " + t["on"].format(d=d.at_from) + _vline(d.old, d.at_from, lang),
           "  " + t["on"].format(d=d.at_to) + _vline(d.new, d.at_to, lang), ""]
    if d.old is None or d.new is None:
        out.append(t["impossible"])
        return "\n".join(out)
    if d.same_version:
        out.append(t["same"])
        return "\n".join(out)
    if not d.comparable:
        out.append(t["languages"].format(a=d.old.language, b=d.new.language))
        return "\n".join(out)
    changed = [c for c in d.changes if c.kind != "inchangé"]
    if not changed:
        out.append(t["same_text"])
    for c in changed:
        where = c.after if c.kind == "ajouté" else c.before if c.kind == "supprimé" else \
            (c.before if c.before == c.after else f"{c.before} → {c.after}")
        out.append(f"● {where}{t['colon']}{kind(c.kind)}")
        if c.kind == "modifié":
            out.append(f"    {law(c.words)}")
        elif c.kind == "renuméroté":
            out.append(f"    {t['renumbered']} {law(c.new_text)}")
        elif c.kind.startswith("non comparable"):
            out.append(f"    {t['stops']}")
        elif c.kind == "ajouté":
            out.append(f"    {law(f'{{+{c.new_text}+}}')}")
        else:
            out.append(f"    {law(f'[-{c.old_text}-]')}")
        if c.rules:
            out.append(f"    {t['rules']}{', '.join(c.rules)}")
    if d.old.truncated or d.new.truncated:
        out += ["", t["cut"]]
    return "\n".join(out)


ENGLISH = {
    "law": {"help": "keep the law current: import the LEGI base, compare two versions",
            "description": "Keep law/ current from Legifrance's open data (the LEGI base) and compare two versions "
                           "of an article.",
            "epilog": """\
examples:
  lexquery law import LEGIARTI000032172294.xml         one LEGI article file (one version)
  lexquery law import DUMP_FOLDER                      every article file of a folder of the dump
  lexquery law import FOLDER --dry-run --lang en       what would be added, writing nothing
  lexquery law diff 729 --from 2019-03-25 --to 2022-01-01 --lang en
  lexquery law diff "CPP 728-15" --from 2021-06-01 --to 2022-06-01 --format json
"""},
    "law import": {"help": "import LEGI article files (DILA's XML) into law/",
                   "description": "Import article files of the LEGI base (DILA's XML) into law/legi/, then list the "
                                  "rules that cite an alinéa whose text changed.",
                   "epilog": """\
the format read is the one of DILA's LEGI base (one XML file per version of an article:
<ARTICLE> with META/META_COMMUN/ID, META_SPEC/META_ARTICLE/NUM, ETAT, DATE_DEBUT, DATE_FIN,
CONTEXTE, BLOC_TEXTUEL/CONTENU, NOTA, LIENS). Only the articles of the code of criminal procedure
and the criminal code the KB already holds are taken (--all: every one of these two codes); the
other files are reported and skipped. The versions go to law/legi/<code>/<number>.yaml; then the
command lists the rules that cite an alinéa whose text changed (to reread: `lexquery law diff`).
No network access. Exit code: 0; 3 for an unreadable XML; 5 for a path not found.

examples:
  lexquery law import LEGIARTI000027808224.xml --lang en   one article file (CPP 728-12)
  lexquery law import LEGIARTI000027808224.xml --format json
  lexquery law import FOLDER --dry-run --lang en
""",
                   "options": {"path": "a LEGI article file (.xml) or a folder of the dump",
                               "--dry-run": "show what would be added, writing nothing",
                               "--all": "add also the articles the KB does not hold yet (default: only those it holds)"}},
    "law diff": {"help": "what changed in an article between two dates",
                 "description": "Compare, alinéa by alinéa, the versions of an article in force on two dates.",
                 "epilog": """\
compares the versions in force on the two dates, alinéa by alinéa: [-removed-] {+added+} (the
law's words, quoted as published), with the rules that cite each changed alinéa. Exit code 5
for an unknown article.

examples:
  lexquery law diff 729 --from 2019-03-25 --to 2022-01-01 --lang en
  lexquery law diff 728-15 --from 2021-06-01 --to 2022-06-01 --lang en
  lexquery law diff "CPP 720" --from 2022-01-01 --to 2024-06-01 --format json
""",
                 "options": {"citation": "e.g. 729, « CPP 728-15 », D147-20",
                             "--from": "first date (YYYY-MM-DD)", "--to": "second date (YYYY-MM-DD)"}},
}

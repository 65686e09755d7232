"""`lexquery interview [CASE] [--line N] [--as-of DATE] [-o CASE.json|CASE.lq]`

The guided interview in the terminal (issue 17; the choice of questions is
:mod:`lexquery.interview`): one question at a time, the fact that settles the most open
procedures first, with the conditions and articles that wait on it; the answer as it
firms up after each reply; stops when nothing more can change the answer. Starts from
nothing, or from a partial case: a JSON case, a ``.lq`` file, or one line of a
screening CSV (``--line N``, the line number of the file).

At the prompt: an answer in the words of the lexquery language (« 1er juin 2025 »,
« 3 ans », « Roumanie », « oui »); « je ne sais pas » (the fact stays unknown and is not
asked again); « retour » (take the last answer back); « modifier FAIT » (ask a fact
again, e.g. « modifier nationalités »); « fin » (stop now). The case built is written
with ``-o`` (JSON, or ``.lq`` in the language) when the interview ends.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InputError, LexqueryError, UsageError

EPILOG = """\
à l'invite : une réponse dans les mots du langage lexquery (« 1er juin 2025 », « 3 ans »,
« Roumanie », « oui ») ; « je ne sais pas » : le fait reste inconnu et n'est plus demandé ;
« retour » : reprendre la dernière réponse ; « modifier nationalités » : redemander un fait ;
« fin » : arrêter. Une question n'est posée que si sa réponse peut changer la réponse.

exemples :
  lexquery interview                                   depuis rien
  lexquery interview examples/ionescu.json -o cas.lq   compléter un cas, l'enregistrer en .lq
  lexquery interview export.csv --line 12 -o cas.json  partir de la ligne 12 d'un export du greffe
"""

W = {"fr": {"q": "Question", "why": "pourquoi", "settles": "peut trancher", "now": "Réponse à ce stade",
            "done": "Plus rien ne peut changer la réponse", "asked": "questions posées",
            "of_form": "sur {n} champs du formulaire", "bad": "réponse non comprise", "saved": "cas enregistré dans",
            "undone": "réponse reprise", "stop": "entretien arrêté", "nothing_to_undo": "rien à reprendre",
            "unknown_field": "fait inconnu", "expects": "attendu", "c": " : "},
     "en": {"q": "Question", "why": "why", "settles": "may settle", "now": "Answer so far",
            "done": "Nothing more can change the answer", "asked": "questions asked",
            "of_form": "out of {n} form fields", "bad": "answer not understood", "saved": "case saved to",
            "undone": "answer taken back", "stop": "interview stopped", "nothing_to_undo": "nothing to take back",
            "unknown_field": "unknown fact", "expects": "expected", "c": ": "}}


def register(sub):
    import argparse
    p = sub.add_parser("interview", help="entretien guidé : ne demander que les faits qui décident de la réponse",
                       description="Entretien guidé : une question à la fois, le fait qui tranche le plus de "
                                   "procédures d'abord, avec la condition et l'article qui l'attendent.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("case", nargs="?", help="cas de départ (.json, .lq, ou un export CSV avec --line) ; rien : un cas vide")
    p.add_argument("--line", type=int, help="avec un fichier CSV : le numéro de ligne du cas dans le fichier")
    p.add_argument("--as-of", help="date d'évaluation (AAAA-MM-JJ) ; défaut : celle du cas, sinon aujourd'hui")
    p.add_argument("-o", "--output", help="enregistrer le cas construit (.json ou .lq)")
    from .options import add_lang
    add_lang(p)
    p.set_defaults(func=run)


def start_case(path: str | None, line: int | None, lang: str = "fr") -> dict:
    """The case to start from: nothing, a JSON case, a .lq case, or a CSV line."""
    if not path:
        return {"id": "entretien" if lang == "fr" else "interview"}
    if path.lower().endswith(".csv"):
        if line is None:
            raise UsageError("un fichier CSV : donnez la ligne du cas avec --line N", expected="ex. --line 12",
                             message_en="a CSV file: give the case's line with --line N", expected_en="e.g. --line 12")
        from ..screening.csv_cases import iter_cases
        for c in iter_cases(path, validate=False):
            if c.line == line:
                if c.error is not None:
                    raise c.error
                return {k: v for k, v in (c.raw or {}).items() if not k.startswith("__")}
        raise InputError(f"pas de cas à la ligne {line} de {path}", where=path,
                         expected="le numéro d'une ligne de données (la ligne 1 est l'en-tête)",
                         message_en=f"no case on line {line} of {path}",
                         expected_en="the number of a data line (line 1 is the header)")
    from ..casefiles.load import load_cases
    cases, _label = load_cases(path)
    if len(cases) != 1:
        raise InputError(f"{path} décrit {len(cases)} cas : l'entretien part d'un seul", where=path,
                         expected="un fichier d'un seul cas",
                         message_en=f"{path} describes {len(cases)} cases: the interview starts from one",
                         expected_en="a file of a single case")
    return cases[0]


def status_lines(answer, lang: str) -> list[str]:
    from ..render.status_line import PMARK, procedure_title, status_bits
    from ..render.text import WORDS
    out = []
    for p in answer.procedures:
        title = procedure_title(p, lang)
        bits = status_bits(p, lang, WORDS[lang], lambda d: d.isoformat(), until=False, consent=False)
        out.append(f"  {PMARK[p.status]} {title}{W[lang]['c']}{', '.join(bits)}")
    return out


def save(case: dict, path: str, lang: str = "fr") -> None:
    from .ask import write_whole
    if path.endswith(".lq"):
        from ..dsl import case_to_lq
        data = case_to_lq(case, lang=lang)
    else:
        data = json.dumps(case, ensure_ascii=False, indent=2) + "\n"
    write_whole(path, data.encode("utf-8"))


def run(args) -> int:
    from ..engine.api import load_kb
    from ..interview import Interview, field_of_words, form_field_count
    from ..render.text import render_text
    from .options import date_option
    lang = args.lang
    w = W[lang]
    as_of = date_option(args.as_of)
    case = start_case(args.case, args.line, args.lang)
    from ..engine.case import read_case
    read_case(case, args.case or "<entretien>")
    iv = Interview(load_kb(), case, as_of, lang)
    interactive = sys.stdin.isatty()
    forced: str | None = None
    shown: list[str] = []
    while True:
        ans, q = iv.next()
        if forced:
            from ..interview import describe
            label, expects = describe(forced, lang)
            from ..interview import Question
            q = Question(forced, label, expects)
        lines = status_lines(ans, lang)
        if lines != shown:       # the answer as it firms up: shown again only when it changed
            print(f"{w['now']}{w['c'].rstrip()}")
            print("\n".join(lines))
            shown = lines
        if q is None:
            print(f"\n{w['done']} — {len(iv.asked)} {w['asked']} " + w["of_form"].format(n=form_field_count()) + ".\n")
            print(render_text(ans, lang=lang))
            break
        n = len(iv.asked) + 1
        print(f"\n{w['q']} {n} — {q.label}{' ?' if w is W['fr'] else '?'}  ({w['expects']}{w['c']}{q.expects})")
        for r in q.why[:3]:
            print(f"   {w['why']}{w['c']}{r.condition} — {r.procedure} ({', '.join(r.sources)})")
        if q.settles and not q.why:
            print(f"   {w['settles']}{w['c']}{', '.join(q.settles)}")
        try:
            text = input("> " if interactive else "")
        except EOFError:
            print(f"\n{w['stop']}.")
            print(render_text(ans, lang=lang))
            break
        if not interactive:
            print(f"> {text}")
        low = text.strip().lower()
        forced = None
        if low in ("fin", "stop", "quit", "q"):
            print(f"{w['stop']}.")
            print(render_text(iv.answer(), lang=lang))
            break
        if low in ("retour", "back", "undo"):
            path = iv.undo()
            print(f"  {w['undone'] if path else w['nothing_to_undo']}" + (f"{w['c']}{path}" if path else ""))
            forced = path
            continue
        if low.startswith("modifier ") or low.startswith("change "):
            words = text.strip().split(" ", 1)[1]
            path = field_of_words(words)
            if path is None:
                print(f"  {w['unknown_field']}{w['c']}« {words} »")
            else:
                iv.revise(path)
                forced = path
            continue
        try:
            iv.give(q.path, text)
        except LexqueryError as e:
            if args.lang == "en":
                from ..engine.case_english import with_english
                message, expected, _hint = with_english(e).english()
            else:
                message, expected = e.message, e.expected
            print(f"  {w['bad']}{w['c']}{message}" + (f" ({w['expects']}{w['c']}{expected})" if expected else ""))
            forced = q.path
    if args.output:
        save(iv.case, args.output, args.lang)
        print(f"{w['saved']} {args.output}", file=sys.stderr)
    return 0


ENGLISH = {"interview": {
    "help": "guided interview: ask only the facts that decide the answer",
    "description": "Guided interview: one question at a time, the fact that settles the most procedures first, "
                   "with the condition and the article that wait on it.",
    "epilog": """\
at the prompt: an answer in the words of the lexquery language, which are French (« 1er juin
2025 », « 3 ans », « Roumanie », « oui »); « je ne sais pas » (I do not know): the fact stays
unknown and is no longer asked; « retour » (back): take the last answer again; « modifier
nationalités » (change): ask a fact again; « fin » (end): stop. A question is asked only when its
answer can change the answer.

examples:
  lexquery interview --lang en                         from nothing
  lexquery interview examples/ionescu.json -o case.lq --lang en   complete a case, save it as .lq
  lexquery interview export.csv --line 12 -o case.json --lang en  start from line 12 of a registry export
""",
    "options": {"case": "starting case (.json, .lq, or a CSV export with --line); nothing: an empty case",
                "--line": "with a CSV file: the line number of the case in the file",
                "--as-of": "date of evaluation (YYYY-MM-DD); default: the case's, else today",
                "--output": "save the case built (.json or .lq)"},
}}

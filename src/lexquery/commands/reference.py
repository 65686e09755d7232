"""`lexquery reference WHAT STATE [--at DATE] [--format text|json] [--lang fr|en]`

One question of reference data, answered with its evidence (issue 2, item 4): is STE 112 or
STE 167 in force between France and a State on a date, is a State a Member State of the EU,
does FD 2008/909/JAI apply between France and it, is France bound to it by a bilateral
transfer convention, is it on the circular's mandatory consular-notification list
(Circ. 2025, n. 1). The answer is yes / no / unknown — unknown where the sources stop,
never a guess — followed by the dated facts and their sources (reference/*.yaml).
"""
from __future__ import annotations

import json
from datetime import date

from ..errors import UsageError

QUESTIONS = {
    "STE112": ("Convention STE 112 en vigueur entre la France et {state}", "party"),
    "STE167": ("Protocole STE 167 en vigueur entre la France et {state}", "party"),
    "EU": ("{State} : État membre de l'Union européenne", "eu_member"),
    "DC2008-909": ("Décision-cadre 2008/909/JAI applicable entre la France et {state}", "fd_2008_909_applies"),
    "BILATERAL": ("Convention bilatérale de transfèrement entre la France et {state}", "bilateral_convention"),
    "CONSULAR": ("{State} : sur la liste d'information consulaire obligatoire (Circ. 2025, n. 1)", "consular_mandatory"),
}
ALIASES = {"STE 112": "STE112", "STE-112": "STE112", "CETS112": "STE112", "STE 167": "STE167",
           "STE-167": "STE167", "CETS167": "STE167", "UE": "EU", "DC2008/909": "DC2008-909",
           "FD2008/909": "DC2008-909", "2008/909": "DC2008-909", "BILATERALE": "BILATERAL",
           "CONSULAIRE": "CONSULAR"}
QUESTIONS_EN = {
    "STE112": "Convention ETS 112 in force between France and {state}",
    "STE167": "Protocol ETS 167 in force between France and {state}",
    "EU": "{state}: a Member State of the European Union",
    "DC2008-909": "Framework Decision 2008/909/JHA applicable between France and {state}",
    "BILATERAL": "Bilateral transfer convention between France and {state}",
    "CONSULAR": "{state}: on the list of mandatory consular notification (Circ. 2025, n. 1)",
}
WORDS = {"fr": {True: "oui", False: "non", None: "inconnu — à vérifier"},
         "en": {True: "yes", False: "no", None: "unknown — to verify"}}


EPILOG = """\
questions (QUOI) : STE112, STE167 (convention ou protocole en vigueur entre la France et l'État),
EU (État membre de l'Union), DC2008-909 (décision-cadre applicable entre la France et l'État),
BILATERAL (convention bilatérale de transfèrement), CONSULAR (liste d'information consulaire
obligatoire de la circulaire de 2025). Réponse : oui / non / inconnu — « inconnu » là où les
sources s'arrêtent, jamais une supposition — suivie des faits datés et de leurs sources
(reference/*.yaml). Un État inconnu (avec l'orthographe la plus proche) ou une question
inconnue : code de sortie 2.

exemples :
  lexquery reference STE112 GE                         code ISO 3166, à la date du jour
  lexquery reference STE167 Maroc --at 2026-12-01      nom français, à une date donnée
  lexquery reference EU Roumanie
  lexquery reference DC2008-909 PL --format json       la réponse et ses sources en JSON
  lexquery reference BILATERAL MA
  lexquery reference CONSULAR Algérie
  lexquery reference STE112 MA --lang en               la réponse en anglais
"""


def register(subparsers):
    import argparse
    p = subparsers.add_parser("reference", help="interroger les données de référence (Parties, UE, "
                                                 "conventions bilatérales, liste consulaire), avec leurs sources",
                              description="Répondre à une question de données de référence entre la France et un "
                                          "État, à une date, par oui, non ou inconnu, avec les faits datés et "
                                          "leurs sources.",
                              epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", metavar="QUOI", help=", ".join(QUESTIONS))
    p.add_argument("state", metavar="ÉTAT", help="code ISO 3166 (GE) ou nom français (Géorgie)")
    p.add_argument("--at", metavar="AAAA-MM-JJ", help="date de la question (défaut : aujourd'hui)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    from .options import add_lang
    add_lang(p)   # the JSON gives both: question/question_en, note/note_en, evidence/evidence_en
    p.set_defaults(func=run)


from ..words import fold as _fold   # case- and accent-insensitive key (« Georgie » finds « Géorgie »)


def _state_code(ref, text: str) -> str:
    t = text.strip()
    if t.upper() in ref.states:
        return t.upper()
    by_name = {_fold(n): code for code, names in ref.states.items() for n in names.values()}
    if _fold(t) in by_name:
        return by_name[_fold(t)]
    import difflib
    near = difflib.get_close_matches(_fold(t), list(by_name), n=1)
    hint = f"vouliez-vous dire « {near[0]} » ({by_name[near[0]]}) ?" if near else \
        "donnez le code ISO 3166 à deux lettres (ex. GE) ou le nom français de l'État"
    hint_en = f"did you mean « {near[0]} » ({by_name[near[0]]})?" if near else \
        "give the two-letter ISO 3166 code (e.g. GE) or the State's French name"
    raise UsageError(f"État inconnu « {text} »", expected="un État de reference/states.yaml", hint=hint,
                     message_en=f"unknown State « {text} »", expected_en="a State of reference/states.yaml", hint_en=hint_en)


def answer(what: str, state: str, on: date) -> dict:
    """The reference answer as a dict (also used by the web API)."""
    from ..kb.reference import load_reference
    ref = load_reference()
    key = ALIASES.get(what.strip().upper(), what.strip().upper())
    if key not in QUESTIONS:
        raise UsageError(f"question inconnue « {what} »", expected=", ".join(QUESTIONS),
                         message_en=f"unknown question « {what} »", expected_en=", ".join(QUESTIONS))
    code = _state_code(ref, state)
    label, method = QUESTIONS[key]
    fn = getattr(ref, method)
    if method == "party":
        fact = fn(key, code, on)
    elif method == "consular_mandatory":
        fact = fn(code)
    else:
        fact = fn(code, on)
    from ..kb.states import state_phrase   # « la Géorgie », « le Maroc », « l'Italie » (French articles)
    phrase = state_phrase(code)
    phrase = f"{phrase} ({code})" if phrase != code else code
    evidence_en, note_en, _ = fact.words("en")
    name_en = ref.state_name(code, "en")
    name_en = f"{name_en} ({code})" if name_en != code else code
    return {"question": label.format(state=phrase, State=phrase[:1].upper() + phrase[1:]) + f" au {on.isoformat()} ?",
            "what": key, "state": code, "at": on.isoformat(), "answer": fact.value,
            "note": fact.note, "evidence": list(fact.evidence),
            # the same in English (issue 15 item 7)
            "question_en": QUESTIONS_EN[key].format(state=name_en) + f" on {on.isoformat()}?",
            "note_en": note_en, "evidence_en": list(evidence_en)}


def run(args) -> int:
    from .options import date_option
    on = date_option(args.at, "--at") or date.today()
    a = answer(args.what, args.state, on)
    if args.format == "json":
        print(json.dumps(a, ensure_ascii=False, indent=1))
        return 0
    en = getattr(args, "lang", "fr") == "en"
    print(a["question_en"] if en else a["question"])
    note = a["note_en"] if en else a["note"]
    print(f"  → {WORDS['en' if en else 'fr'][a['answer']]}" + (f" ({note})" if note else ""))
    for e in (a["evidence_en"] if en else a["evidence"]):
        print(f"    {e}")
    return 0


ENGLISH = {"reference": {
    "help": "query the reference data (Parties, EU, bilateral conventions, consular list), with their sources",
    "description": "Answer a reference-data question between France and a State, on a date, with the dated "
                   "facts and their sources.",
    "epilog": """\
questions (WHAT): STE112, STE167 (convention or protocol in force between France and the State),
EU (Member State of the Union), DC2008-909 (framework decision applicable between France and the
State), BILATERAL (bilateral transfer convention), CONSULAR (mandatory consular information list of
the 2025 circular). Answer: yes / no / unknown — « unknown » where the sources stop, never a
guess — followed by the dated facts and their sources (reference/*.yaml). An unknown State (with
the closest spelling) or an unknown question: exit code 2.

examples:
  lexquery reference STE112 GE --lang en               ISO 3166 code, on today's date
  lexquery reference STE167 Maroc --at 2026-12-01 --lang en   French name, on a given date
  lexquery reference EU Roumanie --lang en
  lexquery reference DC2008-909 PL --format json       the answer and its sources in JSON
  lexquery reference BILATERAL MA --lang en
  lexquery reference CONSULAR Algérie --lang en
""",
    "options": {"what": ("STE112, STE167, EU, DC2008-909, BILATERAL, CONSULAR", "WHAT"),
                "state": ("ISO 3166 code (GE) or French name (Géorgie)", "STATE"),
                "--at": ("date of the question (default: today)", "YYYY-MM-DD")},
}}

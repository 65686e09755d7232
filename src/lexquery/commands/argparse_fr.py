"""argparse in French: its own words (« usage », « positional arguments », « show this help
message and exit », its error messages) translated, so that `lexquery --help` and a wrong
command line read in one language (issue 15 item 7).

argparse looks its words up through ``gettext`` at the moment it writes them; :func:`install`
points its ``_`` at this table (the other words pass through unchanged).
"""
from __future__ import annotations

import argparse

WORDS = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "optional arguments": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "show program's version number and exit": "afficher la version et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choisir parmi %(choices)s)",
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s attendu) : %(value)r",
    "expected one argument": "un argument attendu",
    "expected at most one argument": "au plus un argument attendu",
    "expected at least one argument": "au moins un argument attendu",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "argument explicite ignoré : %r",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "unexpected option string: %s": "option inattendue : %s",
}


def _(text: str) -> str:
    return WORDS.get(text, text)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _(singular if n == 1 else plural)


def install(lang: str = "fr") -> None:
    """argparse's words in ``lang``: French from this table, or argparse's own English
    (``--lang en`` on the command line: its usage errors then read in English)."""
    if lang == "en":
        argparse._ = lambda text: text
        argparse.ngettext = lambda singular, plural, n: singular if n == 1 else plural
        return
    argparse._ = _
    argparse.ngettext = _ngettext


def wanted_lang(argv) -> str:
    """The ``--lang`` of a command line before argparse reads it (its own errors come first)."""
    argv = list(argv or [])
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "fr"
        if a.startswith("--lang="):
            return "en" if a.split("=", 1)[1] == "en" else "fr"
    return "fr"

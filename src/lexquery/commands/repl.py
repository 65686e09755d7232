"""`lexquery repl` — write a case line by line and ask questions as you go.

Each line is a statement of the lexquery language (docs/language.md): a fact is added
to the current case (giving a fact again replaces it), a question is answered at once
on the case as it stands. Commands: `.montrer` (the case as .lq), `.json` (as JSON),
`.nouveau` (start again), `.aide`, `.quitter` (or end of input).
History (~/.lexquery_history, or $LEXQUERY_HISTORY) and Tab completion of keywords,
fact names, States and procedures when the terminal has readline. When standard input is
not a terminal, lines are read until its end, without prompt: tests never wait.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ..errors import LexqueryError

HELP = """Écrivez un fait (« nationalité : Roumanie »), une question (« quelles procédures ? »,
« pourquoi LC expulsion ? », « que manque-t-il ? », « et si récidive légale : oui ? »…),
ou une commande : .montrer  .json  .nouveau  .aide  .quitter"""
HELP_EN = """Write a fact (« nationalité : Roumanie »), a question (« quelles procédures ? »,
« pourquoi LC expulsion ? », « que manque-t-il ? », « et si récidive légale : oui ? »…) in the
lexquery language (docs/language.md, its words are French), or a command: .show  .json  .new  .help  .quit"""
WORDS = {"fr": {"help": HELP, "new": "(nouveau cas)", "empty": "(aucun fait pour l'instant)"},
         "en": {"help": HELP_EN, "new": "(new case)", "empty": "(no fact yet)"}}


EPILOG = """\
chaque ligne est une phrase du langage lexquery (docs/language.md) : un fait s'ajoute au cas
(le redonner le remplace), une question est répondue aussitôt sur le cas tel qu'il est.
commandes : .montrer (le cas en .lq), .json (en JSON), .nouveau, .aide, .quitter (ou fin de
l'entrée). Historique dans ~/.lexquery_history (ou $LEXQUERY_HISTORY), complétion par Tab
(avec readline). Hors d'un terminal, les lignes sont lues jusqu'à la fin de l'entrée,
sans invite.

exemples :
  lexquery repl                                        faits et questions, .quitter pour finir
  lexquery repl --no-history                           sans lire ni écrire l'historique
  lexquery repl --no-history < examples/ionescu.lq     un fichier .lq rejoué ligne à ligne
  printf 'nationalité : Roumanie\\nquelles procédures ?\\n' | lexquery repl --no-history
"""


def register(sub):
    import argparse
    p = sub.add_parser("repl", help="décrire un cas et poser des questions, ligne à ligne",
                       description="Décrire un cas ligne à ligne dans le langage lexquery et poser des questions "
                                   "au fur et à mesure.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--no-history", action="store_true", help="ne pas lire ni écrire l'historique")
    from .options import add_lang
    add_lang(p)
    p.set_defaults(func=run)


def completions() -> list[str]:
    from ..dsl import vocab
    words = set(vocab.KEYWORDS)
    for _path, (_t, fr, en) in vocab.FIELDS.items():
        words.update(f"{n} :" for n in fr + en)
    words.update(n["fr"] for n in vocab.states().values() if n.get("fr"))
    words.update(vocab.states())
    for pid, names in vocab.PROCEDURE_ALIASES.items():
        words.add(pid)
        words.update(names)
    words.update([".montrer", ".json", ".nouveau", ".aide", ".quitter"])
    return sorted(words)


class Completer:
    """readline completer: keywords, fact names, States, procedures."""

    def __init__(self, words):
        self.words = words
        self.matches: list[str] = []

    def candidates(self, line: str, text: str) -> list[str]:
        """Completions of ``text``, the last word of ``line`` (the line up to the cursor)."""
        from ..dsl.vocab import norm
        phrase = line.split(":")[-1].lstrip() if ":" in line else line.lstrip()
        stem, before = norm(phrase), len(phrase) - len(text)
        out = []
        for w in self.words:
            if norm(w).startswith(stem) and len(w) >= before:
                out.append(w[before:] if before > 0 else w)
        return out

    def complete(self, text, state):
        if state == 0:
            import readline
            self.matches = self.candidates(readline.get_line_buffer()[:readline.get_endidx()], text)
        return self.matches[state] if state < len(self.matches) else None


class Session:
    """The state of a REPL: the lines of the current case, answered one by one."""

    def __init__(self, engine=None, out=None, lang: str = "fr"):
        self.lines: list[str] = []
        self.engine = engine
        self.out = out or sys.stdout
        self.lang = lang
        self.words = WORDS[lang]

    def error(self, e: LexqueryError):
        from .language import render_error
        self.say(render_error(e, self.lang))

    def say(self, text: str):
        self.out.write(text + "\n")

    def handle(self, line: str) -> bool:
        """Process one line; False to stop."""
        from .. import dsl
        s = line.strip()
        if not s or s.startswith("#"):
            return True
        if s in (".quitter", ".quit", ".q", "exit", "quit"):
            return False
        if s in (".aide", ".help", "aide", "help"):
            self.say(self.words["help"])
            return True
        if s in (".nouveau", ".new"):
            self.lines = []
            self.say(self.words["new"])
            return True
        if s in (".montrer", ".show", ".json"):
            try:
                doc = dsl.build("\n".join(self.lines), "<repl>", implicit_id="repl", override=True)
                cases = doc.case_dicts()
                if not cases:
                    self.say(self.words["empty"])
                elif s == ".json":
                    self.say(json.dumps(cases[-1], ensure_ascii=False, indent=2))
                else:
                    self.say(dsl.case_to_lq(cases[-1], lang=self.lang).rstrip())
            except LexqueryError as e:
                self.error(e)
            return True
        try:  # syntax first, on the line alone, so that the error points into it
            dsl.parse(s, "<repl>")
        except LexqueryError as e:
            self.error(e)
            return True
        candidate = self.lines + [s]
        try:
            doc = dsl.build("\n".join(candidate), "<repl>", implicit_id="repl", override=True)
        except LexqueryError as e:
            self.error(e)
            return True
        items = [it for it in doc.items if it.question.span.line == len(candidate)]
        if items:
            from ..dsl.questions import answer
            from ..engine.api import load_kb
            self.engine = self.engine or load_kb()
            self.say(answer(items[0], self.engine, lang=self.lang))
        else:
            self.lines = candidate
        return True


def run(args) -> int:
    interactive = sys.stdin.isatty()
    session = Session(lang=args.lang)
    hist = None
    if interactive:
        try:
            import readline
            readline.set_completer(Completer(completions()).complete)
            readline.set_completer_delims(" \t\n,:?")
            readline.parse_and_bind("tab: complete")
            if not args.no_history:
                hist = Path(os.environ.get("LEXQUERY_HISTORY") or Path.home() / ".lexquery_history")
                try:
                    readline.read_history_file(str(hist))
                except OSError:
                    pass
        except ImportError:  # pragma: no cover - no readline on this platform
            pass
        print("lexquery — " + session.words["help"].replace("\n", " "))
    try:
        while True:
            try:
                line = input("lq> ") if interactive else sys.stdin.readline()
            except EOFError:
                break
            if not interactive and line == "":
                break
            if not session.handle(line.rstrip("\n")):
                break
    except KeyboardInterrupt:
        print()
    finally:
        if hist is not None:
            try:
                import readline
                readline.write_history_file(str(hist))
            except (ImportError, OSError):
                pass
    return 0


ENGLISH = {"repl": {
    "help": "describe a case and ask questions, line by line",
    "description": "Describe a case line by line in the lexquery language and ask questions as you go.",
    "epilog": """\
each line is a statement of the lexquery language (docs/language.md; its words are French): a
fact is added to the case (giving it again replaces it), a question is answered at once on the
case as it stands. commands: .show (the case as .lq), .json (as JSON), .new, .help, .quit (or
the end of input). History in ~/.lexquery_history (or $LEXQUERY_HISTORY), Tab completion (with
readline). Outside a terminal, lines are read until the end of input, without a prompt.

examples:
  lexquery repl --lang en                              facts and questions, .quit to end
  lexquery repl --no-history --lang en                 without reading or writing the history
  lexquery repl --no-history --lang en < examples/ionescu.lq   a .lq file replayed line by line
""",
    "options": {"--no-history": "neither read nor write the history"},
}}

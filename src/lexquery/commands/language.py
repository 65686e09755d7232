"""A command's words for a person in the language of ``--lang`` (issue 15): an error rendered in
French or in English, its English filled first where the words are known."""
from __future__ import annotations

from ..errors import LexqueryError


def render_error(err: LexqueryError, lang: str = "fr") -> str:
    """``err`` as text in ``lang``; in English a case's problems get their words from
    :mod:`lexquery.engine.case_english` (the case reader words them in French), the other
    errors carry theirs (``message_en``…, given where they are raised)."""
    if lang == "en":
        from ..engine.case_english import with_english
        with_english(err)
    return err.render(lang)


def english_help(parser, texts: dict) -> None:
    """Put the English of a command's help on its parser (``--lang en --help``): ``texts`` maps a
    command's name (« sources », « kb check ») to its ``help`` (the line in the list of commands),
    ``description``, ``epilog``, and ``options``: an option string or a positional's dest → its
    help, or (help, metavar). A command without English keeps its French help."""
    import argparse
    by_name = dict(_commands(parser))
    for name, t in texts.items():
        p, line = by_name.get(name, (None, None))
        if p is None:
            continue
        if "description" in t:
            p.description = t["description"]
        if "epilog" in t:
            p.epilog = t["epilog"]
        if "help" in t and line is not None:
            line.help = t["help"]
        opts = t.get("options", {})
        for a in p._actions:
            if isinstance(a, argparse._HelpAction):
                a.help = "show this help message and exit"
                continue
            key = next((s for s in a.option_strings if s in opts), a.dest if a.dest in opts else None)
            if a.option_strings == ["--lang"]:
                a.help = LANG_HELP_EN
            if key is None:
                continue
            value = opts[key]
            a.help, a.metavar = (value, a.metavar) if isinstance(value, str) else value


LANG_HELP_EN = "language of messages and answer: fr (default) or en"


def _commands(parser, prefix=""):
    """(name, (parser, its line in the parent's list)) of every command and action."""
    import argparse
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            lines = {c.dest: c for c in action._choices_actions}
            for name, sub in action.choices.items():
                full = f"{prefix} {name}".strip()
                yield full, (sub, lines.get(name))
                yield from _commands(sub, full)

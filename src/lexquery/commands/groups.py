"""A command made of actions (``lexquery kb check``, ``lexquery law diff``): registered in one
shape, its help shown when no action is given (exit 2, as argparse does for a usage error)."""
from __future__ import annotations

import argparse

_RAW = argparse.RawDescriptionHelpFormatter


def add_group(subparsers, name: str, *, help: str, description: str, epilog: str):
    """The parser of command ``name`` and the sub-parsers of its actions (``ACTION``)."""
    p = subparsers.add_parser(name, help=help, description=description, epilog=epilog, formatter_class=_RAW)
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])
    return p.add_subparsers(dest=f"{name}_command", metavar="ACTION")


def add_action(actions, name: str, func, *, help: str, description: str, epilog: str):
    """One action of a group, run by ``func(args)``; its arguments are added to what is returned.
    Every action takes ``--lang`` (commands.options.add_lang), as every command does."""
    from .options import add_lang
    a = actions.add_parser(name, help=help, description=description, epilog=epilog, formatter_class=_RAW)
    add_lang(a)
    a.set_defaults(func=func)
    return a

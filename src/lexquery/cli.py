"""The `lexquery` command: one dispatcher, one subcommand module per job.

Each module in :mod:`lexquery.commands` exposes ``register(subparsers)``; it adds
its parser and sets ``func`` to a callable taking the parsed args and returning an
exit code. Errors derive from :class:`lexquery.errors.LexqueryError` and are mapped
to exit codes here, in one place; a traceback is shown only with ``--debug``.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from . import commands
from .errors import LexqueryError, UsageError


def build_parser() -> argparse.ArgumentParser:
    from .commands.argparse_fr import install
    install()   # argparse's own words in French (« usage : », « options », its errors)
    parser = argparse.ArgumentParser(
        prog="lexquery",
        description="Quelle procédure s'applique à un détenu étranger condamné ? "
                    "(CPP 728-10 s., 729-2, 720 ; STE 112/167)")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="afficher la version et l'emplacement de la base, puis quitter")
    parser.add_argument("--debug", action="store_true", help="afficher la trace Python en cas d'erreur")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


class _Version(argparse.Action):
    """``--version`` printed as is (argparse's own action wraps the line at 80 columns)."""

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_line())
        parser.exit(0)


def version_line() -> str:
    """``lexquery 0.1.0 (base : /…/kbdata, paquet installé)`` — which KB a command reads."""
    from .version import __version__
    from .paths import home, where_from
    how = {"env": "LEXQUERY_HOME", "checkout": "dépôt / checkout", "package": "paquet installé / installed package"}
    return f"lexquery {__version__} (base / KB : {home()}, {how[where_from()]})"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return UsageError.exit_code
    try:
        return int(args.func(args) or 0)
    except LexqueryError as err:
        if args.debug:
            raise
        print(err.render(), file=sys.stderr)
        return err.exit_code
    except BrokenPipeError:
        return 0
    except Exception as err:  # a defect of lexquery itself: say so, without a traceback
        if args.debug:
            raise
        print(f"erreur interne : {type(err).__name__}: {err}\n"
              f"  = aide : relancez avec --debug pour la trace complète et signalez-la", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The `lexquery` command: one dispatcher, one subcommand module per job.

Each module in :mod:`lexquery.commands` exposes ``register(subparsers)``; it adds
its parser and sets ``func`` to a callable taking the parsed args and returning an
exit code. Errors derive from :class:`lexquery.errors.LexqueryError` and are mapped
to exit codes here, in one place; a traceback is shown only with ``--debug``.
"""
from __future__ import annotations

import argparse
import errno
import importlib
import os
import pkgutil
import signal
import sys

from . import commands
from .commands.language import render_error
from .errors import LexqueryError, UsageError


def build_parser(lang: str = "fr") -> argparse.ArgumentParser:
    from .commands.argparse_fr import install
    install(lang)   # argparse's own words in French (« usage : », « options », its errors); English with --lang en
    parser = argparse.ArgumentParser(
        prog="lexquery",
        description="Quelle procédure s'applique à un détenu étranger condamné ? "
                    "(CPP 728-10 s., 729-2, 720 ; STE 112/167)")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="afficher la version et l'emplacement de la base, puis quitter")
    parser.add_argument("--debug", action="store_true", help="afficher la trace Python en cas d'erreur")
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")
    english = {}
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(sub)
            english.update(getattr(module, "ENGLISH", {}))
    if lang == "en":   # the helps a command gives in English (ENGLISH in its module); the others stay French
        from .commands.language import english_help
        parser.description = "Which procedure applies to a convicted foreign detainee? (CPP 728-10 ff., 729-2, 720; ETS 112/167)"
        english_help(parser, english)
        for a in parser._actions:
            if a.option_strings == ["--version"]:
                a.help = "show the version and the knowledge base's location, then exit"
            elif a.option_strings == ["--debug"]:
                a.help = "show the Python trace on an error"
            elif a.option_strings in (["-h", "--help"],):
                a.help = "show this help message and exit"
            elif a.dest == "command":
                a.metavar = "COMMAND"
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


_MAIN_PID = None
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def _on_sigterm(signum, frame):
    """SIGTERM ends the command as Ctrl+C does: outputs being written are removed, the previous
    files stay (lexquery.files.atomic_output); a worker process (fork) just ends."""
    if os.getpid() != _MAIN_PID:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise SystemExit(128 + signum)


def _stdout_failed(err: OSError, lang: str = "fr") -> int:
    from .files import output_failed
    try:   # what is left in the buffer cannot be written either: drop it, quietly (also at exit)
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass
    e = output_failed("-", err)
    print(render_error(e, lang), file=sys.stderr)
    return e.exit_code


def main(argv: list[str] | None = None) -> int:
    """The command of ``argv`` (``sys.argv`` when None: the command line's own process, whose
    start-up runs with the garbage collector paused, :mod:`lexquery.gcpause`)."""
    global _MAIN_PID
    if argv is None:
        from .gcpause import pause
        pause(entry=True)
    from .commands.argparse_fr import wanted_lang
    parser = build_parser(wanted_lang(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return UsageError.exit_code
    _MAIN_PID, previous = os.getpid(), None
    try:
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:   # not the main thread: leave signals alone
        pass
    try:
        return _main(args)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(args) -> int:
    from .gcpause import resume
    resume()   # the parser built: the command runs with the collector (it may pause it again while it starts)
    lang = getattr(args, "lang", "fr")
    try:
        code = int(args.func(args) or 0)
        sys.stdout.flush()   # a full disk or /dev/full shows here, not at exit
        return code
    except LexqueryError as err:
        if args.debug:
            raise
        print(render_error(err, lang), file=sys.stderr)
        return err.exit_code
    except BrokenPipeError:
        return 0
    except OSError as err:
        if args.debug:
            raise
        if err.errno in _WRITE_ERRNOS:   # the standard output (a file output is an OutputError)
            return _stdout_failed(err, lang)
        from .errors import InputError   # reading a file failed (rights, I/O error): the input's fault, exit 3
        e = InputError(f"fichier illisible : {err.strerror or err}", where=str(err.filename) if err.filename else None,
                       hint="vérifiez le fichier et les droits de lecture",
                       message_en=f"unreadable file: {err.strerror or err}", hint_en="check the file and the read rights")
        print(e.render(lang), file=sys.stderr)
        return e.exit_code
    except Exception as err:  # a defect of lexquery itself: say so, without a traceback
        if args.debug:
            raise
        if lang == "en":
            print(f"internal error: {type(err).__name__}: {err}\n"
                  f"  = help: run again with --debug for the whole trace and report it", file=sys.stderr)
        else:
            print(f"erreur interne : {type(err).__name__}: {err}\n"
                  f"  = aide : relancez avec --debug pour la trace complète et signalez-la", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

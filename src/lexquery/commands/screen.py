"""`lexquery screen FILE.csv|- [--as-of DATE] [-o OUT.csv|.jsonl|.json|.html] [--jobs N]`.

Answers every row of a registry export (docs/screening-csv.md): one output
row per case × procedure × State; a row that cannot be read becomes one error row (status
``error``, its line number and the message) and the batch goes on. A progress bar on the
terminal (stderr, none when piped), the summary on stderr at the end.
Exit 0 when every row was answered, 3 when some rows were rejected (the output is
complete all the same: as many cases out as in).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from ..errors import InputError, UsageError


# Below this size (about 1,000 rows of `lexquery synth`) a single process answers as fast as two:
# starting the workers costs what the second core would save (docs/performance.md).
AUTO_PARALLEL_BYTES = 256 * 1024
# Below this size (about 70 rows) the columnar engine's fixed cost (≈ 6.5 ms a batch, and the
# imports of numpy and polars, 0.3–0.5 s) is not paid back: the scalar engine answers (issue 16).
AUTO_COLUMNAR_BYTES = 16 * 1024
# From this size (two blocks of the columnar reader, ≈ 20,000 rows of `lexquery synth`) the columnar
# engine uses every core by default: a worker starts a fresh interpreter and compiles the rules
# (≈ 1 s of CPU), which a single batch does not pay back (docs/performance.md, « Columnar, workers »).
AUTO_COLUMNAR_PARALLEL_BYTES = 4 * 1024 * 1024
COLUMNAR_FORMATS = ("csv", "jsonl", "json")
"""The answers the columnar engine writes (the HTML report explains each case and the calendar
needs each procedure's events: the scalar engine writes those)."""


def default_engine(path: str, fmt: str, size: int | None = None) -> str:
    """``columnar`` for a CSV, JSON Lines or JSON answer to an input of at least AUTO_COLUMNAR_BYTES
    when the compiled program of the rules exists (lexquery.columnar.program); ``scalar`` otherwise
    (small inputs, HTML / ICS, which the scalar engine writes). ``size``: the input's size when it
    is not a file's (standard input looked at by :func:`peek_stdin`: at least that many bytes);
    standard input without it is screened by the scalar engine (its size unknown)."""
    if fmt not in COLUMNAR_FORMATS:
        return "scalar"
    if size is None:
        if path == "-":
            return "scalar"
        try:
            size = os.path.getsize(path)
        except OSError:
            return "scalar"
    if size < AUTO_COLUMNAR_BYTES:
        return "scalar"
    import importlib.util
    try:
        found = importlib.util.find_spec("lexquery.columnar.program") is not None
    except ImportError:   # numpy or polars missing
        found = False
    return "columnar" if found else "scalar"


def default_jobs(path: str, size: int | None = None, threshold: int = AUTO_PARALLEL_BYTES) -> int:
    """Worker processes when --jobs is not given: one for an input smaller than ``threshold``
    (the scalar engine's by default), every core for a larger file or for standard input of
    unknown size (``size``: as for :func:`default_engine`)."""
    cores = os.cpu_count() or 1
    if size is None:
        if path == "-":
            return cores
        try:
            size = os.path.getsize(path)
        except OSError:
            return 1
    return cores if size >= threshold else 1


def peek_stdin(limit: int = AUTO_COLUMNAR_BYTES) -> int | None:
    """Read up to ``limit`` bytes of standard input ahead and put them back (``sys.stdin`` is
    re-wrapped over them and the rest, :class:`lexquery.screening.csv_text.Prefixed`): the
    input's size if it ended before, else ``limit`` (at least that much). None when standard input
    has no binary layer to read (then nothing is read). The cost: the screening starts after
    ``limit`` bytes (≈ 70 rows) or the end of the input, whichever comes first."""
    import io
    from ..screening.csv_text import Prefixed
    stdin = sys.stdin
    raw = getattr(stdin, "buffer", None)
    if raw is None:
        return None
    head = raw.read(limit) or b""
    sys.stdin = io.TextIOWrapper(io.BufferedReader(Prefixed(head, raw)), encoding=stdin.encoding,
                                 errors=stdin.errors, newline=None)
    return len(head)


def default_columnar_jobs(path: str) -> int:
    """Worker processes of the columnar engine when --jobs is not given: every core for a file of
    at least AUTO_COLUMNAR_PARALLEL_BYTES or for standard input, else one (no worker: the main
    process answers its batches itself)."""
    return default_jobs(path, threshold=AUTO_COLUMNAR_PARALLEL_BYTES)


EPILOG = """\
une ligne de sortie par cas × procédure × État, dans l'ordre du fichier ; une ligne illisible
devient une ligne « error » (son numéro et le message) et le lot continue. Barre de progression
et résumé sur la sortie d'erreur. Code de sortie : 0 si toutes les lignes ont une réponse,
3 si des lignes sont rejetées (la sortie est complète quand même), 2 pour une extension de -o
inconnue, 5 pour un fichier introuvable ou une sortie impossible à écrire.

exemples :
  lexquery synth 1000 --seed 1 > registre.csv                 un export synthétique de 1 000 détenus
  lexquery screen registre.csv --as-of 2026-12-01             les réponses en CSV sur la sortie standard
  lexquery screen registre.csv -o reponses.csv                dans un fichier (format : son extension)
  lexquery screen registre.csv --separator , -o reponses.csv  CSV séparé par des virgules (défaut : comme le fichier lu)
  lexquery screen registre.csv -o rapport.html                un rapport HTML à ouvrir dans un navigateur
  lexquery screen registre.csv --lang en -o report.html       le rapport et le résumé en anglais
  lexquery screen registre.csv -j 1 -q -o reponses.jsonl      un processus, sans résumé ; JSON Lines
  lexquery synth 20000 | lexquery screen - -o rapport.html    depuis l'entrée standard, tous les cœurs
  lexquery screen registre.csv --reform examples/reforms/lsc-plein-droit-trois-ans.yaml -o impact.html
                                                              l'effet d'une réforme simulée, côte à côte
"""


def register(sub):
    import argparse
    p = sub.add_parser("screen", help="cribler un export du greffe (CSV) : une réponse par cas, procédure et État",
                       description="Cribler un export du greffe (CSV) : une ligne de réponse par cas, procédure "
                                   "et État, en CSV, JSON Lines, JSON ou rapport HTML.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="fichier CSV (séparateur ; ou ,) ou - pour l'entrée standard")
    p.add_argument("--as-of", help="date d'évaluation (AAAA-MM-JJ) des lignes sans colonne as_of ; défaut : aujourd'hui")
    p.add_argument("-o", "--output", help="fichier de sortie : .csv, .jsonl, .json, .html ou .ics (les échéances, pour un agenda) (défaut : CSV sur la sortie standard)")
    p.add_argument("-f", "--format", choices=["csv", "jsonl", "json", "html", "ics"],
                   help="format de sortie (défaut : d'après l'extension de -o, sinon csv)")
    p.add_argument("-j", "--jobs", type=int, default=None,
                   help="processus de calcul, pour les deux moteurs (0 = autant que de cœurs ; défaut : un seul "
                        f"pour un fichier de moins de {AUTO_PARALLEL_BYTES // 1024} Ko avec le moteur scalaire, de "
                        f"moins de {AUTO_COLUMNAR_PARALLEL_BYTES // (1024 * 1024)} Mo avec le moteur columnar, sinon "
                        "autant que de cœurs) ; l'ordre des lignes et les octets de la sortie sont les mêmes")
    p.add_argument("--separator", choices=[";", ","], default=None,
                   help="séparateur du CSV écrit (défaut : celui du fichier lu, « ; » ou « , »)")
    p.add_argument("--engine", choices=["scalar", "columnar"], default=None,
                   help="moteur : columnar (colonnes, par lots de ≈ 10 000 lignes répartis entre --jobs "
                        "processus ; réponses CSV, JSONL ou JSON ; les lignes irrégulières passent par le moteur "
                        "scalaire) ou scalar (ligne à ligne, --jobs processus) ; mêmes octets en sortie. Défaut : "
                        f"columnar pour un fichier ou une entrée standard d'au moins {AUTO_COLUMNAR_BYTES // 1024} Ko répondu en CSV, "
                        "JSONL ou JSON, sinon scalar (le rapport HTML et le calendrier ICS sont toujours écrits par "
                        "le moteur scalaire)")
    p.add_argument("--chunk", type=int, default=200, help="cas par paquet envoyé à un processus (défaut 200)")
    p.add_argument("--no-progress", action="store_true", help="pas de barre de progression")
    p.add_argument("--quiet", "-q", action="store_true", help="pas de résumé sur la sortie d'erreur")
    p.add_argument("--reform", metavar="R.yaml",
                   help="réforme simulée (docs/reforms.md) : cribler sous le droit en vigueur et sous la réforme, "
                        "et dire qui change de statut ou de date, par procédure — résumé texte (défaut), "
                        "-o impact.csv|.jsonl|.json (une ligne par cas × procédure qui change, avant/après) "
                        "ou -o impact.html (vue côte à côte) ; les deux criblages avec le moteur et les --jobs "
                        "processus d'un criblage du fichier en CSV (--jobs ne choisit pas le moteur)")
    from .options import add_lang
    add_lang(p)
    p.set_defaults(func=run)


def run(args) -> int:
    if getattr(args, "reform", None):
        return run_reform(args)
    from ..gcpause import pause, resume
    pause()   # until the screening has loaded (screen_columnar; the scalar path: below), lexquery.gcpause
    try:
        return _run(args, resume)
    finally:
        resume()


def _run(args, resume) -> int:
    from ..screening.outputs import format_of, make_writer
    from ..screening.screen import screen
    from .options import date_option
    as_of = date_option(args.as_of)
    if args.chunk < 1:
        raise UsageError("--chunk doit être au moins 1", message_en="--chunk must be at least 1")
    from ..screening.outputs import FORMATS
    from ..casefiles.batch import check_input
    from .outputs import check_output, open_output
    if args.file != "-":   # before the output is opened
        check_input(args.file, expected="un export CSV du greffe", example="registre.csv")
    check_output(args.output)
    if args.file != "-" and args.output:
        from ..files import refuse_same
        refuse_same(args.file, args.output)
    if args.output and args.output != "-" and not args.format:
        ext = Path(args.output).suffix.lower().lstrip(".")
        if ext not in FORMATS:
            accepted = " ".join(f".{f}" for f in FORMATS)
            stem = Path(args.output).stem or "sortie"
            raise UsageError(f"extension de sortie inconnue : {args.output}" if ext else
                             f"la sortie {args.output} n'a pas d'extension",
                             expected=f"un fichier {accepted}",
                             hint=f"nommez la sortie avec l'une de ces extensions (ex. -o {stem}.csv), "
                                  "ou choisissez le format avec --format",
                             message_en=(f"unknown output extension: {args.output}" if ext else
                                         f"the output {args.output} has no extension"),
                             expected_en=f"a {accepted} file",
                             hint_en=f"name the output with one of these extensions (e.g. -o {stem}.csv), "
                                     "or choose the format with --format")
    fmt = format_of(args.output, args.format)
    if fmt == "html" and not args.output and sys.stdout.isatty():
        raise UsageError("le rapport HTML ne s'écrit pas sur le terminal", hint="ajoutez -o rapport.html")

    # both engines use --jobs processes (the columnar one hands its batches to workers): --jobs no
    # longer chooses the engine; the format does (HTML and ICS: the scalar engine)
    size = stdin = None
    if args.file == "-" and args.engine is None:
        # standard input: its first bytes tell a small input (the scalar engine, one process: no
        # numpy / polars import, no fork) from a large one (the columnar engine)
        stdin, size = sys.stdin, peek_stdin()
    engine = args.engine or default_engine(args.file, fmt, size)
    columnar = engine == "columnar" and fmt in COLUMNAR_FORMATS
    if args.jobs is None:
        ended = size is not None and size < AUTO_COLUMNAR_BYTES   # standard input that ended there: its size is known
        jobs = default_columnar_jobs(args.file) if columnar else default_jobs(args.file, size if ended else None)
    else:
        jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)

    def run_into(out):
        if columnar:   # the same bytes, over columns (docs/screening-csv.md)
            from ..screening.columnar_pipeline import screen_columnar
            return screen_columnar(args.file, make_writer(fmt, out, separator=args.separator, lang=args.lang),
                                   as_of=as_of, progress=False if args.no_progress else None, lang=args.lang,
                                   jobs=jobs)
        resume()
        return screen(args.file, make_writer(fmt, out, separator=args.separator, lang=args.lang), as_of=as_of, jobs=jobs,
                      chunk=args.chunk, progress=False if args.no_progress else None, lang=args.lang)

    try:
        if not args.output or args.output == "-":
            summary = run_into(sys.stdout)
        else:   # whole or absent: written beside, renamed when complete (docs/screening-csv.md)
            with open_output(args.output, source=args.file) as out:
                summary = run_into(out)
    finally:
        if stdin is not None:
            sys.stdin = stdin
    if not args.quiet:
        print(summary.render(args.lang), file=sys.stderr)
    return InputError.exit_code if summary.rejected else 0


REFORM_FORMATS = ("text", "csv", "jsonl", "json", "html")


def run_reform(args) -> int:
    """``screen FILE --reform R.yaml``: the registry screened under the law in force and under
    the simulated reform (:mod:`lexquery.screening.impact`); the impact in text on standard
    output, or as CSV / JSON Lines / JSON / HTML (-o, by extension, or --format)."""
    from datetime import date as _date
    from ..engine.api import load_kb
    from ..engine.reform import load_reform
    from ..screening import impact as imp_mod
    from ..casefiles.batch import check_input
    from .outputs import check_output, open_output
    from .options import date_option
    as_of = date_option(args.as_of)
    fmt = args.format
    if args.output and args.output != "-" and not fmt:
        fmt = Path(args.output).suffix.lower().lstrip(".")
        if fmt not in REFORM_FORMATS or fmt == "text":
            raise UsageError(f"extension de sortie inconnue pour --reform : {args.output}",
                             expected="un fichier .csv, .jsonl, .json ou .html",
                             hint="ex. -o impact.html (vue côte à côte) ou -o impact.csv (une ligne par changement)",
                             message_en=f"unknown output extension for --reform: {args.output}",
                             expected_en="a .csv, .jsonl, .json or .html file",
                             hint_en="e.g. -o impact.html (side by side) or -o impact.csv (one line per change)")
    fmt = fmt or "text"
    if fmt not in REFORM_FORMATS:
        raise UsageError(f"--reform ne produit pas le format {fmt}", expected="text, csv, jsonl, json ou html")
    if fmt == "html" and not args.output and sys.stdout.isatty():
        raise UsageError("le rapport HTML ne s'écrit pas sur le terminal", hint="ajoutez -o impact.html")
    if args.chunk < 1:
        raise UsageError("--chunk doit être au moins 1", message_en="--chunk must be at least 1")
    if args.file != "-":
        check_input(args.file, expected="un export CSV du greffe", example="registre.csv")
    check_output(args.output)
    if args.file != "-" and args.output:
        from ..files import refuse_same
        refuse_same(args.file, args.output)
    base = load_kb()
    reform = load_reform(args.reform, base.book, base.ref)
    note = None
    if as_of is None and reform.start > _date.today():
        as_of = reform.start
        note = (f"sans --as-of, les lignes sans colonne as_of sont évaluées le {as_of.isoformat()}, date d'effet "
                "de la réforme (avant elle, le droit est inchangé)" if args.lang == "fr" else
                f"without --as-of, the rows without an as_of column are evaluated on {as_of.isoformat()}, the "
                "reform's date of effect (before it, the law is unchanged)")
    # both screenings by the engine and the processes a plain screening of the file to CSV would use
    # (the same bytes either way): --jobs does not choose the engine; with the columnar engine each
    # screening hands its batches to --jobs workers, the reformed one's rebuilding the reform
    # standard input is read twice (once per screening): copied first, then chosen for as the file it is
    path, spooled = imp_mod.spool_input(args.file)
    try:
        engine = args.engine or default_engine(path, "csv")
        if args.jobs is None:
            jobs = default_columnar_jobs(path) if engine == "columnar" else default_jobs(path)
        else:
            jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
        impact, before, after = imp_mod.screen_impact(path, reform, base=base, as_of=as_of, jobs=jobs,
                                                      chunk=args.chunk,
                                                      progress=False if args.no_progress else None,
                                                      engine=engine, lang=args.lang,
                                                      label=(("<stdin>" if args.file == "-" else args.file)
                                                             if spooled else None))
    finally:
        if spooled:
            os.unlink(path)
    impact.as_of_note = note

    def write(out):
        if fmt == "text":
            out.write(imp_mod.render_text(impact, lang=args.lang) + "\n")
        elif fmt == "html":   # the CSV and JSON keep their ids (the interface), the page speaks in words
            imp_mod.write_html(impact, out, lang=args.lang)
        else:
            imp_mod.WRITERS[fmt](impact, out)

    if not args.output or args.output == "-":
        write(sys.stdout)
    else:
        with open_output(args.output, source=args.file) as out:
            write(out)
    if not args.quiet:
        if fmt != "text" or args.output:
            print(imp_mod.render_text(impact, list_limit=20, lang=args.lang), file=sys.stderr)
        secs = impact.seconds
        if args.lang == "en":
            print(f"(screenings: law in force {secs.get('current', 0):.1f} s, reform {secs.get('reformed', 0):.1f} s, "
                  f"comparison {secs.get('compare', 0):.1f} s)", file=sys.stderr)
        else:
            print(f"(criblages : droit en vigueur {secs.get('current', 0):.1f} s, réforme {secs.get('reformed', 0):.1f} s, "
                  f"comparaison {secs.get('compare', 0):.1f} s)", file=sys.stderr)
    return InputError.exit_code if before.rejected else 0


ENGLISH = {"screen": {
    "help": "screen a registry export (CSV): one answer per case, procedure and State",
    "description": "Screen a registry export (CSV): one answer line per case, procedure and State, as CSV, "
                   "JSON Lines, JSON or an HTML report.",
    "epilog": """\
one output line per case × procedure × State, in the order of the file; an unreadable line
becomes an « error » line (its number and the message) and the batch goes on. Progress bar
and summary on standard error. Exit code: 0 when every line has an answer, 3 when lines are
rejected (the output is complete all the same), 2 for an unknown -o extension, 5 for a file
not found or an output that cannot be written.

examples:
  lexquery synth 1000 --seed 1 > registre.csv                     a synthetic export of 1,000 detainees
  lexquery screen registre.csv --as-of 2026-12-01 --lang en       the answers as CSV on standard output
  lexquery screen registre.csv -o answers.csv --lang en           into a file (format: its extension)
  lexquery screen registre.csv --separator , -o answers.csv       comma-separated CSV (default: as the file read)
  lexquery screen registre.csv --lang en -o report.html           an HTML report to open in a browser
  lexquery screen registre.csv -j 1 -q -o answers.jsonl           one process, no summary; JSON Lines
  lexquery synth 20000 | lexquery screen - --lang en -o report.html   from standard input, every core
  lexquery screen registre.csv --lang en --reform examples/reforms/lsc-plein-droit-trois-ans.yaml -o impact.html
                                                                  the effect of a simulated reform, side by side
""",
    "options": {
        "file": "CSV file (separator ; or ,) or - for standard input",
        "--as-of": "evaluation date (YYYY-MM-DD) of the lines without an as_of column; default: today",
        "--output": "output file: .csv, .jsonl, .json, .html or .ics (the deadlines, for a calendar) "
                    "(default: CSV on standard output)",
        "--format": "output format (default: from the extension of -o, else csv)",
        "--jobs": "computing processes, for both engines (0 = as many as cores; default: one for a file of "
                  f"less than {AUTO_PARALLEL_BYTES // 1024} KB with the scalar engine, of less than "
                  f"{AUTO_COLUMNAR_PARALLEL_BYTES // (1024 * 1024)} MB with the columnar engine, else as many "
                  "as cores); the order of the lines and the bytes of the output are the same",
        "--separator": "separator of the CSV written (default: that of the file read, « ; » or « , »)",
        "--engine": "engine: columnar (columns, in batches of ≈ 10,000 lines shared among --jobs processes; "
                    "CSV, JSONL or JSON answers; irregular lines go to the scalar engine) or scalar (line by "
                    "line, --jobs processes); the same bytes out. Default: columnar for a file or standard input of at least "
                    f"{AUTO_COLUMNAR_BYTES // 1024} KB answered as CSV, JSONL or JSON, else scalar (the HTML "
                    "report and the ICS calendar are always written by the scalar engine)",
        "--chunk": "cases per batch sent to a process (default 200)",
        "--no-progress": "no progress bar",
        "--quiet": "no summary on standard error",
        "--reform": ("simulated reform (docs/reforms.md): screen under the law in force and under the reform, "
                     "and say who changes status or date, by procedure — text summary (default), "
                     "-o impact.csv|.jsonl|.json (one line per case × procedure that changes, before/after) "
                     "or -o impact.html (side-by-side view); both screenings with the engine and the --jobs "
                     "processes of a screening of the file to CSV (--jobs does not choose the engine)", "R.yaml"),
    },
}}

"""Files lexquery writes and reads, safely: atomic outputs, the output never the input, bounded reads.

- :func:`atomic_output`: every output file is written to a temporary file *beside* its target
  (same folder, hence same file system) and renamed over it only when complete
  (POSIX ``rename(2)`` is atomic: a reader sees the old file or the new one, never a part).
  An interruption (Ctrl+C, SIGTERM, a full disk, an error) leaves the previous file as it
  was and removes the temporary one; two runs to the same path each rename a complete file.
  Only SIGKILL can leave the temporary file (``.NAME.*.tmp``), never a partial target.
  An output that exists and is not a regular file — a device (``/dev/null``, ``/dev/stdout``),
  a named pipe — is written straight through: a rename would put a regular file in its place
  (as root, ``-o /dev/null`` replaced the system's null device), and a device or a pipe has no
  « previous file » to keep.
- :func:`same_file`: ``-o`` naming the input (directly, through ``..`` or a symlink) is refused
  before anything is opened.
- :func:`read_bounded`: the text of a file or stream, refused beyond a size, with a message
  (an endless ``/dev/zero`` or pipe does not grow until the memory limit).
- :func:`input_kind`: what a path is (file, pipe, device, folder, nothing), for messages
  that name it rightly.
- :func:`prune`: the newest few cache files of a kind kept, the others removed (every cache
  keyed by its inputs' digest: the KB's, its graph's, the rules', the parsed files').

The lowest floor: imports only :mod:`lexquery.errors`.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError, OutputError, UsageError

MB = 1024 * 1024
MAX_TEXT_BYTES = 64 * MB
"""Largest case file read whole (.json, or standard input of ask / validate / convert)."""
MAX_LQ_BYTES = 4 * MB
"""Largest text in the lexquery language (a .lq file, ``check -``): thousands of cases."""
MAX_LINE_BYTES = MB
"""Longest line of a streamed file (.jsonl: one case; the screening CSV: one detainee)."""


def _why(e: OSError, lang: str = "fr") -> str:
    if e.errno == errno.ENOSPC:
        return "disque plein" if lang == "fr" else "disk full"
    if e.errno == errno.EDQUOT:
        return "quota disque dépassé" if lang == "fr" else "disk quota exceeded"
    return e.strerror or str(e)


def output_failed(path: str, e: OSError, option: str = "-o") -> OutputError:
    """The error of an output that could not be written (exit 5), naming the path."""
    if path in ("-", None):
        return OutputError(f"impossible d'écrire la sortie standard ({_why(e)})",
                           hint=f"libérez de la place, ou écrivez dans un fichier ({option} FICHIER)",
                           message_en=f"cannot write the standard output ({_why(e, 'en')})",
                           hint_en=f"free some space, or write to a file ({option} FILE)")
    return OutputError(f"impossible d'écrire la sortie {option} : {path} ({_why(e)})", where=path,
                       hint="libérez de la place ou choisissez une sortie que vous pouvez écrire ; "
                            "le fichier précédent, s'il existait, est intact",
                       message_en=f"cannot write the output {option}: {path} ({_why(e, 'en')})",
                       hint_en="free some space or choose an output you can write; the previous file, "
                               "if there was one, is intact")


@contextmanager
def atomic_output(path, *, binary: bool = False, encoding: str = "utf-8", newline: str | None = "",
                  option: str = "-o"):
    """Open ``path`` for writing as a temporary file beside it; rename it over ``path`` when the
    ``with`` block ends without an exception (else remove it and leave ``path`` untouched).

    A symlink is written through (its target is replaced), as ``open(path, "w")`` would.
    A device or a named pipe is written straight through (:func:`_special_output`).
    An OS refusal (rights, full disk) is an :class:`OutputError` (exit 5) naming the path."""
    if _is_special(path):
        with _special_output(path, binary=binary, encoding=encoding, newline=newline, option=option) as f:
            yield f
        return
    target = Path(os.path.realpath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise output_failed(str(path), e, option) from None
    try:
        try:   # the target's mode if it exists, else what open() would give (0666 less the umask)
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except OSError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(fd, mode)
        f = os.fdopen(fd, "wb" if binary else "w", **({} if binary else {"encoding": encoding, "newline": newline}))
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    try:
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as e:
        _unlink(tmp)
        raise output_failed(str(path), e, option) from None
    except BaseException:
        _unlink(tmp)
        raise


def _is_special(path) -> bool:
    """``path`` exists (through symlinks, ``/dev/stdout`` included) and is neither a regular
    file nor a folder: a character or block device, a named pipe, a socket."""
    try:
        m = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(m) or stat.S_ISDIR(m))


@contextmanager
def _special_output(path, *, binary: bool, encoding: str, newline: str | None, option: str):
    """``path`` (a device or a named pipe) opened for writing as it is, as ``open(path, "w")``
    would; an OS refusal is an :class:`OutputError` naming the path. A reader gone from the
    pipe (``BrokenPipeError``) is left to the caller, as on standard output."""
    try:
        f = open(path, "wb" if binary else "w", **({} if binary else {"encoding": encoding, "newline": newline}))
    except OSError as e:
        raise output_failed(str(path), e, option) from None
    try:
        with f:
            yield f
    except BrokenPipeError:
        raise
    except OSError as e:
        raise output_failed(str(path), e, option) from None


def write_atomic(path, text: str, *, option: str = "-o", encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` with :func:`atomic_output`."""
    with atomic_output(path, option=option, encoding=encoding, newline=None) as f:
        f.write(text)


def _unlink(p):
    try:
        os.unlink(p)
    except OSError:
        pass


def same_file(a: str, b: str) -> bool:
    """``a`` and ``b`` name the same file (after ``..`` and symlinks; hard links by inode)."""
    if a in ("-", None) or b in ("-", None):
        return False
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def refuse_same(input_path: str, output: str | None, option: str = "-o") -> None:
    """UsageError (exit 2) when the output would replace the input."""
    if output and same_file(input_path, output):
        raise UsageError(f"la sortie {option} {output} est le fichier d'entrée {input_path} : il serait écrasé",
                         expected="une sortie différente de l'entrée",
                         hint=f"choisissez un autre nom, ex. {option} {Path(output).stem}-sortie{Path(output).suffix}",
                         message_en=f"the output {option} {output} is the input file {input_path}: it would be overwritten",
                         expected_en="an output other than the input",
                         hint_en=f"choose another name, e.g. {option} {Path(output).stem}-out{Path(output).suffix}")


def input_kind(path) -> str:
    """``file`` | ``pipe`` | ``device`` | ``dir`` | ``missing`` | ``other`` (sockets…)."""
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    m = st.st_mode
    if stat.S_ISREG(m):
        return "file"
    if stat.S_ISDIR(m):
        return "dir"
    if stat.S_ISFIFO(m):
        return "pipe"
    if stat.S_ISCHR(m) or stat.S_ISBLK(m):
        return "device"
    return "other"


# the callers' words in English (--lang en)
WHAT_EN = {"fichier en langage lexquery": "file in the lexquery language", "fichier de cas JSON": "JSON case file",
           "cas JSON sur l'entrée standard": "JSON cases on standard input",
           "texte en langage lexquery": "text in the lexquery language"}
HINTS_EN = {
    "découpez le fichier, ou écrivez le lot en JSON Lines ou en CSV":
        "split the file, or write the batch in JSON Lines or CSV",
    "un gros lot passe mieux en .jsonl (un cas par ligne, lu au fil de l'eau) ou en CSV":
        "a large batch goes better in .jsonl (one case per line, read as it comes) or CSV",
    "un gros lot passe mieux en .jsonl (un cas par ligne, lu au fil de l'eau) ou en CSV (lexquery screen)":
        "a large batch goes better in .jsonl (one case per line, read as it comes) or CSV (lexquery screen)",
    "découpez le texte, ou écrivez le lot en JSON Lines ou en CSV": "split the text, or write the batch in JSON Lines or CSV",
    "découpez le texte en plusieurs fichiers": "split the text into several files",
}


def too_large(limit: int, label: str, what: str, hint: str | None) -> InputError:
    return InputError(f"entrée trop grande : plus de {limit // MB} Mo ({what})", where=label,
                      expected=f"au plus {limit // MB} Mo", hint=hint,
                      message_en=f"input too large: more than {limit // MB} MB ({WHAT_EN.get(what, what)})",
                      expected_en=f"at most {limit // MB} MB", hint_en=HINTS_EN.get(hint))


def read_bounded(stream, limit: int, label: str, what: str, hint: str | None = None):
    """At most ``limit`` bytes (or characters, for a text stream) of ``stream``; InputError (exit 3)
    past it: an endless stream is not read until the memory limit."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit, label, what, hint)
    return data


def read_stdin(limit: int, what: str, hint: str | None = None) -> str:
    """Standard input as text (UTF-8, BOM dropped), bounded."""
    import sys
    buf = getattr(sys.stdin, "buffer", None)
    if buf is None:   # a text stream (tests, embedding)
        return read_bounded(sys.stdin, limit, "<stdin>", what, hint)
    data = read_bounded(buf, limit, "<stdin>", what, hint)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"entrée illisible : ce n'est pas du texte UTF-8 (octet {e.start})", where="<stdin>",
                         hint="envoyez du texte UTF-8", message_en=f"unreadable input: not UTF-8 text (byte {e.start})",
                         hint_en="send UTF-8 text") from None


def read_line_bounded(f, limit: int = MAX_LINE_BYTES) -> tuple[str, bool]:
    """The next line of a text stream and whether it was longer than ``limit`` characters (then
    only its start is given, the rest is skipped without being kept). ``("", False)`` at the end."""
    line = f.readline(limit + 1)
    if len(line) <= limit or line.endswith("\n"):
        return line, False
    while True:
        rest = f.readline(65536)
        if not rest or rest.endswith("\n"):
            return line[:limit], True


def read_text_bounded(path, limit: int, what: str, hint: str, encoding: str = "utf-8-sig") -> str:
    """The text of ``path`` (``-``: standard input), bounded; unreadable → InputError (exit 3)."""
    if path in ("-", None):
        return read_stdin(limit, what, hint)
    label = str(path)
    try:
        with open(path, "rb") as f:
            data = read_bounded(f, limit, label, what, hint)
    except OSError as e:
        raise InputError(f"fichier illisible : {e.strerror or e}", where=label,
                         hint="vérifiez les droits de lecture du fichier",
                         message_en=f"unreadable file: {e.strerror or e}", hint_en="check the file's read rights") from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise InputError(f"fichier illisible : ce n'est pas du texte UTF-8 (octet {e.start})", where=label,
                         hint="enregistrez le fichier en UTF-8",
                         message_en=f"unreadable file: not UTF-8 text (byte {e.start})", hint_en="save the file as UTF-8") from None


__all__ = ["atomic_output", "write_atomic", "same_file", "refuse_same", "input_kind", "read_bounded", "read_stdin",
           "read_line_bounded", "read_text_bounded", "output_failed", "too_large"]


def prune(folder: Path, pattern: str, keep: int = 4) -> None:
    """Keep the newest ``keep`` files of ``folder`` matching ``pattern`` and remove the others
    (the caches of inputs that changed: each cache file is keyed by its inputs' digest, so every
    edit of an input would otherwise leave one more). Newest by modification time (the time a
    cache file was written), then by name. Never fails: safe when several processes write and
    prune the same folder at once — a file another process removed first (between the listing
    and its ``stat`` or its removal) is skipped — and in a folder that cannot be written (a file
    that cannot be removed stays). A writer's temporary file (:func:`atomic_output`: ``.NAME.*.tmp``)
    matches no pattern of a cache name, so a file being written is never removed."""
    dated = []
    try:
        found = list(Path(folder).glob(pattern))
    except OSError:
        return
    for f in found:
        try:
            dated.append((f.stat().st_mtime, f.name, f))
        except OSError:   # removed by another process since the listing
            continue
    dated.sort(reverse=True)
    for _, _, f in dated[keep:]:
        try:
            f.unlink()
        except OSError:   # removed meanwhile, or a folder that cannot be written
            pass

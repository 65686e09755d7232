"""The output file of a command (``-o``): refused before any work when it cannot be written,
then written atomically (:func:`lexquery.files.atomic_output`).
"""
from __future__ import annotations

from pathlib import Path

from ..errors import NotFoundError


def check_output(path: str | None, option: str = "-o") -> None:
    """Refuse before any work an output file that cannot be written: its folder does not
    exist (NotFoundError, exit 5) or the path is a folder."""
    if not path or path == "-":
        return
    p = Path(path)
    if p.is_dir():
        raise NotFoundError(f"la sortie {option} est un dossier, pas un fichier : {path}",
                            hint=f"donnez un nom de fichier, ex. {option} {p / 'sortie'}",
                            message_en=f"the output {option} is a folder, not a file: {path}",
                            hint_en=f"give a file name, e.g. {option} {p / 'out'}")
    parent = p.parent
    if not parent.is_dir():
        raise NotFoundError(f"dossier introuvable pour la sortie {option} : {parent}",
                            expected="un dossier qui existe",
                            hint=f"créez-le (mkdir -p {parent}) ou choisissez un autre chemin",
                            message_en=f"folder not found for the output {option}: {parent}",
                            expected_en="a folder that exists",
                            hint_en=f"create it (mkdir -p {parent}) or choose another path")


def open_output(path: str, option: str = "-o", source: str | None = None):
    """The output file ``path`` for writing (after :func:`check_output`), as a context manager:
    a temporary file beside it, renamed over it only when the ``with`` block ends well
    (:func:`lexquery.files.atomic_output`); an OS refusal (rights, disk) is an OutputError
    (exit 5) naming the path. ``source``: the input, which the output must not replace."""
    from ..files import atomic_output, refuse_same
    check_output(path, option)
    if source is not None:
        refuse_same(source, path, option)
    return atomic_output(path, option=option)

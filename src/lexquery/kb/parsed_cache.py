"""Parsed files kept between processes: a file's parsed document (what ``parse`` gives of its
text) pickled in the cache folder (:func:`lexquery.paths.cache_dir`), keyed by the digest of the
parser's name and the file's bytes; read back when the same bytes are read with the same parser.

Reading the reference data (``reference/*.yaml``) costs ≈ 0.04 s of YAML parsing in every
process, and a screening starts several (its workers); a pickle of the same documents reads in
a few milliseconds. A cache file absent, stale or unreadable is rebuilt (never trusted); a
folder that cannot be written leaves the parsing as it was. ``kind`` names the parser and its
settings: a change in what the parser gives of the same bytes must change ``kind``.

Each file read has its own cache files (``parsed-<path digest>-<digest>.pickle``): when one is
written, only the newest :data:`KEEP` of that file are kept (:func:`lexquery.files.prune`) —
every edit of a reference file would otherwise leave one more for ever — and the other files'
are left alone, however many files are read.
"""
from __future__ import annotations

import hashlib
import io
import pickle
from pathlib import Path
from typing import Callable

from ..errors import OutputError
from ..files import atomic_output, prune
from ..paths import cache_dir

KEEP = 4
"""Cache files kept per file read (its last versions, or the same bytes read by other parsers)."""

_UNNAMED = "parsed-" + "?" * 32 + ".pickle"
"""The cache files of before: one name for all the files read (never pruned), removed."""


def _prefix(path: Path) -> str:
    """The cache files' name of one file read (by its absolute path)."""
    where = str(Path(path).resolve())
    return "parsed-" + hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def parsed(path: Path, parse: Callable[[str], object], kind: str):
    """``parse`` of the text of ``path`` (UTF-8, newlines as a text file reads them), from the
    cache when the same bytes were parsed by the same ``kind`` before. ``FileNotFoundError``
    and ``parse``'s errors propagate (nothing is cached then)."""
    raw = Path(path).read_bytes()
    digest = hashlib.sha256(kind.encode() + b"\0" + raw).hexdigest()
    prefix = _prefix(path)
    f = cache_dir() / f"{prefix}-{digest[:32]}.pickle"
    try:
        with f.open("rb") as fh:
            data = pickle.load(fh)
        if data.get("digest") == digest:
            return data["doc"]
    except Exception:  # absent, stale or unreadable: parsed again
        pass
    doc = parse(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read())
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(f, binary=True) as fh:   # a temporary of its own: two processes never mix
            pickle.dump({"digest": digest, "doc": doc}, fh, protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, OutputError):
        return doc   # a read-only folder: parsed every time, as before
    prune(f.parent, f"{prefix}-*.pickle", KEEP)   # this file's older versions go
    prune(f.parent, _UNNAMED, 0)   # and the cache files named before they were by file
    return doc

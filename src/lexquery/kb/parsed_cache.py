"""Parsed files kept between processes: a file's parsed document (what ``parse`` gives of its
text) pickled in the cache folder (:func:`lexquery.paths.cache_dir`), keyed by the digest of the
parser's name and the file's bytes; read back when the same bytes are read with the same parser.

Reading the reference data (``reference/*.yaml``) costs ≈ 0.04 s of YAML parsing in every
process, and a screening starts several (its workers); a pickle of the same documents reads in
a few milliseconds. A cache file absent, stale or unreadable is rebuilt (never trusted); a
folder that cannot be written leaves the parsing as it was. ``kind`` names the parser and its
settings: a change in what the parser gives of the same bytes must change ``kind``.
"""
from __future__ import annotations

import hashlib
import io
import pickle
from pathlib import Path
from typing import Callable

from ..errors import OutputError
from ..files import atomic_output
from ..paths import cache_dir


def parsed(path: Path, parse: Callable[[str], object], kind: str):
    """``parse`` of the text of ``path`` (UTF-8, newlines as a text file reads them), from the
    cache when the same bytes were parsed by the same ``kind`` before. ``FileNotFoundError``
    and ``parse``'s errors propagate (nothing is cached then)."""
    raw = Path(path).read_bytes()
    digest = hashlib.sha256(kind.encode() + b"\0" + raw).hexdigest()
    f = cache_dir() / f"parsed-{digest[:32]}.pickle"
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
        pass   # a read-only folder: parsed every time, as before
    return doc

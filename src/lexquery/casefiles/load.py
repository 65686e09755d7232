"""Cases from a file or from standard input, JSON or the lexquery language (docs/case-format.md,
docs/language.md): what ``ask``, ``validate``, ``convert``, ``interview`` and caserdf read.

Standard input is bounded (an endless stream is refused with a message); the language's
parser is imported only for such input (the cold ``ask`` budget).
"""
from __future__ import annotations

from pathlib import Path


def read_stdin_cases() -> str:
    """Standard input (JSON or the lexquery language), bounded: an endless stream is refused
    with a message instead of growing until the memory limit."""
    from ..files import MAX_LQ_BYTES, MAX_TEXT_BYTES, read_stdin, too_large
    text = read_stdin(MAX_TEXT_BYTES, "cas JSON sur l'entrée standard",
                      "un gros lot passe mieux en .jsonl (un cas par ligne, lu au fil de l'eau) ou en CSV (lexquery screen)")
    if len(text) > MAX_LQ_BYTES and looks_like_lq(text[:65536]):
        raise too_large(MAX_LQ_BYTES, "<stdin>", "texte en langage lexquery",
                        "découpez le texte, ou écrivez le lot en JSON Lines ou en CSV")
    return text


def looks_like_lq(text: str) -> bool:
    """Standard input in the lexquery language rather than JSON (JSON starts with { or [)."""
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#")).lstrip("\ufeff \t\r\n")
    return bool(body) and body[0] not in "{["


def load_lq(path: str, stdin_text: str | None = None):
    """The .lq document named by ``path`` (or on standard input), else None.
    The language's parser is imported only for such input (cold ``ask`` budget)."""
    if path == "-":
        if not looks_like_lq(stdin_text or ""):
            return None
        from .. import dsl
        return dsl.load(stdin_text, "<stdin>", implicit_id="stdin")
    if path.endswith(".lq") and Path(path).is_file():
        from .. import dsl
        return dsl.load_file(path)
    return None


def load_cases(path: str, stdin_text: str | None = None) -> tuple[list, str]:
    """Raw case values of a file (see :func:`.batch.read_batch`); returns (cases, label for messages)."""
    from .batch import read_batch
    if path == "-" and stdin_text is None:
        stdin_text = read_stdin_cases()
    batch = read_batch(path, stdin_text)
    return [e.raw for e in batch.entries], batch.label

"""The lexquery language: a case written in French as one says it, and questions about it.

Another spelling of the JSON case format (docs/case-format.md), never a
second engine: a .lq text becomes case dicts that :func:`lexquery.engine.api.Engine.ask`
answers. Grammar: ``lexquery.lark``; guide: docs/language.md.

- :func:`load` / :func:`load_file` — text → :class:`~lexquery.dsl.build.Document` (cases, questions);
- :func:`cases_from_file` — the case dicts of a .lq file (used by ``lexquery ask``);
- :func:`to_lq` — JSON case(s) → text; :func:`run` — the answers to a document's questions.
"""
from __future__ import annotations

from pathlib import Path

from .build import Document, build
from .errors import LqError, LqErrors, Span
from .parser import parse
from .write import case_to_lq, cases_to_lq


def load(text: str, source_name: str = "<texte>", *, implicit_id: str = "cas") -> Document:
    return build(text, source_name, implicit_id=implicit_id)


def read_text(path: Path) -> str:
    """The text of a .lq file: UTF-8, at most :data:`lexquery.files.MAX_LQ_BYTES` (exit 3 beyond,
    or when it cannot be read, with the path)."""
    from ..files import MAX_LQ_BYTES, read_text_bounded
    return read_text_bounded(path, MAX_LQ_BYTES, "fichier en langage lexquery",
                             "découpez le fichier, ou écrivez le lot en JSON Lines ou en CSV")


def load_file(path) -> Document:
    path = Path(path)
    return load(read_text(path), str(path), implicit_id=path.stem)


def cases_from_file(path) -> list[dict]:
    return load_file(path).case_dicts()


def to_lq(cases, lang: str = "fr") -> str:
    return cases_to_lq(cases, lang)


def run(doc: Document, engine=None, **kw) -> str:
    from .questions import answer_document
    return answer_document(doc, engine, **kw)


__all__ = ["Document", "LqError", "LqErrors", "Span", "build", "parse", "load", "load_file", "cases_from_file", "to_lq", "run",
           "case_to_lq", "cases_to_lq"]

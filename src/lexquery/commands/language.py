"""A command's words for a person in the language of ``--lang`` (issue 15): an error rendered in
French or in English, its English filled first where the words are known."""
from __future__ import annotations

from ..errors import LexqueryError


def render_error(err: LexqueryError, lang: str = "fr") -> str:
    """``err`` as text in ``lang``; in English a case's problems get their words from
    :mod:`lexquery.engine.case_english` (the case reader words them in French), the other
    errors carry theirs (``message_en``…, given where they are raised)."""
    if lang == "en":
        from ..engine.case_english import with_english
        with_english(err)
    return err.render(lang)

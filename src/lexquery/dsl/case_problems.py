"""The problems :func:`lexquery.engine.case.read_case` finds in a written case, at the line and
column of the value they are about (a JSON path mapped back to its span), in the language's words.
"""
from __future__ import annotations

import re
from datetime import date

from ..engine.case import read_case
from ..errors import CaseError
from . import vocab
from .case_data import LqCase
from .errors import LqError, Span


def _span_for(c: LqCase, where: str) -> Span:
    path = where.split(": ")[-1]
    while path:
        if path in c.spans:
            return c.spans[path]
        if "[" in path and path.endswith("]"):
            path = path[:path.rindex("[")]
        elif "." in path or "[" in path:
            path = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
        else:
            break
    return c.header


def _frenchify(msg: str) -> str:
    for path in sorted(vocab.FIELDS, key=len, reverse=True):
        msg = msg.replace(path, f"« {vocab.field_name(path)} »")
    return msg


def _problems(c: LqCase, data: dict, name, text, errors):
    try:
        read_case(data, None, default_as_of=date.today())
    except CaseError as ce:
        from ..engine.case_english import problem_en
        for p in ce.problems:
            en = [_frenchify(x) if x else None for x in problem_en(p)]   # the fact's name as typed, in French
            errors.append(LqError(_frenchify(p.message), _span_for(c, p.where), source_name=name, source_text=text,
                                  expected=_frenchify(p.expected) if p.expected else None,
                                  hint=_frenchify(p.hint) if p.hint else None,
                                  message_en=en[0], expected_en=en[1], hint_en=en[2]))


def check_case(c: LqCase, name, text, errors):
    """Append the problems of case ``c`` (as :class:`LqError`) to ``errors``."""
    _problems(c, c.data, name, text, errors)


def check_changed(it, name, text, errors):
    """Append the problems of the case changed by an « et si … ? » item to ``errors``."""
    _problems(it._changed_case, it.changed, name, text, errors)

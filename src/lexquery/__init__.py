"""lexquery: which procedure applies to a foreign convicted detainee in France.

Public API (thin, STYLE.md §12): :func:`load_kb`, :func:`ask`, :class:`Answer`, the errors.
"""
from .version import __version__

from .errors import LexqueryError, CaseError, InputError, KnowledgeBaseError, RuleError

__all__ = ["__version__", "load_kb", "ask", "Answer", "LexqueryError", "CaseError", "InputError",
           "KnowledgeBaseError", "RuleError"]


def __getattr__(name):  # lazy: keep `import lexquery` cheap (cold ask budget)
    if name in ("ask", "load_kb"):
        from . import engine
        return getattr(engine, name)
    if name == "Answer":
        from .engine.answer import Answer
        return Answer
    raise AttributeError(name)

"""The engine: read a case, evaluate the compiled rules, return an Answer.

``ask(case, as_of=None)`` is the public entry point (see :mod:`.api`).
"""
from .api import Engine, ask, load_kb, default_engine

__all__ = ["Engine", "ask", "load_kb", "default_engine"]

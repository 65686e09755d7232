"""What a rule expression may name, and what compiling one records (rules/README.md).

Paths start at a root of the case (docs/case-format.md: :data:`CASE_ROOTS`) or of the
evaluation context (:data:`CONTEXT_ROOTS`); other names are the rule file's constants,
derived values and functions (:class:`Scope`). A :class:`Compiled` expression keeps the fact
paths, names, conditions and context it reads, for the missing facts and the explanations.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

# Roots a path may start with: the case's facts and the evaluation context.
CASE_ROOTS = {"person", "detention", "sentence", "removal_measures", "consent",
              "dual_criminality", "receiving_state", "identification", "extensions"}
CONTEXT_ROOTS = {"state", "as_of", "it", "cond", "from_date"}


@dataclass
class Compiled:
    """A compiled expression: the closure, its source text and the fact paths it reads."""
    fn: Callable
    text: str
    facts: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)      # constants / derived names used
    conds: set[str] = field(default_factory=set)      # condition ids referenced (cond.x)
    context: set[str] = field(default_factory=set)    # evaluation context read (state, as_of, from_date)

    def __call__(self, env):
        return self.fn(env)


class Scope:
    """What names an expression may use: constants, derived values, functions."""

    def __init__(self, constants: dict, derived: set[str], functions: dict[str, Callable]):
        self.constants = constants
        self.derived = derived
        self.functions = functions


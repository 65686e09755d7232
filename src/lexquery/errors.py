"""One error hierarchy for everything a user can get wrong (STYLE.md §11).

Every user-facing error derives from :class:`LexqueryError`, knows its exit code
and renders itself as text for a person: where (file:line:col or JSON path),
what was expected, and what to do. The CLI maps classes to exit codes here only.
"""
from __future__ import annotations

from dataclasses import dataclass, field


def key_path(path: str, key: str) -> str:
    """The JSON path of ``key`` in the object at ``path`` (``$`` the root), as messages write it:
    ``person.name``; a key that is empty or holds ``.``, ``[``, ``]``, ``"``, a space or a control
    character in brackets, JSON-quoted (``person[""]``, ``["a.b"]``), so that every path names
    one place (RFC 9535 §2.5.1 writes such names in brackets)."""
    if key and not any(c in key for c in '.[]"\\') and key.isprintable() and not any(c.isspace() for c in key):
        return key if path == "$" else f"{path}.{key}"
    import json
    return ("" if path == "$" else path) + "[" + json.dumps(key, ensure_ascii=False) + "]"


class LexqueryError(Exception):
    """Base class: a message for a person, an exit code for the shell."""

    exit_code = 1

    def __init__(self, message: str, *, where: str | None = None,
                 expected: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.expected = expected
        self.hint = hint

    def render(self) -> str:
        lines = [f"erreur: {self.message}"]
        if self.where:
            lines.append(f"  --> {self.where}")
        if self.expected:
            lines.append(f"  = attendu : {self.expected}")
        if self.hint:
            lines.append(f"  = aide : {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"error": type(self).__name__, "message": self.message,
                "where": self.where, "expected": self.expected, "hint": self.hint}


class UsageError(LexqueryError):
    """Bad command-line usage."""
    exit_code = 2


class ReformError(UsageError):
    """A simulated reform file (``--reform R.yaml``, docs/reforms.md) that cannot be applied:
    a key, a reference to the rules or a date that does not hold. Exit 2, like a wrong option:
    the law in force is not in question."""


class InputError(LexqueryError):
    """Input data (case JSON, CSV row, DSL text) that cannot be read."""
    exit_code = 3


@dataclass
class Problem:
    """One problem in an input document, located by JSON path or line:col."""
    where: str
    message: str
    expected: str | None = None
    hint: str | None = None

    def render(self) -> str:
        s = f"{self.where}: {self.message}"
        if self.expected:
            s += f" (attendu : {self.expected})"
        if self.hint:
            s += f" — {self.hint}"
        return s


class CaseError(InputError):
    """A case that does not follow the case format; lists every problem found."""

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = problems
        self.source = source
        first = problems[0] if problems else Problem("$", "cas invalide")
        super().__init__(first.message, where=(f"{source}: " if source else "") + first.where,
                         expected=first.expected, hint=first.hint)

    def render(self) -> str:
        head = f"erreur: cas invalide ({len(self.problems)} problème(s))"
        if self.source:
            head += f" dans {self.source}"
        return "\n".join([head] + [f"  - {p.render()}" for p in self.problems])

    def to_dict(self) -> dict:
        return {"error": "CaseError", "problems": [p.__dict__ for p in self.problems]}


class KnowledgeBaseError(LexqueryError):
    """The knowledge base or a rule file is inconsistent (a failing KB check)."""
    exit_code = 4


class RuleError(KnowledgeBaseError):
    """A rule file that cannot be compiled (syntax, unknown name, unresolved citation)."""


class NotFoundError(LexqueryError):
    """A provision, source or file that does not exist."""
    exit_code = 5


class OutputError(LexqueryError):
    """An output (file, standard output) that cannot be written: rights, full disk (exit 5, with the path)."""
    exit_code = 5


class ValidationFailed(LexqueryError):
    """Data validated and found non-conforming (SHACL)."""
    exit_code = 6


EXIT_CODES = {
    0: "succès (une réponse a été donnée, quelle qu'elle soit)",
    1: "erreur interne inattendue (relancer avec --debug et signaler)",
    UsageError.exit_code: "usage de la commande incorrect",
    InputError.exit_code: "donnée d'entrée illisible ou invalide (cas JSON, CSV, langage lexquery)",
    KnowledgeBaseError.exit_code: "base de connaissances ou règles incohérentes (contrôle KB en échec)",
    NotFoundError.exit_code: "article, source ou fichier introuvable ; sortie impossible à écrire",
    ValidationFailed.exit_code: "validation SHACL : données non conformes",
}

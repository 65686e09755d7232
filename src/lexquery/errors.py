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
                 expected: str | None = None, hint: str | None = None,
                 message_en: str | None = None, expected_en: str | None = None, hint_en: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.expected = expected
        self.hint = hint
        # the same in English (issue 15: ``--lang en``, the API's ``message_en``): given where the error
        # is raised, or filled later by the floor that knows the words (engine.case_english for a case)
        self.message_en = message_en
        self.expected_en = expected_en
        self.hint_en = hint_en

    def english(self) -> tuple[str, str | None, str | None]:
        """(message, expected, hint) in English; a part without English stays French (a test
        of tests/test_english_faces.py then finds its French words)."""
        return (self.message_en or self.message, self.expected_en or self.expected if self.expected else None,
                self.hint_en or self.hint if self.hint else None)

    def render(self, lang: str = "fr") -> str:
        if lang == "en":
            message, expected, hint = self.english()
            labels = ("error", "expected: ", "help: ")
        else:
            message, expected, hint = self.message, self.expected, self.hint
            labels = ("erreur", "attendu : ", "aide : ")
        lines = [f"{labels[0]}: {message}"]
        if self.where:
            lines.append(f"  --> {self.where}")
        if expected:
            lines.append(f"  = {labels[1]}{expected}")
        if hint:
            lines.append(f"  = {labels[2]}{hint}")
        return "\n".join(lines)

    def english_dict(self) -> dict:
        """``message_en`` / ``expected_en`` / ``hint_en`` when the English is known (docs/answer-format.md)."""
        d = {"message_en": self.message_en, "expected_en": self.expected_en, "hint_en": self.hint_en}
        return d if self.message_en else {}

    def to_dict(self) -> dict:
        return {"error": type(self).__name__, "message": self.message,
                "where": self.where, "expected": self.expected, "hint": self.hint, **self.english_dict()}


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

    def render(self, lang: str = "fr", en: tuple | None = None) -> str:
        """One line; in English with ``en`` = (message, expected, hint) in English (a part not
        given stays French)."""
        message, expected, hint = self.message, self.expected, self.hint
        if lang == "en" and en:
            message, expected, hint = en[0] or message, en[1] or expected, en[2] or hint
        s = f"{self.where}: {message}"
        if expected:
            s += f" ({'expected: ' if lang == 'en' else 'attendu : '}{expected})"
        if hint:
            s += f" — {hint}"
        return s


class CaseError(InputError):
    """A case that does not follow the case format; lists every problem found."""

    def __init__(self, problems: list[Problem], source: str | None = None):
        self.problems = problems
        self.source = source
        first = problems[0] if problems else Problem("$", "cas invalide")
        super().__init__(first.message, where=(f"{source}: " if source else "") + first.where,
                         expected=first.expected, hint=first.hint)

    problems_en: list | None = None
    """(message, expected, hint) in English for each problem, when known (engine.case_english.with_english)."""

    def render(self, lang: str = "fr") -> str:
        if lang == "en":
            head = f"error: invalid case ({len(self.problems)} problem(s))" + (f" in {self.source}" if self.source else "")
            en = self.problems_en or [None] * len(self.problems)
            return "\n".join([head] + [f"  - {p.render('en', e)}" for p, e in zip(self.problems, en)])
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

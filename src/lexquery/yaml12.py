"""The one YAML reader of the project: every YAML file lexquery reads (``rules/``, ``law/``,
``reference/``, the reform files, the recodification table, the web API's ``openapi.yaml``) is
parsed by :func:`loader` — PyYAML's safe loader (libyaml's when available: 5–10× faster) with
YAML 1.2 booleans: only ``true``/``false`` (any case of the first letter, or all capitals) are
booleans. YAML 1.1, PyYAML's default, also reads ``yes``/``no``/``on``/``off``/``y``/``n`` as
booleans: the ISO 3166 code of Norway, ``NO``, in a rule (``in: [NO, DK]``), a reference file or
a provision would silently become ``False``.

:func:`loader_dates_as_text` is the same loader keeping dates as text (the reform files: their
dates are checked with a message of lexquery's own, not PyYAML's ValueError).

:func:`flag` reads a yes-or-no key of a parsed document (only ``true``/``false``, for the same
reason), for the rules' loader and the law's, each reacting its own way to a wrong value.

``yaml`` is imported when a file is first parsed, not at import: most processes read every
parsed file back from the caches (:mod:`lexquery.kb.parsed_cache`, the rules' cache) and never
import it. The lowest floor: imports nothing of lexquery.
"""
from __future__ import annotations

import re
from functools import lru_cache

READER = "reference-yaml-1.2-booleans-v1"
"""The identity of :func:`loader` for the caches of parsed files (:mod:`lexquery.kb.parsed_cache`,
the rules' cache, the KB's): to change whenever what :func:`loader` gives of the same bytes may
change. (The name dates from when only the reference files were read this way: the same
parser, so the same key — their caches stay valid.)"""

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _without(base, tags: tuple[str, ...]) -> dict:
    return {k: [(tag, rx) for tag, rx in v if tag not in tags] for k, v in base.yaml_implicit_resolvers.items()}


@lru_cache(maxsize=1)
def loader():
    """The project's YAML loader class (safe; YAML 1.2 booleans), made once per process."""
    import yaml
    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    cls = type("Yaml12Loader", (base,), {})
    cls.yaml_implicit_resolvers = _without(base, (_BOOL,))
    cls.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    return cls


@lru_cache(maxsize=1)
def loader_dates_as_text():
    """:func:`loader` with no implicit dates: ``2026-01-01`` stays the text ``"2026-01-01"``."""
    base = loader()
    cls = type("Yaml12TextDatesLoader", (base,), {})
    cls.yaml_implicit_resolvers = _without(base, (_TIMESTAMP,))
    return cls


def load(text: str, *, dates_as_text: bool = False):
    """The document of ``text`` (``yaml.YAMLError`` when it is not YAML)."""
    import yaml
    return yaml.load(text, Loader=loader_dates_as_text() if dates_as_text else loader())


def where(path, error) -> str:
    """``path:line:column`` of a ``yaml.YAMLError`` (``path`` alone when it has no position)."""
    mark = getattr(error, "problem_mark", None)
    return f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)


# ------------------------------------------------ yes-or-no keys: only true and false
# Under YAML 1.2 `no` is text, and a text is true in Python: a key read as a flag (a rule's
# ``per_state``, a version's ``translation``…) must refuse it rather than take ``per_state: no``
# for a procedure evaluated per State. The reading is here; each reader reacts its own way (the
# rules' loader raises a RuleError, the law's loader records a problem of the file).

FLAG_HINT = ("en YAML 1.2 seuls true et false sont booléens : « no », « yes », « on », « off » "
             "sont du texte — écrivez true ou false")
"""How to write a yes-or-no key (the hint of the rules' loader)."""

FLAG_NOTE = "en YAML 1.2, « no » / « yes » sont du texte"
"""The same, short (the law's loader: in parentheses after the message)."""


class NotABoolean(ValueError):
    """A yes-or-no key holding something else than ``true`` or ``false`` (or a word allowed
    besides): ``message`` says the key and its value — « `per_state: 'no'` : true ou false attendu
    (ou nationalities) ». The caller says where (the file) and how to write it (:data:`FLAG_HINT`,
    :data:`FLAG_NOTE`)."""

    def __init__(self, key: str, value, also: tuple[str, ...] = ()):
        self.key, self.value, self.also = key, value, also
        self.message = f"`{key}: {value!r}` : true ou false attendu" + "".join(f" (ou {a})" for a in also)
        super().__init__(self.message)


def flag(mapping: dict, key: str, default: bool = False, *, also: tuple[str, ...] = ()):
    """The value of the yes-or-no key ``key`` of ``mapping``: ``true`` or ``false`` (``default``
    when absent), or one of the words ``also`` allows. Anything else (``no``, ``yes``, ``1``…)
    raises :class:`NotABoolean`."""
    v = mapping.get(key, default)
    if v is True or v is False or v in also:
        return v
    raise NotABoolean(key, v, also)

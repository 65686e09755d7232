"""The one YAML reader of the project: every YAML file lexquery reads (``rules/``, ``law/``,
``reference/``, the reform files, the recodification table, the web API's ``openapi.yaml``) is
parsed by :func:`loader` — PyYAML's safe loader (libyaml's when available: 5–10× faster) with
YAML 1.2 booleans: only ``true``/``false`` (any case of the first letter, or all capitals) are
booleans. YAML 1.1, PyYAML's default, also reads ``yes``/``no``/``on``/``off``/``y``/``n`` as
booleans: the ISO 3166 code of Norway, ``NO``, in a rule (``in: [NO, DK]``), a reference file or
a provision would silently become ``False``.

:func:`loader_dates_as_text` is the same loader keeping dates as text (the reform files: their
dates are checked with a message of lexquery's own, not PyYAML's ValueError).

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

"""Where the knowledge base's files are, and where caches go.

Three places, first found wins (README « Installer ailleurs / LEXQUERY_HOME »):

1. ``$LEXQUERY_HOME``: a knowledge base edited outside the package (a folder holding
   ``law/ rules/ ontology/ shapes/ reference/ checks/ sources/``);
2. the checkout: the repository root two folders above this file, when it holds
   ``law/`` and ``rules/`` (``pip install -e .``, ``make setup``);
3. the installed package: ``lexquery/kbdata/``, where the build (``setup.py``'s
   ``build_py``) copies the top-level folders into a wheel or an sdist.
"""
from __future__ import annotations

import os
from pathlib import Path

#: the top-level folders that make the knowledge base (copied into the package by the build)
KB_FOLDERS = ("law", "rules", "ontology", "shapes", "reference", "checks", "sources")
#: the folder inside the package where the build puts them
PACKAGED = Path(__file__).resolve().parent / "kbdata"
_CHECKOUT = Path(__file__).resolve().parents[2]


def _is_kb(folder: Path) -> bool:
    return (folder / "law").is_dir() and (folder / "rules").is_dir()


def home() -> Path:
    env = os.environ.get("LEXQUERY_HOME")
    if env:
        return Path(env)
    if _is_kb(_CHECKOUT):
        return _CHECKOUT
    if _is_kb(PACKAGED):
        return PACKAGED
    return _CHECKOUT   # neither: the messages name the folder that was looked at


def where_from() -> str:
    """Which of the three places :func:`home` chose: ``env``, ``checkout`` or ``package``."""
    if os.environ.get("LEXQUERY_HOME"):
        return "env"
    return "checkout" if _is_kb(_CHECKOUT) or not _is_kb(PACKAGED) else "package"


def cache_dir() -> Path:
    """Caches (parsed KB, rules, grammar tables, HermiT's result): ``$LEXQUERY_CACHE``, else
    ``kb/cache`` beside the KB — except for the installed package, whose folder may be
    read-only and is shared: there ``$XDG_CACHE_HOME/lexquery`` (``~/.cache/lexquery``).
    Every cache file is keyed by the digest of its inputs, so sharing one folder is safe."""
    env = os.environ.get("LEXQUERY_CACHE")
    if env:
        return Path(env)
    if where_from() == "package":
        xdg = os.environ.get("XDG_CACHE_HOME")
        return (Path(xdg) if xdg else Path.home() / ".cache") / "lexquery"
    return home() / "kb" / "cache"


def rules_dir() -> Path:
    return home() / "rules"


def sources_as_of() -> str | None:
    """``knowledge_base.sources_as_of`` of answers (answer-format.md), read from
    ``law/manifest.json``: a few bytes, so a cold ``ask`` does not import the KB for it
    (tests/test_kb_provisions.py checks the date against the KB)."""
    import json
    try:
        return json.loads((home() / "law" / "manifest.json").read_text(encoding="utf-8")).get("sources_as_of")
    except (OSError, ValueError):
        return None

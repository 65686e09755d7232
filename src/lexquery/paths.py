"""Where the knowledge base's files are: the repository root, or $LEXQUERY_HOME."""
from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    env = os.environ.get("LEXQUERY_HOME")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2]


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

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

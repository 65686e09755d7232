"""Shared by the tests that break a rule file (tests/test_rule_periods.py, tests/test_yaml12.py):
a copy of the rules (``rules/``) in a temporary folder, and an edit of one of its files that
fails when the text to replace is not there — so that a test never loads the unchanged rules
believing it broke them."""
from __future__ import annotations

import shutil
from pathlib import Path

from lexquery.paths import rules_dir


def copy_rules(tmp_path: Path) -> Path:
    """A copy of the rules as ``tmp_path/rules``."""
    d = tmp_path / "rules"
    shutil.copytree(rules_dir(), d)
    return d


def edit(d: Path, name: str, old: str, new: str) -> None:
    """In the rule file ``d/name``, the first ``old`` replaced by ``new`` (``old`` must be there)."""
    f = d / name
    text = f.read_text(encoding="utf-8")
    assert old in text, old
    f.write_text(text.replace(old, new, 1), encoding="utf-8")


def rules_with(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of the rules (:func:`copy_rules`) with one edit (:func:`edit`)."""
    d = copy_rules(tmp_path)
    edit(d, name, old, new)
    return d

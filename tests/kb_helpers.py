"""Helpers for tests/test_kb_*.py: a copy of the KB's inputs that a test can break."""
from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "kb"


def make_root(tmp: Path, *, law: Path | None = None, rules: Path | None = None, reference: bool = False) -> Path:
    """A LEXQUERY_HOME-like tree: fixture law/ + rules/ (or the given ones), the repo's
    ontology/, shapes/, checks/ and ELI ontology."""
    root = tmp / "root"
    shutil.copytree(law or FIXTURE / "law", root / "law")
    shutil.copytree(rules or FIXTURE / "rules", root / "rules")
    for d in ("ontology", "shapes", "checks"):
        shutil.copytree(REPO / d, root / d)
    (root / "sources").mkdir()
    shutil.copy(REPO / "sources" / "eli-ontology.nt", root / "sources" / "eli-ontology.nt")
    if reference and (REPO / "reference").is_dir():
        shutil.copytree(REPO / "reference", root / "reference")
    return root


def real_law_present() -> bool:
    return any((REPO / "law").rglob("*.yaml")) if (REPO / "law").is_dir() else False


def run_cli(capsys, *argv):
    """`lexquery ARGV` in-process: (exit code, stdout, stderr)."""
    from lexquery.cli import main
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def real_copy(tmp_path: Path, monkeypatch) -> Path:
    """A LEXQUERY_HOME holding a copy of the real law/, rules/ and reference/ (a test may
    write or break them), with its own cache."""
    root = make_root(tmp_path, law=REPO / "law", rules=REPO / "rules", reference=True)
    monkeypatch.setenv("LEXQUERY_HOME", str(root))
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    return root


def imported_by_two_loads(tmp: Path, modules: tuple[str, ...]) -> list[dict[str, bool]]:
    """Two fresh processes, one after the other, each loading the knowledge base (rules, reference
    data, the recodification table) with the cache folder ``tmp/cache`` (empty at first: the first
    process fills it); for each, whether each of ``modules`` was imported."""
    import json
    import os
    import subprocess
    import sys
    env = {**os.environ, "LEXQUERY_CACHE": str(tmp / "cache"),
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    code = ("import json, sys; from lexquery.engine.api import load_kb; e = load_kb(); e.ref; e.succession; "
            f"print(json.dumps({{m: m in sys.modules for m in {list(modules)!r}}}))")
    return [json.loads(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                      check=True).stdout) for _ in range(2)]

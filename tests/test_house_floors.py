"""The house has floors (README, « Principles kept »): dates/errors → kb, rules → engine →
render → language, screening → commands, web. A module never imports a module of a higher
floor — not even inside a function, where such an import hides best.

Every ``import`` / ``from … import`` of every module under src/lexquery is read with ``ast``
and its target's floor compared with the importer's.
"""
from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "lexquery"

# floor of each top-level module or package of lexquery (higher number = higher floor)
FLOORS = {
    "dates": 0, "errors": 0, "words": 0, "iso3166": 0, "paths": 0, "version": 0,
    "files": 0, "csvsafe": 0, "budget": 0,   # outputs and bounded reads, CSV cells, a request's time (issue 14)
    "gcpause": 0,   # the garbage collector paused while a process starts (issue 16): imports nothing of lexquery
    "yaml12": 0,    # the one YAML loader (YAML 1.2 booleans) of every YAML file the project reads
    "workers": 0,   # chunks on forked processes, in order, none lost (screen and validate --jobs): imports nothing of lexquery
    "kb": 1, "rules": 1,
    "engine": 2, "columnar": 2,   # the columnar back-end (issue 16): the engine over columns
    "render": 3,
    "dsl": 4, "screening": 4, "interview": 4, "caserdf": 4,   # caserdf validates CSV rows read by screening
    "casefiles": 4,   # case files (.json, .jsonl, .lq): every face reads them; .lq needs dsl
    "commands": 5, "web": 5, "cli": 5, "__init__": 5, "__main__": 5,
}
# imports allowed against the floors, each with its reason (none: the case-file reader moved
# from commands/ to casefiles/, the article's description to kb.describe and render.article)
ALLOWED: dict[tuple[str, str], str] = {}


def top(module_path: Path) -> str:
    rel = module_path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def targets(path: Path) -> list[tuple[str, int]]:
    """(top-level lexquery module imported, line) for each import of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = path.relative_to(SRC).parent.parts      # the importing module's package, below lexquery
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.split(".")[0] == "lexquery":
                    parts = node.module.split(".")[1:]
                else:
                    continue
            else:
                base = list(pkg[: len(pkg) - (node.level - 1)]) if node.level > 1 else list(pkg)
                parts = base + (node.module.split(".") if node.module else [])
            if not parts:   # `from . import x` at the package's top: x is the target
                parts = [a.name for a in node.names][:1]
            out.append((parts[0], node.lineno))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "lexquery" and len(a.name.split(".")) > 1:
                    out.append((a.name.split(".")[1], node.lineno))
    return out


def test_every_module_has_a_floor():
    tops = {top(p) for p in SRC.rglob("*.py")}
    assert tops <= set(FLOORS), f"modules without a floor: {sorted(tops - set(FLOORS))}"


def test_no_module_imports_a_higher_floor():
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        me = top(path)
        for target, line in targets(path):
            if target not in FLOORS:
                continue
            if FLOORS[target] > FLOORS[me] and (me, target) not in ALLOWED:
                wrong.append(f"{path.relative_to(SRC.parent)}:{line}: {me} (floor {FLOORS[me]}) imports "
                             f"{target} (floor {FLOORS[target]})")
    assert not wrong, "\n".join(wrong)

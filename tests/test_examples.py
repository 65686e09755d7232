"""Examples are tests (STYLE.md §7): every examples/*.json is answered by the CLI
(``lexquery ask FILE --format json``, the command the docs show) and compared with the
answer stored in examples/expected/<name>.json.

What is ignored: only ``knowledge_base.version``. It ends with a hash of the rule files
(``0.1.0+rules.<sha256[:12]>``), so any edit of rules/ — even a comment — changes it
without changing an answer; every other key, including ``knowledge_base.sources_as_of``,
must match exactly, in order (evidence and to_verify too: the engine emits them in a fixed order,
proved by ``test_answer_is_deterministic``). Each example carries its own ``as_of``, so the answers do not depend
on today's date.

Re-recording is explicit and reviewed in the diff (Catala's ``--reset``)::

    LEXQUERY_RECORD_EXAMPLES=1 .venv/bin/python -m pytest tests/test_examples.py
    git diff examples/expected/      # read every change legally before committing

A new example without a stored answer fails until it is recorded. Known engine defects
visible in a stored answer are listed in examples/expected/README.md.
"""
from __future__ import annotations

import difflib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXPECTED = EXAMPLES / "expected"
RECORD = os.environ.get("LEXQUERY_RECORD_EXAMPLES") == "1"
IGNORED = [("knowledge_base", "version")]


def _cli() -> str:
    here = Path(sys.executable).parent / "lexquery"
    return str(here) if here.exists() else (shutil.which("lexquery") or "lexquery")


def _examples():
    return sorted(p for p in EXAMPLES.glob("*.json"))


def _normalise(answer):
    items = answer if isinstance(answer, list) else [answer]
    for a in items:
        for path in IGNORED:
            node = a
            for k in path[:-1]:
                node = node.get(k, {})
            node.pop(path[-1], None)
    return answer


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@pytest.mark.parametrize("example", _examples(), ids=lambda p: p.stem)
def test_example_answer_matches_stored(example: Path):
    run = subprocess.run([_cli(), "ask", str(example), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, f"{example.name}: exit {run.returncode}\n{run.stderr}"
    stored = EXPECTED / example.name
    if RECORD:
        stored.write_text(run.stdout, encoding="utf-8")
        return
    assert stored.exists(), (f"no stored answer for {example.name}: record it with "
                             f"LEXQUERY_RECORD_EXAMPLES=1 and review the diff")
    got = _normalise(json.loads(run.stdout))
    want = _normalise(json.loads(stored.read_text(encoding="utf-8")))
    if got != want:
        diff = "".join(difflib.unified_diff(_dump(want).splitlines(True), _dump(got).splitlines(True),
                                            f"expected/{example.name}", "lexquery ask", n=2))
        pytest.fail(f"{example.name}: the answer changed (only knowledge_base.version is "
                    f"ignored)\n{diff}", pytrace=False)


def test_every_example_has_a_date_and_every_stored_answer_an_example():
    for ex in _examples():
        data = json.loads(ex.read_text(encoding="utf-8"))
        for case in data if isinstance(data, list) else [data]:
            assert case.get("as_of"), f"{ex.name}: an example must fix its date (as_of)"
    orphans = {p.name for p in EXPECTED.glob("*.json")} - {p.name for p in _examples()}
    assert not orphans, f"stored answers without an example: {sorted(orphans)}"


def test_a_changed_answer_is_detected(tmp_path):
    """Negative control: altering one status in a stored answer is not ignored."""
    ex = _examples()[0]
    want = _normalise(json.loads((EXPECTED / ex.name).read_text(encoding="utf-8")))
    altered = json.loads(json.dumps(want))
    altered["procedures"][0]["status"] = "undetermined" \
        if altered["procedures"][0]["status"] != "undetermined" else "applicable"
    assert altered != want
    bumped = json.loads(json.dumps(want))
    bumped.setdefault("knowledge_base", {})["version"] = "0.0.0+rules.000000000000"
    assert _normalise(bumped) == want


def test_answer_is_deterministic(tmp_path):
    """The same cases give byte-identical answers in every process (reproducibility): every
    example case, in JSON and in the text rendering of a .lq file, under several hash seeds
    (the order of evidence, to_verify and missing facts must not follow a Python set)."""
    cases = []
    for ex in _examples():
        data = json.loads(ex.read_text(encoding="utf-8"))
        cases += data if isinstance(data, list) else [data]
    batch = tmp_path / "all.json"
    batch.write_text(json.dumps(cases), encoding="utf-8")
    runs = [[str(batch), "--format", "json"],
            [str(EXAMPLES / "plusieurs-cas.lq"), "--explain"],
            [str(EXAMPLES / "kowalski-pologne.lq"), "--explain"]]
    for args in runs:
        outs = set()
        for seed in ("1", "2", "3", "4"):
            env = dict(os.environ, PYTHONHASHSEED=seed)
            run = subprocess.run([_cli(), "ask", *args], capture_output=True, text=True, cwd=ROOT, env=env)
            assert run.returncode == 0, f"{args[0]}: exit {run.returncode}\n{run.stderr}"
            outs.add(run.stdout)
        assert len(outs) == 1, f"{args[0]}: {len(outs)} different outputs for 4 hash seeds"

"""Cache files pruned (lexquery.files.prune): each cache keyed by its inputs' digest keeps only
its newest files — the rules' here (the parsed files': tests/test_parsed_cache.py) — and pruning
never fails when another process prunes the same folder at once."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from lexquery import files
from lexquery.rules import loader as rules_loader

ROOT = Path(__file__).resolve().parents[1]


def test_prune_skips_a_file_another_process_removed(tmp_path, monkeypatch):
    """Two processes pruning at once: a file listed, then removed by the other before its
    ``stat`` or its removal, is skipped; the others are still pruned."""
    for i in range(6):
        p = tmp_path / f"c-{i}.pickle"
        p.write_bytes(b"x")
        os.utime(p, (1000 + i, 1000 + i))
    real_stat = Path.stat

    def racing_stat(self, *a, **k):
        if self.name == "c-2.pickle":   # the other process removes it just now
            real_stat(self)
            os.unlink(self)
        return real_stat(self, *a, **k)
    monkeypatch.setattr(Path, "stat", racing_stat)
    files.prune(tmp_path, "c-*.pickle", keep=2)
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c-4.pickle", "c-5.pickle"]
    files.prune(tmp_path / "absent", "c-*.pickle")   # nothing there: nothing to do, no error


def test_the_rules_cache_keeps_its_newest_files(tmp_path, monkeypatch):
    """The rules' cache, keyed by the rule files' bytes, keeps only its newest files
    (lexquery.files.prune) as the KB's and the parsed files' do."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("LEXQUERY_CACHE", str(cache))
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "tests" / "fixtures" / "kb" / "rules", rules)
    for i in range(6):
        (rules / "extra.yaml").write_text(f'constants:\n  extra: {{value: {i}, sources: ["CPP 1"]}}\n', encoding="utf-8")
        rules_loader.load_rules(rules)
        for c in cache.glob("rules*-*.pickle"):
            os.utime(c, (c.stat().st_mtime - 10, c.stat().st_mtime - 10))
    assert len(list(cache.glob("rules*-*.pickle"))) == 4
    assert rules_loader._cache_load(rules_loader.load_rules(rules).digest)   # the last one is kept

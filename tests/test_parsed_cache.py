"""Parsed files kept between processes (kb/parsed_cache.py): the reference data's YAML parsed once
for the same bytes and parser, parsed again when either changes or the cache file is damaged,
and the reference read through it the same as parsed afresh."""
from __future__ import annotations

import yaml

from lexquery.kb import parsed_cache, reference
from lexquery.paths import home


def _counting(calls):
    def parse(text):
        calls.append(text)
        return yaml.safe_load(text)
    return parse


def test_the_same_bytes_are_parsed_once(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    f = tmp_path / "a.yaml"
    f.write_bytes(b"a: 1\r\nb: [x, y]\r\n")
    calls = []
    first = parsed_cache.parsed(f, _counting(calls), "test-v1")
    again = parsed_cache.parsed(f, _counting(calls), "test-v1")
    assert first == again == {"a": 1, "b": ["x", "y"]}
    assert calls == ["a: 1\nb: [x, y]\n"]   # parsed once, newlines as a text file reads them


def test_other_bytes_or_another_parser_are_parsed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    f = tmp_path / "a.yaml"
    f.write_text("a: 1\n", encoding="utf-8")
    calls = []
    assert parsed_cache.parsed(f, _counting(calls), "test-v1") == {"a": 1}
    f.write_text("a: 2\n", encoding="utf-8")
    assert parsed_cache.parsed(f, _counting(calls), "test-v1") == {"a": 2}
    assert parsed_cache.parsed(f, lambda t: "other", "test-v2") == "other"
    assert len(calls) == 2


def test_a_damaged_cache_file_is_parsed_again(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("LEXQUERY_CACHE", str(cache))
    f = tmp_path / "a.yaml"
    f.write_text("a: 1\n", encoding="utf-8")
    parsed_cache.parsed(f, yaml.safe_load, "test-v1")
    for c in cache.iterdir():
        c.write_bytes(b"not a pickle")
    calls = []
    assert parsed_cache.parsed(f, _counting(calls), "test-v1") == {"a": 1}
    assert len(calls) == 1


def test_the_reference_read_through_the_cache_is_the_reference_parsed(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    for f in sorted((home() / "reference").glob("*.yaml")):
        with f.open(encoding="utf-8") as fh:
            fresh = yaml.load(fh, Loader=reference.yaml_loader()) or {}
        assert reference._read(f) == fresh   # written to the cache
        assert reference._read(f) == fresh   # read from it
    assert any((tmp_path / "cache").iterdir())


def test_a_process_whose_files_are_cached_does_not_import_yaml(tmp_path):
    """The knowledge base loaded from the cache (rules, reference data, the recodification
    table): ``yaml`` is never imported (≈ 0.02 s of every process's start-up)."""
    import os
    import subprocess
    import sys
    env = {**os.environ, "LEXQUERY_CACHE": str(tmp_path / "cache"),
           "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    code = ("import sys; from lexquery.engine.api import load_kb; e = load_kb(); e.ref; e.succession; "
            "print('yaml' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs == ["True\n", "False\n"]   # the first fills the cache

"""Parsed files kept between processes (kb/parsed_cache.py): the reference data's YAML parsed once
for the same bytes and parser, parsed again when either changes or the cache file is damaged,
and the reference read through it the same as parsed afresh."""
from __future__ import annotations

import yaml

from kb_helpers import imported_by_two_loads
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
    runs = imported_by_two_loads(tmp_path, ("yaml",))
    assert runs == [{"yaml": True}, {"yaml": False}]   # the first fills the cache


def _cached(cache, f):
    """The cache files of ``f`` (parsed_cache names them by its path)."""
    return sorted(cache.glob(parsed_cache._prefix(f) + "-*.pickle"))


def test_each_file_keeps_only_its_newest_cache_files(tmp_path, monkeypatch):
    """Every edit of a file leaves one more cache file: only the newest KEEP of each file stay,
    the newest being the one read back; another file's cache is left alone."""
    import os
    cache = tmp_path / "cache"
    monkeypatch.setenv("LEXQUERY_CACHE", str(cache))
    other, f = tmp_path / "other.yaml", tmp_path / "a.yaml"
    other.write_text("b: 0\n", encoding="utf-8")
    parsed_cache.parsed(other, yaml.safe_load, "test-v1")
    for i in range(parsed_cache.KEEP + 3):
        f.write_text(f"a: {i}\n", encoding="utf-8")
        assert parsed_cache.parsed(f, yaml.safe_load, "test-v1") == {"a": i}
        for c in _cached(cache, f):   # distinct times, as edits minutes apart would give
            os.utime(c, (c.stat().st_mtime - 10, c.stat().st_mtime - 10))
    assert len(_cached(cache, f)) == parsed_cache.KEEP
    assert len(_cached(cache, other)) == 1
    calls = []
    assert parsed_cache.parsed(f, _counting(calls), "test-v1") == {"a": parsed_cache.KEEP + 2} and not calls


def test_a_folder_that_cannot_be_written_parses_every_time(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("LEXQUERY_CACHE", str(blocker / "cache"))   # mkdir fails, even as root
    f = tmp_path / "a.yaml"
    f.write_text("a: 1\n", encoding="utf-8")
    calls = []
    for _ in range(2):
        assert parsed_cache.parsed(f, _counting(calls), "test-v1") == {"a": 1}
    assert len(calls) == 2


def test_files_that_cannot_be_removed_stay_and_the_parse_is_given(tmp_path, monkeypatch):
    """A folder whose files cannot be removed (read-only for removals: a sticky shared folder)."""
    from pathlib import Path
    cache = tmp_path / "cache"
    monkeypatch.setenv("LEXQUERY_CACHE", str(cache))
    f = tmp_path / "a.yaml"
    for i in range(parsed_cache.KEEP):
        f.write_text(f"a: {i}\n", encoding="utf-8")
        parsed_cache.parsed(f, yaml.safe_load, "test-v1")

    def refuse(self, missing_ok=False):
        raise PermissionError(13, "Permission denied", str(self))
    monkeypatch.setattr(Path, "unlink", refuse)
    f.write_text("a: last\n", encoding="utf-8")
    assert parsed_cache.parsed(f, yaml.safe_load, "test-v1") == {"a": "last"}
    assert len(_cached(cache, f)) == parsed_cache.KEEP + 1



def test_the_cache_files_of_before_are_removed(tmp_path, monkeypatch):
    """The cache files named ``parsed-<digest>.pickle`` (before each file had its own, never
    pruned) go when a file is parsed; the cache files of each file read stay."""
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("LEXQUERY_CACHE", str(cache))
    old = cache / ("parsed-" + "0" * 32 + ".pickle")
    old.write_bytes(b"x")
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("a: 1\n", encoding="utf-8")
    b.write_text("b: 1\n", encoding="utf-8")
    parsed_cache.parsed(a, yaml.safe_load, "test-v1")
    parsed_cache.parsed(b, yaml.safe_load, "test-v1")
    assert sorted(cache.iterdir()) == sorted(_cached(cache, a) + _cached(cache, b)) and not old.exists()

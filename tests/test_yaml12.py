"""One YAML loader with YAML 1.2 booleans (src/lexquery/yaml12.py) for every YAML file the project
reads: a rule, a provision, the recodification table, a reference file or a reform holding the
code of Norway, ``NO`` (or ``no``, ``on``, ``Y``…), keeps the text — YAML 1.1, PyYAML's default,
reads it as a boolean. No module parses YAML otherwise, and no YAML file of the repository holds
a word that YAML 1.1 would read as a boolean and YAML 1.2 as text (so it reads the same under
both, and a future ``NO`` is caught here rather than by a reader that forgot the rule)."""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest
import yaml

from lexquery import yaml12
from lexquery.errors import RuleError
from lexquery.engine import reform
from lexquery.kb import provisions, reference, succession
from lexquery.rules import loader as rules_loader
from rules_helpers import rules_with

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "lexquery"


def test_yaml_1_1_booleans_stay_text_and_true_false_are_booleans():
    doc = yaml12.load("in: [NO, DK, no, yes, on, OFF, Y, n]\na: true\nb: False\nc: TRUE\n")
    assert doc == {"in": ["NO", "DK", "no", "yes", "on", "OFF", "Y", "n"], "a": True, "b": False, "c": True}
    assert yaml12.load("d: 2026-01-01\n") == {"d": __import__("datetime").date(2026, 1, 1)}
    assert yaml12.load("d: 2026-01-01\nx: NO\n", dates_as_text=True) == {"d": "2026-01-01", "x": "NO"}


def test_a_rule_file_keeps_NO(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "tests" / "fixtures" / "kb" / "rules", rules)
    (rules / "nordic.yaml").write_text('constants:\n  nordic: {value: [NO, DK], sources: ["CPP 1"]}\n',
                                       encoding="utf-8")
    assert rules_loader._read(rules / "nordic.yaml")["constants"]["nordic"]["value"] == ["NO", "DK"]
    for _ in range(2):   # parsed, then read back from the rules' cache
        assert rules_loader.load_rules(rules).constants["nordic"] == ["NO", "DK"]


def test_a_provision_keeps_no(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("instrument: CPP\nnumber: '1'\nnote: no\nstates: [NO, DK]\n", encoding="utf-8")
    doc = provisions._read_yaml(f)
    assert doc["note"] == "no" and doc["states"] == ["NO", "DK"]


def test_the_succession_table_keeps_no(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    f = succession.correspondence_file(tmp_path)
    f.parent.mkdir(parents=True)
    f.write_text("correspondence:\n  entries:\n    - {old: CPP 1, new: CPP-2029 L1, status: settled, note: no,"
                 " note_en: NO}\n", encoding="utf-8")
    succession._load.cache_clear()
    try:
        s = succession.load(tmp_path).of("CPP 1")
    finally:
        succession._load.cache_clear()
    assert (s.note, s.note_en) == ("no", "NO")


def test_a_reference_file_keeps_NO(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    f = tmp_path / "eu.yaml"
    f.write_text("members: [NO, DK]\nflag: true\n", encoding="utf-8")
    for _ in range(2):   # parsed, then read back from the cache
        assert reference._read(f) == {"members": ["NO", "DK"], "flag": True}


def test_a_reform_keeps_NO_and_its_dates_as_text(tmp_path):
    f = tmp_path / "r.yaml"
    f.write_text("reform: x\nfrom: 2027-01-01\nstates: [NO]\n", encoding="utf-8")
    assert reform._read_yaml(f) == {"reform": "x", "from": "2027-01-01", "states": ["NO"]}


def test_the_caches_of_parsed_yaml_are_keyed_by_the_parser(tmp_path, monkeypatch):
    """The rules' cache and the KB's keep parsed documents: read back only for the same parser
    (another parser may give other documents of the same bytes). The reference files' and the
    recodification table's caches are keyed by ``READER`` through parsed_cache."""
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "tests" / "fixtures" / "kb" / "rules", rules)
    digest = rules_loader.load_rules(rules).digest
    assert rules_loader._cache_load(digest)
    files = sorted(rules.glob("*.yaml"))
    kb_digest = provisions.digest_of(files, tmp_path)
    monkeypatch.setattr(yaml12, "READER", "another-parser")
    assert rules_loader._cache_load(digest) is None
    assert provisions.digest_of(files, tmp_path) != kb_digest
    assert rules_loader.load_rules(rules).digest == digest   # the book's digest: the files' alone


def test_every_reader_uses_the_one_loader():
    assert reference.yaml_loader is yaml12.loader and reference.READER == yaml12.READER
    assert issubclass(yaml12.loader_dates_as_text(), yaml12.loader())   # the reforms': built from it
    # no module parses YAML otherwise: only yaml12 calls yaml's loaders or names a Loader class
    parsers = {"load", "safe_load", "full_load", "unsafe_load", "load_all", "safe_load_all", "parse", "compose",
               "SafeLoader", "CSafeLoader", "Loader", "CLoader", "FullLoader", "BaseLoader", "CBaseLoader"}
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "yaml12.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "yaml"
                    and node.attr in parsers):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: yaml.{node.attr}")
            elif isinstance(node, ast.ImportFrom) and node.module == "yaml":
                wrong += [f"{path.relative_to(ROOT)}:{node.lineno}: from yaml import {a.name}"
                          for a in node.names if a.name in parsers]
    assert not wrong, "YAML read without lexquery.yaml12:\n" + "\n".join(wrong)


_YAML11_BOOL = re.compile(r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$")


def yaml11_only_booleans(text: str) -> list[tuple[int, str]]:
    """(line, word) of each plain scalar — key or value — that YAML 1.1 reads as a boolean and
    the project's YAML 1.2 as text."""
    return [(ev.start_mark.line + 1, ev.value)
            for ev in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
            if isinstance(ev, yaml.ScalarEvent) and ev.tag is None and ev.implicit[0] and _YAML11_BOOL.match(ev.value)]


def test_the_finder_of_yaml_1_1_booleans_finds_them():
    assert yaml11_only_booleans('a: [NO, "NO", DK]\nno: 1\nb: !!str on\nc: true\nd: No way\n') == [(1, "NO"), (2, "no")]


def _yaml_files():
    skip = {".git", ".venv", "node_modules", "cache", "__pycache__"}
    return [p for ext in ("*.yaml", "*.yml") for p in ROOT.rglob(ext)
            if not skip & set(p.relative_to(ROOT).parts)]


def test_no_yaml_file_of_the_repository_holds_a_yaml_1_1_boolean_word():
    files = _yaml_files()
    assert {"rules", "law", "reference", "examples", "tests"} <= {f.relative_to(ROOT).parts[0] for f in files}
    found = [f"{f.relative_to(ROOT)}:{line}: {word} (quote it: \"{word}\")"
             for f in sorted(files) for line, word in yaml11_only_booleans(f.read_text(encoding="utf-8"))]
    assert not found, ("words YAML 1.1 reads as booleans (the project reads them as text, YAML 1.2; "
                       "write true/false for a boolean):\n" + "\n".join(found))


# ------------------------------------------------ yes-or-no keys: only true and false
# Under YAML 1.2 `no` is text, and a text is true in Python: a key read as a flag must refuse it
# rather than take `per_state: no` for a procedure evaluated per State, or `translation: no` for
# a translated text.

def test_a_rule_s_per_state_no_is_refused_with_the_way_to_write_it(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    rules = rules_with(tmp_path, "lc_expulsion.yaml", "per_state: false\n", "per_state: no\n")
    with pytest.raises(RuleError) as e:
        rules_loader.load_rules(rules)
    text = e.value.render()
    assert "per_state: 'no'" in text and "lc_expulsion" in text and "écrivez true ou false" in text


def test_per_state_takes_true_false_and_nationalities(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    book = rules_loader.load_rules(ROOT / "rules")
    kinds = {pid: p.per_state for pid, p in book.procedures.items()}
    assert kinds["eu_recognition"] is True and kinds["lc_expulsion"] is False
    assert kinds["consular_notification"] == "nationalities"


def test_a_bound_s_none_yes_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    rules = rules_with(tmp_path, "common.yaml", "    none: true\n", "    none: yes\n")
    with pytest.raises(RuleError) as e:
        rules_loader.load_rules(rules)
    assert "none: 'yes'" in e.value.render() and "bounds" in str(e.value.where)


def test_a_version_s_translation_no_is_a_problem_of_the_law_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LEXQUERY_CACHE", str(tmp_path / "cache"))
    law = tmp_path / "law"
    shutil.copytree(ROOT / "tests" / "fixtures" / "kb" / "law", law)
    f = law / "cpp" / "729-2.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("    translation: false\n", "    translation: no\n", 1)
                 .replace("    truncated: true\n", "    truncated: off\n", 1), encoding="utf-8")
    kb = provisions.load_kb(law, with_rules=False, use_cache=False)
    said = [m for _, m in kb.problems]
    assert any("translation: 'no'" in m for m in said) and any("truncated: 'off'" in m for m in said)
    versions = [v for p in kb.provisions.values() for v in p.versions if v.file.endswith("729-2.yaml")]
    assert versions and not any(v.translation for v in versions)   # the default kept, not the truthy text
    assert any(v.truncated for v in versions)                         # the careful reading of a cut text


def test_one_reading_of_a_yes_or_no_key_and_each_loader_s_own_reaction():
    """``yaml12.flag`` is the one reading (rules' loader and law's loader); the words each loader
    says stay these, word for word: the rules' raise with a hint, the law's record a problem."""
    assert yaml12.flag({"a": True}, "a") is True and yaml12.flag({}, "a") is False
    assert yaml12.flag({}, "a", True) is True
    assert yaml12.flag({"a": "nationalities"}, "a", also=("nationalities",)) == "nationalities"
    for wrong in ("no", "yes", "on", 1, 0, None, "nationalities"):
        with pytest.raises(yaml12.NotABoolean):
            yaml12.flag({"a": wrong}, "a")
    with pytest.raises(RuleError) as e:
        rules_loader._flag({"per_state": "no"}, "per_state", "rules/x.yaml/procedures/p", also=("nationalities",))
    assert (e.value.message, e.value.where, e.value.hint) == (
        "`per_state: 'no'` : true ou false attendu (ou nationalities)", "rules/x.yaml/procedures/p",
        "en YAML 1.2 seuls true et false sont booléens : « no », « yes », « on », « off » "
        "sont du texte — écrivez true ou false")
    problems = []
    assert provisions._flag({"translation": "no"}, "translation", False, "law/x.yaml", problems) is False
    assert provisions._flag({"truncated": "off"}, "truncated", False, "law/x.yaml", problems) is True
    assert provisions._flag({"repealed": True}, "repealed", False, "law/x.yaml", problems) is True
    assert problems == [
        ("law/x.yaml", "`translation: 'no'` : true ou false attendu (en YAML 1.2, « no » / « yes » sont du texte)"),
        ("law/x.yaml", "`truncated: 'off'` : true ou false attendu (en YAML 1.2, « no » / « yes » sont du texte)")]

"""law/generated/cpp/ against the CPP seeds (sources/seeds/001_*, 002_*) and the seed map.

The seed is re-read here independently of scripts/extract_seeds.py: a bullet is the
line with '•' plus the non-empty lines that follow it up to the next bullet.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lexquery import yaml12

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT / "law" / "generated"
SEEDS = ROOT / "sources" / "seeds"
AMAP = json.loads((ROOT / "sources" / "legal" / "seed-article-map.json").read_text(encoding="utf-8"))

TOP_KEYS = ["instrument", "number", "title", "hierarchy", "legiarti", "successor_2029",
            "versions", "open_questions"]
VERSION_KEYS = ["id", "legiarti", "valid_from", "valid_until", "amended_by", "language",
                "translation", "restatement_2029", "source", "source_file", "official", "confidence",
                "confidence_note", "truncated", "paragraphs", "notes", "repealed", "repealed_before"]
CONFIDENCE = {"high", "medium-high", "medium", "low"}
NOTE_KINDS = {"qpc", "entry_into_force", "editorial", "translation"}


def norm(s: str) -> str:
    return " ".join(s.split())


def seed_bullets() -> dict[tuple[str, int], list[str]]:
    out = {}
    for path in sorted(SEEDS.glob("00[12]_*.txt")):
        cur = None
        for i, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            m = re.match(r"^ *• (.*)$", line)
            if m:
                cur = out[(path.name, i)] = [norm(m.group(1))]
            elif cur is not None and line.strip() and line.strip() != "Retourner en haut de la page":
                cur.append(norm(line))
    return out


def map_number(article: str) -> str:
    return re.findall(r"\d+(?:-\d+)+|\d+", article)[0]


@pytest.fixture(scope="module")
def cpp() -> dict[str, dict]:
    return {p.stem: yaml12.load(p.read_text(encoding="utf-8"))
            for p in sorted((GEN / "cpp").glob("*.yaml"))}


def texts(version: dict) -> list[str]:
    return [p["text"] for p in version["paragraphs"]] + [n["text"] for n in version["notes"]]


def seed_order(version: dict) -> list[str]:
    """Texts in seed order: an editorial note (a printed label) precedes the text."""
    ed = [n["text"] for n in version["notes"] if n["kind"] == "editorial"]
    rest = [n["text"] for n in version["notes"] if n["kind"] != "editorial"]
    return ed + [p["text"] for p in version["paragraphs"]] + rest


def citations(doc: dict, version_id: str = "2021-seed") -> dict[str, str]:
    """Citation string -> text, per docs/design.md (al. N counts paragraphs, items included)."""
    v = next(v for v in doc["versions"] if v["id"] == version_id)
    base = f"CPP {doc['number']}"
    out = {base: "\n".join(p["text"] for p in v["paragraphs"])}
    for n, p in enumerate(v["paragraphs"], 1):
        out[f"{base} al. {n}"] = p["text"]
        if "label" in p:
            assert f"{base} {p['label']}" not in out
            out[f"{base} {p['label']}"] = p["text"]
    return out


def test_map_has_95_bullets_and_the_seeds_too():
    bullets = seed_bullets()
    assert len(AMAP) == 95
    assert set(bullets) == {(e["seed"], e["line"]) for e in AMAP}


def test_every_bullet_is_a_version_of_the_mapped_article(cpp):
    bullets = seed_bullets()
    matched = set()
    for e in AMAP:
        number = map_number(e["article"])
        assert number in cpp, f"no file for {e['article']!r}"
        doc = cpp[number]
        assert doc["number"] == number and doc["instrument"] == "CPP"
        want = bullets[(e["seed"], e["line"])]
        hits = [v["id"] for v in doc["versions"]
                if [norm(t) for t in seed_order(v)] == want and v["source_file"] == f"sources/seeds/{e['seed']}"]
        assert len(hits) == 1, f"{e['seed']}:{e['line']} ({number}) not found exactly once"
        matched.add((number, hits[0]))
    assert len(matched) == 95
    assert sum(len(d["versions"]) for d in cpp.values()) == 95
    assert len(cpp) == 94  # 712-16-3 holds two versions


def test_paragraphs_and_notes_are_seed_lines_in_order(cpp):
    """Each text is one seed paragraph, whitespace-normalised; paragraphs then notes cover the bullet."""
    all_lines = {norm(line) for b in seed_bullets().values() for line in b}
    for doc in cpp.values():
        for v in doc["versions"]:
            for t in texts(v):
                assert t == t.strip() and norm(t) in all_lines


def test_notes_are_kept_out_of_the_operative_text(cpp):
    for doc in cpp.values():
        for v in doc["versions"]:
            for p in v["paragraphs"]:
                assert not re.match(r"Par une décision n° \S+ QPC|Conformément (à|au) .*entrent en vigueur",
                                    p["text"]), doc["number"]
            for n in v["notes"]:
                assert n["kind"] in NOTE_KINDS
    n728_15 = cpp["728-15"]["versions"][0]
    assert [n["kind"] for n in n728_15["notes"]] == ["qpc"]
    assert [n["kind"] for n in cpp["708"]["versions"][0]["notes"]] == ["entry_into_force"] * 3


def test_labels_match_the_text(cpp):
    for doc in cpp.values():
        for v in doc["versions"]:
            for p in v["paragraphs"]:
                if "label" in p:
                    last = p["label"].split()[-1]
                    assert p["text"].startswith(last if last.endswith("°") else last + ".-")
                else:
                    assert not re.match(r"^\d+°|^[IVX]+\.-", p["text"])
    assert [p.get("label") for p in cpp["707"]["versions"][0]["paragraphs"]][4:9] == \
        ["IV", "IV 1°", "IV 2°", "IV 3°", "IV 4°"]


def test_schema_shape(cpp):
    for doc in cpp.values():
        keys = list(doc)
        assert keys == [k for k in TOP_KEYS if k in keys]
        assert set(doc["title"]) == {"fr", "en"} and doc["hierarchy"]
        for v in doc["versions"]:
            vk = list(v)
            assert vk == [k for k in VERSION_KEYS if k in vk]
            assert v["confidence"] in CONFIDENCE and v["language"] == "fr"
            assert v["translation"] is False and v["restatement_2029"] is False
            assert v["paragraphs"]
        for q in doc.get("open_questions", []):
            assert set(q) == {"text", "source"}


def test_uncertain_numbers_are_flagged(cpp):
    for e in AMAP:
        number = map_number(e["article"])
        if e["article"] != number and "712-16-3" not in e["article"]:
            doc = cpp[number]
            assert doc["versions"][0]["confidence"] in {"medium", "low"}
            assert any(e["article"] in q["text"] for q in doc["open_questions"])
    assert cpp["713-14"]["versions"][0]["confidence"] == "low"


def test_712_16_3_keeps_both_texts(cpp):
    doc = cpp["712-16-3"]
    assert [v["id"] for v in doc["versions"]] == ["2021-seed", "2021-seed-abroge"]
    assert doc["versions"][0]["paragraphs"][0]["text"].startswith("Lorsque le condamné est une personne majeure")
    abroge = doc["versions"][1]
    assert abroge["notes"] == [{"kind": "editorial", "text": "Article 712-16-3 (abrogé)"}]
    assert abroge["paragraphs"][0]["text"].startswith("Les services de police")


REQUIRED = {
    "CPP 712-11 1°": "1° Dans le délai de vingt-quatre heures",
    "CPP 712-11 2°": "2° Dans le délai de dix jours",
    "CPP 728-16": "Avant de procéder à la transmission",
    "CPP 728-17 al. 1": "Lorsque la personne condamnée se trouve sur le territoire français",
    "CPP 728-18 al. 1": "Si le représentant du ministère public décide de transmettre",
    "CPP 728-23 al. 2": "Le transfèrement, dont la date est arrêtée conjointement",
    "CPP 728-15 al. 1": "Le représentant du ministère public près la juridiction",
    "CPP 728-15 al. 3": "Il peut décider la transmission lorsque les conditions prévues à l'article 728-11",
}


@pytest.mark.parametrize("citation", sorted(REQUIRED))
def test_required_citations_resolve(cpp, citation):
    number = citation.split()[1]
    assert citations(cpp[number])[citation].startswith(REQUIRED[citation])


def test_728_15_in_2021_has_three_alineas(cpp):
    """The 2021 text has no al. 4: 'certitude ... réinsertion' is al. 3 there (al. 4 in the later text)."""
    assert "CPP 728-15 al. 4" not in citations(cpp["728-15"])
    assert "728-22-1" not in cpp


def test_regeneration_is_byte_identical(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "extract_seeds.py"), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.yaml"))
    committed = sorted(p.relative_to(GEN) for p in GEN.rglob("*.yaml"))
    assert made == committed
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (GEN / rel).read_bytes(), rel

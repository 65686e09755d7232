"""law/generated/circ2025/ against the circular's seed (sources/seeds/000_*).

Coverage is checked independently of the extractor: every generated text (section
heading, paragraph, intertitle, footnote) must be made of consecutive seed lines
(whitespace ignored, link-target and already used lines skipped), and every seed line
that is not a link target must be used exactly once.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from lexquery import yaml12

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT / "law" / "generated" / "circ2025"
SEED = next((ROOT / "sources" / "seeds").glob("000_*.txt"))
SECTIONS = ["preambule", "1", "1.1", "1.2", "1.3", "2", "2.1", "2.2", "2.3", "conclusion"]
STATES_N1 = ["Algérie", "Bulgarie", "Chine", "Egypte", "Hongrie", "Pologne", "Roumanie",
             "Royaume-Uni", "Kiribati", "République Tchèque", "Slovaquie", "Russie", "Vietnam"]
URL = re.compile(r"^(https?://|mailto:)\S+$")


def squeeze(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def circ() -> dict[str, dict]:
    return {p.stem: yaml12.load(p.read_text(encoding="utf-8")) for p in sorted(GEN.glob("*.yaml"))}


def citations(circ: dict) -> dict[str, str]:
    out = {}
    for doc in circ.values():
        v = doc["versions"][0]
        base = f"Circ. 2025 {doc['number']}" if doc["number"].startswith("n. ") else f"Circ. 2025 §{doc['number']}"
        out[base] = "\n".join(p["text"] for p in v["paragraphs"])
        for n, p in enumerate(v["paragraphs"], 1):
            out[f"{base} al. {n}"] = p["text"]
    return out


def test_sections_and_footnotes_exist(circ):
    assert sorted(circ) == sorted(SECTIONS + ["n1", "n2", "n3", "n4"])
    for n in SECTIONS:
        assert circ[n]["instrument"] == "CIRC2025" and circ[n]["number"] == n
    for k in range(1, 5):
        assert circ[f"n{k}"]["number"] == f"n. {k}"
    for n in ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"]:
        assert len(circ[n]["versions"][0]["paragraphs"]) >= 4, n


@pytest.mark.parametrize("citation", ["Circ. 2025 §1.2", "Circ. 2025 §1.3", "Circ. 2025 §2.1",
                                      "Circ. 2025 §2.2", "Circ. 2025 §2.3", "Circ. 2025 n. 1",
                                      "Circ. 2025 n. 4", "Circ. 2025 §2.1 al. 3"])
def test_required_citations_resolve(circ, citation):
    assert citations(circ)[citation]


def test_footnote_1_lists_the_states_verbatim(circ):
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").split("\n")]
    i = next(i for i, ln in enumerate(lines) if ln.startswith("1 Information obligatoire"))
    seed_text = " ".join([lines[i][2:], lines[i + 2]])
    text = circ["n1"]["versions"][0]["paragraphs"][0]["text"]
    assert text == seed_text
    head, states = text.split(" : ")
    assert head == "Information obligatoire pour les personnes détenues ayant la nationalité de l’un des pays suivants"
    assert states.rstrip(".").split(", ") == STATES_N1


def test_footnote_4_and_the_2_2_paragraph_across_the_page_break(circ):
    assert circ["n4"]["versions"][0]["paragraphs"][0]["text"].startswith("Après contact préalable")
    al3 = citations(circ)["Circ. 2025 §2.2 al. 3"]
    assert "assortie le cas échéant d’une interdiction de retour" in al3
    assert "729-2 du CPP" in citations(circ)["Circ. 2025 §2.2 al. 2"]
    assert "condamnation4," in citations(circ)["Circ. 2025 §2.1 al. 4"]


def pieces(circ: dict) -> list[tuple[str, str]]:
    out = []
    for k in range(1, 5):
        out.append((f"n{k}", f"{k} " + circ[f"n{k}"]["versions"][0]["paragraphs"][0]["text"]))
    for n in SECTIONS:
        doc = circ[n]
        if n[0].isdigit():
            out.append((n, f"{n}. {doc['title']['fr']}"))
        v = doc["versions"][0]
        out += [(n, p["text"]) for p in v["paragraphs"]]
        out += [(n, x["text"].removeprefix("Intertitre : ")) for x in v["notes"]
                if x["text"].startswith("Intertitre : ")]
    return out


def test_texts_equal_the_seed_and_cover_it(circ):
    lines = [squeeze(ln) for ln in SEED.read_text(encoding="utf-8").split("\n")]
    skip = [not ln or bool(URL.match(ln)) for ln in lines]
    used = [False] * len(lines)
    for where, piece in pieces(circ):
        s = squeeze(piece)
        for i, ln in enumerate(lines):
            if skip[i] or used[i] or not s.startswith(ln):
                continue
            take, pos, j = [i], len(ln), i + 1
            while pos < len(s) and j < len(lines):
                if skip[j] or used[j]:
                    j += 1
                    continue
                if not s[pos:].startswith(lines[j]):
                    break
                take.append(j)
                pos += len(lines[j])
                j += 1
            if pos == len(s):
                for t in take:
                    used[t] = True
                break
        else:
            pytest.fail(f"{where}: text not found in the seed: {piece[:80]!r}")
    left = [i + 1 for i, ln in enumerate(lines) if not skip[i] and not used[i]]
    assert not left, f"seed lines not in any generated text: {left}"


def test_links_are_notes_not_paragraphs(circ):
    seed_urls = {ln.strip() for ln in SEED.read_text(encoding="utf-8").split("\n") if URL.match(ln.strip())}
    got = set()
    for doc in circ.values():
        v = doc["versions"][0]
        assert not any(URL.match(p["text"]) for p in v["paragraphs"])
        got |= {n["text"].split(" : ", 1)[1] for n in v["notes"] if n["text"].startswith("Lien ")}
    assert got == seed_urls

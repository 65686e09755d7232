"""law/ files of the legal pack (CPP, CP, STE 112, STE 167, CVRC, DC 2008/909, CPP-2029, CETS 222).

Checks, with yaml + pathlib only:
- every file follows the law/ schema of docs/design.md (keys, types, dates, enums);
- every paragraph text appears verbatim (whitespace-normalised) in its version's source_file;
- every citation the rules make to these instruments resolves by the design.md rule
  (article; "<article> al. N"; "<article> <label>" for codes, "<article>.<label>" for conventions)
  and lands on a paragraph that says what the rules use it for.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from lexquery import yaml12

ROOT = Path(__file__).resolve().parents[1]
LAW = ROOT / "law"
FOLDERS = {"cpp": "CPP", "cp": "CP", "ste112": "STE112", "ste167": "STE167", "cvrc": "CVRC",
           "dc2008-909": "DC2008-909", "cpp2029": "CPP2029", "cets222": "CETS222"}
PREFIX = {"CPP": "CPP ", "CP": "CP ", "CPP2029": "CPP-2029 ", "STE112": "STE 112 art. ",
          "STE167": "STE 167 art. ", "CETS222": "STCE 222 art. ", "CVRC": "CVRC art. ",
          "DC2008-909": "DC 2008/909 art. "}
CONVENTIONS = {"STE112", "STE167", "CETS222", "CVRC", "DC2008-909"}
CONFIDENCE = {"high", "medium-high", "medium", "low"}
NOTE_KINDS = {"qpc", "entry_into_force", "editorial", "translation"}
LANGS = {"fr", "en", "de"}
TODAY = dt.date.today()

FILES = sorted(f for d in FOLDERS for f in (LAW / d).glob("*.yaml")
               if f.name != "correspondence.yaml")   # the successor table (kb/succession.py)

# The rules' citations of these instruments (copy of /tmp/rule-citations.txt, seed-derived
# CPP articles and the circular excepted: those are checked by tests/test_seeds.py).
RULE_CITATIONS = """
CP 132-23 | CP 132-23 al. 1 | CP 132-23 al. 3 | CPP 716-1 | CPP 720 I | CPP 720 II | CPP 720 III |
CPP 720 IV | CPP 728-10 | CPP 728-10 al. 1 | CPP 728-11 | CPP 728-11 1° | CPP 728-11 2° | CPP 728-11 3° |
CPP 728-11 al. 1 | CPP 728-11 al. 5 | CPP 728-15 | CPP 728-15 al. 1 | CPP 728-15 al. 3 | CPP 728-15 al. 4 |
CPP 728-22-1 | CPP 728-33 2° | CPP 729 | CPP 729 al. 2 | CPP 729 al. 8 | CPP 729 al. 9 | CPP 729-2 al. 1 |
CPP 729-2 al. 2 | CPP 730 al. 1 | CPP 730 al. 2 | CPP 730-2 1° | CPP 730-2 2° | CPP 730-2 al. 1 |
CPP D147-20 al. 1 | CPP D147-20 al. 2 | CPP D541 | CVRC art. 36 | CVRC art. 36.1.b | CVRC art. 36.1.c |
DC 2008/909 art. 26.1 | STE 112 art. 22.2 | STE 112 art. 3 | STE 112 art. 3.1 | STE 112 art. 3.1.a |
STE 112 art. 3.1.b | STE 112 art. 3.1.c | STE 112 art. 3.1.d | STE 112 art. 3.1.e | STE 112 art. 3.1.f |
STE 112 art. 3.2 | STE 112 art. 7 | STE 167 art. 2.3 | STE 167 art. 3.1 | STE 167 art. 3.3
"""
RULE_CITATIONS = [c.strip() for c in RULE_CITATIONS.split("|") if c.strip()]

# What each cited paragraph must say (one of the fragments, in every non-empty version in
# force today, and in at least one version). Paragraphs cited by rules, checked by meaning.
MEANING = {
    "CP 132-23 al. 1": ["égale ou supérieure à dix ans"],
    "CP 132-23 al. 3": ["supérieure à cinq ans"],
    "CPP 720 I": ["inférieure ou égale à cinq ans", "au double de la durée de la peine restant"],
    "CPP 720 II": ["less than or equal to two years"],
    "CPP 728-10 al. 1": ["condamnations pénales définitives"],
    "CPP 728-11 al. 1": ["se trouve sur le territoire français ou celui de l'autre Etat membre"],
    "CPP 728-11 1°": ["résidence habituelle"],
    "CPP 728-11 2°": ["mesure d'éloignement"],
    "CPP 728-11 3°": ["consentent"],
    "CPP 728-11 al. 5": ["le consentement de la personne condamnée n'est pas requis"],
    "CPP 728-15 al. 1": ["est compétent pour transmettre"],
    "CPP 728-15 al. 3": ["Sous réserve de l'article 728-22-1"],
    "CPP 728-15 al. 4": ["facilitera la réinsertion sociale"],
    "CPP 728-33 2°": ["less than six months on the date of receipt of the certificate",
                      "inférieure à six mois à la date de réception du certificat"],
    "CPP 729 al. 2": ["peines privatives de liberté", "custodial sentences"],
    "CPP 729 al. 8": ["au moins égale à la durée de la peine lui restant à subir",
                      "at least equal to the length of the sentence remaining"],
    "CPP 729 al. 9": ["dix-huit années", "eighteen years"],
    "CPP 729-2 al. 1": ["sa libération conditionnelle est subordonnée à la condition que cette mesure soit exécutée"],
    "CPP 729-2 al. 2": ["Par exception aux dispositions de l'alinéa précédent"],
    "CPP 730 al. 1": ["inférieure ou égale à dix ans", "inférieure ou égale à trois ans"],
    "CPP 730 al. 2": ["tribunal de l'application des peines"],
    "CPP 730-2 al. 1": ["fifteen years"],
    "CPP 730-2 1°": ["Only by the sentence enforcement court"],
    "CPP 730-2 2°": ["multidisciplinary assessment of dangerousness"],
    "CPP D147-20 al. 1": ["même si elle s'y oppose"],
    "CPP D147-20 al. 2": ["III de l'article 720"],
    "CVRC art. 36.1.b": ["without delay", "sans retard"],
    "CVRC art. 36.1.c": ["expressly opposes", "s'y oppose expressément"],
    "DC 2008/909 art. 26.1": ["ab dem 5. Dezember 2011"],
    "STE 112 art. 3.1": ["only on the following conditions", "qu'aux conditions suivantes"],
    "STE 112 art. 3.1.a": ["national of the administering State", "ressortissant de l'État d'exécution"],
    "STE 112 art. 3.1.b": ["final", "définitif"],
    "STE 112 art. 3.1.c": ["six months", "six mois"],
    "STE 112 art. 3.1.d": ["consented to by the sentenced person", "consentir au transfèrement"],
    "STE 112 art. 3.1.e": ["criminal offence", "infraction pénale"],
    "STE 112 art. 3.1.f": ["agree to the transfer", "mis d'accord"],
    "STE 112 art. 3.2": ["In exceptional cases", "Dans des cas exceptionnels"],
    "STE 112 art. 22.2": ["in lieu of the present Convention"],
    "STE 167 art. 2.3": ["consent of the sentenced person shall not be required"],
    "STE 167 art. 3.1": ["without the consent of that person", "sans le consentement de cette dernière"],
    "STE 167 art. 3.3": ["the sentencing State shall furnish", "l'État de condamnation fournit"],
}


def _load(f: Path):
    return yaml12.load(f.read_text(encoding="utf-8"))


DOCS = {f: _load(f) for f in FILES}


def _norm(s: str) -> str:
    return " ".join(str(s).split())


def _is_date(v):
    return v is None or (isinstance(v, dt.date) and not isinstance(v, dt.datetime))


def test_there_are_files():
    assert len(FILES) >= 40


@pytest.mark.parametrize("f", FILES, ids=lambda f: str(f.relative_to(LAW)))
def test_schema(f):
    d = DOCS[f]
    assert isinstance(d, dict)
    assert d["instrument"] == FOLDERS[f.parent.name]
    assert isinstance(d["number"], str) and d["number"] == f.stem
    assert set(d["title"]) >= {"fr", "en"} and all(isinstance(x, str) and x for x in d["title"].values())
    allowed = {"instrument", "number", "title", "hierarchy", "legiarti", "successor_2029", "versions", "open_questions"}
    assert set(d) <= allowed, set(d) - allowed
    if "hierarchy" in d:
        assert isinstance(d["hierarchy"], list) and all(isinstance(x, str) for x in d["hierarchy"])
    if "legiarti" in d:
        assert re.fullmatch(r"LEGIARTI\d{12}", d["legiarti"])
    if "successor_2029" in d:
        assert d["instrument"] == "CPP" and re.fullmatch(r"L\d{4}-\d+", d["successor_2029"])
    for q in d.get("open_questions") or []:
        assert set(q) == {"text", "source"} and q["text"] and q["source"]
    versions = d["versions"]
    assert isinstance(versions, list) and versions
    ids = [(v["id"], v["language"]) for v in versions]
    assert len(ids) == len(set(ids))
    vkeys = {"id", "legiarti", "valid_from", "valid_until", "amended_by", "language", "translation",
             "restatement_2029", "source", "source_file", "official", "confidence", "confidence_note", "truncated",
             "paragraphs", "notes", "repealed", "repealed_before"}
    # source_file (our copy) may be absent when source is a public git repository pinned to a commit
    required = {"id", "valid_from", "valid_until", "language", "translation", "restatement_2029", "source",
                "confidence", "confidence_note", "truncated", "paragraphs"}
    for v in versions:
        assert required <= set(v) <= vkeys, (set(v) ^ vkeys)
        assert isinstance(v["id"], str) and v["id"]
        assert _is_date(v["valid_from"]) and _is_date(v["valid_until"])
        if v["valid_from"] and v["valid_until"]:
            assert v["valid_from"] <= v["valid_until"]
        assert v["language"] in LANGS
        for k in ("translation", "restatement_2029", "truncated"):
            assert isinstance(v[k], bool)
        if v["translation"]:
            assert v["language"] != "fr" and d["instrument"] in ("CPP", "CP")
        assert v["restatement_2029"] == (d["instrument"] == "CPP2029")
        if v["restatement_2029"]:
            assert v["valid_from"] == dt.date(2029, 1, 1)
        assert v["confidence"] in CONFIDENCE and v["confidence_note"]
        assert isinstance(v["source"], str) and v["source"]
        if v.get("source_file") is not None:
            assert (ROOT / v["source_file"]).is_file(), v["source_file"]
        else:
            assert re.search(r"/blob/[0-9a-f]{40}/", v["source"]), "without a copy, the source is pinned to a commit"
        if "official" in v:   # the official publication: Legifrance, EUR-Lex, Council of Europe, United Nations
            assert re.match(r"https://((www|circulaire)\.legifrance\.gouv\.fr|eur-lex\.europa\.eu|www\.coe\.int|rm\.coe\.int"
                            r"|treaties\.un\.org|legal\.un\.org)/", v["official"]), v["official"]
        if "legiarti" in v:
            assert re.fullmatch(r"LEGIARTI\d{12}", v["legiarti"])
        labels = []
        assert v["paragraphs"]
        for p in v["paragraphs"]:
            assert set(p) <= {"label", "text"} and "text" in p
            assert isinstance(p["text"], str)
            if not p["text"]:
                assert v["truncated"], "an empty paragraph (not retrieved) only in a truncated version"
                assert "label" in p, "an empty paragraph is only a placeholder for a cited label"
            if "label" in p:
                assert isinstance(p["label"], str) and p["label"]
                labels.append(p["label"])
        assert len(labels) == len(set(labels))
        for n in v.get("notes") or []:
            assert set(n) == {"kind", "text"} and n["kind"] in NOTE_KINDS and n["text"]


@pytest.mark.parametrize("f", FILES, ids=lambda f: str(f.relative_to(LAW)))
def test_paragraphs_verbatim_in_source(f):
    for v in DOCS[f]["versions"]:
        if v.get("source_file") is None:   # source pinned to a public commit (checked by test_schema)
            continue
        src = _norm((ROOT / v["source_file"]).read_text(encoding="utf-8"))
        for p in v["paragraphs"]:
            if p["text"]:
                assert _norm(p["text"]) in src, (v["id"], p["text"][:80])


# --- the design.md resolver ----------------------------------------------------------------

def _index():
    idx: dict[str, list] = {}
    for f, d in DOCS.items():
        inst = d["instrument"]
        art = PREFIX[inst] + d["number"]
        idx.setdefault(art, []).append((f, None, None))
        for v in d["versions"]:
            for n, p in enumerate(v["paragraphs"], start=1):
                idx.setdefault(f"{art} al. {n}", []).append((f, v, p))
                if p.get("label"):
                    sep = "." if inst in CONVENTIONS else " "
                    idx.setdefault(f"{art}{sep}{p['label']}", []).append((f, v, p))
    return idx


INDEX = _index()


def _in_force(v, at=TODAY):
    return (v["valid_from"] is None or v["valid_from"] <= at) and (v["valid_until"] is None or at <= v["valid_until"])


@pytest.mark.parametrize("citation", RULE_CITATIONS)
def test_rule_citation_resolves(citation):
    assert citation in INDEX, f"{citation} does not resolve"
    nodes = INDEX[citation]
    if nodes[0][1] is not None:
        # a paragraph: present in a version in force today (as far as known)
        assert any(_in_force(v) and not v["restatement_2029"] for _, v, _ in nodes), citation


@pytest.mark.parametrize("citation", sorted(MEANING))
def test_rule_citation_says_what_it_is_used_for(citation):
    frags = MEANING[citation]
    nodes = [(v, p) for _, v, p in INDEX[citation] if p is not None and p["text"]]
    assert nodes, f"{citation}: no text"
    assert any(any(fr in p["text"] for fr in frags) for _, p in nodes), citation
    for v, p in nodes:
        if _in_force(v):
            assert any(fr in p["text"] for fr in frags), (citation, v["id"], p["text"][:100])


def test_728_15_alineas_shift_between_versions():
    """Before the post-QPC reform al. 3 was the rehabilitation condition and there was no al. 4."""
    d = DOCS[LAW / "cpp" / "728-15.yaml"]
    old, new = d["versions"]
    assert old["id"] == "2021-09-17" and len(old["paragraphs"]) == 3
    assert "réinsertion sociale" in old["paragraphs"][2]["text"]
    assert "728-22-1" in new["paragraphs"][2]["text"] and "réinsertion sociale" in new["paragraphs"][3]["text"]


def test_2029_successor_exists():
    for f, d in DOCS.items():
        if d.get("successor_2029"):
            assert (LAW / "cpp2029" / f"{d['successor_2029']}.yaml").is_file()


def test_unverified_items_are_open_questions_not_law():
    """The amending law of the post-QPC versions is [U]: never an `amended_by`."""
    for name in ("728-15", "728-22", "728-22-1"):
        d = DOCS[LAW / "cpp" / f"{name}.yaml"]
        for v in d["versions"]:
            assert "2021-1729" not in (v.get("amended_by") or "")
        assert any("2021-1729" in q["text"] for q in d["open_questions"])

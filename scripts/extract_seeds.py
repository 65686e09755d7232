#!/usr/bin/env python3
"""Write ``law/generated/`` from the seeds in ``sources/seeds/`` (docs/design.md, "law/ schema").

Two extractions, both deterministic (re-running gives byte-identical files):

* CPP seeds ``001_*.txt`` (version au 17/09/2021) and ``002_*.txt`` (version au
  02/12/2021): Legifrance section pages whose article numbers were stripped.  Every
  bullet ``•`` is one article; its number comes from
  ``sources/legal/seed-article-map.json`` (matched on seed file + line, checked on the
  first words).  One file per article: ``law/generated/cpp/<number>.yaml``.
* The 2025 circular ``000_*.txt`` (text extracted from a PDF: text lines separated by
  empty lines, paragraphs by whitespace-only lines, a block of link targets at the end
  of each page, footnotes at the foot of the page).  One file per section
  (``law/generated/circ2025/<number>.yaml``) and one per footnote (``n<k>.yaml``).

Choices (others rely on them):

* ``text`` keeps the paragraph exactly as in the seed, *including* its label prefix
  ("1° Que ...", "I.-Sur décision ..."); ``label`` repeats the label ("1°", "I",
  "IV 1°" for an item inside part IV).
* NOTA / QPC / "Conformément à ..." blocks (separated from the text by two or more blank
  lines on the Legifrance page) go to ``notes``, never to ``paragraphs``.
* CPP 712-16-3: seed 002 prints "Article 712-16-3 (abrogé)" followed by the old text,
  then the re-established text.  Both are kept in ``cpp/712-16-3.yaml`` as two
  versions: ``2021-seed`` (re-established, in force at the seed date, listed first)
  and ``2021-seed-abroge`` (abrogated text; the printed label is kept as an editorial
  note; dates unknown, hence null).
* Uncertain numbers ("713-7 or 713-8", "713-6 (probable)") use the first number, with
  confidence at most the map's, a confidence_note and an ``open_questions`` entry.
* CPP ``valid_from``/``valid_until`` are null: a seed only says at which date its text was in
  force (17/09/2021, 02/12/2021), which the confidence_note records.  ``source`` is null
  because the seeds name no URL of their own; ``source_file`` is the seed.
* ``official`` (Legifrance section page printing the seed text at the seed date) and the
  article-level ``legiarti`` come from ``sources/legal/seed-official.yaml``, with their
  evidence appended to the confidence_note; an article without an entry gets neither.
* ``hierarchy``: the seeds show no heading; the chain is taken from
  sources/legal/seed-article-map.md where the map states it from a retrieved page;
  headings the map marks as unverified or "may differ" are left out.
* Circular: the preamble is number "preambule", the closing paragraph "conclusion",
  the two part headings "1" and "2" (with the chapeau paragraph of part 1).  Unnumbered
  intertitles inside §1.3 and the page's hyperlink targets are editorial notes (they
  are not alinéas; a link block is attached to the section being read when the page ends,
  so it is page-level, not paragraph-level).  The circular's version id is "2025-seed".  Footnote call numbers glued to words ("obligatoire1.") stay as
  printed.  Lines are joined with one space, except after a line-final hyphen
  ("729-" + "2 du CPP" → "729-2 du CPP").

Usage: ``python scripts/extract_seeds.py [--out DIR]`` (default: law/generated).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "sources" / "seeds"
MAP_JSON = ROOT / "sources" / "legal" / "seed-article-map.json"
MAP_MD = ROOT / "sources" / "legal" / "seed-article-map.md"
OFFICIAL = ROOT / "sources" / "legal" / "seed-official.yaml"   # official links and LEGIARTI ids

BULLET_RE = re.compile(r"^( *)• (.*)$")
ITEM_RE = re.compile(r"^(\d+)°")
PART_RE = re.compile(r"^([IVX]+)\.-")
NOTE_RE = re.compile(
    r"^(Conformément (à|au) |Par une décision n° \S+ QPC|L'article unique de la loi|"
    r"L'article \d+ de la loi|Le \d+° du [IVX]+ de l'article)"
)
VERSION_RE = re.compile(r"^Version en vigueur au (.+)$")
CONF_MAP = {
    "high": "high",
    "high (label)": "high",
    "medium-high": "medium-high",
    "medium": "medium",
    "low-medium": "low",
    "low": "low",
}
MONTHS = {m: i for i, m in enumerate(
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(), 1)}

# ---------------------------------------------------------------- headings (CPP)
H_LEG = "Partie législative"
H_LIVRE5 = "Livre V : Des procédures d'exécution"
H_001 = [
    H_LEG,
    H_LIVRE5,
    "Titre II : De la détention",
    "Chapitre VI : De l'exécution des décisions de condamnation à une peine ou à une mesure "
    "de sûreté privative de liberté en application de la décision-cadre 2008/909/JAI du "
    "Conseil du 27 novembre 2008 concernant l'application du principe de reconnaissance "
    "mutuelle aux jugements en matière pénale prononçant des peines ou des mesures "
    "privatives de liberté aux fins de leur exécution dans l'Union européenne",
    "Section 2 : Dispositions relatives à l'exécution, sur le territoire des autres Etats "
    "membres de l'Union européenne, des condamnations prononcées par les juridictions "
    "françaises.",
]
H_001_PARA = {  # from the Legifrance pages cited by the map (ranges as at 2014/2019)
    **{n: "Paragraphe 2 : Transfèrement et transit." for n in ("728-23", "728-24", "728-25", "728-26")},
    **{n: "Paragraphe 4 : Exécution de la peine." for n in ("728-29", "728-30")},
}
H_002 = [H_LEG, H_LIVRE5, "Titre Ier : De l'exécution des sentences pénales"]
H_002_CH1 = "Chapitre Ier : Dispositions générales"
H_002_CH2 = "Chapitre II : Des juridictions de l'application des peines"
H_002_CH3 = "Chapitre III"  # 2021 title not retrieved (the map's title is the 2025 one)
H_002_CH3_S1 = ("Section 1 : De la transmission et de l'exécution des décisions de confiscation "
                "en application de la décision-cadre du Conseil de l'Union européenne du 6 octobre 2006")
H_002_CH3_S1_P1 = "Paragraphe 1 : Dispositions générales"
H_002_CH3_S1_P2 = ("Paragraphe 2 : Dispositions relatives aux décisions de confiscation de biens "
                   "prononcées par les juridictions françaises")
H_002_CH3_S2 = ("Section 2 : De l'exécution des décisions de confiscation prononcées par les "
                "autorités judiciaires étrangères")


def _num_key(number: str) -> tuple:
    return tuple(int(p) for p in re.findall(r"\d+", number))


def hierarchy_for(seed: str, number: str, indent: int) -> list[str]:
    if seed.startswith("001_"):
        h = list(H_001)
        if number in H_001_PARA:
            h.append(H_001_PARA[number])
        return h
    h = list(H_002)
    if indent == 4:
        return h + [H_002_CH1]
    if number.startswith("712-"):
        return h + [H_002_CH2]
    if indent == 8:
        h += [H_002_CH3, H_002_CH3_S1]
        key = _num_key(number)
        if key <= (713, 4):
            h.append(H_002_CH3_S1_P1)
        elif (713, 5) <= key <= (713, 11):
            h.append(H_002_CH3_S1_P2)
        return h
    return h + [H_002_CH3, H_002_CH3_S2]


# ---------------------------------------------------------------- YAML output
class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):  # never emit &anchors / *aliases
        return True


def dump_yaml(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, width=10**9,
                     sort_keys=False, default_flow_style=False)


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def seed_path(prefix: str) -> Path:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if len(found) != 1:
        raise SystemExit(f"expected one seed {prefix}_*.txt in {SEEDS}, found {len(found)}")
    return found[0]


def french_date(text: str) -> str:
    d, m, y = text.split()
    return f"{int(y):04d}-{MONTHS[m]:02d}-{int(d):02d}"


# ---------------------------------------------------------------- CPP seeds
def parse_code_seed(path: Path) -> tuple[str, list[dict]]:
    """Bullets of a Legifrance section page: line, indent, paragraphs [(line, text, blanks_before)]."""
    lines = path.read_text(encoding="utf-8").split("\n")
    version_date = None
    bullets: list[dict] = []
    blanks = 0
    for i, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if not line.strip():
            blanks += 1
            continue
        m = VERSION_RE.match(line.strip())
        if m:
            version_date = french_date(m.group(1))
        elif (b := BULLET_RE.match(line)):
            bullets.append({"line": i, "indent": len(b.group(1)),
                            "paras": [(i, b.group(2).strip(), blanks)]})
        elif line.strip() == "Retourner en haut de la page":
            pass
        elif bullets:
            bullets[-1]["paras"].append((i, line.strip(), blanks))
        blanks = 0
    if version_date is None:
        raise SystemExit(f"{path}: no 'Version en vigueur au' line")
    return version_date, bullets


def split_notes(paras: list[tuple]) -> tuple[list[tuple], list[tuple]]:
    for k, (_, text, blanks) in enumerate(paras):
        if k > 0 and NOTE_RE.match(text) and (
                blanks >= 2 or "QPC" in text[:40] or re.search(r"entren?t en vigueur", text)):
            return paras[:k], paras[k:]
    return paras, []


def labelled(paras: list[str]) -> list[dict]:
    out, part, seen = [], None, set()
    for text in paras:
        label = None
        if (m := PART_RE.match(text)):
            part = label = m.group(1)
        elif (m := ITEM_RE.match(text)):
            label = f"{part} {m.group(1)}°" if part else f"{m.group(1)}°"
        if label is not None and label in seen:
            raise SystemExit(f"duplicate label {label!r} in {paras[0][:40]!r}")
        p = {}
        if label is not None:
            seen.add(label)
            p["label"] = label
        p["text"] = text
        out.append(p)
    return out


def note_kind(text: str) -> str:
    return "qpc" if re.match(r"^Par une décision n° \S+ QPC", text) else "entry_into_force"


def load_map_evidence() -> dict[tuple[str, int], str]:
    """Evidence column of seed-article-map.md, keyed by (seed prefix, line)."""
    ev, seed = {}, None
    for line in MAP_MD.read_text(encoding="utf-8").splitlines():
        if line.startswith("## Seed 001"):
            seed = "001"
        elif line.startswith("## Seed 002"):
            seed = "002"
        elif line.startswith("## "):
            seed = None
        elif seed and re.match(r"^\| \d+ \|", line):
            cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
            ev[(seed, int(cells[0]))] = cells[-1]
    return ev


def load_official() -> dict:
    """sources/legal/seed-official.yaml: Legifrance section pages per seed/chapter and article ids."""
    if not OFFICIAL.is_file():
        return {"sections": {}, "articles": {}}
    data = yaml.safe_load(OFFICIAL.read_text(encoding="utf-8")) or {}
    return {"sections": data.get("sections") or {}, "articles": data.get("articles") or {}}


def chapter_key(prefix: str, number: str, indent: int) -> str:
    """The key of the section page printing this article (same split as hierarchy_for)."""
    if prefix == "001":
        return "all"
    if indent == 4:
        return "ch1"
    return "ch2" if number.startswith("712-") else "ch3"


def parse_article(entry: dict) -> tuple[str, str | None, str]:
    """(number, uncertainty note or None, role) from the map's article field."""
    art = entry["article"]
    if art.startswith("Article 712-16-3 (abrogé)"):
        return "712-16-3", None, "abrogated"
    if art == "712-16-3 (version rétablie)":
        return "712-16-3", None, "reestablished"
    if re.fullmatch(r"\d+(-\d+)*", art):
        return art, None, "plain"
    nums = re.findall(r"\d+(?:-\d+)+", art)
    if not nums:
        raise SystemExit(f"cannot read article number {art!r}")
    return nums[0], art, "uncertain"


def build_cpp(out: Path) -> list[Path]:
    amap = json.loads(MAP_JSON.read_text(encoding="utf-8"))
    evidence = load_map_evidence()
    official = load_official()
    by_pos = {(e["seed"], e["line"]): e for e in amap}
    articles: dict[str, dict] = {}
    used = set()
    for prefix in ("001", "002"):
        path = seed_path(prefix)
        version_date, bullets = parse_code_seed(path)
        for b in bullets:
            key = (path.name, b["line"])
            if key not in by_pos:
                raise SystemExit(f"{path.name}:{b['line']}: bullet not in the seed map")
            entry = by_pos[key]
            used.add(key)
            first = b["paras"][0][1]
            if " ".join(first.split()[:4]) != " ".join(entry["first_words"].split()[:4]):
                raise SystemExit(f"{path.name}:{b['line']}: first words differ from the map")
            number, uncertain, role = parse_article(entry)
            paras = b["paras"]
            notes = []
            if role == "abrogated":
                notes.append({"kind": "editorial", "text": paras[0][1]})
                paras = paras[1:]
            body, nota = split_notes(paras)
            notes += [{"kind": note_kind(t), "text": t} for _, t, _ in nota]
            conf = CONF_MAP[entry["confidence"]]
            ev = evidence.get((prefix, b["line"]), "")
            cnote = (f"Text from {rel(path)} (Legifrance page « Version en vigueur au {version_date} »; "
                     f"article numbers stripped), bullet at line {b['line']}. Number "
                     f"{'chosen' if uncertain else 'assigned'} from sources/legal/seed-article-map.json "
                     f"(map: {entry['article']!r}, confidence {entry['confidence']}).")
            if ev:
                cnote += f" Map evidence: {ev}"
            questions = []
            if uncertain:
                questions.append({
                    "text": f"Article number uncertain: the map gives {uncertain!r} for the seed bullet at "
                            f"{path.name} line {b['line']} ('{entry['first_words']} ...'); encoded as {number}.",
                    "source": "sources/legal/seed-article-map.md"})
            section = (official["sections"].get(prefix) or {}).get(chapter_key(prefix, number, b["indent"]))
            if section and role != "abrogated":
                cnote += (f" Official link: the Legifrance section page at the seed date"
                          f" [{section['mark']}] — {section['evidence']}")
            version = {
                "id": "2021-seed-abroge" if role == "abrogated" else "2021-seed",
                "valid_from": None,
                "valid_until": None,
                "language": "fr",
                "translation": False,
                "restatement_2029": False,
                "source": None,  # the seed names no URL
                "source_file": rel(path),
                **({"official": section["url"]} if section and role != "abrogated" else {}),
                "confidence": conf,
                "confidence_note": cnote,
                "truncated": False,
                "paragraphs": labelled([t for _, t, _ in body]),
                "notes": notes,
            }
            if role == "abrogated":
                # repealed on a date no stored source gives: marked so, never « à ce jour »
                version["repealed"] = True
                version["repealed_before"] = version_date
                version["confidence_note"] = (
                    "Abrogated text: the seed prints 'Article 712-16-3 (abrogé)' before it (kept as an "
                    "editorial note); NOT in force at the seed date, abrogation date unknown. " + cnote)
                questions.append({
                    "text": "Dates of the abrogated version of 712-16-3 (police retention of a person under "
                            "the JAP's control) unknown; the subject is now covered by 709-1-1. Its "
                            "valid_until is null only because the date is unknown: it is not in force on "
                            f"{version_date}.",
                    "source": "sources/legal/seed-article-map.md"})
            if role == "reestablished":
                questions.append({
                    "text": "Date of re-establishment of 712-16-3 (majeurs protégés) unknown; the map "
                            "cites a Government amendment (AN amendement 3592) only.",
                    "source": "sources/legal/seed-article-map.md"})
            if number in ("728-15", "728-22"):
                questions.append({
                    "text": f"The 2021 seed text of {number} was later amended after QPC 2021-905 (the "
                            "current text refers to 728-22-1); the amending law is probably loi 2021-1729 "
                            "— unverified, so valid_until is unknown.",
                    "source": "sources/legal/README.md"})
            ids = official["articles"].get(number) or {}
            art = articles.setdefault(number, {
                "instrument": "CPP",
                "number": number,
                "title": {"fr": f"Code de procédure pénale, article {number}",
                          "en": f"Code of Criminal Procedure, article {number}"},
                "hierarchy": hierarchy_for(path.name, number, b["indent"]),
                **({"legiarti": ids["legiarti"]} if ids.get("legiarti") else {}),
                "versions": [],
                "open_questions": [],
            })
            if ids.get("legiarti") and "Article id " not in version["confidence_note"]:
                version["confidence_note"] += f" Article id {ids['legiarti']}: {ids['evidence']}"
            art["versions"].append(version)
            art["open_questions"] += questions
    missing = set(by_pos) - used
    if missing:
        raise SystemExit(f"map entries without a bullet: {sorted(missing)}")
    written = []
    for number, art in sorted(articles.items(), key=lambda kv: _num_key(kv[0])):
        # operative version first (712-16-3: re-established before abrogated)
        art["versions"].sort(key=lambda v: v["id"] != "2021-seed")
        if not art["open_questions"]:
            del art["open_questions"]
        written.append(write(out / "cpp" / f"{number}.yaml", art))
    return written


# ---------------------------------------------------------------- circular
CIRC_HIER = "Circulaire du garde des Sceaux du 21 mars 2025 relative aux étrangers détenus"
SECTION_EN = {
    "preambule": "Preamble",
    "1": "Strengthening cooperation to identify finally convicted foreign detainees",
    "1.1": "Making the identity of incarcerated foreign convicts reliable",
    "1.2": "Implementing the protocols coordinating prisons and the Interior ministry services "
           "for the removal of incarcerated foreigners",
    "1.3": "Closer coordination of the partners involved",
    "2": "The other judicial levers to be used for foreign detainees",
    "2.1": "Using cross-border enforcement of custodial sentences within the European Union",
    "2.2": "Early release measures that favour removal",
    "2.3": "Transfer (of sentenced persons)",
    "conclusion": "Closing remarks",
}
HEADING_RE = re.compile(r"^(\d)\.(?:(\d)\.)? (.+)$")
FOOTNOTE_RE = re.compile(r"^(\d+) (\S.*)$")
URL_RE = re.compile(r"^(https?://|mailto:)\S+$")
CLOSING = "Je sais votre plein engagement"


def join_lines(lines: list[str]) -> str:
    out = ""
    for ln in lines:
        ln = " ".join(ln.split())
        if not ln:
            continue
        if not out:
            out = ln
        elif out.endswith("-"):
            out += ln
        else:
            out += " " + ln
    return out


def parse_circular(path: Path) -> tuple[list[dict], list[dict]]:
    """Stream of the PDF text: body paragraphs and links in reading order, and footnotes.

    Rules: empty lines join text lines; a whitespace-only line, a page's link block or a
    footnote block interrupts the paragraph, which goes on after the interruption only if it
    was left dangling (no final punctuation) and the text resumes in lower case.  A footnote
    starts with its number (the next expected one) right after a separator or another
    footnote, and runs to the next separator or link block.  The leading addressee lines
    (printed with no empty line between them) are one paragraph each.
    """
    raw = path.read_text(encoding="utf-8").split("\n")
    stream: list[dict] = []
    footnotes: list[dict] = []
    cur = foot = None
    interrupted = False
    prev_kind = "sep"
    for lineno, ln in enumerate(raw, 1):
        s = " ".join(ln.split())
        if ln == "":
            continue
        if not s:
            foot, interrupted, prev_kind = None, True, "sep"
            continue
        if URL_RE.match(s):
            stream.append({"kind": "link", "text": s, "line": lineno})
            foot, interrupted, prev_kind = None, True, "link"
            continue
        fm = FOOTNOTE_RE.match(s)
        if fm and int(fm.group(1)) == len(footnotes) + 1 and prev_kind in ("sep", "foot"):
            foot = {"n": int(fm.group(1)), "lines": [fm.group(2)], "line": lineno}
            footnotes.append(foot)
            interrupted, prev_kind = True, "foot"
            continue
        if foot is not None:
            foot["lines"].append(s)
            continue
        leading = all(x.strip() for x in raw[:lineno])  # the addressee block at the top
        new = (cur is None or leading
               or (interrupted and not (cur["dangling"] and s[0].islower()))
               or s.startswith(CLOSING))
        if new:
            cur = {"kind": "para", "lines": [], "line": lineno}
            stream.append(cur)
        cur["lines"].append(s)
        cur["dangling"] = not re.search(r"[.:;»]$", s)
        interrupted, prev_kind = False, "text"
    for b in stream:
        if b["kind"] == "para":
            b["text"] = join_lines(b.pop("lines"))
            b.pop("dangling")
    for f in footnotes:
        f["text"] = join_lines(f.pop("lines"))
    return stream, footnotes


def _circ_version(path: Path, paragraphs: list[dict], notes: list[dict], note: str,
                  confidence: str = "medium-high", truncated: bool = False) -> dict:
    return {
        "id": "2025-seed",
        "valid_from": CIRC_DATE,   # its first and only text: nothing of it is in force before
        "valid_until": None,
        "language": "fr",
        "translation": False,
        "restatement_2029": False,
        "source": None,  # the seed does not name the circular's own URL
        "source_file": rel(path),
        "confidence": confidence,
        "confidence_note": note,
        "truncated": truncated,
        "paragraphs": paragraphs,
        "notes": notes,
    }


CIRC_NOTE = ("Text extracted from the PDF of the circular ({file}); lines re-joined, page link "
             "targets kept as editorial notes, footnote call numbers left glued to the word as "
             "printed. The seed shows neither the circular's title, date, reference nor signature. "
             "Dated 21 March 2025 [S] by the legal press: Dalloz actualité (« Par une circulaire en "
             "date du 21 mars 2025 », https://www.dalloz-actualite.fr/flash/diffusion-d-une-circulaire-"
             "relative-prise-en-charge-des-personnes-de-nationalite-etrangere-def) and the AFP "
             "(revealed on Saturday 22 March 2025, « texte daté de vendredi »); the seed itself refers "
             "to the general criminal-policy circular of 27 January 2025 as earlier. valid_from is that "
             "date: the circular is its own first text, so nothing of it is in force before.")

# The date of the 2025 circular (CIRC_NOTE gives the evidence): its versions' valid_from.
CIRC_DATE = date(2025, 3, 21)


def build_circ(out: Path) -> list[Path]:
    path = seed_path("000")
    stream, footnotes = parse_circular(path)
    sections: list[dict] = [{"number": "preambule", "title": "", "paras": [], "notes": [], "line": 1}]
    for b in stream:
        sec = sections[-1]
        if b["kind"] == "link":
            if not any(n["text"] == b["text"] for n in sec["notes"] if n.get("link")):
                sec["notes"].append({"kind": "editorial", "text": b["text"], "link": True})
            continue
        text = b["text"]
        m = HEADING_RE.match(text)
        if m:
            number = m.group(1) + (f".{m.group(2)}" if m.group(2) else "")
            sections.append({"number": number, "title": m.group(3), "heading": text,
                             "paras": [], "notes": [], "line": b["line"]})
        elif text.startswith(CLOSING):
            sections.append({"number": "conclusion", "title": "", "paras": [text], "notes": [],
                             "line": b["line"]})
        elif sec["number"] not in ("preambule", "conclusion") and len(text) < 90 \
                and not re.search(r"[.:;]$", text):
            sec["notes"].append({"kind": "editorial", "text": text, "intertitle": True,
                                 "before": len(sec["paras"]) + 1})
        else:
            sec["paras"].append(text)
    numbers = [s["number"] for s in sections]
    expected = ["preambule", "1", "1.1", "1.2", "1.3", "2", "2.1", "2.2", "2.3", "conclusion"]
    if numbers != expected:
        raise SystemExit(f"circular sections {numbers} != {expected}")
    parents = {s["number"]: s for s in sections}
    written = []
    for sec in sections:
        n = sec["number"]
        hier = [CIRC_HIER]
        if "." in n:
            hier.append(parents[n.split(".")[0]]["heading"])
        notes = []
        for x in sec["notes"]:
            if x.get("link"):
                notes.append({"kind": "editorial", "text": f"Lien (cible d'un lien hypertexte de la page du PDF) : {x['text']}"})
            else:
                notes.append({"kind": "editorial", "text": f"Intertitre : {x['text']}"})
        cnote = CIRC_NOTE.format(file=rel(path))
        truncated = False
        if n == "preambule":
            cnote += (" The seed starts inside the list of addressees (its first lines are probably "
                      "missing).")
            truncated = True
        if n == "conclusion":
            cnote += (" The closing paragraph follows §2.3 on the page with no separator line; it is "
                      "split off because it closes the whole circular.")
        if any(x.get("intertitle") for x in sec["notes"]):
            cnote += (" Unnumbered intertitles are kept as editorial notes (not alinéas), in order of "
                      "appearance: " + " / ".join(f"'{x['text']}' before al. {x['before']}"
                                                  for x in sec["notes"] if x.get("intertitle")) + ".")
        title_fr = sec["title"] or {"preambule": "Préambule", "conclusion": "Conclusion"}[n]
        doc = {
            "instrument": "CIRC2025",
            "number": n,
            "title": {"fr": title_fr, "en": SECTION_EN[n]},
            "hierarchy": hier,
            "versions": [_circ_version(path, [{"text": t} for t in sec["paras"]], notes, cnote,
                                       truncated=truncated)],
        }
        written.append(write(out / "circ2025" / f"{n}.yaml", doc))
    # footnotes
    for f in footnotes:
        k = f["n"]
        call = re.compile(rf"[^\W\d]{k}(?=[\s.,;]|$)")
        where = [s["number"] for s in sections if any(call.search(t) for t in s["paras"])]
        if len(where) != 1:
            raise SystemExit(f"footnote {k}: call found in sections {where}")
        sec = parents[where[0]]
        hier = [CIRC_HIER]
        if "." in sec["number"]:
            hier.append(parents[sec["number"].split(".")[0]]["heading"])
        hier.append(sec["heading"])
        doc = {
            "instrument": "CIRC2025",
            "number": f"n. {k}",
            "title": {"fr": f"Note de bas de page {k} (appelée au §{sec['number']})",
                      "en": f"Footnote {k} (called in §{sec['number']})"},
            "hierarchy": hier,
            "versions": [_circ_version(path, [{"text": f["text"]}], [],
                                       CIRC_NOTE.format(file=rel(path))
                                       + f" Footnote {k}, printed at line {f['line']} of the seed; "
                                         f"its call is in §{sec['number']}.")],
        }
        written.append(write(out / "circ2025" / f"n{k}.yaml", doc))
    return written


def write(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_yaml(data), encoding="utf-8", newline="\n")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "law" / "generated",
                    help="output folder (default: law/generated)")
    args = ap.parse_args(argv)
    out = args.out.resolve()
    for sub in ("cpp", "circ2025"):  # stale files would survive a renumbering
        d = out / sub
        if d.is_dir():
            for f in d.glob("*.yaml"):
                f.unlink()
    files = build_cpp(out) + build_circ(out)
    print(f"wrote {len(files)} files under {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

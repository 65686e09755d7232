"""``lexquery law import``: LEGI article versions (:mod:`lexquery.kb.legi`) added to ``law/``,
and the rules whose cited alinéa changed text reported (issue 13, item 4).

Where the versions go: ``law/legi/<instrument>/<number>.yaml``, a file the importer owns
(rewritten at each import, earlier imports kept). The KB merges the versions of one article
from all its files (kb/provisions.py): an imported version that is the same version as a
stored one (same LEGIARTI id, or same start date) takes that version's ``id``, so the two
are merged and the complete official text wins over a truncated or secondary copy.

What is reported: for each imported version, the version in force the day before it (or
the stored copy it replaces) is compared alinéa by alinéa; every rule citation
(``rules/*.yaml``) of an alinéa whose text differs — or that no longer exists — and whose
rule claims a period reaching the new version is listed, so that the rule is re-read
against the new text (``lexquery law diff`` shows the change).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from .. import yaml12
from . import citations as C
from .legi import LegiArticle


@dataclass
class Change:
    rule: str
    file: str
    citation: str
    on: date | None
    before: str | None      # version id
    after: str
    what: str               # "texte modifié" | "alinéa supprimé"


@dataclass
class ImportReport:
    added: list[str] = field(default_factory=list)        # "CPP 729-2 (2016-03-09, LEGIARTI…)"
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"added": self.added, "updated": self.updated, "unchanged": self.unchanged,
                "skipped": [{"file": f, "why": w} for f, w in self.skipped], "files": self.files,
                "rules_to_review": [{"rule": c.rule, "file": c.file, "citation": c.citation,
                                     "on": c.on.isoformat() if c.on else None, "before": c.before,
                                     "after": c.after, "what": c.what} for c in self.changes]}


def _version_doc(a: LegiArticle, vid: str) -> dict:
    return {
        "id": vid,
        "legiarti": a.legiarti,
        "valid_from": a.valid_from,
        "valid_until": a.valid_until,
        "etat": a.etat,
        "amended_by": " ; ".join(a.amended_by) or None,
        "language": "fr",
        "translation": False,
        "restatement_2029": False,
        "source": a.official_link,
        "official": a.official_link,
        "source_file": None,
        "confidence": "high",
        "confidence_note": f"Base LEGI (DILA, open data), fichier {Path(a.path).name} : texte officiel consolidé, "
                           f"état {a.etat or '?'}.",
        "truncated": False,
        "paragraphs": a.paragraphs,
        "notes": [{"kind": "editorial", "text": n} for n in a.nota],
    }


def _same_version(p, a: LegiArticle):
    """The stored version that is this LEGI version (same LEGIARTI id, else same start date
    in French and authentic), or None."""
    if p is None:
        return None
    for v in p.versions:
        if v.legiarti == a.legiarti and "law/legi/" not in v.file:
            return v
    authentic = [v for v in p.versions if not v.translation and v.language == "fr" and not v.restatement_2029
                 and "law/legi/" not in v.file]
    if a.valid_from:
        for v in authentic:
            if v.valid_from == a.valid_from:
                return v
    text = [_norm(x["text"]) for x in a.paragraphs]
    for v in authentic:     # an undated stored copy of the same text (a secondary site, a seed)
        if [_norm(x.text) for x in v.paragraphs] == text:
            return v
    return None


def import_articles(arts: list[LegiArticle], law: Path, rules: Path | None, *, dry_run: bool = False,
                    skipped: list | None = None, every: bool = False) -> ImportReport:
    """Add the versions of ``arts`` to ``law/legi/``. Only the articles the KB already holds,
    unless ``every`` (a whole code's dump would otherwise add thousands of articles no rule
    reads)."""
    import yaml
    from .provisions import build_kb
    rep = ImportReport(skipped=list(skipped or []))
    before = build_kb(law, rules)
    plan: dict[Path, dict] = {}
    imported: list[tuple[str, str, object]] = []     # (article citation, version id, old Version|None)
    for a in arts:
        inst = a.instrument
        if inst is None:
            rep.skipped.append((a.path, f"texte {a.code_cid or '?'} hors des codes de la base (CPP, CP)"))
            continue
        number = a.num.replace("Article ", "").strip()
        cit = C.article_citation(inst, number)
        p = before.provisions.get((inst, number))
        if p is None and not every:
            rep.skipped.append((a.path, f"{cit} absent de la base (--all pour l'ajouter)"))
            continue
        old = _same_version(p, a)
        vid = old.id if old is not None else (a.valid_from.isoformat() if a.valid_from else a.legiarti)
        target = law / "legi" / C.instrument(inst).slug / f"{number}.yaml"
        doc = plan.get(target)
        if doc is None:
            doc = {"instrument": inst, "number": number, "versions": []}
            if target.exists():
                doc = yaml12.load(target.read_text(encoding="utf-8")) or doc
                doc.setdefault("versions", [])
            if a.hierarchy:
                doc["hierarchy"] = a.hierarchy
            plan[target] = doc
        new = _version_doc(a, vid)
        prev = next((i for i, v in enumerate(doc["versions"]) if v.get("legiarti") == a.legiarti), None)
        label = f"{cit} ({a.valid_from or '?'}, {a.legiarti})"
        if prev is not None:
            if _texts(doc["versions"][prev]) == _texts(new) and doc["versions"][prev].get("valid_until") == new["valid_until"]:
                rep.unchanged.append(label)
                continue
            doc["versions"][prev] = new
            rep.updated.append(label)
        elif old is not None and not old.truncated and [x.text for x in old.paragraphs] == [x["text"] for x in a.paragraphs] \
                and old.valid_until == a.valid_until and old.legiarti == a.legiarti:
            rep.unchanged.append(label)
            continue
        else:
            doc["versions"].append(new)
            (rep.updated if old is not None else rep.added).append(label)
        imported.append((cit, vid, old))
    for target, doc in plan.items():
        if not doc["versions"]:
            continue
        doc["versions"].sort(key=lambda v: (v.get("valid_from") or date.min))
        rep.files.append(str(target))
        if not dry_run:
            target.parent.mkdir(parents=True, exist_ok=True)
            head = ("# Written by `lexquery law import` from Legifrance's open data (base LEGI, DILA);\n"
                    "# rewritten at each import — do not edit by hand (docs/design.md, law/ schema).\n")
            target.write_text(head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=10000),
                              encoding="utf-8")
    if dry_run:
        return rep
    after = build_kb(law, rules)
    rep.changes = changed_citations(after, imported)
    return rep


def _texts(vdoc: dict) -> list[str]:
    return [p.get("text", "") for p in vdoc.get("paragraphs") or []]


def _norm(t: str) -> str:
    return " ".join(t.replace("’", "'").split())


def changed_citations(kb, imported) -> list[Change]:
    """The rule citations of an alinéa whose text differs between an imported version and
    the version it follows (or the stored copy it replaces)."""
    out: list[Change] = []
    for cit, vid, old in imported:
        p = kb.by_article_citation.get(cit)
        if p is None:
            continue
        new = next((v for v in p.versions if v.id == vid and "law/legi/" in v.file), None) or \
            next((v for v in p.versions if v.id == vid), None)
        if new is None:
            continue
        same_text = old is not None and \
            [_norm(x.text) for x in old.paragraphs] == [_norm(x.text) for x in new.paragraphs]
        if old is not None and not same_text:
            base = old                      # the stored copy it replaces
        elif same_text and (old.valid_from, old.valid_until) == (new.valid_from, new.valid_until):
            continue                        # same text, same dates: nothing new in force
        elif new.valid_from:                # a new version, or a known text newly dated
            day = new.valid_from - timedelta(days=1)
            base = kb.version_at(p, day)
            # the version in force the day before, known to be (an undated copy is not)
            if base is None or base is new or not base.valid_on(day) or \
                    (base.valid_from is None and base.valid_until is None):
                continue
        else:
            continue
        for u in kb.rules_by_article.get(p.citation, []):
            if u.citation == p.citation:
                continue                    # the article as a whole: not one alinéa's text
            if new.valid_until and u.valid_from and u.valid_from > new.valid_until:
                continue
            if new.valid_from and u.valid_until and u.valid_until < new.valid_from:
                continue
            a, b = kb.paragraph_in(u.citation, base), kb.paragraph_in(u.citation, new)
            if b is None and a is not None:
                what = "alinéa supprimé"
            elif a is not None and b is not None and _norm(a.text) != _norm(b.text) \
                    and not (base.truncated and a is base.paragraphs[-1]):
                what = "texte modifié"
            else:
                continue
            ch = Change(u.where, u.file, u.citation, new.valid_from, base.id, new.id, what)
            if ch not in out:
                out.append(ch)
    return out

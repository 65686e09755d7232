"""One provision of the knowledge base described as data: what ``lexquery article CITATION
--format json`` prints and the HTTP API's /provisions give (docs/answer-format.md).

The version in force on a date (or in English when stored), its alinéas with the one asked
for highlighted, what it cites and what cites it (provisions and rules), open questions, and
its successor in the 2029 code (ordonnance n° 2025-1091, kb.succession).
"""
from __future__ import annotations

from datetime import date


def describe(kb, node, at: date | None, lang: str = "fr") -> dict:
    p = node.provision
    day = at or date.today()
    v = kb.version_at(p, at, "en" if lang == "en" else None)
    highlight = None
    if node.paragraph is not None:
        highlight = next((para.n for para in (v.paragraphs if v else []) if node.citation in para.citations), None)
    cited_by = kb.cited_by.get(p.citation, [])
    rules = []
    for u in kb.rules_by_article.get(p.citation, []):
        r = {"rule": u.where, "citation": u.citation, "file": u.file, "label": getattr(u, "label", None)}
        if r not in rules:
            rules.append(r)
    succ = None
    if p.successor_2029:
        s = kb.provisions.get(("CPP2029", p.successor_2029))
        succ = {"citation": s.citation if s else f"CPP-2029 {p.successor_2029}", "in_kb": bool(s)}
    preds = [x.citation for x in kb if x.successor_2029 and p.instrument == "CPP2029" and x.successor_2029 == p.number]
    from ..kb.succession import load as load_succession
    table = load_succession()
    successions = [{"citation": e.old, "successor": e.new, "status": e.status, "mark": e.mark, "note": e.note,
                    "note_en": getattr(e, "note_en", "") or None, "source": e.source, "date": table.in_force}
                   for e in table.entries.values()
                   if e.old == p.citation or e.old.startswith(p.citation + " ")
                   or (e.new and (e.new == p.citation or e.new.startswith(p.citation + " ")))]
    if succ is None and any(x["successor"] and x["citation"].startswith(p.citation) for x in successions):
        first = next(x for x in successions if x["successor"] and x["citation"].startswith(p.citation))
        s = kb.article_of(first["successor"])
        succ = {"citation": s.citation if s else first["successor"], "in_kb": bool(s)}
    for x in successions:
        if p.instrument == "CPP2029" and x["citation"] not in preds:
            preds.append(x["citation"])
    return {
        "predecessors": preds,
        "citation": p.citation, "asked": node.citation, "instrument": p.instrument, "number": p.number,
        "title": p.title, "hierarchy": p.hierarchy, "legiarti": p.legiarti, "iri": p.iri,
        "at": day.isoformat(),
        "version": None if v is None else {
            "id": v.id, "valid_from": v.valid_from, "valid_until": v.valid_until,
            "valid_on_date": v.valid_on(day), "language": v.language, "translation": v.translation,
            "restatement_2029": v.restatement_2029, "legiarti": v.legiarti, "amended_by": v.amended_by,
            "source": v.source, "source_file": v.source_file, "official": v.official, "confidence": v.confidence,
            "confidence_note": v.confidence_note, "truncated": v.truncated, "file": v.file,
            "repealed": v.repealed, "repealed_before": v.repealed_before,
            "paragraphs": [{"n": para.n, "label": para.label, "citations": para.citations, "text": para.text,
                            "refs": para.refs, "highlight": para.n == highlight} for para in v.paragraphs],
            "notes": v.notes,
        },
        "other_versions": [{"id": x.id, "valid_from": x.valid_from, "valid_until": x.valid_until,
                            "language": x.language, "translation": x.translation,
                            "restatement_2029": x.restatement_2029, "repealed": x.repealed,
                            "repealed_before": x.repealed_before} for x in p.versions if x is not v],
        "cites": [{"citation": r, "in_kb": r in kb.by_article_citation} for r in (v.refs if v else [])],
        "cited_by": cited_by,
        "rules": rules,
        "open_questions": p.open_questions,
        "successor_2029": succ,
        "successions_2029": successions,
        "files": p.files,
    }


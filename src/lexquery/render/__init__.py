"""Renderers: one Answer, several renderings (STYLE.md §8). The engine never prints."""
from .json_out import render_json
from .text import render_text

FORMATS = ("text", "json", "jsonl", "turtle", "jsonld", "ics")
BINARY_FORMATS = ("docx", "pdf")   # the note for the file: written with -o, never to a terminal


def render(answers, fmt: str = "text", explain: bool = False, lang: str = "fr") -> str:
    many = isinstance(answers, list)
    items = answers if many else [answers]
    if fmt == "json":
        return render_json(answers, lang)
    if fmt == "jsonl":   # JSON Lines: one answer object a line, whatever the number of cases
        import json
        return "\n".join(json.dumps(a.to_dict(lang), ensure_ascii=False) for a in items)
    if fmt == "ics":
        from .ics import render_ics
        return render_ics(items, lang)
    if fmt in ("turtle", "jsonld"):
        from .rdf import render_rdf
        return render_rdf(items, fmt, lang)
    return "\n\n".join(render_text(a, explain=explain, lang=lang) for a in items)


def render_note(answers, cases: list[dict], fmt: str, lang: str = "fr") -> bytes:
    """The « fiche d'éligibilité » of each answer (issue 17) as DOCX or PDF bytes;
    ``cases``: the cases as given, in the same order (for the parties of the note)."""
    from .note import build_note, render_docx, render_pdf
    from ..kb.provisions import load_kb
    kb = load_kb()
    items = answers if isinstance(answers, list) else [answers]
    notes = [build_note(a, c, lang, kb) for a, c in zip(items, cases)]
    return render_docx(notes) if fmt == "docx" else render_pdf(notes)

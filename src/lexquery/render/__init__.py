"""Renderers: one Answer, several renderings (STYLE.md §8). The engine never prints."""
from .json_out import render_json
from .text import render_text

FORMATS = ("text", "json", "turtle", "jsonld")


def render(answers, fmt: str = "text", explain: bool = False, lang: str = "fr") -> str:
    many = isinstance(answers, list)
    items = answers if many else [answers]
    if fmt == "json":
        return render_json(answers, lang)
    if fmt in ("turtle", "jsonld"):
        from .rdf import render_rdf
        return render_rdf(items, fmt, lang)
    return "\n\n".join(render_text(a, explain=explain, lang=lang) for a in items)

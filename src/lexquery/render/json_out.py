"""JSON rendering, exactly the public answer format (docs/answer-format.md)."""
from __future__ import annotations

import json


def render_json(answers, lang: str = "fr") -> str:
    if isinstance(answers, list):
        data = [a.to_dict(lang) for a in answers]
    else:
        data = answers.to_dict(lang)
    return json.dumps(data, ensure_ascii=False, indent=2)

"""`lexquery validate CASE [--format text|json] [--lang fr|en] [--timing]`.

Checks cases in the public JSON case format (one case, a JSON array, or ``.jsonl``)
in two stages: the JSON reader (unknown keys, wrong types, values outside an
enumeration — each with its JSON path), then the SHACL case shapes
(``shapes/case-shapes.ttl``: impossible data as violations, missing facts that a
procedure needs as warnings / infos, each naming the provision). Prints, for every
finding: where (JSON path), what, what was expected, what to do.
Exit 0 when no case has a violation; 6 (ValidationFailed) otherwise.
"""
from __future__ import annotations

import json
import sys
import time

from ..errors import ValidationFailed

_MARK = {"violation": "✘ violation", "warning": "! avertissement", "info": "· info"}
_MARK_EN = {"violation": "✘ violation", "warning": "! warning", "info": "· info"}


def register(sub):
    p = sub.add_parser("validate", help="valider des cas (format JSON puis formes SHACL), chemin JSON par chemin JSON")
    p.add_argument("case", help="fichier de cas (.json, tableau JSON, .jsonl) ou - pour l'entrée standard")
    p.add_argument("--format", "-f", choices=["text", "json"], default="text")
    p.add_argument("--lang", choices=["fr", "en"], default="fr")
    p.add_argument("--timing", action="store_true", help="afficher le temps de validation sur la sortie d'erreur")
    p.set_defaults(func=run)


def _label(raw, i, n, label):
    cid = raw.get("id") if isinstance(raw, dict) else None
    where = f"{label}[{i}]" if n > 1 else label
    return where, cid


def render_text(reports, lang="fr") -> str:
    lines = []
    for rep in reports:
        res = rep["results"]
        counts = {k: sum(r["severity"] == k for r in res) for k in ("violation", "warning", "info")}
        head = f"{rep['source']} — cas « {rep['case']} » : " if lang == "fr" else f"{rep['source']} — case \"{rep['case']}\": "
        if lang == "fr":
            head += (f"{'conforme' if rep['conforms'] else 'NON CONFORME'} ({counts['violation']} violation(s), "
                     f"{counts['warning']} avertissement(s), {counts['info']} info(s))")
        else:
            head += (f"{'conforms' if rep['conforms'] else 'DOES NOT CONFORM'} ({counts['violation']} violation(s), "
                     f"{counts['warning']} warning(s), {counts['info']} info(s))")
        lines.append(head)
        for r in res:
            msg = (r["message_en"] or r["message"]) if lang == "en" else r["message"]
            lines.append(f"  {(_MARK_EN if lang == 'en' else _MARK)[r['severity']]:<16} {r['where']}")
            lines.append(f"      {msg}")
            if r.get("value") is not None:
                lines.append(f"      = {'valeur' if lang == 'fr' else 'value'} : {r['value']}")
            if r.get("expected"):
                lines.append(f"      = {'attendu' if lang == 'fr' else 'expected'} : {r['expected']}")
            hint = (r.get("hint_en") or r.get("hint")) if lang == "en" else r.get("hint")
            if hint:
                lines.append(f"      = {'que faire' if lang == 'fr' else 'what to do'} : {hint}")
    return "\n".join(lines)


def run(args) -> int:
    from ..caserdf import conforms, validate_many
    from .ask import load_cases
    raw, label = load_cases(args.case)
    t0 = time.perf_counter()
    labels = [_label(c, i, len(raw), label) for i, c in enumerate(raw)]
    all_results = validate_many(raw, [w for w, _ in labels])
    elapsed = time.perf_counter() - t0
    reports = [{"case": cid, "source": where, "conforms": conforms(res), "results": [r.to_dict() for r in res]}
               for (where, cid), res in zip(labels, all_results)]
    if args.format == "json":
        single = len(raw) == 1 and not args.case.endswith(".jsonl")
        sys.stdout.write(json.dumps(reports[0] if single else reports, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(reports, args.lang) + "\n")
    if args.timing:
        n = max(len(raw), 1)
        print(f"validation : {len(raw)} cas en {elapsed * 1000:.0f} ms ({elapsed * 1000 / n:.1f} ms/cas)", file=sys.stderr)
    failed = sum(not r["conforms"] for r in reports)
    if failed:
        raise ValidationFailed(f"{failed} cas sur {len(reports)} non conforme(s)",
                               hint="corriger les violations signalées ci-dessus (chemin JSON, attendu, que faire)")
    return 0

"""``docs/coverage.md`` (generated): every provision of the KB and the rules that use it,
then the ids of the rules (:mod:`lexquery.kb.rule_ids`).

A provision used by no rule is not an error: it is encoded as text only (the table says
so), as Catala's "no logic needed" note does (STYLE.md §2, §13).
"""
from __future__ import annotations

from datetime import date

from ..rules.model import RuleBook
from .provisions import KB
from .rule_ids import rule_ids_markdown


def rules_using(kb: KB, citation: str) -> list[tuple[str, str]]:
    """(rule location, citation as written) for every rule citation of this article."""
    return [(u.where, u.citation) for u in kb.rules_by_article.get(citation, [])]


def unresolved(kb: KB) -> list[tuple[str, str]]:
    return sorted({(u.citation, u.where) for u in kb.rule_uses if kb.resolve(u.citation) is None})


def coverage_markdown(kb: KB, book: RuleBook | None = None) -> str:
    """The whole of docs/coverage.md: the provisions, then the rule ids of ``book`` (default:
    the rules the engine loads, :func:`lexquery.rules.loader.load_rules`)."""
    if book is None:
        from ..rules.loader import load_rules
        book = load_rules()
    rows = []
    used = 0
    for p in kb:
        uses = rules_using(kb, p.citation)
        procs = sorted({w.split("/")[0] for w, _ in uses})
        subs = sorted({c for _, c in uses})
        if uses:
            used += 1
        v = kb.version_at(p)
        vers = ", ".join(x.id + (" (EN)" if x.translation else "") + (" (2029)" if x.restatement_2029 else "")
                         for x in p.versions) or "—"
        flags = []
        if v and v.truncated:
            flags.append("tronqué")
        if v and v.confidence:
            flags.append(v.confidence)
        title = (p.title.get("fr") or "").replace("|", "/")
        rows.append(f"| {p.citation} | {title} | {vers} | {' ; '.join(flags) or '—'} | "
                    f"{'oui / yes' if uses else 'texte seul / text only'} | "
                    f"{', '.join(procs) or '—'} | {', '.join(subs) or '—'} |")
    miss = unresolved(kb)
    out = [
        "# Couverture / Coverage",
        "",
        "<!-- Généré par `lexquery kb coverage` — ne pas éditer à la main. Generated: do not edit. -->",
        "",
        f"Dispositions dans la base / provisions in the KB : **{len(kb)}** ; utilisées par une règle / used by a rule : "
        f"**{used}** ; texte seul / text only : **{len(kb) - used}**. Fichiers de loi / law files : {len(kb.files)}.",
        "",
        "| disposition | titre | versions | confiance (version en vigueur) | utilisée par une règle | procédures | citations dans les règles |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
        "## Citations des règles introuvables dans la base / rule citations not in the KB",
        "",
    ]
    if miss:
        out += [f"- `{c}` — {w}" for c, w in miss]
    else:
        out.append("Aucune / none.")
    out.append("")
    return "\n".join(out) + "\n" + rule_ids_markdown(book)


def today() -> date:  # pragma: no cover - kept for symmetry with other generated files
    return date.today()

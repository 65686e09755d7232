"""The second part of ``docs/coverage.md`` (generated): « Identifiants des règles / Rule ids ».

The JSON answer (docs/answer-format.md) names the parts of the rules it evaluated by their
ids — ``procedures[].procedure``, ``routes[].procedure``, ``conditions[].id`` (nested
alternatives too), ``notes[].id``, ``basis[].id``, ``set_aside_by.rule``, ``to_verify``'s
``note:<id>`` — and the test cases expect them by the same ids (docs/case-format.md,
tests/test_legal_cases.py). This part lists them, procedure by procedure in the order the
engine answers them (``RuleBook.procedures``: ``order``, then id), each with its kind, its
label (French, and English where the rule gives one), its citations (``sources``, as written)
and the period its text is encoded for (``valid: {from, until}``), read from the compiled
rule book (:func:`lexquery.rules.loader.load_rules`, the engine's own loader) — nothing
written here by hand but the headings (review 25, notes § 11).

Floors: kb and rules are the same floor (tests/test_house_floors.py); this module reads a
:class:`~lexquery.rules.model.RuleBook` it is given and imports nothing above.
"""
from __future__ import annotations

from datetime import date

from ..rules.model import Condition, Note, Precedence, Procedure, RuleBook

TITLE = "Identifiants des règles / Rule ids"


def _cell(s: str) -> str:
    """Text safe in one Markdown table cell (no pipe, no line break)."""
    return " ".join(str(s).split()).replace("|", "\\|")


def _label(d: dict | str | None) -> str:
    if not d:
        return "—"
    if isinstance(d, str):
        return _cell(d)
    fr, en = d.get("fr") or "", d.get("en") or ""
    return _cell(fr) + (f"<br>*en :* {_cell(en)}" if en and en != fr else "")


def _period(vf: date | None, vu: date | None, *, gap: bool = False) -> str:
    if vf is None and vu is None:
        return "—"
    out = f"{vf.isoformat() if vf else '…'} → {vu.isoformat() if vu else '…'}"
    return out + (" (lacune : inconnue hors période / law gap: unknown outside)" if gap else "")


def _sources(srcs) -> str:
    return "<br>".join(_cell(s) for s in srcs) or "—"


def _row(ident: str, kind: str, under: str, label: str, sources: str, valid: str) -> str:
    return f"| `{ident}` | {kind} | {under or '—'} | {label} | {sources} | {valid} |"


def _conditions(conds: list[Condition], under: list[str], basis: str | None, out: list[str]) -> None:
    for c in conds:
        kind = f"condition · {c.kind}"
        if under and under[-1] == basis:
            kind = f"fondement / basis · {c.kind}"
        elif c.id == basis:
            kind = f"condition · {c.kind} — les fondements / the bases"
        gap = c.valid_note is not None
        out.append(_row(c.id, kind, " › ".join(f"`{u}`" for u in under), _label(c.label),
                        _sources(c.sources), _period(*c.law_period, gap=gap)))
        _conditions(c.children, under + [c.id], basis, out)


def _notes(notes: list[Note], under: list[str], out: list[str]) -> None:
    for n in notes:
        kind = f"note · {n.kind}" + (" — **à vérifier / to verify**" if n.verify else "")
        out.append(_row(n.id, kind, " › ".join(f"`{u}`" for u in under), _label(n.text),
                        _sources(n.sources), _period(*n.law_period)))


def _precedence(entries: list[Precedence], under: list[str], out: list[str]) -> None:
    for pr in entries:
        label = _label(pr.reason) + f"<br>`{pr.prevails}` prévaut sur / prevails over `{pr.over}`"
        valid = f"jusqu'à / until `{_cell(pr.until.text)}`" if pr.until is not None else "—"
        out.append(_row(f"precedence:{pr.id}", "précédence / precedence", " › ".join(f"`{u}`" for u in under),
                        label, _sources(pr.sources), valid))


def _block(p: Procedure, book: RuleBook, under: list[str], out: list[str]) -> None:
    """The rows of a procedure (``under`` empty) or of a route (``under``: its procedure)."""
    if under:
        kind = "voie / route" + (" — remplace / replaces " + ", ".join(f"`{r}`" for r in p.replaces)
                                 if p.replaces else "")
    else:
        kind = "procédure / procedure"
    out.append(_row(p.id, kind, " › ".join(f"`{u}`" for u in under), _label(p.label),
                    _sources(p.sources), _period(p.valid_from, p.valid_until)))
    inner = under + [p.id] if under else []
    _precedence([pr for pr in book.precedence if pr.over == p.id], inner, out)
    _conditions(p.conditions, inner, p.basis, out)
    _notes(p.notes, inner, out)
    for rt in p.routes:
        _block(rt, book, [p.id], out)


def rows_of(p: Procedure, book: RuleBook) -> list[str]:
    """The table rows of one procedure: itself, the precedence entries that can set it aside,
    its conditions depth first, its notes, then each route with its own."""
    out: list[str] = []
    _block(p, book, [], out)
    return out


def rule_ids_markdown(book: RuleBook) -> str:
    """The « Rule ids » part of docs/coverage.md, from the compiled rule book."""
    out = [
        f"## {TITLE}",
        "",
        "Les identifiants que porte la réponse JSON ([answer-format.md](answer-format.md)) et qu'attendent "
        "les cas de test ([case-format.md](case-format.md)), lus dans les règles chargées (`rules/*.yaml`), "
        "procédure par procédure dans l'ordre où le moteur les répond. / The ids the JSON answer carries "
        "(`procedures[].procedure`, `routes[].procedure`, `conditions[].id`, `notes[].id`, `basis[].id`, "
        "`set_aside_by.rule`, `to_verify`'s `note:<id>`) and the test cases expect, read from the loaded "
        "rules, procedure by procedure in the engine's order.",
        "",
        "- *sous / under* : la procédure, la voie ou la condition où l'identifiant se trouve (les "
        "conditions imbriquées sont cherchées par leur seul id) / where the id sits (nested conditions "
        "are found by their id alone);",
        "- *validité / valid* : `valid: {from, until}` de la règle — hors période, la condition ou la note "
        "ne s'applique pas, ou est inconnue quand c'est une lacune / outside it the condition or note does "
        "not apply, or is unknown when it is a law gap;",
        "- `precedence:<id>` : une entrée de `rules/precedence.yaml` (ou d'une autre règle) mise parmi les "
        "conditions de la procédure ou de la voie qu'elle écarte ; `rules_in_force` : la condition que le "
        "moteur ajoute hors de la période encodée d'une procédure ou d'une voie / a precedence entry put "
        "among the conditions of what it sets aside; `rules_in_force`: the condition the engine adds "
        "outside the encoded period.",
        "",
    ]
    for p in book.procedures.values():
        rows = rows_of(p, book)
        out += [
            f"### `{p.id}` — {_cell(p.label.get('fr', p.id))}",
            "",
            f"`rules/{p.file}` · {len(rows)} identifiants / ids",
            "",
            "| id | sorte / kind | sous / under | libellé / label | sources | validité / valid |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    return "\n".join(out)

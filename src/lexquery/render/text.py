"""French (or English) text rendering with reasons and sources (STYLE.md §9).

Each line: the condition in words, its status, its source. ``explain=True`` shows the
whole tree: alternatives, dates, evidence from the reference data, routes, notes, and
the instruments set aside with their reason.
"""
from __future__ import annotations

from .status_line import PMARK, procedure_title, status_bits

MARK = {"met": "✔", "not_met": "✘", "unknown": "?", "to_assess": "~"}
WORDS = {
    "fr": {"as_of": "au", "from": "à partir du", "until": "jusqu'au", "consent_no": "sans consentement",
           "consent_yes": "avec consentement", "consent_unknown": "consentement : à déterminer",
           "missing": "faits à établir", "to_assess": "à apprécier", "pending": "atteint le",
           "verify": "à vérifier", "basis": "fondement", "or": "ou", "set_aside": "écartée", "route": "voie",
           "candidates": "États considérés", "none": "aucun État candidat connu", "passed": "date passée",
           "colon": " : ", "former": "anc.",
           "irrelevant": "inconnus mais sans incidence (chaque valeur essayée)", "derived": "Faits déduits du cas",
           "yes": "oui", "no": "non", "nothing": "aucune", "unknown": "inconnu", "kb": "base",
           "opens_by": "ouverte d'abord par", "direct": "la voie directe (conditions propres de la procédure)"},
    "en": {"as_of": "as of", "from": "from", "until": "until", "consent_no": "without consent",
           "consent_yes": "with consent", "consent_unknown": "consent: to be determined",
           "missing": "facts to establish", "to_assess": "to assess", "pending": "reached on",
           "verify": "to verify", "basis": "basis", "or": "or", "set_aside": "set aside", "route": "route",
           "candidates": "States considered", "none": "no candidate State known", "passed": "date passed",
           "colon": ": ", "former": "formerly",
           "irrelevant": "unknown but without effect (every value tried)", "derived": "Facts derived from the case",
           "yes": "yes", "no": "no", "nothing": "none", "unknown": "unknown", "kb": "knowledge base",
           "opens_by": "opens first by", "direct": "the direct path (the procedure's own conditions)"},
}
WIDTH = 78


def facts_in_words(paths, lang: str = "fr") -> str:
    """Missing facts as a magistrate reads them (« consentement au transfèrement »), not as
    JSON paths (those stay in the JSON answer)."""
    from ..engine.fields import fact_label
    return ", ".join(fact_label(p, lang) for p in paths)


def _fr_date(d) -> str:
    return d.isoformat() if d else "—"


def _line(left: str, right: str, indent: int) -> str:
    pad = " " * indent
    body = pad + left
    if len(body) + len(right) + 2 > WIDTH + 20:
        return f"{body}\n{pad}    → {right}"
    dots = "." * max(2, WIDTH - len(body) - len(right) - 1)
    return f"{body} {dots} {right}" if right else body


def _cites(sources, w) -> str:
    """Sources joined; a 2029 successor and the old citation beside it read
    « CPP-2029 L5241-8 (anc. CPP 729-2 al. 1) » (engine/recodification.py)."""
    pairs = w.get("_pairs") or {}
    out, skip = [], set()
    for i, s in enumerate(sources):
        if i in skip:
            continue
        old = pairs.get(s)
        if old and i + 1 < len(sources) and sources[i + 1] == old:
            out.append(f"{s} ({w['former']} {old})")
            skip.add(i + 1)
        else:
            out.append(s)
    return ", ".join(out)


def _cond_lines(c, lang, explain, indent, w):
    label = c.label.get(lang) or c.label.get("fr")
    status = c.status
    extra = ""
    if c.pending and c.date:
        extra = f" ({w['pending']} {_fr_date(c.date)})"
    elif c.date and c.status in ("met", "not_met"):  # a closing date passed shows here too
        extra = f" ({w['passed']}{w['colon']}{_fr_date(c.date)})" if c.status == "not_met" else f" ({_fr_date(c.date)})"
    elif status == "to_assess" and "(" not in label:
        extra = f" ({w['to_assess']})"
    out = [_line(f"{MARK.get(status, '?')} {label}{extra}", _cites(c.sources, w), indent)]
    if status == "unknown" and c.missing:
        out.append(" " * (indent + 4) + f"{w['missing']}{w['colon']}" + facts_in_words(c.missing, lang))
    if explain:
        for e in c.evidence:   # the reference data consulted, in the reader's language
            from ..engine.verify import subject
            val = _value(e["value"], w) if e["value"] is not None else w["unknown"]
            lines = (e.get("evidence_en") or e["evidence"]) if lang == "en" else e["evidence"]
            if e["fact"].startswith("law:"):   # no dated source: the note says why it is unknown
                lines = [(e.get("note_en") or e.get("note") or "") if lang == "en" else e.get("note", "")]
            out.append(" " * (indent + 4) + f"· {subject(e['fact'], w.get('_ref') or _reference(), lang)} = {val} — "
                       + "; ".join(lines[:2]))
        for ch in c.children:
            out += _cond_lines(ch, lang, explain, indent + 4, w)
    return out


def _value(v, w) -> str:
    if v is True:
        return w["yes"]
    if v is False:
        return w["no"]
    if v is None:
        return w["nothing"]
    return v.isoformat() if hasattr(v, "isoformat") else str(v)


def _proc_lines(p, lang, explain, w, indent=0, route=False, as_of=None, verified=frozenset()):
    w = {**w, "_pairs": {x["successor"]: x["citation"] for x in getattr(p, "successors", []) if x.get("successor")}}
    title = procedure_title(p, lang)
    # a procedure that does not apply has no dates of use (a closing date that passed is
    # shown on its condition); a result built elsewhere may still carry one
    bits = status_bits(p, lang, w, _fr_date, route=route, as_of=as_of, until_if_not_applicable=False)
    prefix = f"{w['route']}{w['colon']}" if route else ""
    out = [" " * indent + f"{PMARK[p.status]} {prefix}{title}   {', '.join(bits)}"]
    if p.basis:  # the legal basis the status rests on (each basis is its own path)
        names = [(b["label"].get(lang) or b["label"].get("fr")) for b in p.basis]
        out.append(" " * (indent + 4) + f"⚖ {(' ' + w['or'] + ' ').join(names)}"
                   + f"  ({', '.join(dict.fromkeys(s for b in p.basis for s in b['sources']))})")
    # what depends on inferred or unverified evidence, or on a point the sources leave open:
    # shown with the status, with or without --explain (docs/answer-format.md, `to_verify`)
    general = 0
    for v in p.to_verify:
        if v.get("general") and not explain:
            general += 1  # the research pack's open questions on every answer of the procedure
            continue
        # the note says what is to verify in words; the entry's name (``party(STE167,MA)``,
        # ``question:<id>``) stays in the JSON answer, not in the text a magistrate reads
        out.append(" " * (indent + 4) + f"! {w['verify']}{w['colon']}" + _unprefixed(v.get("note") or v["fact"]))
    if general:
        out.append(" " * (indent + 4) + f"! {w['verify']}{w['colon']}" + (
            f"{general} question(s) ouverte(s) de la base sur cette procédure (--explain les détaille)"
            if lang == "fr" else f"{general} open question(s) of the knowledge base on this procedure (--explain)"))
    conds = p.conditions
    if not explain and p.status == "not_applicable":
        conds = [c for c in conds if c.status == "not_met" and not c.pending] or conds
    opens = getattr(p, "opens_by", None)
    if opens and p.routes and not route:  # which path opens the procedure first
        rt = next((r for r in p.routes if r.procedure == opens), None)
        name = w["direct"] if rt is None else f"{w['route']} « {rt.label.get(lang) or rt.label.get('fr')} »"
        out.append(" " * (indent + 4) + f"⇒ {w['opens_by']}{w['colon']}{name}"
                   + (f" ({w['from']} {_fr_date(p.date_from)})" if p.date_from else ""))
    lc = getattr(p, "law_change", None)
    if lc:  # a pending or past date re-settled under the law in force on it (engine/in_time.py)
        out.append(" " * (indent + 4) + "⇒ " + (lc["note"].get(lang) or lc["note"]["fr"]))
    for c in conds:
        out += _cond_lines(c, lang, explain, indent + 4, w)
    if p.missing_facts and p.status == "undetermined" or (p.consent_required is None and p.missing_facts):
        out.append(" " * (indent + 4) + f"{w['missing']}{w['colon']}" + facts_in_words(p.missing_facts, lang))
    if p.irrelevant_facts:
        out.append(" " * (indent + 4) + f"{w['irrelevant']}{w['colon']}" + "; ".join(
            f"{facts_in_words([f['fact']], lang)} ({' / '.join(_value(v, w) for v in f['values'])})"
            for f in p.irrelevant_facts))
    if p.set_aside_by and explain:
        end = p.set_aside_by.get("until")   # a precedence ending on a known day (rules/precedence.yaml)
        head = f"{w['set_aside']} {w['until']} {end}" if end else w["set_aside"]
        out.append(" " * (indent + 4) + f"{head}{w['colon']}{p.set_aside_by['reason']} ({', '.join(p.set_aside_by['sources'])})")
    # a route's « à vérifier » notes are listed with its procedure's (engine/verify.collect):
    # ``verified`` holds the procedure's, for its routes
    verified = set(verified) | {v["fact"][5:] for v in p.to_verify if v["fact"].startswith("note:")}
    shown = p.notes if explain else [n for n in p.notes if n.kind in ("authority", "warning", "duty")]
    shown = [n for n in shown if n.id not in verified]  # already shown under « à vérifier »
    for n in shown:
        out.append(" " * (indent + 4) + f"→ {n.text} ({_cites(n.sources, w)})")
    for r in p.routes:
        out += _proc_lines(r, lang, explain, w, indent + 4, route=True, as_of=as_of, verified=frozenset(verified))
    return out


def _reference():
    """The reference data, for the States' names in the evidence lines (cached by kb.reference)."""
    try:
        from ..kb.reference import load_reference
        return load_reference()
    except Exception:  # the names then stay codes
        return None


def render_text(answer, explain: bool = False, lang: str = "fr") -> str:
    w = WORDS[lang]
    if explain:
        w = {**w, "_ref": _reference()}
    head = f"{answer.name or answer.case} — {w['as_of']} {_fr_date(answer.as_of)}"
    if answer.name and answer.case:
        head += f"  [{answer.case}]"
    lines = [head]
    reform = (answer.knowledge_base or {}).get("reform")
    if reform:   # a simulated reform is never presented as the law in force (docs/reforms.md)
        label, text, _ = reform_words(reform, lang)
        lines.append(f"⚠ {label} — {text} ({'à compter du' if lang == 'fr' else 'from'} {reform['from']})"
                     + (" : simulation, pas le droit en vigueur" if lang == "fr" else ": a simulation, not the law in force"))
    from ..engine.candidates import reason_words
    cands = ", ".join(f"{c['state']} ({', '.join(reason_words(b, lang) for b in c['because'])})"
                      for c in answer.candidates) or w["none"]
    lines.append(f"{w['candidates']}{w['colon']}{cands}")
    if getattr(answer, "derived_facts", None):
        lines.append(f"{w['derived']}{w['colon']}" + "; ".join(
            f"{facts_in_words([f['fact']], lang)} = {_value(f['value'], w)} ({', '.join(f['sources'])})"
            for f in answer.derived_facts))
    for p in answer.procedures:
        lines += _proc_lines(p, lang, explain, w, as_of=answer.as_of)
    lines.append(f"({w['kb']}{w['colon']}{answer.knowledge_base.get('version')})")
    return "\n".join(lines)


def reform_words(meta: dict, lang: str = "fr") -> tuple[str, str, list[str]]:
    """The label, the text modelled and the changes of a reform (``knowledge_base.reform``,
    docs/answer-format.md) in ``lang``: the reform file's ``name_en`` / ``text_en`` and the
    changes' English (engine.reform), the French where the file gives no English."""
    if lang == "en":
        return (meta.get("label_en") or meta["label"], meta.get("text_en") or meta["text"],
                list(meta.get("changes_en") or meta.get("changes") or []))
    return meta["label"], meta["text"], list(meta.get("changes") or [])


# what a difference between two answers is about (engine.reform.compare_answers ``what``), in words
DIFF_WHAT = {"fr": {"statut": "statut", "à partir du": "à partir du", "jusqu'au": "jusqu'au",
                    "consentement requis": "consentement requis", "ouverte par": "ouverte d'abord par",
                    "présence": "présence", "condition": "condition"},
             "en": {"statut": "status", "à partir du": "from", "jusqu'au": "until",
                    "consentement requis": "consent required", "ouverte par": "opens first by",
                    "présence": "presence", "condition": "condition"}}


COND_WORDS = {"fr": {"met": "remplie", "not_met": "non remplie", "unknown": "inconnue", "to_assess": "à apprécier"},
              "en": {"met": "met", "not_met": "not met", "unknown": "unknown", "to_assess": "to assess"}}


def _diff_names(answers, lang: str) -> dict:
    """Titles of the procedures (with their State) and labels of the routes of ``answers``:
    the differences are said in words, not ids."""
    names: dict = {}
    for a in answers:
        for p in a.procedures:
            names[(p.procedure, p.state)] = procedure_title(p, lang)
            for r in p.routes:
                names[("route", r.procedure)] = r.label.get(lang) or r.label.get("fr") or r.procedure
    return names


def render_reform_text(current, reformed, diffs: list[dict], explain: bool = False, lang: str = "fr") -> str:
    """One case under the law in force and under a simulated reform, then what differs
    (``lexquery ask CASE --reform R.yaml``; :func:`lexquery.engine.reform.compare_answers`),
    in ``lang``: procedures, routes, conditions and statuses in words."""
    from .status_line import STATUS
    label = reform_words(reformed.knowledge_base["reform"], lang)[0]
    fr = lang == "fr"
    w = WORDS[lang]
    names = _diff_names([current, reformed], lang)
    out = ["═══ " + ("Droit en vigueur" if fr else "Law in force") + " ═══",
           render_text(current, explain, lang), "",
           f"═══ {label} ═══", render_text(reformed, explain, lang), "",
           "═══ " + ("Ce qui change sous la réforme" if fr else "What the reform changes") + f" ({label}) ═══"]
    missing = reformed.knowledge_base["reform"].get("untranslated")
    if not fr and missing:   # a text the reform file gives in French only is shown in French: said so
        out.append(f"  (given in French only by the reform file: {', '.join(missing)})")
    if not diffs:
        out.append("  rien : mêmes statuts, dates et conditions à cette date" if fr else
                   "  nothing: same statuses, dates and conditions on this date")

    def shown(v, what):
        if what in ("statut", "présence", "condition") and isinstance(v, str):
            return (STATUS[lang].get(v) or COND_WORDS[lang].get(v, v)).lower()
        if what == "ouverte par" and isinstance(v, str):
            return names.get(("route", v)) or (w["direct"] if any(k[0] == v for k in names) else v)
        return _dv(v, fr)

    for d in diffs:
        where = names.get((d["procedure"], d["state"])) or (d["procedure"] + (f" — {d['state']}" if d["state"] else ""))
        if d["route"]:
            where += f" › {names.get(('route', d['route']), d['route'])}"
        what = d["what"]
        if d["condition"]:
            lbl = (d.get("label_en") or d.get("label")) if not fr else d.get("label")
            cond = f"condition « {lbl} »" if lbl else "condition"
            out.append(f"  {where} — {cond}{w['colon']}{shown(d['before'], what)} → {shown(d['after'], what)}")
        else:
            out.append(f"  {where} — {DIFF_WHAT[lang].get(what, what)}{w['colon']}{shown(d['before'], what)} → "
                       f"{shown(d['after'], what)}"
                       + ((f" (date calculée {d['computed']}, antérieure à la réforme : ouverte dès son entrée en vigueur)"
                           if fr else f" (computed {d['computed']}, before the reform: open from its entry into force)")
                          if d.get("computed") else ""))
    return "\n".join(out)


def _dv(v, fr=True) -> str:
    if v is None:
        return "—"
    if v is True:
        return "oui" if fr else "yes"
    if v is False:
        return "non" if fr else "no"
    return str(v)


_SAID = ("À vérifier : ", "À vérifier, ", "To check: ", "To verify: ")


def _unprefixed(text: str) -> str:
    """A note that opens with « À vérifier : » (To check:) under the « ! à vérifier : » line:
    said once, not twice."""
    for p in _SAID:
        if text.startswith(p):
            return text[len(p):][:1].upper() + text[len(p):][1:]
    if text.startswith("À vérifier (") and ") : " in text:   # « À vérifier (why) : … »
        why, rest = text[len("À vérifier ("):].split(") : ", 1)
        return f"{rest[:1].upper()}{rest[1:]} ({why})"
    return text

"""Answers to the questions of a .lq text, from the engine's structured answers.

Every answer comes from :meth:`lexquery.engine.api.Engine.ask` on the case as written
above the question (and, for `et si`, on that case with the changes applied); this
module only chooses what to show and says it in words (render: lexquery.render.text).
"""
from __future__ import annotations

import copy
from datetime import date, timedelta

from ..errors import CaseError, LexqueryError
from ..render.status_line import PMARK, STATUS, status_bits
from ..render.text import WORDS, _line, _proc_lines, render_text
from . import vocab
from .build import Document, Item
from .case_data import get_path, set_path
from .write import say, say_measure

# the answers' words; the questions are asked in the lexquery language (French), the answers
# are given in the reader's language (`ask file.lq --lang en`, issue 15 item 7)
TT = {
    "fr": {"no_missing": "Aucun fait manquant : aucune réponse n'attend un fait inconnu.",
           "missing": "Faits à établir", "why": "pourquoi", "provision": "disposition",
           "unchanged": "Rien ne change dans les réponses.", "not_eval": "non évaluée", "c": " : ",
           "for": "pour", "route": "voie", "as_of": "au", "consent_why": "savoir si le consentement de la personne est requis",
           "proc_why": "déterminer si la procédure s'applique (État considéré)",
           "since": "depuis le", "from_now": "dès le {d} (aucune date à attendre)", "applicable": "applicable",
           "later": "applicable à partir du", "reached": "atteint le", "never": "non applicable à aucune date en l'état des faits",
           "undetermined": "indéterminé — faits à établir", "until": "jusqu'au", "from": "à partir du",
           "with": "avec consentement", "without": "sans consentement", "states": "États considérés",
           "now": "En l'état", "no_change": "Aucun changement d'un seul fait ne modifie cette réponse.",
           "changes": "Changements d'un seul fait qui modifient la réponse", "if": "et si",
           "rules_citing": "Règles qui citent", "no_rule": "aucune règle ne cite cette disposition"},
    "en": {"no_missing": "No missing fact: no answer waits on an unknown fact.",
           "missing": "Facts to establish", "why": "why", "provision": "provision",
           "unchanged": "Nothing changes in the answers.", "not_eval": "not evaluated", "c": ": ",
           "for": "for", "route": "route", "as_of": "as of", "consent_why": "to know whether the person's consent is required",
           "proc_why": "to determine whether the procedure applies (State considered)",
           "since": "since", "from_now": "from {d} (no date to wait for)", "applicable": "applicable",
           "later": "applicable from", "reached": "reached on", "never": "not applicable on any date on the facts known",
           "undetermined": "undetermined — facts to establish", "until": "until", "from": "from",
           "with": "with consent", "without": "without consent", "states": "States considered",
           "now": "As things stand", "no_change": "No change of a single fact alters this answer.",
           "changes": "Changes of a single fact that alter the answer", "if": "et si",
           "rules_citing": "Rules citing", "no_rule": "no rule cites this provision"},
}
T = TT["fr"]


def _head(a, lang: str = "fr") -> str:
    h = f"{a.name or a.case} — {TT[lang]['as_of']} {a.as_of.isoformat()}"
    return h + (f"  [{a.case}]" if a.name and a.case else "")


def _title(p, lang: str = "fr") -> str:
    return (p.label.get(lang) or p.label.get("fr") or p.procedure) + (f" — {p.state}" if p.state else "")


def answer_document(doc: Document, engine=None, explain: bool = False, as_of: date | None = None,
                    lang: str = "fr") -> str:
    """The answers to every question of ``doc`` (a case without question: all procedures),
    in ``lang`` (the questions themselves are written in the language, in French).

    ``as_of`` replaces the date of evaluation where a question does not give one."""
    from ..engine.api import load_kb
    engine = engine or load_kb()
    asked = {id(it.case) for it in doc.items if it.case is not None}
    events = []
    for c in doc.cases:
        if id(c) not in asked:
            events.append(((c.header.line, 0), None, c))
    for it in doc.items:
        events.append(((it.question.span.line, it.question.span.col), it, None))
    out = []
    for _pos, it, c in sorted(events, key=lambda e: e[0]):
        if it is None:
            out.append(render_text(engine.ask(copy.deepcopy(c.data), as_of, lang=lang), explain=explain, lang=lang))
        else:
            if as_of is not None and it.at is None:
                it = copy.copy(it)
                it.at = as_of
            out.append(f"» {it.question.text.strip()}\n" + answer(it, engine, explain, lang))
    return "\n\n".join(out)


def answer(it: Item, engine, explain: bool = False, lang: str = "fr") -> str:
    q = it.question
    try:
        if q.kind == "article":
            return _article(q.citation[0], it.at or _as_of(it), lang)
        if q.kind == "rules_cite":
            return _rules_cite(q.citation[0], it.at or _as_of(it), lang)
        a = engine.ask(copy.deepcopy(it.snapshot), it.at, lang=lang)
        if q.kind == "procedures":
            return render_text(a, explain=explain, lang=lang)
        if q.kind in ("procedure", "why"):
            return _procedure(a, it.proc, explain or q.kind == "why", lang)
        if q.kind == "missing":
            return _missing(a, lang)
        if q.kind == "from_when":
            return _from_when(a, it.proc, lang)
        if q.kind == "what_if":
            b = engine.ask(copy.deepcopy(it.changed), it.at, lang=lang)
            return _what_if(a, b, lang)
        if q.kind == "would_change":
            return _would_change(a, it, engine, lang)
    except CaseError as e:  # pragma: no cover - the builder validated the case
        return e.render()
    raise AssertionError(q.kind)  # pragma: no cover


def _as_of(it: Item):
    v = (it.snapshot or {}).get("as_of")
    try:
        return date.fromisoformat(v) if v else None
    except (TypeError, ValueError):
        return None


# ---- one procedure, why ------------------------------------------------------------------------
def _results(a, pid):
    return [p for p in a.procedures if p.procedure == pid]


def _procedure(a, pid, explain, lang: str = "fr"):
    from ..engine.candidates import reason_words
    w = WORDS[lang]
    lines = [_head(a, lang)]
    if explain:
        cands = ", ".join(f"{c['state']} ({', '.join(reason_words(b, lang) for b in c['because'])})"
                          for c in a.candidates) or w["none"]
        lines.append(f"{w['candidates']}{w['colon']}{cands}")
    for p in _results(a, pid):
        lines += _proc_lines(p, lang, explain, w, as_of=a.as_of)
    return "\n".join(lines)


# ---- que manque-t-il ? -------------------------------------------------------------------------
def fact_words(path: str) -> str:
    base = path.split("[")[0]
    if base in vocab.FIELDS:
        name = vocab.field_name(base)
        if "[" in path:
            sub = path.split("].", 1)[-1] if "]." in path else ""
            sub_words = {"enforceable": "exécutoire", "remedies_exhausted": "recours épuisés",
                         "definitive": "définitive", "destination": "destination", "kind": "nature",
                         "court": "juridiction", "date": "date", "final": "définitive", "total": "durée"}
            n = path.split("[")[1].split("]")[0]
            return f"{name} n°{int(n) + 1}" + (f" ({sub_words.get(sub, sub)})" if sub else "")
        return name
    return path


def _missing(a, lang: str = "fr"):
    t = TT[lang]
    needs: dict[str, list[tuple[str, str, list[str]]]] = {}

    def add(fact, who, why, sources):
        lst = needs.setdefault(fact, [])
        if (who, why, sources) not in lst:
            lst.append((who, why, list(sources)))

    def conds(p, cs, who):
        for c in cs:
            if c.status == "unknown":
                for f in c.missing:
                    add(f, who, c.label.get(lang) or c.label.get("fr"), c.sources)
            conds(p, c.children, who)

    def proc(p, who):
        if p.status == "not_applicable":  # a fact missing there changes nothing
            return
        if p.status == "undetermined" and not p.missing_facts and not p.routes:
            return  # undetermined with nothing to establish: the law of the date is not encoded
        conds(p, p.conditions, who)
        covered = set(needs)
        if p.status == "undetermined" or p.consent_required is None and p.consent_defined and p.status != "not_applicable":
            for f in p.missing_facts:
                if f not in covered:
                    why = t["consent_why"] if p.status != "undetermined" else t["proc_why"]
                    add(f, who, why, p.sources[:2])
        for r in p.routes:
            proc(r, f"{who} / {t['route']}{t['c']}{r.label.get(lang) or r.label.get('fr')}")

    for p in a.procedures:
        proc(p, _title(p, lang))
    lines = [_head(a, lang)]
    if not needs:
        lines.append(t["no_missing"])
        return "\n".join(lines)
    lines.append(f"{t['missing']}{t['c']}{len(needs)}")
    from ..engine.fields import fact_label
    for fact in sorted(needs, key=lambda f: (vocab.FIELD_ORDER.index(f.split('[')[0]) if f.split('[')[0] in vocab.FIELDS else 99, f)):
        # the fact in words; its name in the language (« nationalités ») is what to type after « et si »
        lines.append(f"? {fact_words(fact)}" if lang == "fr" else f"? {fact_label(fact, 'en')} (« {fact_words(fact)} »)")
        for who, why, sources in needs[fact]:
            lines.append(f"    {t['for']}{t['c']}{who}")
            lines.append(f"      {t['why']}{t['c']}{why}")
            lines.append(f"      {t['provision']}{t['c']}{', '.join(sources) or '—'}")
    return "\n".join(lines)


# ---- à partir de quand ? -------------------------------------------------------------------------
def _until_word(p, lang: str = "fr") -> str:
    """How the rule words its ``until`` (``until_label``, e.g. a deadline), else « jusqu'au »."""
    return (p.until_label or {}).get(lang) or (p.until_label or {}).get("fr") or TT[lang]["until"]


def _when_lines(p, as_of, indent=0, lang: str = "fr"):
    t = TT[lang]
    pad = " " * indent
    title = _title(p, lang)
    until = f", {_until_word(p, lang)} {p.date_until.isoformat()}" if p.date_until else ""
    out = []
    if p.status == "applicable":
        since = f"{t['since']} {p.date_from.isoformat()}" if p.date_from else t["from_now"].format(d=as_of.isoformat())
        out.append(f"{pad}✔ {title}{t['c']}{t['applicable']} {since}{until}")
    elif p.status == "applicable_later":
        out.append(f"{pad}◷ {title}{t['c']}{t['later']} {p.date_from.isoformat()}{until}")
        for c in _flat(p.conditions):
            if c.pending and c.date:
                out.append(_line(f"✘ {c.label.get(lang) or c.label.get('fr')} ({t['reached']} {c.date.isoformat()})",
                                 ", ".join(c.sources), indent + 4))
    elif p.status == "not_applicable":
        out.append(f"{pad}✘ {title}{t['c']}{t['never']}")
        for c in _flat(p.conditions):
            if c.status == "not_met" and not c.pending and not c.children:
                out.append(_line(f"✘ {c.label.get(lang) or c.label.get('fr')}", ", ".join(c.sources), indent + 4))
    else:
        from ..engine.fields import fact_label
        facts = ", ".join(fact_label(f, lang) for f in p.missing_facts) or "—"
        out.append(f"{pad}? {title}{t['c']}{t['undetermined']}{t['c']}{facts}")
    for r in p.routes:
        out += _when_lines(r, as_of, indent + 4, lang)
    return out


def _flat(conds):
    for c in conds:
        yield c
        yield from _flat(c.children)


def _from_when(a, pid, lang: str = "fr"):
    lines = [_head(a, lang)]
    for p in _results(a, pid):
        lines += _when_lines(p, a.as_of, 0, lang)
    return "\n".join(lines)


# ---- et si … ? -------------------------------------------------------------------------------
def _summary(p, lang: str = "fr") -> str:
    return ", ".join(status_bits(p, lang, WORDS[lang], lambda d: d.isoformat(), consent_unknown=False))


def _index(a, lang: str = "fr") -> dict:
    t = TT[lang]
    out = {}
    for p in a.procedures:
        out[(p.procedure, p.state, None)] = (p, _title(p, lang))
        for r in p.routes:
            out[(p.procedure, p.state, r.procedure)] = (r, f"{_title(p, lang)} / {t['route']}{t['c']}"
                                                           f"{r.label.get(lang) or r.label.get('fr')}")
    return out


def _what_if(a, b, lang: str = "fr"):
    t = TT[lang]
    before, after = _index(a, lang), _index(b, lang)
    lines = [_head(a, lang)]
    ca = [c["state"] for c in a.candidates]
    cb = [c["state"] for c in b.candidates]
    if ca != cb:
        lines.append(f"{t['states']}{t['c']}{', '.join(ca) or '—'} → {', '.join(cb) or '—'}")
    changed = 0
    for key in list(before) + [k for k in after if k not in before]:
        x, y = before.get(key), after.get(key)
        sx = _summary(x[0], lang) if x else f"({t['not_eval']})"
        sy = _summary(y[0], lang) if y else f"({t['not_eval']})"
        if sx != sy:
            changed += 1
            mark = PMARK[y[0].status] if y else "·"
            lines.append(f"{mark} {(y or x)[1]}{t['c']}{sx} → {sy}")
    if not changed:
        lines.append(t["unchanged"])
    return "\n".join(lines)


# ---- qu'est-ce qui changerait … ? -----------------------------------------------------------------
SAMPLE_STATES = ("FR", "RO", "IT", "MA", "DZ", "US")
SAMPLE_TOTALS = ("P6M", "P1Y", "P2Y", "P5Y", "P10Y", "life")


def mutations(case: dict):
    """Single-fact changes of a case: (how to write it after « et si », changed case)."""
    def changed(path, v):
        c = copy.deepcopy(case)
        set_path(c, path, v)
        return c

    states = list(dict.fromkeys([s for s in (get_path(case, "person.nationalities") or []) if s] + list(SAMPLE_STATES)))
    for path in vocab.FIELD_ORDER:
        kind = vocab.FIELDS[path][0]
        cur = get_path(case, path)
        name = vocab.field_name(path)
        if kind == "bool":
            for v in (True, False):
                if cur is not v:
                    yield f"{name} : {say(path, v)}", changed(path, v)
        elif kind == "state":
            for s in states:
                if s != cur:
                    yield f"{name} : {say(path, s)}", changed(path, s)
        elif kind == "states":
            cur = cur or []
            for s in states:
                if [s] != cur:
                    yield f"{name} : {say(path, [s])}", changed(path, [s])
            if cur and "FR" not in cur:
                yield f"{name} : {say(path, cur + ['FR'])}", changed(path, cur + ["FR"])
            if cur != []:
                yield f"{name} : aucune", changed(path, [])
        elif kind == "protection":
            for v in vocab.PROTECTION_WORDS:
                if v != cur:
                    yield f"{name} : {say(path, v)}", changed(path, v)
        elif kind == "duration":
            if path != "sentence.total":
                continue
            for v in SAMPLE_TOTALS:
                if v != cur:
                    yield f"{name} : {say(path, v)}", changed(path, v)
        elif kind == "date_or_none":
            if cur != "none":
                yield f"{name} : aucune", changed(path, "none")
            as_of = case.get("as_of") or date.today().isoformat()
            later = (date.fromisoformat(as_of) + timedelta(days=365)).isoformat()
            if cur in (None, "none"):
                yield f"{name} : {say(path, later)}", changed(path, later)
        elif kind == "measure":
            cur = cur if isinstance(cur, list) else None
            if cur:
                yield "mesures : aucune", changed(path, [])
                for i, m in enumerate(cur):
                    for k in ("definitive", "enforceable", "remedies_exhausted"):
                        if k in m and isinstance(m[k], bool) or k not in m:
                            nm = dict(m)
                            nm[k] = not m.get(k, False) if isinstance(m.get(k), bool) else True
                            lst = [dict(x) for x in cur]
                            lst[i] = nm
                            label = "mesure" if len(cur) == 1 else f"mesure n°{i + 1}"
                            yield f"{label} : {say_measure(nm)}", changed(path, lst)
            else:
                nat = next((s for s in (get_path(case, "person.nationalities") or []) if s != "FR"), "RO")
                for kind_ in ("ITF", "OQTF"):
                    m = {"kind": kind_, "destination": nat, "enforceable": True, "remedies_exhausted": True}
                    if kind_ == "ITF":
                        m = {"kind": "ITF", "definitive": True, **{k: v for k, v in m.items() if k != "kind"}}
                    yield f"mesure : {say_measure(m)}", changed(path, [m])


def _signature(a, pid):
    return tuple((p.state, p.status) for p in a.procedures if p.procedure == pid)


def _sig_words(sig, lang: str = "fr"):
    t = TT[lang]
    return ", ".join((f"{s}{t['c']}" if s else "") + STATUS[lang][st] for s, st in sig) or t["not_eval"]


def _would_change(a, it: Item, engine, lang: str = "fr"):
    t = TT[lang]
    pid = it.proc
    base = _signature(a, pid)
    lines = [_head(a, lang), f"{t['now']}{t['c']}{_sig_words(base, lang)}"]
    found = []
    for how, case in mutations(it.snapshot):
        try:
            b = engine.ask(case, it.at)
        except LexqueryError:
            continue
        sig = _signature(b, pid)
        if sig != base:
            found.append((how, sig))
    if not found:
        lines.append(t["no_change"])
    else:
        lines.append(f"{t['changes']} ({len(found)}){t['c'].rstrip()}")
        # « et si … ? » is the question as it is typed in the language (French)
        lines += [f"  « et si {how} ? »  → {_sig_words(sig, lang)}" if lang == "en" else
                  f"  et si {how} ?  → {_sig_words(sig, lang)}" for how, sig in found]
    return "\n".join(lines)


# ---- article, règles -----------------------------------------------------------------------------
def _provisions():
    try:
        from ..kb import load_kb as load_provisions
        return load_provisions(), None
    except ImportError as e:
        return None, f"la base des dispositions n'est pas disponible ({e}) : utilisez « lexquery article »"
    except LexqueryError as e:
        return None, f"la base des dispositions n'a pas pu être chargée : {e.message}"


def _lookup(citation, at):
    kb, why = _provisions()
    if kb is None:
        return None, None, "? " + why
    try:
        return kb, kb.lookup(citation, at), None
    except LexqueryError as e:
        msg = f"✘ {e.message}"
        if e.hint:
            msg += f"\n  = aide : {e.hint}"
        return kb, None, msg


def _article(citation, at, lang: str = "fr"):
    kb, node, err = _lookup(citation, at)
    if err:
        return err
    from ..kb.describe import describe
    from ..render.article import render_text as render_article
    return render_article(describe(kb, node, at, lang), lang)


def _rules_cite(citation, at, lang: str = "fr"):
    t = TT[lang]
    kb, node, err = _lookup(citation, at)
    if err:
        return err
    p = node.provision
    uses = kb.rules_by_article.get(p.citation, [])
    if node.paragraph is not None:
        uses = [u for u in uses if u.citation == node.citation or u.citation.startswith(node.citation + " ")]
    lines = [f"{t['rules_citing']} {node.citation}{t['c'].rstrip()}"]
    from ..render.article import rule_words
    seen = set()
    for u in uses:
        line = f"  {rule_words({'label': u.label, 'file': u.file}, lang)} — {u.citation} ({u.file})"
        if line in seen:
            continue
        seen.add(line)
        lines.append(line)
    if len(lines) == 1:
        lines.append(f"  {t['no_rule']}")
    return "\n".join(lines)

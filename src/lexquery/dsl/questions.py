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

T = {"no_missing": "Aucun fait manquant : aucune réponse n'attend un fait inconnu.",
     "missing": "Faits à établir", "why": "pourquoi", "provision": "disposition",
     "unchanged": "Rien ne change dans les réponses.", "not_eval": "non évaluée"}


def _head(a) -> str:
    h = f"{a.name or a.case} — au {a.as_of.isoformat()}"
    return h + (f"  [{a.case}]" if a.name and a.case else "")


def _title(p) -> str:
    return (p.label.get("fr") or p.procedure) + (f" — {p.state}" if p.state else "")


def answer_document(doc: Document, engine=None, explain: bool = False, as_of: date | None = None) -> str:
    """The answers to every question of ``doc`` (a case without question: all procedures).

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
            out.append(render_text(engine.ask(copy.deepcopy(c.data), as_of), explain=explain))
        else:
            if as_of is not None and it.at is None:
                it = copy.copy(it)
                it.at = as_of
            out.append(f"» {it.question.text.strip()}\n" + answer(it, engine, explain))
    return "\n\n".join(out)


def answer(it: Item, engine, explain: bool = False) -> str:
    q = it.question
    try:
        if q.kind == "article":
            return _article(q.citation[0], it.at or _as_of(it))
        if q.kind == "rules_cite":
            return _rules_cite(q.citation[0], it.at or _as_of(it))
        a = engine.ask(copy.deepcopy(it.snapshot), it.at)
        if q.kind == "procedures":
            return render_text(a, explain=explain)
        if q.kind in ("procedure", "why"):
            return _procedure(a, it.proc, explain or q.kind == "why")
        if q.kind == "missing":
            return _missing(a)
        if q.kind == "from_when":
            return _from_when(a, it.proc)
        if q.kind == "what_if":
            b = engine.ask(copy.deepcopy(it.changed), it.at)
            return _what_if(a, b)
        if q.kind == "would_change":
            return _would_change(a, it, engine)
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


def _procedure(a, pid, explain):
    w = WORDS["fr"]
    lines = [_head(a)]
    if explain:
        cands = ", ".join(f"{c['state']} ({', '.join(c['because'])})" for c in a.candidates) or w["none"]
        lines.append(f"{w['candidates']} : {cands}")
    for p in _results(a, pid):
        lines += _proc_lines(p, "fr", explain, w, as_of=a.as_of)
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


def _missing(a):
    needs: dict[str, list[tuple[str, str, list[str]]]] = {}

    def add(fact, who, why, sources):
        lst = needs.setdefault(fact, [])
        if (who, why, sources) not in lst:
            lst.append((who, why, list(sources)))

    def conds(p, cs, who):
        for c in cs:
            if c.status == "unknown":
                for f in c.missing:
                    add(f, who, c.label.get("fr"), c.sources)
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
                    why = ("savoir si le consentement de la personne est requis" if p.status != "undetermined"
                           else "déterminer si la procédure s'applique (État considéré)")
                    add(f, who, why, p.sources[:2])
        for r in p.routes:
            proc(r, f"{who} / voie : {r.label.get('fr')}")

    for p in a.procedures:
        proc(p, _title(p))
    lines = [_head(a)]
    if not needs:
        lines.append(T["no_missing"])
        return "\n".join(lines)
    lines.append(f"{T['missing']} : {len(needs)}")
    for fact in sorted(needs, key=lambda f: (vocab.FIELD_ORDER.index(f.split('[')[0]) if f.split('[')[0] in vocab.FIELDS else 99, f)):
        lines.append(f"? {fact_words(fact)}  ({fact})")
        for who, why, sources in needs[fact]:
            lines.append(f"    pour : {who}")
            lines.append(f"      {T['why']} : {why}")
            lines.append(f"      {T['provision']} : {', '.join(sources) or '—'}")
    return "\n".join(lines)


# ---- à partir de quand ? -------------------------------------------------------------------------
def _until_word(p) -> str:
    """How the rule words its ``until`` (``until_label``, e.g. a deadline), else « jusqu'au »."""
    return (p.until_label or {}).get("fr") or "jusqu'au"


def _when_lines(p, as_of, indent=0):
    pad = " " * indent
    t = _title(p)
    until = f", {_until_word(p)} {p.date_until.isoformat()}" if p.date_until else ""
    out = []
    if p.status == "applicable":
        since = f"depuis le {p.date_from.isoformat()}" if p.date_from else f"dès le {as_of.isoformat()} (aucune date à attendre)"
        out.append(f"{pad}✔ {t} : applicable {since}{until}")
    elif p.status == "applicable_later":
        out.append(f"{pad}◷ {t} : applicable à partir du {p.date_from.isoformat()}{until}")
        for c in _flat(p.conditions):
            if c.pending and c.date:
                out.append(_line(f"✘ {c.label.get('fr')} (atteint le {c.date.isoformat()})", ", ".join(c.sources), indent + 4))
    elif p.status == "not_applicable":
        out.append(f"{pad}✘ {t} : non applicable à aucune date en l'état des faits")
        for c in _flat(p.conditions):
            if c.status == "not_met" and not c.pending and not c.children:
                out.append(_line(f"✘ {c.label.get('fr')}", ", ".join(c.sources), indent + 4))
    else:
        out.append(f"{pad}? {t} : indéterminé — faits à établir : {', '.join(p.missing_facts) or '—'}")
    for r in p.routes:
        out += _when_lines(r, as_of, indent + 4)
    return out


def _flat(conds):
    for c in conds:
        yield c
        yield from _flat(c.children)


def _from_when(a, pid):
    lines = [_head(a)]
    for p in _results(a, pid):
        lines += _when_lines(p, a.as_of)
    return "\n".join(lines)


# ---- et si … ? -------------------------------------------------------------------------------
def _summary(p) -> str:
    return ", ".join(status_bits(p, "fr", WORDS["fr"], lambda d: d.isoformat(), consent_unknown=False))


def _index(a) -> dict:
    out = {}
    for p in a.procedures:
        out[(p.procedure, p.state, None)] = (p, _title(p))
        for r in p.routes:
            out[(p.procedure, p.state, r.procedure)] = (r, f"{_title(p)} / voie : {r.label.get('fr')}")
    return out


def _what_if(a, b):
    before, after = _index(a), _index(b)
    lines = [_head(a)]
    ca = [c["state"] for c in a.candidates]
    cb = [c["state"] for c in b.candidates]
    if ca != cb:
        lines.append(f"États considérés : {', '.join(ca) or '—'} → {', '.join(cb) or '—'}")
    changed = 0
    for key in list(before) + [k for k in after if k not in before]:
        x, y = before.get(key), after.get(key)
        sx = _summary(x[0]) if x else f"({T['not_eval']})"
        sy = _summary(y[0]) if y else f"({T['not_eval']})"
        if sx != sy:
            changed += 1
            mark = PMARK[y[0].status] if y else "·"
            lines.append(f"{mark} {(y or x)[1]} : {sx} → {sy}")
    if not changed:
        lines.append(T["unchanged"])
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


def _sig_words(sig):
    return ", ".join((f"{s} : " if s else "") + STATUS["fr"][st] for s, st in sig) or "non évaluée"


def _would_change(a, it: Item, engine):
    pid = it.proc
    base = _signature(a, pid)
    lines = [_head(a), f"En l'état : {_sig_words(base)}"]
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
        lines.append("Aucun changement d'un seul fait ne modifie cette réponse.")
    else:
        lines.append(f"Changements d'un seul fait qui modifient la réponse ({len(found)}) :")
        lines += [f"  et si {how} ?  → {_sig_words(sig)}" for how, sig in found]
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


def _article(citation, at):
    kb, node, err = _lookup(citation, at)
    if err:
        return err
    from ..kb.describe import describe
    from ..render.article import render_text as render_article
    return render_article(describe(kb, node, at, "fr"), "fr")


def _rules_cite(citation, at):
    kb, node, err = _lookup(citation, at)
    if err:
        return err
    p = node.provision
    uses = kb.rules_by_article.get(p.citation, [])
    if node.paragraph is not None:
        uses = [u for u in uses if u.citation == node.citation or u.citation.startswith(node.citation + " ")]
    lines = [f"Règles qui citent {node.citation} :"]
    seen = set()
    for u in uses:
        key = (u.where, u.citation)
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"  {u.where} — {u.citation} ({u.file})")
    if len(lines) == 1:
        lines.append("  aucune règle ne cite cette disposition")
    return "\n".join(lines)

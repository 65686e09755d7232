"""What an answer asks to verify by hand: its ``to_verify`` list (issue 12, item 10).

Computed for every procedure, with or without explanations (the screening rows and the
full answer give the same list; tests/test_screen_fast.py). Three kinds of entries, in
this order:

- reference facts the outcome depends on: a fact whose value is unknown (when the
  procedure may apply: an unknown cannot change a failed necessary condition), or a fact
  whose value rests on evidence marked I (inferred — e.g. a status stated at an earlier
  date and presumed unchanged) or U, or that carries a declaration of unknown content
  (``Fact.verify``) — among them ``law:month_end``, a date put on the month's last day because
  the day does not exist in the month reached ([I]: rules/functions.month_end, replaced by the
  other reading's value, the next month's first day). « Depends » is tested, not guessed: the procedure is evaluated again
  with that fact unknown (an unknown fact: true, then false), and the fact is listed when
  the status, the dates, the consent, a route's status or the legal basis of an answer that
  applies would change;
- the open questions of the research pack ([U], ``reference/open-questions.yaml``) that
  concern the procedure (and the State), when the procedure may apply;
- the rule notes declared ``kind: warning`` with ``verify: true`` that apply (a point
  where the sources conflict or stay silent).

Each entry: ``fact`` (its name: ``party(STE167,MA)``, ``question:<id>``, ``note:<id>``),
``general`` (true for an open question that concerns every answer of the procedure, whatever
the State and the date),
``value`` (true / false / null), ``mark`` (S / I / U, for a reference fact with a value),
``note`` (why it is to verify, in the answer's language), ``evidence`` (the dated sources, in
French; ``evidence_en`` the same in English) or ``sources`` (the citations of a note).
"""
from __future__ import annotations

from ..kb.reference import Fact


def outcome(r) -> tuple:
    """What « the outcome » of a procedure result is, for the test of dependence: its status,
    dates, consent, routes, and the legal basis of an answer that applies (now or later)."""
    basis = tuple(b["id"] for b in r.basis) if r.status in ("applicable", "applicable_later") else ()
    return (r.status, r.date_from, r.date_until, r.consent_required, basis,
            tuple((x.procedure, x.status, x.date_from) for x in r.routes))


def _settled_unknown(r) -> bool:
    """An undetermined answer with no date, consent or route: making a fact unknown cannot
    change it (three-valued evaluation is monotone: it can only lose information)."""
    return (r.status == "undetermined" and r.date_from is None and r.date_until is None
            and r.consent_required is None and not r.routes)


def collect(p, env, result, rerun, lang: str = "fr") -> list[dict]:
    """``to_verify`` of ``result`` (procedure ``p`` evaluated in ``env``); ``rerun(overrides)``
    evaluates the procedure again with the given reference facts replaced, and returns the
    result."""
    out = []
    applies = result.status != "not_applicable"
    base = None
    candidates = []   # (name, fact, the values to try in its place)
    for name, f in list(env.evidence.items()):
        if not isinstance(f, Fact):
            continue
        if f.value is None:
            if applies:  # an unknown cannot change a failed necessary condition
                # false first: it changes the outcome more often (a treaty not in force, a
                # convention's terms not met), and any() then stops; the entry is the same
                candidates.append((name, f, (f.but(False, "U"), f.but(True, "U"))))
        elif (f.mark in ("I", "U") or f.verify) and not _settled_unknown(result):
            candidates.append((name, f, (f.but(None, None),)))
    for name, f, alts in candidates:
        if base is None:
            base = outcome(result)
        if any(outcome(rerun({name: a})) != base for a in alts):
            out.append(_entry(name, f, env.ref, lang))
    questions = getattr(env.ref, "questions_for", None)
    if questions:
        st = env.state if isinstance(env.state, str) else None
        qs = questions(p.id, st, env.as_of)
        if not applies:   # only a question on the very text the answer fails on
            qs = [q for q in qs if q.get("failed_alone_on") and failed_alone_on(p, result, q["failed_alone_on"])]
        for q in qs:
            e = {"fact": f"question:{q['id']}", "value": None,
                 "note": q.get(lang) or q["fr"], "evidence": [q["source"]]}
            if not (q.get("states") or q.get("from") or q.get("until")):
                # concerns every answer of the procedure — not this State's, not this date's (a
                # question bounded in time, e.g. a text issued later than the date, is said in full)
                e["general"] = True
            out.append(e)
    for n in result.notes:
        if n.id in _verify_ids(p):
            out.append({"fact": f"note:{n.id}", "value": None, "note": n.text or _text(p, n.id, lang),
                        "sources": list(n.sources)})
    return out


_SUBJECT = {"fr": {"party": "{0}", "bilateral": "convention bilatérale", "fd_applies": "DC 2008/909",
                   "eu_member": "membre de l'UE", "consular_mandatory": "liste consulaire de la circulaire",
                   "declared_national": "déclaration « ressortissant » ({0})",
                   "bilateral_terms": "conditions de la convention bilatérale",
                   "not_in_case": "fait que le format de cas ne porte pas"},
            "en": {"party": "{0}", "bilateral": "bilateral convention", "fd_applies": "FD 2008/909",
                   "eu_member": "EU member", "consular_mandatory": "the circular's consular list",
                   "declared_national": "declaration of « national » ({0})",
                   "bilateral_terms": "the bilateral convention's conditions",
                   "not_in_case": "a fact the case format does not carry"}}
_VALUE = {"fr": {True: "oui", False: "non", None: "inconnu"}, "en": {True: "yes", False: "no", None: "unknown"}}


def subject(name: str, ref, lang: str = "fr") -> str:
    """``party(STE167,MA)`` → « STE 167 / Maroc »: what a reference fact is about, in words."""
    if name == "law:month_end":   # a month count resting on the month's-last-day convention
        return ("jour inexistant compté au dernier jour du mois" if lang == "fr"
                else "a day that does not exist counted as the month's last day")
    if name.startswith("law:"):   # a legal quantity read outside the periods its text is encoded for
        return "valeur légale à cette date" if lang == "fr" else "legal value on that date"
    fn, _, args = name.partition("(")
    args = args.rstrip(")").split(",") if args else []
    state = next((a for a in reversed(args) if a in getattr(ref, "states", {})), None)
    treaty = args[0] if args else ""
    series = "ETS " if lang == "en" else "STE "   # the Council of Europe's series, as each language writes it
    what = _SUBJECT.get(lang, _SUBJECT["fr"]).get(fn, fn).format(treaty.replace("STE", series) if treaty.startswith("STE") else treaty)
    name_of = getattr(ref, "state_name", None)
    return what + (f" / {name_of(state, lang) if name_of else state}" if state else "")


def _entry(name: str, f: Fact, ref=None, lang: str = "fr") -> dict:
    d = {"fact": name, "value": f.value}
    if f.value is not None and f.mark:
        d["mark"] = f.mark
    words = f.words(lang) if hasattr(f, "words") else (f.evidence, f.note, f.verify)
    parts = [x for x in [words[1]] if x] + list(words[2])
    head = f"{subject(name, ref, lang)}{' : ' if lang == 'fr' else ': '}{_VALUE.get(lang, _VALUE['fr'])[f.value]}" + (f" [{f.mark}]" if f.value is not None and f.mark else "")
    d["note"] = head + (" — " + (" ; " if lang == "fr" else "; ").join(parts) if parts else "")
    d["evidence"] = list(f.evidence)
    if getattr(f, "evidence_en", None):
        d["evidence_en"] = list(f.evidence_en)
    return d


def alone_on(p, code: str) -> frozenset:
    """The ids of ``p``'s own (top-level) conditions every source of which, theirs and their
    children's, belongs to the instrument ``code`` (kb/citations.py ``instrument_of``): e.g. the
    exclusion of refugees from consular notification rests on the 2025 circular alone (Circ.
    2025 §1.3 al. 2); the legal basis of a transfer does not (STE 112 is one of its bases)."""
    memo = p.__dict__.setdefault("_alone_on", {})
    hit = memo.get(code)
    if hit is None:
        from ..kb.citations import instrument_of

        def alone(c) -> bool:   # its sources and those of its children (any_of / all_of / not)
            return bool(c.sources) and all(instrument_of(x) == code for x in c.sources) \
                and all(alone(k) for k in c.children)
        hit = memo[code] = frozenset(c.id for c in p.conditions if alone(c))
    return hit


def failed_alone_on(p, result, code: str) -> bool:
    """A « non applicable » that rests on the instrument ``code`` alone: some condition failed
    (not met, no pending date — a precedence entry counts, and rests on its own texts), and
    each one that failed is one of :func:`alone_on`. An open question with ``failed_alone_on``
    (reference/open-questions.yaml, e.g. the circular not yet issued on the date) is then
    listed too: the answer fails on the very text the question puts in doubt."""
    alone = alone_on(p, code)
    failed = [r.id for r in result.conditions if r.status == "not_met" and not r.pending]
    return bool(failed) and all(cid in alone for cid in failed)


def _verify_ids(p) -> frozenset:
    ids = p.__dict__.get("_verify_note_ids")
    if ids is None:
        ids = p.__dict__["_verify_note_ids"] = frozenset(n.id for n in p.notes if n.verify)
    return ids


def _text(p, nid: str, lang: str) -> str:
    """The text of a verify note (without explanations no note text is rendered); a verify note's
    text takes no values."""
    for n in p.notes:
        if n.id == nid:
            return n.text.get(lang) or n.text.get("fr", "")
    return ""

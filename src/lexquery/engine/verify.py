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
  the status, the dates, the consent, a route's status, the legal basis of an answer that
  applies or the date of a note shown both times would change (:func:`changed`);
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
from ..rules.functions import MONTH_END
from .answer import STATUS_WORDS


def outcome(r) -> tuple:
    """What « the outcome » of a procedure result is, for the test of dependence: its status,
    dates, consent, routes, and the legal basis of an answer that may apply (applicable, later
    or undetermined: the bases it may rest on, shown on its « fondement » line — review 23,
    R23-04: a transfer to Morocco undetermined on its bilateral convention alone would also have
    a STE 112 basis, with consent, were Morocco's inferred absence from STE 112 wrong). The
    dates of its notes too, compared by :func:`changed` (a note's ``date``: a deadline the reader
    acts on — CPP 728-33 2°'s last day for the certificate, R20-09b)."""
    basis = tuple(b["id"] for b in r.basis) if r.status != "not_applicable" else ()
    return (r.status, r.date_from, r.date_until, r.consent_required, basis,
            tuple((x.procedure, x.status, x.date_from) for x in r.routes))


def note_dates(r) -> dict:
    """The date of each note of ``r`` (its ``date:``; None: none, or not known), by id. A route's
    notes carry no date (evaluate.evaluate_route)."""
    return {n.id: n.date for n in r.notes}


def changed(base: tuple, dates: dict, x, as_of=None) -> bool:
    """Whether ``x``, a reevaluation, changes the outcome of the answer whose :func:`outcome` is
    ``base`` and :func:`note_dates` ``dates``: the outcome, or the date of a note shown by both
    (a note shown by one only is not compared — whether a note is shown is not the outcome: its
    ``when`` says when a text is worth reading, e.g. a warning while six months remain; the
    date it gives is what the reader acts on). Two dates both before ``as_of`` are not compared:
    a deadline already past under either reading is not acted on any more (review 21, R21-09:
    the day after CPP 728-33 2°'s last day, 2025-10-31 or 2025-10-30, nothing rests on the
    convention)."""
    return outcome(x) != base or bool(_notes_moved(dates, note_dates(x), as_of))


def _notes_moved(mine: dict, theirs: dict, as_of=None) -> list:
    """The ids of the notes in both ``mine`` and ``theirs`` ({id: date}, :func:`note_dates`)
    whose dates differ, in ``mine``'s order — two dates both before ``as_of`` left out."""
    return [i for i, a in mine.items() if i in theirs and theirs[i] != a
            and not (as_of is not None and a is not None and theirs[i] is not None
                     and a < as_of and theirs[i] < as_of)]


def other_value(f: Fact, law: bool):
    """The other value of an inferred or unverified boolean reference fact, tried beside
    « unknown » (:func:`collect`; columnar/compile_population ``_Population.verify``): not for a
    fact stated by a source whose only doubt is a declaration (``Fact.verify``), nor for a
    ``law:`` entry (``law`` true: its rerun is already the other reading). None when not tried."""
    if f.mark in ("I", "U") and isinstance(f.value, bool) and not law:
        return f.but(not f.value, "U")
    return None


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
        elif f.mark in ("I", "U") or f.verify:
            # even where the answer is undetermined with no date: the rules are not monotone in a
            # reference fact — « aucune convention connue » (known(...)) opens reciprocity when a
            # treaty's status is unknown (ste_transfer basis_reciprocity): an undetermined STE 112
            # transfer becomes applicable on reciprocity, so party(STE112,TR) [I] is listed
            # (review of R20-09b's fix; the shortcut that skipped such answers was removed).
            # For the same reason « unknown » does not stand for both values: an inferred value is
            # also tried the other way (review 22, R22-20/21: Algeria absent [I] from STE 112 and
            # from the bilateral list — reciprocity applies with either unknown; were either
            # true, the basis would change) — not a declaration's doubt on a stated status (S),
            # nor a law: entry (its other reading is the replacement itself)
            flip = other_value(f, name.startswith("law:"))
            candidates.append((name, f, (f.but(None, None),) + ((flip,) if flip else ())))
    for name, f, alts in candidates:
        if base is None:
            base, dates = outcome(result), note_dates(result)
        for a in alts:   # the first value that changes the outcome (false before true)
            x = rerun({name: a})
            if changed(base, dates, x, env.as_of):
                e = _entry(name, f, env.ref, lang)
                if name == MONTH_END:   # both days said (review 21, notes § 0 and 6.1)
                    _other_reading(e, result, x, env.as_of, p, lang)
                out.append(e)
                break
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
    # the procedure's notes, then its routes': a route has no to_verify of its own
    # (answer.ProcedureResult.is_route) — review 23 (R23-11): D147-24 al. 2 read two ways on the
    # LSC aux deux tiers, CPP 729's « plus de soixante-dix ans » [I], shown but never listed
    for n in [*result.notes, *(n for rr in result.routes for n in rr.notes)]:
        if n.verify:   # the rule marks it ``verify: true`` (NoteResult.verify)
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
    if name == MONTH_END:   # a month count resting on the month's-last-day convention
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


_MOVED = {"fr": {"status": "statut « {b} » au lieu de « {a} »", "from": "à partir du {b} au lieu du {a}",
                 "until": "jusqu'au {b} au lieu du {a}", "route": "voie « {label} » : à partir du {b} au lieu du {a}",
                 "route_status": "voie « {label} » : « {b} » au lieu de « {a} »",
                 "note": "échéance au {b} au lieu du {a}", "none": "sans date",
                 "head": "dans l'autre lecture (jour inexistant compté au premier jour du mois suivant) : "},
          "en": {"status": "status « {b} » instead of « {a} »", "from": "from {b} instead of {a}",
                 "until": "until {b} instead of {a}", "route": "route « {label} »: from {b} instead of {a}",
                 "route_status": "route « {label} »: « {b} » instead of « {a} »",
                 "note": "deadline {b} instead of {a}", "none": "no date",
                 "head": "under the other reading (a day that does not exist counted as the next month's first day): "}}


def other_reading(result, x, as_of=None) -> list[dict]:
    """What moves between ``result`` and ``x``, its reevaluation under the other reading of a
    day that does not exist (rules/functions.month_end): the status, ``from``, ``until``, a
    route's status or ``from``, the date of a note shown by both (:func:`changed`: two dates
    both past are not compared). Each ``{"what": "status" | "from" | "until" | "route:<id>" |
    "note:<id>", "value": …, "other": …}``, dates as ISO texts."""
    iso = lambda d: d.isoformat() if d is not None else None   # noqa: E731
    out = []
    if x.status != result.status:
        out.append({"what": "status", "value": result.status, "other": x.status})
    for k, a, b in (("from", result.date_from, x.date_from), ("until", result.date_until, x.date_until)):
        if a != b and not (b is None and x.status == "not_applicable"):   # a status that fails has no dates
            out.append({"what": k, "value": iso(a), "other": iso(b)})
    theirs = {r.procedure: r for r in x.routes}
    for r in result.routes:
        o = theirs.get(r.procedure)
        if o is not None and (o.status, o.date_from) != (r.status, r.date_from):
            out.append({"what": f"route:{r.procedure}", "value": iso(r.date_from), "other": iso(o.date_from),
                        "status": r.status, "other_status": o.status})
    mine, theirs = note_dates(result), note_dates(x)
    out += [{"what": f"note:{i}", "value": iso(mine[i]), "other": iso(theirs[i])}
            for i in _notes_moved(mine, theirs, as_of)]
    return out


def _other_reading(e: dict, result, x, as_of, p, lang: str) -> None:
    """The entry ``law:month_end`` given both days: ``other_reading`` (:func:`other_reading`) and
    its words after the note (« dans l'autre lecture … : à partir du 2025-11-29 au lieu du
    2025-12-01 »), so that a reader in a hurry does not take the later day for certain."""
    moved = other_reading(result, x, as_of)
    if not moved:
        return
    e["other_reading"] = moved
    w = _MOVED.get(lang, _MOVED["fr"])
    st = STATUS_WORDS.get(lang, STATUS_WORDS["fr"])
    labels = {r.id: r.label for r in getattr(p, "routes", [])}
    said, seen = [], set()
    for m in moved:
        a, b = m["value"] or w["none"], m["other"] or w["none"]
        kind = m["what"].partition(":")[0]
        if kind == "note" and (a, b) in seen:   # a note giving the same day (STE 112's request_deadline = until)
            continue
        seen.add((a, b))
        if kind == "status":
            said.append(w["status"].format(a=st.get(a, a), b=st.get(b, b)))
        elif kind == "route":
            lab = labels.get(m["what"][6:]) or {}
            lab = lab.get(lang) or lab.get("fr") or m["what"][6:]
            said.append(w["route"].format(label=lab, a=a, b=b) if a != b else w["route_status"].format(
                label=lab, a=st.get(m["status"], m["status"]), b=st.get(m["other_status"], m["other_status"])))
        else:
            said.append(w[kind].format(a=a, b=b))
    e["note"] += " — " + w["head"] + (" ; " if lang == "fr" else "; ").join(said)


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


def _text(p, nid: str, lang: str) -> str:
    """The text of a verify note of ``p`` or of one of its routes (without explanations no note
    text is rendered); a verify note's text takes no values."""
    for n in [*p.notes, *(n for rt in p.routes for n in rt.notes)]:
        if n.id == nid:
            return n.text.get(lang) or n.text.get("fr", "")
    return ""

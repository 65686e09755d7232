"""The 2025 circular in time: dated 21 March 2025 (Dalloz actualité, the AFP; the seed shows no
date — law/generated/circ2025, confidence_note), nothing of it is in force before.

- The KB: every provision of the circular has that ``valid_from`` (scripts/extract_seeds.py
  ``CIRC_DATE``), and law/manifest.json's ``sources_as_of`` follows it.
- A rule that cites the circular over a period beginning earlier (its law is older: CPP 729-2,
  STE 112, 728-10…) is covered by an open question bounded ``until`` the day before: its
  answers then say, with the status, that what rests on the circular alone is to verify
  (``circular_2025_not_yet_issued``). prefecture_notice (§1.2) has its own: the avis d'écrou and
  the list come from the protocole-cadre of the interministerial circular of 16 August 2019,
  which the KB knows only through the 2025 circular's report (``protocole_cadre_2019_reported``);
  its rule begins on 2019-08-16, and the 2025 circular's own instructions (the fifteen days, the
  day after the CAP, the step before release) on 2025-03-21.
- Boundary pairs: the day before and the day of, in the scalar engine and the columnar program."""
from datetime import date, timedelta

import pytest

from case_edits import detained
from columnar_helpers import both_rows, engine, export_of_protection

CIRC = date(2025, 3, 21)
EVE = CIRC - timedelta(days=1)
QUESTION = "question:circular_2025_not_yet_issued"


def _kb():
    from lexquery.kb.provisions import load_kb
    return load_kb()


PROTOCOL = date(2019, 8, 16)


def _question(qid="circular_2025_not_yet_issued"):
    return next(q for q in engine().ref.open_questions if q["id"] == qid)


def test_every_provision_of_the_circular_is_dated_21_march_2025():
    kb = _kb()
    circ = [p for p in kb if p.instrument == "CIRC2025"]
    assert len(circ) >= 14
    for p in circ:
        assert [v.valid_from for v in p.versions] == [CIRC], p.citation
        assert kb.version_at(p, EVE) is None or not kb.version_at(p, EVE).valid_on(EVE), p.citation
        assert kb.version_at(p, CIRC).valid_on(CIRC), p.citation


def test_the_manifest_dates_the_sources_as_of_the_circular():
    from lexquery.kb.provisions import latest_version_date, sources_as_of
    assert latest_version_date(_kb()) == CIRC
    assert sources_as_of() == CIRC.isoformat()


def test_the_open_questions_end_the_day_before_the_circular():
    for qid in ("circular_2025_not_yet_issued", "protocole_cadre_2019_reported"):
        q = _question(qid)
        assert str(q["until"]) == EVE.isoformat() and not q.get("states") and not q.get("from"), qid


def test_a_rule_citing_the_circular_before_its_date_is_covered():
    """Each procedure whose rule cites the circular over days before its date is one the open
    question concerns; a procedure beginning on the date or later needs none."""
    kb, book = _kb(), engine().book
    concerns = set(_question()["concerns"]) | set(_question("protocole_cadre_2019_reported")["concerns"])
    owner = {}       # a route's id → the procedure it opens
    for pid, r in book.procedures.items():
        owner[pid] = pid
        for rt in getattr(r, "routes", []) or []:
            owner[rt.id] = pid
    before = set()
    for use in kb.rule_uses:
        p = kb.article_of(use.citation)
        if p is None or p.instrument != "CIRC2025":
            continue
        if use.valid_from is not None and use.valid_from >= CIRC:
            continue
        head = use.where.split("/")[0]
        if head in owner:
            before.add(owner[head])
    assert before, "no rule cites the circular before its date: the test would prove nothing"
    assert before <= concerns, sorted(before - concerns)
    assert book.procedures["prefecture_notice"].valid_from == PROTOCOL


def _case(as_of: date) -> dict:
    return detained("DZ", as_of=as_of.isoformat(), start="2024-06-01", end="2027-06-01", case_id=f"DZ-{as_of}",
                    removal_measures=[{"kind": "OQTF", "destination": "DZ"}])


def _answers(as_of):
    return {p.procedure: p for p in engine().ask(_case(as_of)).procedures}


@pytest.mark.parametrize("as_of,said", [(EVE, True), (CIRC, False)])
def test_the_eve_says_to_verify_the_day_of_does_not(as_of, said):
    ans = _answers(as_of)
    for pid in ("lc_expulsion", "ste_transfer", "consular_notification"):
        p = ans[pid]
        assert p.status != "not_applicable", pid
        facts = [v["fact"] for v in p.to_verify]
        assert (QUESTION in facts) is said, (pid, facts)
        if said:
            v = next(v for v in p.to_verify if v["fact"] == QUESTION)
            assert not v.get("general") and "21 mars 2025" in v["note"]


def test_the_question_is_said_with_the_status_in_the_text():
    from lexquery.render.text import render_text
    text = render_text(engine().ask(_case(EVE)))
    assert "La circulaire du 21 mars 2025, citée ici, est postérieure à la date d'évaluation" in text
    assert "postérieure à la date d'évaluation" not in render_text(engine().ask(_case(CIRC)))


def _notice(as_of):
    case = _case(as_of)
    case["detention"].update(entry_date=(as_of - timedelta(days=3)).isoformat(), last_list_date=None,
                             next_cap_date=(as_of + timedelta(days=10)).isoformat())
    return next(p for p in engine().ask(case).procedures if p.procedure == "prefecture_notice")


def test_prefecture_notice_the_2019_protocol_then_the_circular():
    """Circ. 2025 §1.2 al. 3 (« Conformément au protocole-cadre, lors de l'écrou … dans les huit
    jours ») and al. 4 (the list); al. 5: « Si le protocole-cadre ne fixe pas une fréquence
    précise … a minima tous les 15 jours », and the day after the CAP; §1.3 al. 8, before release."""
    eve_2019, day_2019 = _notice(PROTOCOL - timedelta(days=1)), _notice(PROTOCOL)
    assert eve_2019.status == "undetermined" and [c.id for c in eve_2019.conditions] == ["rules_in_force"]
    assert "16 août 2019" in eve_2019.conditions[0].label["fr"]
    assert day_2019.status == "applicable" and str(day_2019.date_until) == "2019-08-21"   # écrou + 8 days
    for p in (day_2019, _notice(EVE)):
        assert [n.id for n in p.notes] == ["avis_ecrou", "list_no_frequency"]
        assert [v["fact"] for v in p.to_verify] == ["question:protocole_cadre_2019_reported"]
    on = _notice(CIRC)
    assert on.status == "applicable" and "Circ. 2025 §1.2 al. 3" in on.sources
    assert [n.id for n in on.notes] == ["avis_ecrou", "lists_date_unknown", "list_after_cap", "release"]
    assert on.to_verify == []


@pytest.mark.parametrize("as_of", [EVE, CIRC, date(2024, 6, 1)])
def test_the_columnar_program_gives_the_scalar_rows(as_of):
    from lexquery.screening.synth import synth_text
    want, got = both_rows(synth_text(300, 41, as_of), as_of)
    assert len(got) == len(want) > 300
    for a, b in zip(want, got):
        assert b == a
    said = any(QUESTION in "".join(r) for r in want)
    assert said is (as_of < CIRC)
    pref = [r for r in want if r[4] == "prefecture_notice"]
    assert pref and any(r[6] == "applicable" for r in pref)
    reported = any("question:protocole_cadre_2019_reported" in "".join(r) for r in pref)
    assert reported is (as_of < CIRC)


def _refugee_export(n, seed, as_of):
    """A synthetic export where a row in two is a refugee (``refugee``) — its consular
    notification then fails on the circular's exclusion alone (§1.3 al. 2) — and, of those, one
    in three also declines the notification (then, for a nationality off the circular's
    mandatory list, it fails on the Vienna Convention too)."""
    return export_of_protection(n, seed, as_of, "refugee", ("", "oui", "non"))


@pytest.mark.parametrize("as_of", [EVE, CIRC])
def test_a_refusal_resting_on_the_circular_alone_says_so_in_every_evaluator(as_of, tmp_path):
    """Review 16, R16-19: the eve of the circular, a refugee's consular notification is « non
    applicable » on the circular's exclusion alone (Circ. 2025 §1.3 al. 2): the open question
    is listed (``failed_alone_on``), not where the person also declined (CVRC art. 36.1.b: the
    refusal rests on the Convention too), nor from the circular's date. The columnar program
    and the floor give the scalar rows."""
    from floor_support import floor_agreement
    text = _refugee_export(240, 43, as_of)
    want, got = both_rows(text, as_of)
    assert len(got) == len(want) > 240
    for a, b in zip(want, got):
        assert b == a
    cons = [r for r in want if r[4] == "consular_notification" and r[6] == "not_applicable"]
    said = [r for r in cons if QUESTION in "".join(r)]
    if as_of < CIRC:
        assert said and len(said) < len(cons)
    else:
        assert not said
    f = tmp_path / "refugees.csv"
    f.write_text(text, encoding="utf-8")
    res = floor_agreement(f, as_of.isoformat())
    assert res["rows"] > 240 and res["agree"] == res["rows"], res


def test_the_scalar_engine_names_the_refusal_on_the_circular_alone():
    case = _case(EVE)
    case["person"]["protection"] = "refugee"
    cons = next(p for p in engine().ask(case).procedures if p.procedure == "consular_notification")
    assert cons.status == "not_applicable"
    assert QUESTION in [v["fact"] for v in cons.to_verify]
    # a Moroccan (off the circular's mandatory list) who declines: the refusal rests on the
    # Convention too (CVRC art. 36.1.b: « if he so requests »)
    case["person"]["nationalities"] = ["MA"]
    case["consent"] = {"transfer": True, "consular_notification": False}
    cons = next(p for p in engine().ask(case).procedures if p.procedure == "consular_notification")
    assert cons.status == "not_applicable" and QUESTION not in [v["fact"] for v in cons.to_verify]

"""Facts the case settles and unknowns that cannot change the answer (issue 12, items 7 and 8).

- the definitions of facts from other facts (``defaults:``) and the ranges of unknown dates
  (``bounds:``) are data in rules/common.yaml: removing them changes the answers;
- the proof (lexquery.engine.prove) is sound on every legal test case: each fact it lists as
  irrelevant, set to each value it can take, gives the same status and dates;
- it costs at most CAP more evaluations per procedure, and none when nothing is missing;
- the answers with and without explanations (screening: engine/reuse.py) agree on the proven answers.
"""
from __future__ import annotations

import re

import pytest

from lexquery.engine import api as api_mod
from lexquery.engine.api import Engine
from lexquery.engine.facts import apply_defaults, domain, set_path
from lexquery.engine.prove import CAP
from test_legal_cases import CASES_DIR, load_cases

UNKNOWN_CASES = load_cases(CASES_DIR / "unknown_facts.yaml")
ALL_CASES = [s for p in sorted(CASES_DIR.glob("*.yaml")) for s in load_cases(p)]
_FULL = Engine()
_BATCH = Engine().prepare_batch()


def _case(name_part: str) -> dict:
    return next(s for s in UNKNOWN_CASES if name_part in s["name"])


def _proc(answer, pid, state=None):
    return next(p for p in answer.procedures if p.procedure == pid and (state is None or p.state == state))


def _strip(text: str, key: str) -> str:
    """``text`` of a rule file without its top-level mapping ``key:`` (up to the next one)."""
    out = re.sub(rf"(?ms)^{key}:\n.*?(?=^[a-z_]+:\n)", "", text)
    assert out != text, key
    return out



def test_the_location_of_a_detainee_is_data_not_code(rules_copy):
    """Without `defaults:` in rules/common.yaml, a detainee's empty location is unknown again."""
    s = _case("Un Roumain détenu en France")
    a = _FULL.ask(s["case"], as_of=s["as_of"])
    assert _proc(a, "eu_recognition", "RO").status == "applicable"
    assert a.derived_facts and a.derived_facts[0]["fact"] == "person.location"
    f = rules_copy / "common.yaml"
    f.write_text(_strip(f.read_text(encoding="utf-8"), "defaults"), encoding="utf-8")
    b = Engine(rules_dir=rules_copy).ask(s["case"], as_of=s["as_of"])
    eu = _proc(b, "eu_recognition", "RO")
    assert eu.status == "undetermined" and "person.location" in eu.missing_facts
    assert not b.derived_facts


def test_the_range_of_a_safety_period_is_data_not_code(rules_copy):
    """Without `bounds:`, an unknown end of safety period is missing even past two thirds."""
    s = _case("aux deux tiers de la peine prononcée")
    assert _proc(_FULL.ask(s["case"], as_of=s["as_of"]), "lc_expulsion").status == "applicable"
    f = rules_copy / "common.yaml"
    f.write_text(_strip(f.read_text(encoding="utf-8"), "bounds"), encoding="utf-8")
    lc = _proc(Engine(rules_dir=rules_copy).ask(s["case"], as_of=s["as_of"]), "lc_expulsion")
    assert lc.status == "undetermined" and lc.missing_facts == ["sentence.safety_period_end"]


@pytest.mark.parametrize("spec", ALL_CASES, ids=lambda s: f"{s['file'].stem}-{s['index'] + 1}")
def test_every_fact_proven_irrelevant_gives_the_same_answer_with_each_value(spec):
    """Soundness, checked directly: set each irrelevant fact to each value of its domain and
    ask again — the status, dates and consent of that procedure do not change (the dates of an
    answer that stays undetermined are partial: its status only)."""
    a = _FULL.ask(spec["case"], as_of=spec["as_of"])
    for p in a.procedures:
        for rel in p.irrelevant_facts:
            for v in rel["values"]:
                case = set_path(_normalised(spec), rel["fact"], v)
                b = _FULL.ask(case, as_of=spec["as_of"])
                q = _proc(b, p.procedure, p.state)
                assert q.status == p.status, (rel["fact"], v, q.status, p.status)
                assert q.date_until == p.date_until and q.consent_required == p.consent_required
                if p.status == "applicable":   # whatever the value: from the latest first date of use
                    assert q.date_from is None or q.date_from <= p.date_from
                elif p.status != "undetermined":   # (an undetermined answer's dates are partial)
                    assert q.date_from == p.date_from


def _normalised(spec) -> dict:
    from lexquery.engine.case import read_case
    c = read_case(spec["case"])
    c["__normalised__"] = True
    return c


def test_the_proof_costs_at_most_cap_evaluations(monkeypatch):
    """Seven unknown booleans (2^7 = 128 combinations): at most CAP more evaluations of a
    procedure; a case with nothing missing costs no more evaluation at all."""
    calls: list[str] = []
    real = api_mod.evaluate_procedure

    def counting(p, env, book, *a, **k):
        calls.append(p.id)
        return real(p, env, book, *a, **k)
    monkeypatch.setattr(api_mod, "evaluate_procedure", counting)
    s = _case("23 ans accomplis")
    case = dict(s["case"], sentence=dict(s["case"]["sentence"], final=None, custodial=None,
                                          lsc_plein_droit_excluded=None),
                consent={"transfer": None, "consular_notification": None}, dual_criminality=None,
                detention={"incarcerated": None})
    _FULL.ask(case, as_of=s["as_of"])
    per = {pid: calls.count(pid) for pid in set(calls)}
    assert max(per.values()) <= 1 + CAP, per
    assert per["ste_transfer"] > 1      # the proof did run
    calls.clear()
    settled = _case("récidive légale écartée")
    _FULL.ask(dict(settled["case"], consent={"transfer": False, "consular_notification": True}),
              as_of=settled["as_of"])
    assert calls.count("lc_expulsion") == 1


@pytest.mark.parametrize("spec", UNKNOWN_CASES, ids=lambda s: str(s["index"] + 1))
def test_answers_with_and_without_explanations_prove_the_same(spec):
    """The proof with explanations (reevaluations from scratch) and without (engine/reuse.py:
    results that cannot change given to the trials) proves the same facts irrelevant."""
    a = _FULL.ask(spec["case"], as_of=spec["as_of"])
    b = _BATCH.ask(spec["case"], as_of=spec["as_of"], explain=False)

    def key(p):
        return (p.procedure, p.state, p.status, p.date_from, p.date_until, p.consent_required,
                tuple(p.missing_facts), tuple(f["fact"] for f in p.irrelevant_facts),
                tuple((r.procedure, r.status, r.date_from, tuple(r.missing_facts)) for r in p.routes))
    assert [key(p) for p in a.procedures] == [key(p) for p in b.procedures]
    assert a.derived_facts == b.derived_facts


def test_domains_come_from_the_case_format_and_the_rules():
    c = _normalised(_case("aux deux tiers de la peine prononcée"))
    book = _FULL.book
    assert domain(c, "sentence.legal_recidivism", book) == [True, False]
    assert domain(c, "person.protection", book) == ["none", "refugee", "subsidiary_protection", "asylum_pending"]
    assert domain(c, "removal_measures[0].remedies_exhausted", book) == [True, False]
    assert domain(c, "person.fled_to", book) is None          # a State: no finite domain
    lo, hi, none = domain(c, "sentence.safety_period_end", book)
    assert (lo.isoformat(), hi.isoformat(), none) == ("2016-01-01", "2024-01-01", None)
    life = _normalised(_case("Perpétuité, 25 ans"))
    assert domain(life, "sentence.safety_period_end", book) is None   # no bound for a life sentence


def test_a_default_never_replaces_a_fact_given():
    s = _case("Un Roumain détenu en France")
    c = _normalised(s)
    c["person"] = dict(c["person"], location="RO")
    out, derived = apply_defaults(c, _FULL.book)
    assert out["person"]["location"] == "RO" and derived == []


def test_an_answer_settled_by_the_proof_names_the_path_that_opens_it():
    """A procedure made applicable by the proof (its unknown facts proven irrelevant) takes the
    opening path its trials share (``opens_by``, docs/answer-format.md): before, it stayed null
    and the text lost its « ouverte d'abord par » line (27 of 3,000 synthetic cases). An
    eight-year sentence past two thirds on 2026-12-01, its safety period unknown: the period
    ends at two thirds at the latest (CP 132-23), so the LC « expulsion » applies, by its own
    conditions (the LSC routes are closed by the length of the sentence)."""
    from lexquery.render.text import render_text
    case = {"id": "opens", "as_of": "2026-12-01",
            "person": {"name": "X", "birth_date": "1985-01-01", "nationalities": ["MA"], "habitual_residence": "MA",
                       "location": "FR", "protection": "none", "fled_to": None, "protected_adult": False},
            "detention": {"incarcerated": True, "entry_date": "2021-01-01"},
            "sentence": {"final": True, "custodial": True, "total": "P8Y", "execution_start": "2021-01-01",
                         "expected_end": "2029-01-01", "safety_period_end": None, "legal_recidivism": False,
                         "convictions": [{"court": "TC Lyon", "date": "2020-12-10", "final": True, "total": "P8Y"}]},
            "removal_measures": [{"kind": "ITF", "definitive": True, "destination": "MA", "enforceable": True,
                                  "remedies_exhausted": True, "end_date": None}],
            "consent": {"transfer": False}, "dual_criminality": True}
    for eng in (_FULL, _BATCH):
        p = _proc(eng.ask(dict(case)), "lc_expulsion")
        assert p.status == "applicable" and p.missing_facts == []
        assert "sentence.safety_period_end" in [f["fact"] for f in p.irrelevant_facts]
        assert p.opens_by == "lc_expulsion"
    assert "ouverte d'abord par : la voie directe" in render_text(_FULL.ask(dict(case)))

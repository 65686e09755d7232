"""Hypothesis-generated screening rows: the columnar program's output frame equals the scalar
engine's rows cell for cell, on rows no synthetic registry would write (any mix of known,
unknown and « none » cells, dates of evaluation from 2011 to 2030 per row, removal measures of
every kind, binationals, stateless persons, life sentences)."""
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexquery.columnar.program import compile_book

from columnar_helpers import AS_OF, engine, frame_from_cases, program_rows, read_cases, scalar_rows

B = st.sampled_from(["", "oui", "non"])
STATE = st.sampled_from(["", "FR", "RO", "MA", "DZ", "BE", "PL", "TN", "AL", "GB"])


def _date(lo, hi):
    return st.one_of(st.just(""), st.integers(0, (hi - lo).days).map(lambda k: (lo + timedelta(days=k)).isoformat()))


ROW = st.fixed_dictionaries({
    "birth_date": _date(date(1940, 1, 1), date(2008, 1, 1)),
    "nationalities": st.sampled_from(["", "aucune", "RO", "MA", "FR|MA", "RO|MA", "DZ", "PL|FR", "TN|BE", "GB"]),
    "habitual_residence": STATE, "location": STATE, "fled_to": STATE, "receiving_state": STATE,
    "protection": st.sampled_from(["", "none", "refugee", "subsidiary_protection", "asylum_pending"]),
    "incarcerated": B, "final": B, "custodial": B, "legal_recidivism": B, "lsc_plein_droit_excluded": B,
    "entry_date": _date(date(2005, 1, 1), date(2030, 1, 1)),
    "last_list_date": _date(date(2020, 1, 1), date(2030, 1, 1)),
    "next_cap_date": _date(date(2020, 1, 1), date(2030, 1, 1)),
    "total": st.sampled_from(["", "P3M", "P1Y", "P2Y", "P2Y6M", "P5Y", "P10Y1D", "P20Y", "life", "P18M", "P6Y"]),
    "execution_start": _date(date(2000, 1, 1), date(2028, 1, 1)),
    "expected_end": _date(date(2010, 1, 1), date(2060, 1, 1)),
    "safety_period_end": st.one_of(st.just("none"), _date(date(2005, 1, 1), date(2045, 1, 1))),
    "removal_kinds": st.sampled_from(["", "aucune", "ITF", "OQTF|ITF", "expulsion", "EAW", "IRTF|ICTF", "IATF",
                                      "extradition|OQTF"]),
    "removal_destination": STATE, "removal_definitive": B, "removal_enforceable": B,
    "removal_remedies_exhausted": B, "removal_end_date": _date(date(2015, 1, 1), date(2050, 1, 1)),
    "consent_transfer": B, "consent_consular_notification": B, "dual_criminality": B,
    "as_of": st.one_of(st.just(""), _date(date(2011, 6, 1), date(2030, 12, 31))),
    # the questions of the relevés signalétiques (forced_identification, asked when one is given)
    "suspect_hearing": B, "offence_max_penalty": st.sampled_from(["", "P1Y", "P3Y", "P5Y", "P2Y11M"]),
    "refuses_identity": B, "false_identity": B, "prosecutor_authorisation": B,
})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(ROW, min_size=1, max_size=25))
def test_generated_rows(rows):
    cols = list(rows[0])
    text = "id;" + ";".join(cols) + "\n" + "".join(
        f"H{i};" + ";".join(r[c] for c in cols) + "\n" for i, r in enumerate(rows))
    eng = engine()
    want = scalar_rows(text, eng, AS_OF)
    prog = _PROGRAM.get("p") or _PROGRAM.setdefault("p", compile_book(eng.book, eng.ref))
    cases = read_cases(text, AS_OF)
    if not cases:
        assert not want
        return
    out = prog.run(frame_from_cases(cases))
    got = program_rows(out)
    assert got == want


_PROGRAM: dict = {}

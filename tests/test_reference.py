"""Reference data (issue 2, item 4): dated facts with their sources, one query each.

Sources: reference/*.yaml, built from the research pack (legal/parties.md and the seeds).
A State the lists do not cover is *unknown* — never "not a Party"."""
import json
from datetime import date

import pytest

from lexquery.cli import main
from lexquery.errors import KnowledgeBaseError
from lexquery.kb import reference as R


def ask(capsys, *args):
    code = main(["reference", *args, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    return json.loads(out)


def test_ste167_georgia_is_one_query_citing_its_evidence(capsys):
    a = ask(capsys, "STE167", "GE", "--at", "2026-12-01")
    assert a["answer"] is True and a["state"] == "GE"
    assert any("2000-08-01" in e for e in a["evidence"])           # Georgia's entry into force
    assert any("2006-05-01" in e for e in a["evidence"])           # France's
    assert all(e.startswith("[S]") or e.startswith("[I]") for e in a["evidence"])


def test_ste167_before_france_was_bound(capsys):
    assert ask(capsys, "STE 167", "Géorgie", "--at", "2006-04-30")["answer"] is False


def test_norway_is_a_state_not_a_yaml_boolean(capsys):
    """YAML 1.1 reads NO as false: Norway must survive the loader (STE 112 and 167)."""
    ref = R.load_reference()
    assert ref.states["NO"]["fr"] == "Norvège"
    assert ("STE112", "NO") in ref.parties and ("STE167", "NO") in ref.parties
    assert not any(isinstance(s, bool) for _, s in ref.parties)
    assert ask(capsys, "STE112", "Norvege", "--at", "2026-12-01")["answer"] is True


def test_uk_left_the_eu(capsys):
    assert ask(capsys, "EU", "GB", "--at", "2020-01-31")["answer"] is True
    assert ask(capsys, "EU", "GB", "--at", "2020-02-01")["answer"] is False


def test_fd_2008_909_not_before_france_applied_it(capsys):
    assert ask(capsys, "DC2008-909", "RO", "--at", "2013-08-06")["answer"] is False
    assert ask(capsys, "DC2008-909", "RO", "--at", "2026-12-01")["answer"] is True


def test_unlisted_state_is_unknown_not_no(capsys):
    # Tunisia: no list covers « T » (notes-2.md §E [U]) and no other source
    a = ask(capsys, "STE112", "TN", "--at", "2026-12-01")
    assert a["answer"] is None and "vérifier" in a["note"]


def test_absent_from_a_list_complete_over_its_range_is_not_a_party(capsys):
    """Kiribati (« Kiribati ») and Morocco (« Marokko ») fall within the Dutch list's range
    Albanië .. Montenegro and are absent from it: not Parties on its date, 2023-10-01 [I]
    (issue 12, item 10); Niger (« Niger ») is past the range: unknown."""
    a = ask(capsys, "STE112", "KI", "--at", "2023-10-01")
    assert a["answer"] is False and any(e.startswith("[I] non Partie au 2023-10-01") for e in a["evidence"])
    assert ask(capsys, "STE112", "MA", "--at", "2023-10-01")["answer"] is False
    assert ask(capsys, "STE112", "NE", "--at", "2023-10-01")["answer"] is None


def test_a_status_stated_at_a_date_persists_marked_inferred(capsys):
    """After the date of its last source a status persists, marked [I] with that date
    (issue 12, item 10): Morocco not a Party to STE 167 on 2023-11-01 [S list] stays so."""
    ref = R.load_reference()
    on = date(2023, 11, 1)
    f = ref.party("STE167", "MA", on)
    assert f.value is False and f.mark == "I" and not any("présumé inchangé" in e for e in f.evidence)
    g = ref.party("STE167", "MA", date(2023, 11, 2))
    assert g.value is False and g.mark == "I"
    assert any("[I] statut au 2023-11-01" in e and "présumé inchangé au 2023-11-02" in e for e in g.evidence)
    # a Party stated on 2002-10-07 (AN answer) is a Party then [S], presumed so after [I]
    assert ref.party("STE112", "GB", date(2002, 10, 7)).mark == "S"
    assert ref.party("STE112", "GB", date(2002, 10, 8)).mark == "I"
    # an entry into force is stated once for all: still S
    assert ref.party("STE112", "GE", date(2026, 12, 1)).mark == "S"


def test_declarations_of_article_3_4(capsys):
    """Albania's declaration of 4 April 2000 (STE 112 art. 3.4) counts stateless persons
    permanently residing there as nationals [S]; Georgia made a declaration of unknown
    content (unknown); Morocco none known (false [I])."""
    ref = R.load_reference()
    cat = "stateless_permanent_residents"
    assert ref.declared_national("STE112", "AL", cat, date(2000, 4, 3)).value is False
    f = ref.declared_national("STE112", "AL", cat, date(2000, 4, 4))
    assert f.value is True and f.mark == "S" and "2000-04-04" in f.evidence[0]
    assert ref.declared_national("STE112", "GE", cat, date(2026, 12, 1)).value is None
    g = ref.declared_national("STE112", "MA", cat, date(2026, 12, 1))
    assert g.value is False and g.mark == "I"
    # a declaration flag of unknown content is carried with the Party status, to verify
    assert ref.party("STE167", "BE", date(2026, 12, 1)).verify


def test_consular_list_of_the_circular(capsys):
    assert ask(capsys, "CONSULAR", "DZ")["answer"] is True
    assert ask(capsys, "CONSULAR", "MA")["answer"] is False


def test_unknown_state_is_a_usage_error_with_a_hint(capsys):
    assert main(["reference", "STE167", "Georgi"]) == 2
    err = capsys.readouterr().err
    assert "État inconnu « Georgi »" in err and "GE" in err


def test_unknown_question_lists_the_known_ones(capsys):
    assert main(["reference", "STE999", "GE"]) == 2
    assert "STE112" in capsys.readouterr().err


def test_a_state_code_without_a_name_fails_the_load(tmp_path):
    for f in R.load_reference().files:
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    tp = tmp_path / "treaty-parties.yaml"
    tp.write_text(tp.read_text(encoding="utf-8").replace('state: GE,', 'state: XX,', 1), encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="XX"):
        R.load_reference(tmp_path)


def test_a_known_later_day_of_the_framework_decision_is_the_day_it_applies():
    """FD 2008/909 between France and a Member State from the day both apply it (review 6):
    Germany's implementing law in force on 2015-07-25, France's on 2013-08-07; none once it
    applies, none for a State that leaves (the United Kingdom after 2020-12-31) or was never a
    member."""
    ref = R.load_reference()
    assert ref.fd_2008_909_applies("DE", date(2015, 7, 24)).value is False
    assert ref.fd_entry_after("DE", date(2015, 7, 24)) == date(2015, 7, 25)   # the day before
    assert ref.fd_entry_after("DE", date(2015, 7, 25)) is None                 # the day of: applies
    assert ref.fd_entry_after("AT", date(2013, 8, 6)) == date(2013, 8, 7)      # France's day
    assert ref.fd_entry_after("GB", date(2021, 1, 1)) is None                  # left: no later day
    assert ref.fd_entry_after("MA", date(2026, 1, 1)) is None                  # never a member


def test_the_known_end_of_the_framework_decision_is_said_while_it_applies():
    """The United Kingdom: FD 2008/909 applies until 2020-12-31 (reference/eu.yaml applies_until);
    while it applies, its fact says the end (shown with « à vérifier » when the status rests on
    an inference), and ``fd_last_day`` gives it for eu_recognition's ``until`` and the
    precedence's end (rules function ``fd_until``)."""
    ref = R.load_reference()
    for on in (date(2020, 6, 1), date(2020, 12, 31)):
        f = ref.fd_2008_909_applies("GB", on)
        assert f.value is True and "jusqu'au 2020-12-31 seulement" in f.note and "until 2020-12-31 only" in f.note_en
    assert ref.fd_2008_909_applies("GB", date(2021, 1, 1)).value is False
    assert "seulement" not in (ref.fd_2008_909_applies("DE", date(2020, 12, 31)).note or "")
    # the last day: the day of and the day after; membership ended 2020-01-31, the FD applied on
    assert ref.fd_last_day("GB", date(2020, 1, 31)) == date(2020, 12, 31)
    assert ref.fd_last_day("GB", date(2020, 12, 31)) == date(2020, 12, 31)
    assert ref.fd_last_day("GB", date(2021, 1, 1)) is None                     # no longer applies
    assert ref.fd_last_day("DE", date(2020, 12, 31)) is None                   # no known end
    assert ref.fd_last_day("DE", date(2015, 7, 24)) is None                    # does not apply yet


def test_a_known_later_entry_into_force_is_the_day_it_binds():
    """STE 112 art. 21 / STE 167 art. 7: a treaty not yet in force between France and a State
    gives the day it will be (the later of the two entries into force), not a refusal; a State
    with no such day known gives none (issue 12, independent reviews)."""
    ref = R.load_reference()
    assert ref.party_entry_after("STE167", "TR", date(2016, 8, 31)) == date(2016, 9, 1)
    assert ref.party_entry_after("STE167", "TR", date(2016, 9, 1)) is None        # in force that day
    assert ref.party_entry_after("STE167", "GE", date(2006, 4, 30)) == date(2006, 5, 1)   # France's day
    assert ref.party_entry_after("STE167", "MA", date(2026, 1, 1)) is None        # not a Party, no day
    assert ref.party_entry_after("STE112", "BR", date(2023, 9, 30)) == date(2023, 10, 1)
    assert "en vigueur le 2016-09-01" in (ref.party("STE167", "TR", date(2016, 8, 31)).note or "")
    assert ref.bilateral_entry_after("DJ", date(1992, 7, 31)) == date(1992, 8, 1)
    assert ref.bilateral_entry_after("DJ", date(1992, 8, 1)) is None
    assert ref.bilateral_entry_after("GE", date(2026, 1, 1)) is None


def test_a_bilateral_conventions_own_conditions_are_unknown_and_name_it():
    """A bilateral convention's own conditions are not encoded: always unknown, the convention
    (its date of conclusion and source) named for « à vérifier »."""
    ref = R.load_reference()
    f = ref.bilateral_terms("MA", date(2026, 6, 1))
    assert f.value is None
    assert "Maroc" in f.note and "1981-08-10" in f.note and "à vérifier" in f.note
    assert any("conclue le 1981-08-10" in e for e in f.evidence)

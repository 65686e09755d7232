"""The versions of CPP 729-2, 720, 728-11, 729 and 728-33 in force since 2014 (issue 13, item 1).

Texts from Etalab's git export of the LEGI database (pinned commits in law/cpp/*.yaml) and the
stored copies in sources/legal/texts. Each test asks what the law said on a date, with the day
before / the day of a change where the change date is known.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lexquery.kb.provisions import load_kb

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kb():
    return load_kb(ROOT / "law", ROOT / "rules")


def text_at(kb, article: str, day: date, n: int | None = None) -> str:
    p = kb.resolve(article).provision
    v = kb.version_at(p, day)
    assert v.valid_on(day), (article, day, v.id)
    paras = v.paragraphs if n is None else [v.paragraphs[n - 1]]
    return " ".join(x.text for x in paras)


def test_729_2_al1_interdiction_administrative_from_2014_11_15(kb):
    # loi 2014-1353 art. 2 II inserted « d'interdiction administrative du territoire français, »
    before = text_at(kb, "CPP 729-2", date(2014, 11, 14), 1)
    after = text_at(kb, "CPP 729-2", date(2014, 11, 15), 1)
    assert "interdiction administrative" not in before
    assert "d'interdiction du territoire français, d'interdiction administrative du territoire français," in after


def test_729_2_al1_reconduite_replaced_by_interdiction_de_circulation(kb):
    old = text_at(kb, "CPP 729-2", date(2016, 10, 31), 1)
    new = text_at(kb, "CPP 729-2", date(2016, 11, 1), 1)
    assert "de reconduite à la frontière" in old and "interdiction de circulation" not in old
    assert "d'interdiction de circulation sur le territoire français" in new and "reconduite" not in new


def test_729_2_al2_complete_before_2016(kb):
    al2 = text_at(kb, "CPP 729-2", date(2015, 6, 1), 2)
    assert al2.endswith("Dans le cas contraire, la mesure redevient exécutoire.")
    assert "prévue à l'article 732" in al2


def test_720_in_2015_has_no_parts_and_requires_agreement(kb):
    v = kb.version_at(kb.resolve("CPP 720").provision, date(2016, 1, 1))
    assert v.id == "2015-01-01" and not v.truncated
    assert [p.label for p in v.paragraphs] == [None, None, None, None]
    assert "si la personne condamnée n'a pas fait préalablement connaître son accord" in v.paragraphs[1].text
    assert "inférieure ou égale à cinq ans" in v.paragraphs[0].text


def test_720_2015_version_ends_the_day_before_the_2019_version(kb):
    p = kb.resolve("CPP 720").provision
    v = next(x for x in p.versions if x.id == "2015-01-01")
    assert v.valid_on(date(2019, 5, 31)) and not v.valid_on(date(2019, 6, 1))
    assert not v.valid_on(date(2014, 12, 31))


def test_728_11_al6_five_years_in_2013_version(kb):
    al6 = text_at(kb, "CPP 728-11", date(2014, 6, 1), 6)
    assert al6.endswith("y réside régulièrement de façon ininterrompue depuis au moins cinq ans.")
    first = text_at(kb, "CPP 728-11", date(2015, 9, 30), 2)
    assert first.endswith("est un ressortissant français et a sa résidence habituelle sur le territoire français ;")
    later = text_at(kb, "CPP 728-11", date(2015, 10, 1), 2)
    assert later.endswith("est un ressortissant français ;")


def test_729_al8_recidivists_two_thirds_until_2014_12_31(kb):
    # loi 2014-896: from 2015-01-01 the half-sentence rule applies to recidivists too
    before = text_at(kb, "CPP 729", date(2014, 12, 31), 8)
    after = text_at(kb, "CPP 729", date(2015, 1, 1), 8)
    assert "au moins égale au double de la durée de la peine restant à subir" in before
    assert "récidive aux termes des articles 132-8" not in after
    assert "au moins égale à la durée de la peine lui restant à subir" in after


def test_729_al9_life_sentence_time_unchanged_since_2012(kb):
    for day in (date(2013, 1, 1), date(2014, 10, 1), date(2015, 1, 1), date(2020, 1, 1)):
        assert "dix-huit années" in text_at(kb, "CPP 729", day, 9)


def test_728_33_2_six_months_in_french(kb):
    v = kb.version_at(kb.resolve("CPP 728-33").provision, date(2020, 1, 1))
    assert v.language == "fr" and not v.translation
    assert "inférieure à six mois à la date de réception du certificat" in v.paragraphs[2].text


def test_every_new_version_has_an_official_link_and_a_pinned_source(kb):
    for art in ("CPP 729-2", "CPP 720", "CPP 728-11", "CPP 729"):
        for v in kb.resolve(art).provision.versions:
            assert v.official and v.official.startswith("https://www.legifrance.gouv.fr/"), (art, v.id)
            if "etalab/codes-juridiques-francais" in (v.source or ""):
                assert "/blob/" in v.source and not v.truncated and v.valid_from, (art, v.id)


def test_728_33_in_force_today_is_the_2013_french_text_with_its_legifrance_id(kb):
    """doctrine.fr lists a single version of 728-33 (07/08/2013, LEGIARTI000027808589): the
    rule-cited « 728-33 2° » rests, today as in 2014, on that French text and its official link."""
    for day in (date(2013, 8, 6), date(2013, 8, 7), date(2026, 12, 5)):
        v = kb.version_at(kb.resolve("CPP 728-33").provision, day)
        if day < date(2013, 8, 7):
            assert not (v.valid_from and v.valid_on(day)), "728-33 did not exist before 2013-08-07"
            continue
        assert v.id == "2013-08-07" and v.language == "fr" and not v.truncated
        assert v.legiarti == "LEGIARTI000027808589"
        assert v.official == "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000027808589"


NO_OFFICIAL_LINK_FOUND = {"CPP 76-2"}


def test_rule_cited_cpp_provisions_have_an_official_link_today(kb):
    """Issue 13 item 5: every CPP provision a rule cites has an official (Legifrance, or its
    circulaire.legifrance mirror) link on its version in force today (728-15 and 728-22-1
    through their Legifrance section page)."""
    today = date(2026, 12, 5)
    cited = {}
    for u in kb.rule_uses:
        p = kb.article_of(u.citation)
        if p is not None:
            cited[p.key] = p
    assert len(cited) > 10
    missing = []
    for p in cited.values():
        if p.instrument != "CPP":
            continue
        v = kb.version_at(p, today)
        official = v.official or "" if v is not None else ""
        if v is not None and v.valid_on(today) and not official.startswith(
                ("https://www.legifrance.gouv.fr/", "https://circulaire.legifrance.gouv.fr/")):
            missing.append(p.citation)
    # known and listed by `kb check` (law/unlinked): no Legifrance id of CPP 76-2 was found
    # in the stored sources (cited by the forced-identification rule, issue 12 §1.1)
    assert not [m for m in missing if m not in NO_OFFICIAL_LINK_FOUND], missing

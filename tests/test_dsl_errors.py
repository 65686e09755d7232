"""Each kind of mistake in a .lq text, with its exact message (STYLE.md §10).

file:line:col, the source line, a caret under the whole token, what was expected in
words and, where a known word is close, « vouliez-vous dire … ? ». Semantic mistakes
(unknown State, impossible date, end before start, a duration where a date is expected,
and the case format's own checks) are positioned the same way.
"""
from __future__ import annotations

import pytest

from lexquery import dsl
from lexquery.cli import main
from lexquery.dsl import LqErrors

MISTAKES = {
    'unknown_field': ('cas x\nnationnalité : Roumanie\n', '''\
erreur: mot inconnu « nationnalité »
  --> cas.lq:2:1
   |
 2 | nationnalité : Roumanie
   | ^^^^^^^^^^^^
   = attendu : le nom d'un fait : nom, date de naissance, nationalités, résidence habituelle, … (voir docs/language.md)
   = aide : vouliez-vous dire « nationalité » ?'''),
    'missing_colon': ('cas x\nnationalité Roumanie\n', '''\
erreur: « : » manquant après « nationalité »
  --> cas.lq:2:1
   |
 2 | nationalité Roumanie
   | ^^^^^^^^^^^
   = attendu : « : » entre le nom du fait et sa valeur
   = aide : écrivez « nationalité : Roumanie »'''),
    'equals_sign': ('cas x\nrésidence habituelle = Roumanie\n', '''\
erreur: « = » inattendu ici
  --> cas.lq:2:22
   |
 2 | résidence habituelle = Roumanie
   |                      ^
   = attendu : « : » entre le nom du fait et sa valeur
   = aide : vouliez-vous dire « résidence habituelle : … » ?'''),
    'missing_qmark': ('cas x\nquelles procédures\n', '''\
erreur: « ? » manquant à la fin de la question
  --> cas.lq:2:19
   |
 2 | quelles procédures
   |                   ^
   = attendu : « ? » à la fin d'une question, ou « : » entre le nom d'un fait et sa valeur
   = aide : une question finit par « ? » ; un fait s'écrit « nom : valeur »'''),
    'qmark_after_fact': ('cas x\ndurée totale : 3 ans ?\n', '''\
erreur: « ? » à la fin d'un fait
  --> cas.lq:2:22
   |
 2 | durée totale : 3 ans ?
   |                      ^
   = attendu : un fait s'écrit « nom : valeur », sans « ? »
   = aide : pour essayer cette valeur, posez la question « et si durée totale : 3 ans ? »'''),
    'unclosed_string': ('cas x\nnom : "Ionescu\n', '''\
erreur: guillemet non fermé
  --> cas.lq:2:7
   |
 2 | nom : "Ionescu
   |       ^^^^^^^^
   = attendu : un texte entre guillemets sur une seule ligne, ex. "tribunal correctionnel de Lyon"
   = aide : fermez le texte par « " » avant la fin de la ligne'''),
    'unknown_state': ('cas x\nnationalité : Roumanei\n', '''\
erreur: État inconnu « Roumanei »
  --> cas.lq:2:15
   |
 2 | nationalité : Roumanei
   |               ^^^^^^^^
   = attendu : un État, par son nom (« Roumanie ») ou son code ISO (« RO »), ou « inconnu »
   = aide : vouliez-vous dire « Roumanie » ou « Royaume-Uni » ?'''),
    'lowercase_code': ('cas x\nrésidence habituelle : ro\n', '''\
erreur: État inconnu « ro »
  --> cas.lq:2:24
   |
 2 | résidence habituelle : ro
   |                        ^^
   = attendu : un État, par son nom (« Roumanie ») ou son code ISO (« RO »), ou « inconnu »
   = aide : un code s'écrit en majuscules : « RO »'''),
    'impossible_iso_date': ("cas x\ndate d'écrou : 2026-02-30\n", '''\
erreur: date impossible « 2026-02-30 »
  --> cas.lq:2:16
   |
 2 | date d'écrou : 2026-02-30
   |                ^^^^^^^^^^
   = attendu : une date qui existe, ex. « 2026-12-01 »
   = aide : ce mois n'a que 28 jours'''),
    'impossible_french_date': ("cas x\ndate d'écrou : 31 juin 2026\n", '''\
erreur: date impossible « 31 juin 2026 »
  --> cas.lq:2:16
   |
 2 | date d'écrou : 31 juin 2026
   |                ^^^^^^^^^^^^
   = attendu : une date qui existe, ex. « 1er décembre 2026 »
   = aide : ce mois n'a que 30 jours'''),
    'badly_written_iso_date': ("cas x\ndate d'écrou : 2026-6-1\n", '''\
erreur: date mal écrite « 2026-6-1 »
  --> cas.lq:2:16
   |
 2 | date d'écrou : 2026-6-1
   |                ^^^^^^^^
   = attendu : AAAA-MM-JJ, deux chiffres pour le mois et le jour
   = aide : écrivez « 2026-06-01 »'''),
    'duration_for_date': ('cas x\nfin de peine prévisible : 3 ans\n', '''\
erreur: une durée là où une date est attendue
  --> cas.lq:2:27
   |
 2 | fin de peine prévisible : 3 ans
   |                           ^^^^^
   = attendu : une date, ex. « 1er décembre 2026 » ou « 2026-12-01 », ou « inconnu »
   = aide : une date s'écrit « 1er décembre 2026 » ou « 2026-12-01 » ; la durée de la peine va dans « durée totale »'''),
    'date_for_duration': ('cas x\ndurée totale : 1er avril 2028\n', '''\
erreur: une date là où une durée est attendue
  --> cas.lq:2:16
   |
 2 | durée totale : 1er avril 2028
   |                ^^^^^^^^^^^^^^
   = attendu : une durée, ex. « 3 ans », « 18 mois », « 2 ans 6 mois », « perpétuité », ou « inconnu »
   = aide : une durée s'écrit « 3 ans », « 18 mois », « 2 ans 6 mois » ; une date de fin va dans « fin de peine prévisible »'''),
    'duration_without_unit': ('cas x\ndurée totale : 3\n', '''\
erreur: durée sans unité « 3 »
  --> cas.lq:2:16
   |
 2 | durée totale : 3
   |                ^
   = attendu : une durée, ex. « 3 ans », « 18 mois », « 2 ans 6 mois », « perpétuité », ou « inconnu »
   = aide : écrivez « 3 ans » ou « 3 mois »'''),
    'end_before_start': ("cas x\ndébut d'exécution : 1er juin 2025\nfin de peine prévisible : 1er avril 2024\n", '''\
erreur: fin de peine 2024-04-01 antérieure au début d'exécution 2025-06-01
  --> cas.lq:3:27
   |
 3 | fin de peine prévisible : 1er avril 2024
   |                           ^^^^^^^^^^^^^^
   = attendu : une date postérieure à « début d'exécution »'''),
    'unknown_procedure': ('cas x\npourquoi transferement europeen ?\n', '''\
erreur: procédure inconnue « transferement europeen »
  --> cas.lq:2:10
   |
 2 | pourquoi transferement europeen ?
   |          ^^^^^^^^^^^^^^^^^^^^^^
   = attendu : eu_recognition, lc_expulsion, ste_transfer, consular_notification, prefecture_notice, forced_identification (ou « reconnaissance », « libération conditionnelle », « transfèrement », « information consulaire », « avis à la préfecture », « relevés signalétiques »)
   = aide : vouliez-vous dire « transfèrement » ?'''),
    'misspelt_question': ('cas x\nquelle procédure ?\n', '''\
erreur: procédure inconnue « quelle procédure »
  --> cas.lq:2:1
   |
 2 | quelle procédure ?
   | ^^^^^^^^^^^^^^^^
   = attendu : eu_recognition, lc_expulsion, ste_transfer, consular_notification, prefecture_notice, forced_identification (ou « reconnaissance », « libération conditionnelle », « transfèrement », « information consulaire », « avis à la préfecture », « relevés signalétiques »)
   = aide : vouliez-vous dire « quelles procédures ? » ?'''),
    'question_without_case': ('quelles procédures ?\n', '''\
erreur: aucun cas n'est décrit avant cette question
  --> cas.lq:1:1
   |
 1 | quelles procédures ?
   | ^^^^^^^^^^^^^^^^^^^^
   = attendu : des faits avant la question, ex. « cas ionescu-2026 » puis « nationalité : Roumanie »
   = aide : les questions « article … ? » et « quelles règles citent … ? » n'ont pas besoin de cas'''),
    'unknown_measure': ('cas x\nmesure : ITV définitive vers la Roumanie\n', '''\
erreur: mesure d'éloignement inconnue « ITV »
  --> cas.lq:2:10
   |
 2 | mesure : ITV définitive vers la Roumanie
   |          ^^^
   = attendu : ITF, IATF, OQTF, IRTF, ICTF, expulsion, extradition ou MAE, puis ses caractères
   = aide : vouliez-vous dire « ITF » ?'''),
    'unexpected_in_measure': ('cas x\nmesure : ITF définitive vers la Roumanie, exécutoir\n', '''\
erreur: « exécutoir » inattendu dans une mesure d'éloignement
  --> cas.lq:2:43
   |
 2 | mesure : ITF définitive vers la Roumanie, exécutoir
   |                                           ^^^^^^^^^
   = attendu : « définitive » ou « temporaire », « vers <État> », « exécutoire » ou « non exécutoire », « recours épuisés » ou « recours pendants », « fin <date> »
   = aide : vouliez-vous dire « exécutoire » ?'''),
    'bad_bool': ('cas x\nrécidive légale : ouii\n', '''\
erreur: « ouii » n'est pas « oui » ou « non »
  --> cas.lq:2:19
   |
 2 | récidive légale : ouii
   |                   ^^^^
   = attendu : « oui », « non » ou « inconnu »
   = aide : vouliez-vous dire « oui » ?'''),
    'unknown_protection': ('cas x\nprotection : réfugé\n', '''\
erreur: protection inconnue « réfugé »
  --> cas.lq:2:14
   |
 2 | protection : réfugé
   |              ^^^^^^
   = attendu : « aucune », « réfugié », « protection subsidiaire », « demande d'asile en cours » ou « inconnu »
   = aide : vouliez-vous dire « réfugié » ?'''),
    'repeated_fact': ('cas x\ndurée totale : 3 ans\ndurée : 4 ans\n', '''\
erreur: « durée » est déjà donné à la ligne 2
  --> cas.lq:3:1
   |
 3 | durée : 4 ans
   | ^^^^^
   = attendu : chaque fait une seule fois par cas
   = aide : gardez une seule des deux lignes (pour essayer une autre valeur : « et si … ? »)'''),
    'repeated_case_id': ('cas x\ncas x\n', '''\
erreur: identifiant déjà utilisé « x » (ligne 1)
  --> cas.lq:2:5
   |
 2 | cas x
   |     ^
   = attendu : un identifiant unique par cas dans le fichier
   = aide : par exemple « x-2 »'''),
    'missing_case_id': ('cas\n', '''\
erreur: identifiant du cas manquant après « cas »
  --> cas.lq:1:4
   |
 1 | cas
   |    ^
   = attendu : l'identifiant du cas, ex. « ionescu-2026 »
   = aide : écrivez par exemple « cas ionescu-2026 »'''),
    'unknown_state_in_what_if': ('cas x\nnationalité : Roumanie\net si nationalité : Moldavei ?\n', '''\
erreur: État inconnu « Moldavei »
  --> cas.lq:3:21
   |
 3 | et si nationalité : Moldavei ?
   |                     ^^^^^^^^
   = attendu : un État, par son nom (« Roumanie ») ou son code ISO (« RO »), ou « inconnu »
   = aide : vouliez-vous dire « Moldavie » ?'''),
    'junk_after_question': ('cas x\nquelles procédures ? oui\n', '''\
erreur: « oui » inattendu ici
  --> cas.lq:2:22
   |
 2 | quelles procédures ? oui
   |                      ^^^
   = attendu : une fin de ligne'''),
}


@pytest.mark.parametrize("name", list(MISTAKES))
def test_mistake_has_its_exact_message(name):
    text, expected = MISTAKES[name]
    with pytest.raises(LqErrors) as err:
        dsl.load(text, "cas.lq")
    assert err.value.render() == expected


def test_several_mistakes_are_all_reported_in_order():
    text = "cas x\nnationalité : Roumanei\ndurée totale : 3\nrécidive légale : ouii\n"
    with pytest.raises(LqErrors) as err:
        dsl.load(text, "cas.lq")
    e = err.value
    assert [(x.span.line, x.span.col) for x in e.errors] == [(2, 15), (3, 16), (4, 19)]
    assert e.render().endswith("\n\n3 erreurs.")
    assert e.where == "cas.lq:2:15" and e.exit_code == 3


def test_check_exits_3_and_prints_the_spot(tmp_path, capsys):
    f = tmp_path / "faux.lq"
    f.write_text(MISTAKES["unknown_field"][0], encoding="utf-8")
    assert main(["check", str(f)]) == 3
    err = capsys.readouterr().err
    assert f"--> {f}:2:1" in err and "^^^^^^^^^^^^" in err and "vouliez-vous dire « nationalité » ?" in err


def test_ask_of_a_wrong_file_exits_3(tmp_path, capsys):
    f = tmp_path / "faux.lq"
    f.write_text(MISTAKES["end_before_start"][0], encoding="utf-8")
    assert main(["ask", str(f)]) == 3
    assert "antérieure au début d'exécution" in capsys.readouterr().err


def test_check_json_report(tmp_path, capsys):
    import json
    f = tmp_path / "faux.lq"
    f.write_text(MISTAKES["unknown_state"][0], encoding="utf-8")
    assert main(["check", "--format", "json", str(f)]) == 3
    rep = json.loads(capsys.readouterr().out)
    assert rep[0]["ok"] is False and rep[0]["errors"][0]["line"] == 2 and rep[0]["errors"][0]["column"] == 15


def test_not_utf8_is_an_input_error(tmp_path, capsys):
    f = tmp_path / "latin1.lq"
    f.write_bytes("cas x\nnationalité : Roumanie\n".encode("latin-1"))
    assert main(["check", str(f)]) == 3
    assert "UTF-8" in capsys.readouterr().err

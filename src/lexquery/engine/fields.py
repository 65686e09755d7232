"""The fields of the case format (docs/case-format.md) and their names in words.

Each field has French names (the first is how the lexquery language and ``convert`` write
it, and how a magistrate reads it) and English aliases (its JSON key among them);
:data:`EN` gives the English label a reader sees. :func:`fact_label` turns a JSON path of
``missing_facts`` (``consent.transfer``, ``removal_measures[0].remedies_exhausted``) into
those words, for the text answer, the note, the interview and the screening report; the
JSON answer keeps the paths (the contract). The language (:mod:`lexquery.dsl.vocab`)
reads the same names.
"""
from __future__ import annotations

import re

# path → (type, French names (the first is written by `convert`), English aliases)
FIELDS: dict[str, tuple[str, list[str], list[str]]] = {
    "id": ("id", ["identifiant"], ["id"]),
    "as_of": ("date", ["date d'évaluation"], ["as_of", "evaluation date"]),
    "person": ("section", ["personne"], ["person"]),
    "person.name": ("str", ["nom", "nom de la personne"], ["name"]),
    "person.birth_date": ("date", ["date de naissance", "né le", "née le"], ["birth_date", "born"]),
    "person.nationalities": ("states", ["nationalités", "nationalité"], ["nationalities", "nationality"]),
    "person.habitual_residence": ("state", ["résidence habituelle", "résidence"], ["habitual_residence", "residence"]),
    "person.location": ("state", ["se trouve en", "lieu", "localisation"], ["location", "located in"]),
    "person.protection": ("protection", ["protection"], []),
    "person.fled_to": ("state", ["a fui vers", "fuite vers", "réfugiée dans", "réfugié dans"], ["fled_to", "fled to"]),
    "person.protected_adult": ("bool", ["majeur protégé", "majeure protégée"], ["protected_adult", "protected adult"]),
    "detention": ("section", ["détention"], ["detention"]),
    "detention.incarcerated": ("bool", ["détenu", "détenue", "incarcéré", "incarcérée", "écroué", "écrouée"],
                               ["incarcerated"]),
    "detention.establishment": ("str", ["établissement"], ["establishment"]),
    "detention.entry_date": ("date", ["date d'écrou", "écrou", "entrée"], ["entry_date", "entry date"]),
    "detention.last_list_date": ("date", ["dernière liste à la préfecture", "date de la dernière liste"],
                                 ["last_list_date", "last list date"]),
    "detention.next_cap_date": ("date", ["prochaine commission d'application des peines", "prochaine CAP"],
                                ["next_cap_date", "next CAP date"]),
    "sentence": ("section", ["peine"], ["sentence"]),
    "sentence.final": ("bool", ["condamnation définitive", "définitive"], ["final"]),
    "sentence.custodial": ("bool", ["peine privative de liberté", "privative de liberté"], ["custodial"]),
    "sentence.total": ("duration", ["durée totale", "durée", "quantum"], ["total", "length"]),
    "sentence.execution_start": ("date", ["début d'exécution", "début de peine"], ["execution_start"]),
    "sentence.expected_end": ("date", ["fin de peine prévisible", "fin de peine"], ["expected_end"]),
    "sentence.safety_period_end": ("date_or_none", ["fin de période de sûreté", "période de sûreté"],
                                   ["safety_period_end"]),
    "sentence.legal_recidivism": ("bool", ["récidive légale", "récidive"], ["legal_recidivism", "recidivism"]),
    "sentence.lsc_plein_droit_excluded": ("bool", ["exclu de la LSC de plein droit", "exclue de la LSC de plein droit",
                                                   "exclusion de la LSC de plein droit"],
                                          ["lsc_plein_droit_excluded"]),
    "sentence.convictions": ("conviction", ["condamnation", "condamnations"], ["convictions", "conviction"]),
    "removal_measures": ("measure", ["mesure", "mesures", "mesure d'éloignement", "mesures d'éloignement"],
                         ["removal_measures", "removal measure", "measure"]),
    "consent": ("section", ["consentements"], ["consent"]),
    "consent.transfer": ("bool", ["consentement au transfèrement", "consent au transfèrement"],
                         ["transfer consent", "consent.transfer"]),
    "consent.consular_notification": ("bool", ["demande d'information consulaire", "information consulaire demandée"],
                                      ["consular_notification", "consent.consular_notification"]),
    "dual_criminality": ("bool", ["double incrimination"], ["dual_criminality"]),
    "receiving_state": ("state", ["État d'exécution", "état considéré"], ["receiving_state", "receiving state"]),
    "identification": ("section", ["audition"], ["identification", "hearing"]),
    "identification.suspect_hearing": ("bool", ["entendue en garde à vue ou en audition libre", "garde à vue ou audition libre"],
                                       ["suspect_hearing", "heard as a suspect"]),
    "identification.offence_max_penalty": ("duration", ["emprisonnement encouru", "peine encourue"],
                                           ["offence_max_penalty", "penalty incurred"]),
    "identification.refuses_identity": ("bool", ["refuse de justifier de son identité", "refus de décliner son identité"],
                                        ["refuses_identity", "refuses identity"]),
    "identification.false_identity": ("bool", ["identité manifestement inexacte", "fausse identité"],
                                      ["false_identity", "false identity"]),
    "identification.prosecutor_authorisation": ("bool", ["autorisation écrite du procureur", "autorisation du procureur"],
                                                ["prosecutor_authorisation", "prosecutor authorisation"]),
    "extensions": ("json", ["extensions"], []),
}
# where the language's first name is not how a magistrate reads the fact in an answer
FR = {"removal_measures": "mesures d'éloignement", "sentence.convictions": "condamnations",
      "person.location": "lieu où se trouve la personne", "person.fled_to": "État de fuite ou de retour",
      "detention.incarcerated": "personne détenue", "person.protection": "protection (réfugié, subsidiaire, asile)",
      "sentence.lsc_plein_droit_excluded": "exclusion de la libération sous contrainte de plein droit (CPP 720 III)",
      "sentence.safety_period_end": "fin de la période de sûreté", "receiving_state": "État d'exécution désigné"}
EN = {
    "id": "identifier", "as_of": "evaluation date", "person": "person", "person.name": "name",
    "person.birth_date": "date of birth", "person.nationalities": "nationalities",
    "person.habitual_residence": "habitual residence", "person.location": "where the person is",
    "person.protection": "protection (refugee, subsidiary, asylum)", "person.fled_to": "State fled to",
    "person.protected_adult": "protected adult", "detention": "detention",
    "detention.incarcerated": "detained", "detention.establishment": "prison",
    "detention.entry_date": "date of committal", "sentence": "sentence",
    "sentence.final": "final conviction", "sentence.custodial": "custodial sentence",
    "sentence.total": "total length of sentences", "sentence.execution_start": "start of execution",
    "sentence.expected_end": "expected end of sentence", "sentence.safety_period_end": "end of the safety period",
    "sentence.legal_recidivism": "legal recidivism",
    "sentence.lsc_plein_droit_excluded": "excluded from release under constraint by law (CPP 720 III)",
    "sentence.convictions": "convictions", "removal_measures": "removal measures", "consent": "consents",
    "consent.transfer": "consent to transfer", "consent.consular_notification": "request to inform the consulate",
    "dual_criminality": "dual criminality", "receiving_state": "executing State", "extensions": "extensions",
    "detention.last_list_date": "date of the last list sent to the préfecture",
    "detention.next_cap_date": "date of the next sentence-enforcement commission",
    "identification": "hearing", "identification.suspect_hearing": "heard in police custody or voluntary interview",
    "identification.offence_max_penalty": "imprisonment incurred for the offence",
    "identification.refuses_identity": "refuses to prove identity",
    "identification.false_identity": "manifestly inaccurate identity",
    "identification.prosecutor_authorisation": "prosecutor's written authorisation",
}
# attributes of an item of a list field: (French, English) names, and the item's name
ITEMS = {
    "removal_measures": ({"kind": "nature de la mesure", "definitive": "mesure définitive",
                          "destination": "État de destination", "enforceable": "mesure exécutoire",
                          "remedies_exhausted": "recours épuisés contre la mesure",
                          "end_date": "date de fin de la mesure"},
                         {"kind": "kind of measure", "definitive": "definitive measure",
                          "destination": "State of destination", "enforceable": "measure enforceable",
                          "remedies_exhausted": "remedies exhausted against the measure",
                          "end_date": "end date of the measure"},
                         "mesure d'éloignement", "removal measure"),
    "sentence.convictions": ({"court": "juridiction", "date": "date de la condamnation",
                              "final": "condamnation définitive", "total": "durée de la peine prononcée"},
                             {"court": "court", "date": "date of conviction", "final": "final conviction",
                              "total": "length of the sentence"},
                             "condamnation", "conviction"),
}
ITEM_PATH = re.compile(r"^(removal_measures|sentence\.convictions)\[(\d+)\]\.(\w+)$")


def fact_label(path: str, lang: str = "fr") -> str:
    """The words of a JSON path of the case format (unknown paths are returned as given)."""
    m = ITEM_PATH.match(path)
    if m:
        top, i, attr = m.group(1), int(m.group(2)), m.group(3)
        fr, en, item_fr, item_en = ITEMS[top]
        if lang == "fr":
            return f"{fr.get(attr, attr)} ({item_fr} n° {i + 1})"
        return f"{en.get(attr, attr)} ({item_en} no. {i + 1})"
    if path not in FIELDS:
        return path
    return FR.get(path, FIELDS[path][1][0]) if lang == "fr" else EN.get(path, path)

"""Which States a per-State procedure is evaluated for (case-format.md, last section).

Unless ``receiving_state`` is given, every State the facts point to is a candidate:
each nationality other than FR, the habitual residence, ``fled_to``, and each removal
measure's destination — with the reasons it was considered. This is the contract's
interface rule, not a legal condition: the rules then decide per State.
"""
from __future__ import annotations

REASONS = {
    "receiving_state": "État désigné (receiving_state)",
    "nationality": "nationalité",
    "habitual_residence": "résidence habituelle",
    "fled_to": "État de fuite ou de retour",
    "destination": "destination d'une mesure d'éloignement",
}


# the same reasons in English, for the English text answer (the JSON keeps the French words)
REASONS_EN = {
    "receiving_state": "designated State (receiving_state)",
    "nationality": "nationality",
    "habitual_residence": "habitual residence",
    "fled_to": "State fled or returned to",
    "destination": "destination of a removal measure",
}
_EN_OF_FR = {REASONS[k]: REASONS_EN[k] for k in REASONS}


# what the text a person reads says for the designated State: the JSON's reason names the key of
# the case format (``receiving_state``), which a magistrate does not read (issue 15)
_SHOWN = {"fr": {REASONS["receiving_state"]: "État désigné dans le cas"},
          "en": {REASONS["receiving_state"]: "State designated in the case"}}


def reason_words(reason: str, lang: str = "fr") -> str:
    """A candidate's reason (French, as in the JSON) in the reader's language."""
    shown = _SHOWN.get(lang, {}).get(reason)
    if shown:
        return shown
    return reason if lang == "fr" else _EN_OF_FR.get(reason, reason)


def candidate_states(case: dict, only_nationalities: bool = False) -> list[tuple[str, list[str]]]:
    person = case.get("person", {})
    if only_nationalities:
        return [(s, [REASONS["nationality"]]) for s in person.get("nationalities", []) if s != "FR"]
    if case.get("receiving_state"):
        return [(case["receiving_state"], [REASONS["receiving_state"]])]
    found: dict[str, list[str]] = {}

    def add(state, why):
        if state and state != "FR":
            found.setdefault(state, [])
            if REASONS[why] not in found[state]:
                found[state].append(REASONS[why])
    for s in person.get("nationalities", []):
        add(s, "nationality")
    add(person.get("habitual_residence"), "habitual_residence")
    add(person.get("fled_to"), "fled_to")
    for m in case.get("removal_measures", []) or []:
        add(m.get("destination"), "destination")
    return list(found.items())


# facts that would name a candidate State when none is known
CANDIDATE_FACTS = ["person.nationalities", "person.habitual_residence", "person.fled_to",
                   "removal_measures", "receiving_state"]


def candidate_facts(case: dict) -> list[str]:
    """The facts that would name a candidate State when none is known — without ``fled_to``
    for a person who is in France (located there, or detained there: rules/common.yaml
    ``defaults:``): she has not fled to, nor is she back in, another State (CPP 728-11 al. 5:
    « s'est réfugiée sur le territoire de l'Etat d'exécution » ; STE 167 art. 2.1), and every
    rule reading ``fled_to`` also requires her to be outside France."""
    if case.get("person", {}).get("location") == "FR":
        return [f for f in CANDIDATE_FACTS if f != "person.fled_to"]
    return CANDIDATE_FACTS


# … and for a procedure evaluated per nationality (``per_state: nationalities``)
NATIONALITY_FACTS = ["person.nationalities"]

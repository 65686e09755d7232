"""The words of a procedure's status, one wording wherever it is shown: the text answer
(``ask``), the note (PDF, DOCX) and the interview's running answer (docs/answer-format.md:
``status``, ``from``, ``until``, ``consent_required``).

A title (the procedure and its State), the status in capitals, the date from which it
applies (only when it applies or will), the date until which it can be used (its own label
when the rule gives one, e.g. « jusqu'à la fin de peine prévisible »), and whether the
person's consent is required.
"""
from __future__ import annotations

STATUS = {
    "fr": {"applicable": "APPLICABLE", "applicable_later": "APPLICABLE PLUS TARD",
           "not_applicable": "NON APPLICABLE", "undetermined": "INDÉTERMINÉ"},
    "en": {"applicable": "APPLICABLE", "applicable_later": "APPLICABLE LATER",
           "not_applicable": "NOT APPLICABLE", "undetermined": "UNDETERMINED"},
}
PMARK = {"applicable": "✔", "applicable_later": "◷", "not_applicable": "✘", "undetermined": "?"}


def procedure_title(p, lang: str) -> str:
    """« Libération conditionnelle « expulsion » » or « Transfèrement … — MA »."""
    return (p.label.get(lang) or p.label.get("fr")) + (f" — {p.state}" if p.state else "")


def status_bits(p, lang: str, words: dict, date_words, *, until: bool = True, consent: bool = True,
                consent_unknown: bool = True, route: bool = False, as_of=None,
                until_if_not_applicable: bool = True) -> list[str]:
    """The status of procedure (or route) ``p`` and what qualifies it, in ``words``
    (``from``, ``until``, ``passed``, ``consent_*``), dates written by ``date_words``.

    ``until``/``consent``: show the closing date / the consent (``consent_unknown``: also when
    it is still to be determined, for a procedure, not a route); ``as_of``: a closing date
    before it is marked passed; ``until_if_not_applicable`` False: a procedure that does not
    apply shows no closing date unless it has passed (its condition shows it)."""
    bits = [STATUS[lang][p.status]]
    if p.date_from and p.status in ("applicable", "applicable_later"):
        bits.append(f"{words['from']} {date_words(p.date_from)}")
    if until and p.date_until:
        passed = as_of is not None and p.date_until < as_of
        if until_if_not_applicable or p.status != "not_applicable" or passed:
            label = (p.until_label or {}).get(lang) or (p.until_label or {}).get("fr") or words["until"]
            bits.append(f"{label} {date_words(p.date_until)}" + (f" ({words['passed']})" if passed else ""))
    if consent:
        if p.consent_required is False:
            bits.append(words["consent_no"])
        elif p.consent_required is True:
            bits.append(words["consent_yes"])
        elif consent_unknown and p.consent_defined and p.status in ("applicable", "applicable_later") and not route:
            bits.append(words["consent_unknown"])
    return bits

"""The lexquery language's error messages in English (issue 15: ``--lang en`` on every command that
reads .lq — ask, validate, check, convert, repl — and the API's ``message_en``).

The parser and the interpreter word their mistakes in French (:mod:`lexquery.dsl.parser`,
``values``, ``measures``, ``case_data``, ``build``); each has the shape of one pattern below,
whose English says the same (the convention of :mod:`lexquery.engine.case_english` for the case
format). The language's own words are French (« nationalité : Roumanie », « quelles procédures ? »):
an English message quotes them as typed, between « ». A message of a shape not listed gets no
English (``None``: the French is shown) and tests/test_english_faces.py fails on it.
"""
from __future__ import annotations

import re
from functools import lru_cache

# (French pattern, English template with the pattern's groups)
MESSAGES = [
    (r"caractère invalide : demi-caractère UTF-16 isolé \(ce n'est pas du texte Unicode\)",
     "invalid character: lone UTF-16 surrogate (not Unicode text)"),
    (r"caractère nul dans le texte", "null character in the text"),
    (r"texte illisible \((.+)\)", "unreadable text ({0})"),
    (r"texte entre guillemets illisible", "unreadable quoted text"),
    (r"nombre illisible", "unreadable number"),
    (r"« : » manquant après « (.+) »", "« : » missing after « {0} »"),
    (r"« \? » manquant à la fin de la question", "« ? » missing at the end of the question"),
    (r"identifiant du cas manquant après « cas »", "case identifier missing after « cas »"),
    (r"fin de ligne inattendue", "unexpected end of line"),
    (r"fin du texte inattendue", "unexpected end of the text"),
    (r"guillemet non fermé", "unclosed quotation mark"),
    (r"« (.*) » inattendu ici", "« {0} » unexpected here"),
    (r"« \? » à la fin d'un fait", "« ? » at the end of a fact"),
    (r"question incomplète", "incomplete question"),
    (r"date hors de la plage admise « (.*) »", "date outside the accepted range « {0} »"),
    (r"date impossible « (.*) »", "impossible date « {0} »"),
    (r"date mal écrite « (.*) »", "badly written date « {0} »"),
    (r"durée sans unité « (.*) »", "length without a unit « {0} »"),
    (r"« (.*) » n'est pas (une date|une durée|« oui » ou « non »)", lambda a, b: f"« {a} » is not {_kind(b)}"),
    (r"(une date|une durée|un nombre|un texte|un objet JSON|« oui »|« non »|« inconnu ») là où "
     r"(une date|une durée|« oui » ou « non ») est attendue?", lambda a, b: f"{_kind(a)} where {_kind(b)} is expected"),
    (r"une seule valeur attendue pour « (.*) »", "a single value expected for « {0} »"),
    (r"État inconnu « (.*) »", "unknown State « {0} »"),
    (r"identifiant invalide « (.*) »", "invalid identifier « {0} »"),
    (r"un seul État attendu pour « (.*) »", "a single State expected for « {0} »"),
    (r"protection inconnue « (.*) »", "unknown protection « {0} »"),
    (r"« (.*) » : une rubrique ne prend que \{\}", "« {0} »: a section takes only {{}}"),
    (r"« (.*) » n'est pas un objet JSON", "« {0} » is not a JSON object"),
    (r"mesure d'éloignement inconnue « (.*) »", "unknown removal measure « {0} »"),
    (r"État de destination manquant après « vers »", "State of destination missing after « vers »"),
    (r"« fin » doit être suivie d'une date \(fin de la mesure temporaire\) ou de « inconnue »",
     "« fin » must be followed by a date (end of the temporary measure) or « inconnue » (unknown)"),
    (r"« recours » doit être suivi de « épuisés », « pendants » ou « inconnus »",
     "« recours » (remedies) must be followed by « épuisés » (exhausted), « pendants » (pending) or "
     "« inconnus » (unknown)"),
    (r"« (.*) » inattendu dans une mesure d'éloignement", "« {0} » unexpected in a removal measure"),
    (r"« (.*) » inattendu dans une condamnation", "« {0} » unexpected in a conviction"),
    (r"identifiant déjà utilisé « (.*) » \(ligne (\d+)\)", "identifier already used « {0} » (line {1})"),
    (r"aucun cas n'est décrit avant cette question", "no case is described before this question"),
    (r"procédure inconnue « (.*) »", "unknown procedure « {0} »"),
    (r"mot inconnu « (.*) »", "unknown word « {0} »"),
    (r"« (.*) » est déjà donné à la ligne (\d+)", "« {0} » is already given on line {1}"),
]
EXPECTED = [
    (r"du texte", "text"),
    (r"« : » entre le nom du fait et sa valeur", "« : » between the fact's name and its value"),
    (r"« \? » à la fin d'une question, ou « : » entre le nom d'un fait et sa valeur",
     "« ? » at the end of a question, or « : » between a fact's name and its value"),
    (r"un texte entre guillemets sur une seule ligne, ex\. \"(.*)\"", "a quoted text on a single line, e.g. \"{0}\""),
    (r"un texte entre guillemets ; \\\" pour un guillemet, \\\\ pour une barre",
     "a quoted text; \\\" for a quotation mark, \\\\ for a backslash"),
    (r"un nombre de quelques chiffres", "a number of a few digits"),
    (r"un fait s'écrit « nom : valeur », sans « \? »", "a fact is written « name : value », without « ? »"),
    (r"une date entre (\S+) et (\S+)", "a date between {0} and {1}"),
    (r"une date qui existe, ex\. « (.*) »", "a date that exists, e.g. « {0} »"),
    (r"AAAA-MM-JJ, deux chiffres pour le mois et le jour", "YYYY-MM-DD, two digits for the month and the day"),
    (r"« définitive » ou « temporaire », « vers <État> », « exécutoire » ou « non exécutoire », "
     r"« recours épuisés » ou « recours pendants », « fin <date> »",
     "« définitive » (permanent) or « temporaire » (temporary), « vers <État> » (to <State>), « exécutoire » "
     "(enforceable) or « non exécutoire » (not enforceable), « recours épuisés » (remedies exhausted) or "
     "« recours pendants » (remedies pending), « fin <date> » (end <date>)"),
    (r"un identifiant unique par cas dans le fichier", "an identifier unique to each case in the file"),
    (r"des faits avant la question, ex\. « cas ionescu-2026 » puis « nationalité : Roumanie »",
     "facts before the question, e.g. « cas ionescu-2026 » then « nationalité : Roumanie »"),
    (r"(eu_recognition, lc_expulsion, ste_transfer, consular_notification, prefecture_notice, forced_identification) "
     r"\(ou « reconnaissance », « libération conditionnelle », « transfèrement », « information consulaire », "
     r"« avis à la préfecture », « relevés signalétiques »\)",
     "{0} (or « reconnaissance » (recognition), « libération conditionnelle » (conditional release), "
     "« transfèrement » (transfer), « information consulaire » (consular information), « avis à la préfecture » "
     "(notice to the préfecture), « relevés signalétiques » (identification records))"),
    (r"le nom d'un fait : (.*), … \(voir docs/language\.md\)",   # the names are the language's words: quoted
     lambda names: "the name of a fact: " + ", ".join(f"« {n} »" for n in names.split(", ")) + ", … (see docs/language.md)"),
    (r"ITF, IATF, OQTF, IRTF, ICTF, expulsion, extradition ou MAE, puis ses caractères",
     "ITF, IATF, OQTF, IRTF, ICTF, « expulsion », « extradition » or MAE (European arrest warrant), then its features"),
    (r"chaque fait une seule fois par cas", "each fact once per case"),
]
HINTS = [
    (r"vouliez-vous dire (.*) \?", "did you mean {0}?"),
    (r"écrivez « (.*) ans » ou « (.*) mois »", "write « {0} ans » (years) or « {1} mois » (months)"),
    (r"écrivez « (.*) »", "write « {0} »"),
    (r"écrivez par exemple « (.*) »", "write for instance « {0} »"),
    (r"une question finit par « \? » ; un fait s'écrit « nom : valeur »",
     "a question ends with « ? »; a fact is written « name : value »"),
    (r"fermez le texte par « \" » avant la fin de la ligne", "close the text with « \" » before the end of the line"),
    (r"pour essayer cette valeur, posez la question « (.*) »", "to try this value, ask the question « {0} »"),
    (r"échappement invalide : (.*)", "invalid escape: {0}"),
    (r"nombre trop long \((\d+) caractères\)", "number too long ({0} characters)"),
    (r"vérifiez l'année \(une date inconnue s'écrit « inconnu », pas une date fictive\)",
     "check the year (an unknown date is written « inconnu », not a made-up date)"),
    (r"le mois va de 01 à 12", "the month goes from 01 to 12"),
    (r"l'année commence à 0001", "the year starts at 0001"),
    (r"ce mois n'a que (\d+) jours", "this month has only {0} days"),
    (r"le jour va de 1 à 31", "the day goes from 1 to 31"),
    (r"écrivez la date entière, ex\. « (.*) »", "write the whole date, e.g. « {0} »"),
    (r"une date s'écrit « 1er décembre 2026 » ou « 2026-12-01 » ; la durée de la peine va dans « durée totale »",
     "a date is written « 1er décembre 2026 » or « 2026-12-01 »; the sentence's length goes in « durée totale »"),
    (r"une durée s'écrit « 3 ans », « 18 mois », « 2 ans 6 mois » ; une date de fin va dans « fin de peine prévisible »",
     "a length is written « 3 ans », « 18 mois », « 2 ans 6 mois »; an end date goes in « fin de peine prévisible »"),
    (r"un code s'écrit en majuscules : « (.*) »", "a code is written in capitals: « {0} »"),
    (r"un seul mot, sans espace", "a single word, without a space"),
    (r"donnez plutôt ses faits un par un", "give its facts one by one instead"),
    (r"séparez par des virgules la juridiction, la date, « définitive » et la durée",
     "separate with commas the court, the date, « définitive » (final) and the length"),
    (r"par exemple « (.*) »", "for instance « {0} »"),
    (r"les questions « article … \? » et « quelles règles citent … \? » n'ont pas besoin de cas",
     "the questions « article … ? » and « quelles règles citent … ? » need no case"),
    (r"gardez une seule des deux lignes \(pour essayer une autre valeur : « et si … \? »\)",
     "keep only one of the two lines (to try another value: « et si … ? »)"),
]


KINDS_EN = {"une date": "a date", "une durée": "a length", "un nombre": "a number", "un texte": "a text",
            "un objet JSON": "a JSON object", "« oui »": "« oui » (yes)", "« non »": "« non » (no)",
            "« inconnu »": "« inconnu » (unknown)", "« oui » ou « non »": "« oui » (yes) or « non » (no)"}


def _kind(words: str) -> str:
    return KINDS_EN.get(words, words)


def _table(pairs):
    return [(re.compile(rf"^{fr}$", re.S), en) for fr, en in pairs]


_MESSAGES, _EXPECTED, _HINTS = _table(MESSAGES), _table(EXPECTED), _table(HINTS)


@lru_cache(maxsize=1)
def _exact() -> dict[str, str]:
    """Whole texts known word for word: what a type of fact expects (vocab.WHAT → WHAT_EN), the
    grammar's expectations (parser.LINE_START)."""
    from . import parser, vocab
    out = {vocab.WHAT[k]: vocab.WHAT_EN[k] for k in vocab.WHAT if k in vocab.WHAT_EN}
    out[parser.LINE_START] = ("a fact (« nationalité : Roumanie »), a question (« quelles procédures ? »), "
                              "« cas <identifier> » or « au <date> »")
    return out


TERMINALS_EN = {
    "« cas »": "« cas »", "l'identifiant du cas, ex. « ionescu-2026 »": "the case's identifier, e.g. « ionescu-2026 »",
    "« au »": "« au »", "le nom d'un fait suivi de « : »": "the name of a fact followed by « : »",
    "une fin de ligne": "an end of line", "la fin du texte": "the end of the text", "un mot": "a word",
    "un texte entre guillemets": "a quoted text", "un nombre": "a number", "une date": "a date",
    "une durée": "a length", "« inconnu »": "« inconnu » (unknown)", "« oui »": "« oui » (yes)", "« non »": "« non » (no)",
    "une disposition, ex. « 728-11 » ou « CPP 729-2 al. 1 »": "a provision, e.g. « 728-11 » or « CPP 729-2 al. 1 »",
    "« et » suivi d'un fait": "« et » (and) followed by a fact", "une question": "a question",
    "une date (« 1er décembre 2026 » ou « 2026-12-01 »)": "a date (« 1er décembre 2026 » or « 2026-12-01 »)",
    "…": "…",
}


_ITEM = re.compile(r"« [^«»]+ »|[a-z_$]+")


def _terminals(text: str) -> str | None:
    """The grammar's expectations (« « : », une fin de ligne, un mot »: parser.expected_words),
    read item by item from the left: a known phrase (the longest first), a punctuation or a
    keyword in « », or a terminal's own lower-case name; None when an item is none of these."""
    out, i = [], 0
    keys = sorted(TERMINALS_EN, key=len, reverse=True)
    while i < len(text):
        key = next((k for k in keys if text.startswith(k, i)), None)
        if key is not None:
            out.append(TERMINALS_EN[key])
            i += len(key)
        else:
            m = _ITEM.match(text, i)
            if not m:
                return None
            out.append(m.group(0))
            i = m.end()
        if text.startswith(", ", i):
            i += 2
        elif i < len(text):
            return None
    return ", ".join(out)


def _translate(text: str | None, table, exact: bool = False) -> str | None:
    if text is None:
        return None
    if exact and text in _exact():
        return _exact()[text]
    for rx, en in table:
        m = rx.match(text)
        if m:
            return en(*m.groups()) if callable(en) else en.format(*m.groups())
    return None


def message_en(text: str) -> str | None:
    return _translate(text, _MESSAGES)


def expected_en(text: str | None) -> str | None:
    if text is None:
        return None
    return _translate(text, _EXPECTED, exact=True) or _terminals(text)


def hint_en(text: str | None) -> str | None:
    out = _translate(text, _HINTS)
    return out.replace("» ou «", "» or «") if out else out   # « did you mean « a » or « b »? »

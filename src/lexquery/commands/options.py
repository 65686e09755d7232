"""Options shared by several commands: a date given on the command line (``--as-of``, ``--at``), the
language of what a command writes for a person (``--lang``, every command: issue 15)."""
from __future__ import annotations

from datetime import date

from ..dates import DATE_RANGE, DATE_RANGE_EN, parse_day
from ..errors import UsageError


def date_option(text: str | None, option: str = "--as-of") -> date | None:
    """The date of ``option`` (None when not given): ISO 8601 within the dates the engine
    computes with (:data:`lexquery.dates.DATE_MIN` .. :data:`~lexquery.dates.DATE_MAX`);
    a :class:`UsageError` (exit 2) saying what was expected otherwise."""
    if not text:
        return None
    try:
        return parse_day(text)
    except ValueError:
        raise UsageError(f"date invalide pour {option} : {text!r}",
                         expected=f"AAAA-MM-JJ {DATE_RANGE}, ex. 2026-12-01",
                         message_en=f"invalid date for {option}: {text!r}",
                         expected_en=f"YYYY-MM-DD {DATE_RANGE_EN}, e.g. 2026-12-01") from None


LANG_HELP = "langue des messages et de la réponse : fr (défaut) ou en / language of messages and answer"


def add_lang(parser) -> None:
    """``--lang fr|en`` (default ``fr``) on ``parser``: the one declaration every command uses, so
    that each speaks both languages the same way (tests/test_english_faces.py lists the commands).
    What has no English (the law's text as published) is shown as is, marked as French."""
    if "--lang" in parser._option_string_actions:   # declared already (by hand): tests/test_english_faces.py
        return                                       # then fails on its help, instead of argparse at start-up
    parser.add_argument("--lang", choices=["fr", "en"], default="fr", help=LANG_HELP)

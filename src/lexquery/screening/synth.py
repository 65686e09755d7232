"""A synthetic registry export (screening CSV) for demos and benchmarks — reproducible.

Mixes what a prison registry's list of foreign detainees holds: EU nationals, Maghreb,
other States, a few binationals (French or not) and stateless persons; short, medium and
long sentences, life sentences, safety periods, removal measures of every kind, and
unknown cells (empty) in the proportions below. The same ``n``, ``seed`` and reference
date give the same bytes. The people and identifiers are invented.
"""
from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from ..dates import Duration, add_months
from .csv_columns import COLUMNS

EU = {"RO": 10, "PL": 3, "IT": 4, "PT": 4, "ES": 3, "DE": 2, "BG": 3, "NL": 1, "BE": 2, "LT": 1,
      "HU": 1, "CZ": 1, "HR": 1, "SK": 1, "LV": 1, "GR": 1}
MAGHREB = {"DZ": 16, "MA": 15, "TN": 9, "LY": 1, "MR": 1}
OTHER = {"AL": 3, "GE": 3, "SN": 3, "ML": 3, "CI": 2, "TR": 3, "BR": 2, "CN": 1, "VN": 1, "RU": 2,
         "GB": 2, "AF": 2, "PK": 1, "CO": 1, "NG": 2, "CM": 2, "UA": 1, "CH": 1, "RS": 2, "XK": 1,
         "EG": 1, "GN": 2, "CD": 2, "HT": 1, "US": 1}
SURNAMES = ["Ionescu", "Popescu", "Kowalski", "Rossi", "Ferreira", "Garcia", "Müller", "Petrov", "Benali",
            "Haddad", "Amrani", "El Idrissi", "Ben Salah", "Trabelsi", "Hoxha", "Beridze", "Diop", "Traoré",
            "Koné", "Yılmaz", "Silva", "Wang", "Nguyen", "Ivanov", "Smith", "Ahmadi", "Khan", "Gómez",
            "Okafor", "Mbarga", "Shevchenko", "Jovanović", "Krasniqi", "Mahmoud", "Camara", "Kabila",
            "Joseph", "Johnson", "Nowak", "Dimitrov", "Santos", "Horvat", "Novák", "Kazlauskas", "Papadopoulos"]
PLACES = ["Lyon-Corbas", "Fleury-Mérogis", "Fresnes", "Marseille-Baumettes", "Lille-Sequedin", "Toulouse-Seysses",
          "Bordeaux-Gradignan", "Nantes", "Strasbourg", "Villepinte", "Meaux-Chauconin", "Rennes-Vezin"]
HEADER = ["id", "name", "birth_date", "nationalities", "habitual_residence", "location", "protection", "fled_to",
          "protected_adult", "incarcerated", "establishment", "entry_date", "final", "custodial", "total",
          "execution_start", "expected_end", "safety_period_end", "legal_recidivism", "lsc_plein_droit_excluded",
          "court", "removal_kinds", "removal_destination", "removal_definitive", "removal_enforceable",
          "removal_remedies_exhausted", "consent_transfer", "consent_consular_notification", "dual_criminality",
          "receiving_state"]
assert set(HEADER) <= set(COLUMNS)


def _pick(rng, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _yn(rng, p_yes, p_no, yes="oui", no="non"):
    x = rng.random()
    return yes if x < p_yes else no if x < p_yes + p_no else ""


def _iso(months: int) -> str:
    y, m = divmod(months, 12)
    return "P" + (f"{y}Y" if y else "") + (f"{m}M" if m else "")


def synth_row(rng: random.Random, i: int, ref: date) -> list[str]:
    group = rng.choices(["eu", "maghreb", "other"], weights=[28, 42, 30])[0]
    nat = _pick(rng, {"eu": EU, "maghreb": MAGHREB, "other": OTHER}[group])
    r = rng.random()
    if r < 0.05:
        nats = "FR|" + nat                      # binational French: not a foreigner
    elif r < 0.08:
        nats = nat + "|" + _pick(rng, OTHER if group != "other" else MAGHREB)
    elif r < 0.09:
        nats = "aucune"                          # stateless
    elif r < 0.13:
        nats = ""                                # unknown
    else:
        nats = nat
    main = nat if nats not in ("", "aucune") else ""
    hr = rng.random()
    residence = main if hr < 0.5 and main else ("FR" if hr < 0.85 else "")
    # sentence: months, life in 2 %
    s = rng.random()
    if s < 0.02:
        months = None
    elif s < 0.27:
        months = rng.randint(3, 12)
    elif s < 0.62:
        months = rng.randint(13, 36)
    elif s < 0.77:
        months = rng.randint(37, 60)
    elif s < 0.90:
        months = rng.randint(61, 120)
    else:
        months = rng.randint(121, 360)
    total = "life" if months is None else _iso(months)
    span_days = (30 * 12 * 30 if months is None else months * 30)
    served = int(span_days * rng.random() ** 0.8) if months is not None else rng.randint(0, 25 * 365)
    start = ref - timedelta(days=served)
    if months is None:
        end = ""
    else:
        credit = int(months * 30 * rng.uniform(0.0, 0.12))
        end_d = add_months(start, months) - timedelta(days=credit)
        if end_d <= ref:
            end_d = ref + timedelta(days=rng.randint(1, 60))
        end = end_d.isoformat()
    entry = start + timedelta(days=rng.choice([0, 0, 0, rng.randint(0, max(1, served))]))
    if months is None:
        sp = _yn(rng, 0.6, 0.1, yes=(start + timedelta(days=int(18 * 365.25))).isoformat(), no="none")
    elif months >= 120:
        sp = _yn(rng, 0.45, 0.25, yes=add_months(start, months * 2 // 3).isoformat(), no="none")
    elif months > 60:
        sp = _yn(rng, 0.1, 0.6, yes=add_months(start, months // 2).isoformat(), no="none")
    else:
        sp = _yn(rng, 0.0, 0.7, no="none")
    court = (f"cour d'assises de {rng.choice(['Lyon', 'Paris', 'Marseille', 'Lille', 'Bobigny', 'Toulouse'])}"
             if months is None or months > 120 else
             f"tribunal correctionnel de {rng.choice(['Lyon', 'Paris', 'Marseille', 'Lille', 'Bobigny', 'Créteil', 'Toulouse', 'Nanterre'])}")
    k = rng.random()
    kinds = ("aucune" if k < 0.30 else "" if k < 0.55 else "ITF" if k < 0.75 else "OQTF" if k < 0.88
             else "ITF|OQTF" if k < 0.92 else "IRTF|OQTF" if k < 0.94 else "expulsion" if k < 0.97
             else "EAW" if k < 0.98 else "extradition" if k < 0.99 else "IATF")
    has_measure = kinds not in ("", "aucune")
    dest = (main if rng.random() < 0.8 else "") if has_measure else ""
    definitive = _yn(rng, 0.55, 0.25) if has_measure and "ITF" in kinds else ""
    enforceable = _yn(rng, 0.6, 0.1) if has_measure else ""
    exhausted = _yn(rng, 0.5, 0.15) if has_measure else ""
    place = rng.choice(PLACES)
    prot = rng.choices(["none", "refugee", "subsidiary_protection", "asylum_pending", ""], [85, 3, 1, 2, 9])[0]
    birth = ref - timedelta(days=rng.randint(19 * 365, 70 * 365))
    return [
        f"{place[:3].upper()}-{ref.year}-{i:06d}", rng.choice(SURNAMES), birth.isoformat() if rng.random() < 0.95 else "",
        nats, residence, "FR" if rng.random() < 0.93 else "", prot, rng.choice(["", "", "", "", "", "", "", "", "", main]) if main else "",
        _yn(rng, 0.01, 0.9), _yn(rng, 0.97, 0.0), f"Centre pénitentiaire de {place}", entry.isoformat(),
        _yn(rng, 0.95, 0.02), _yn(rng, 0.99, 0.0), total if rng.random() < 0.99 else "",
        start.isoformat() if rng.random() < 0.97 else "", end, sp, _yn(rng, 0.15, 0.75), _yn(rng, 0.1, 0.3),
        court, kinds, dest, definitive, enforceable, exhausted,
        _yn(rng, 0.1, 0.1), _yn(rng, 0.15, 0.15), _yn(rng, 0.15, 0.0), "" if rng.random() < 0.98 else main,
    ]


def synth(n: int, seed: int = 0, ref: date | None = None, out: io.TextIOBase | None = None, sep: str = ";"):
    """Write ``n`` synthetic rows (with a header) to ``out``; the same arguments give the same bytes."""
    rng = random.Random(seed)
    ref = ref or date.today()
    w = csv.writer(out, delimiter=sep, lineterminator="\n")
    w.writerow(HEADER)
    for i in range(1, n + 1):
        w.writerow(synth_row(rng, i, ref))


def synth_text(n: int, seed: int = 0, ref: date | None = None, sep: str = ";") -> str:
    buf = io.StringIO()
    synth(n, seed, ref, buf, sep)
    return buf.getvalue()

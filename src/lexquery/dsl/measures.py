"""The list facts of the language: a removal measure, a conviction (docs/language.md).

« mesure : OQTF définitive vers Maroc exécutoire recours épuisés » → one item of
``removal_measures`` (docs/case-format.md: kind, definitive, destination, enforceable,
remedies_exhausted, end_date); « condamnation : tribunal de Lyon, 2025-01-10, définitive,
3 ans » → one item of ``sentence.convictions``. The span of each value is remembered.
"""
from __future__ import annotations

from . import vocab
from .parser import Fact
from .values import Sem, read_date, read_duration, read_state


def read_measure(f: Fact, spans: dict, prefix: str) -> dict:
    pieces = [p for a in f.atoms for p in a.pieces]
    atom_of = [i for i, a in enumerate(f.atoms) for _p in a.pieces]
    words = [vocab.norm(p.value if p.kind == "string" else p.text) for p in pieces]
    kind, n = None, 0
    if len(pieces) >= 2 and words[0] == "nature" and pieces[1].kind == "unknown":
        kind, n = "", 2
    for k in range(min(4, len(words)), 0, -1):
        if all(p.kind == "word" for p in pieces[:k]) and " ".join(words[:k]) in vocab.MEASURE_KINDS:
            kind, n = vocab.MEASURE_KINDS[" ".join(words[:k])], k
            break
    if kind is None:
        first = pieces[0]
        close = vocab.closest(first.text, {vocab.norm(k): k for k in list(vocab.MEASURE_KINDS.values()) + ["MAE"]},
                              cutoff=0.5)
        raise Sem(f"mesure d'éloignement inconnue « {first.text} »", first.span,
                  "ITF, IATF, OQTF, IRTF, ICTF, expulsion, extradition ou MAE, puis ses caractères",
                  f"vouliez-vous dire « {close[0]} » ?" if close else None)
    m = {"kind": kind} if kind else {}
    spans[prefix + ".kind"] = pieces[0].span
    i = n
    attrs = ("« définitive » ou « temporaire », « vers <État> », « exécutoire » ou « non exécutoire », "
             "« recours épuisés » ou « recours pendants », « fin <date> »")

    def unknown_next(j):
        return j < len(pieces) and pieces[j].kind == "unknown"

    while i < len(pieces):
        p, w = pieces[i], words[i]
        if w.startswith("definiti") or w in ("definitive", "permanent"):
            if unknown_next(i + 1):
                m["definitive"], i = None, i + 2
            else:
                m["definitive"], i = True, i + 1
            spans[prefix + ".definitive"] = p.span
        elif w in ("temporaire", "temporary"):
            m["definitive"], i = False, i + 1
            spans[prefix + ".definitive"] = p.span
        elif w in ("vers", "to", "destination"):
            j = i + 1
            if unknown_next(j):
                m["destination"], i = None, j + 1
                continue
            group = []
            while j < len(pieces) and atom_of[j] == atom_of[i] and pieces[j].kind in ("word", "string") and words[j] not in (
                    "executoire", "enforceable", "recours", "definitive", "temporaire", "non", "fin"):
                group.append(pieces[j])
                j += 1
            if not group:
                raise Sem("État de destination manquant après « vers »", p.span, vocab.WHAT["state"])
            sp = group[0].span
            for g in group[1:]:
                sp = sp.join(g.span)
            m["destination"] = read_state(group, sp)
            spans[prefix + ".destination"] = sp
            i = j
        elif w in ("executoire", "enforceable"):
            if unknown_next(i + 1):
                m["enforceable"], i = None, i + 2
            else:
                m["enforceable"], i = True, i + 1
            spans[prefix + ".enforceable"] = p.span
        elif p.kind == "no" and i + 1 < len(pieces) and words[i + 1] in ("executoire", "enforceable"):
            m["enforceable"], i = False, i + 2
            spans[prefix + ".enforceable"] = p.span.join(pieces[i - 1].span)
        elif w in ("fin", "end", "until"):   # removal_measures[].end_date: « fin 1er mars 2027 »
            j = i + 1
            if j < len(pieces) and words[j] in ("le", "on"):
                j += 1
            if unknown_next(j):
                m["end_date"], i = None, j + 1
            elif j < len(pieces) and pieces[j].kind == "date":
                m["end_date"], i = read_date(pieces[j]).isoformat(), j + 1
            else:
                raise Sem("« fin » doit être suivie d'une date (fin de la mesure temporaire) ou de « inconnue »",
                          p.span, vocab.WHAT["date"])
            spans[prefix + ".end_date"] = p.span
        elif w in ("recours", "remedies"):
            nxt = words[i + 1] if i + 1 < len(pieces) else ""
            if unknown_next(i + 1):
                m["remedies_exhausted"], i = None, i + 2
            elif nxt.startswith("epuis") or nxt == "exhausted":
                m["remedies_exhausted"], i = True, i + 2
            elif nxt.startswith("pendant") or nxt in ("pending", "non", "en"):
                m["remedies_exhausted"] = False
                i += 3 if nxt in ("non", "en") and i + 2 < len(pieces) else 2
            else:
                raise Sem("« recours » doit être suivi de « épuisés », « pendants » ou « inconnus »",
                          p.span, attrs)
            spans[prefix + ".remedies_exhausted"] = p.span
        else:
            close = vocab.closest(p.text, {"definitive": "définitive", "temporaire": "temporaire", "vers": "vers",
                                           "executoire": "exécutoire", "recours": "recours", "fin": "fin"}, cutoff=0.6)
            raise Sem(f"« {p.text} » inattendu dans une mesure d'éloignement", p.span, attrs,
                      f"vouliez-vous dire « {close[0]} » ?" if close else None)
    return m


def read_conviction(f: Fact, spans: dict, prefix: str) -> dict:
    c = {}
    for a in f.atoms:
        ps = a.pieces
        words = [vocab.norm(p.text) for p in ps]
        if len(ps) == 1 and ps[0].kind == "date":
            c["date"] = read_date(ps[0]).isoformat()
            spans[prefix + ".date"] = a.span
        elif len(ps) == 1 and ps[0].kind == "duration":
            c["total"] = read_duration(ps[0])
            spans[prefix + ".total"] = a.span
        elif len(ps) == 1 and ps[0].kind == "string":
            c["court"] = ps[0].value
            spans[prefix + ".court"] = a.span
        elif words and words[-1].startswith("definitive") and len(ps) <= 2 and (len(ps) == 1 or ps[0].kind == "no"):
            c["final"] = len(ps) == 1
            spans[prefix + ".final"] = a.span
        elif len(ps) == 2 and ps[1].kind == "unknown" and words[0] in ("definitive", "tribunal", "juridiction",
                                                                          "date", "duree", "court", "final", "total"):
            key = {"definitive": "final", "tribunal": "court", "juridiction": "court", "date": "date",
                   "duree": "total", "court": "court", "final": "final", "total": "total"}[words[0]]
            c[key] = None
            spans[f"{prefix}.{key}"] = a.span
        elif all(p.kind in ("word", "string") for p in ps):
            c["court"] = a.text
            spans[prefix + ".court"] = a.span
        else:
            bad = next(p for p in ps if p.kind not in ("word", "string"))
            raise Sem(f"« {bad.text} » inattendu dans une condamnation", bad.span, vocab.WHAT["conviction"],
                      "séparez par des virgules la juridiction, la date, « définitive » et la durée")
    return c

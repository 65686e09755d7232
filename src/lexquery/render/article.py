"""One provision as text, in French or English (``lexquery article``, the language's
« article X ? »): alinéas numbered, version and validity, source and LEGIARTI, confidence,
notes apart from the operative text, what it cites and what cites it, successor in the 2029
code. Reads the data of :func:`lexquery.kb.describe.describe`.
"""
from __future__ import annotations

from datetime import date


T = {
    "fr": {"current": "actuelle", "research_note": "note de recherche, en anglais", "version": "Version", "valid": "en vigueur", "from": "du", "until": "au", "since": "depuis le", "start_unknown": "(date d'entrée en vigueur inconnue)", "today": "à ce jour",
           "unknown": "date inconnue", "source": "Source", "official": "Lien officiel", "copy": "copie", "conf": "Confiance",
           "notes": "Notes (hors texte opérant)", "cites": "Cite", "cited_by": "Cité par",
           "rules": "Utilisé par les règles", "oq": "Questions ouvertes (non vérifiées, jamais du droit)",
           "succ": "Successeur dans le code de 2029", "pred": "Reprend (code actuel)", "others": "Autres versions", "none": "—",
           "trunc": "texte stocké tronqué", "transl": "traduction, pas le texte authentique",
           "restat": "texte du code de 2029 (ordonnance 2025-1091), pas en vigueur avant le 1er janvier 2029",
           "not_valid": "aucune version connue n'est en vigueur à cette date : version la plus proche",
           "at": "au", "amended": "Modifié par", "no_text": "(pas de texte stocké)",
           "repealed": "abrogée, date inconnue", "repealed_before": "plus en vigueur au", "colon": " : ",
           "in_french": ""},
    "en": {"current": "current", "research_note": "research note", "version": "Version", "valid": "in force", "from": "from", "until": "to", "since": "since", "start_unknown": "(entry-into-force date unknown)", "today": "to date",
           "unknown": "unknown date", "source": "Source", "official": "Official link", "copy": "copy", "conf": "Confidence",
           "notes": "Notes (not operative text)", "cites": "Cites", "cited_by": "Cited by",
           "rules": "Used by rules", "oq": "Open questions (unverified, never law)",
           "succ": "Successor in the 2029 code", "pred": "Restates (current code)", "others": "Other versions", "none": "—",
           "trunc": "stored text truncated", "transl": "translation, not the authentic text",
           "restat": "text of the 2029 code (ordinance 2025-1091), not in force before 1 January 2029",
           "not_valid": "no known version is in force on that date: closest version",
           "at": "on", "amended": "Amended by", "no_text": "(no stored text)",
           "repealed": "repealed, date unknown", "repealed_before": "no longer in force on", "colon": ": ",
           "in_french": "research note, in French"},
}


# the research pack's confidence marks, in words
CONFIDENCE = {"fr": {"high": "élevée", "medium-high": "assez élevée", "medium": "moyenne", "low": "faible"},
              "en": {"high": "high", "medium-high": "medium-high", "medium": "medium", "low": "low"}}
_EN_WORDS = {"the", "and", "of", "is", "not", "stored", "version", "from", "only", "with", "known", "which"}


def rule_words(r: dict, lang: str = "fr") -> str:
    """A rule that cites the provision, in words (« Libération conditionnelle « expulsion » › la
    personne est étrangère… »); a value of a rule file (a constant, a derived date) by its file.
    The rule's id stays in the JSON (``rule``)."""
    lab = r.get("label") or {}
    if lab.get(lang) or lab.get("fr"):
        return lab.get(lang) or lab["fr"]
    return (f"une valeur de {r['file']}" if lang == "fr" else f"a value of {r['file']}")


def _amended(title: str, lang: str) -> str:
    """The amending law's title as published (« LOI n° 2016-274 du 7 mars 2016 relative au… »),
    quoted in an English answer; a trailing mark ([I]) stays outside the quotes."""
    if lang != "en" or not title:
        return title
    import re
    m = re.match(r"^(.*?)((?:\s*\[[SIU]\])*)$", title)
    return _quoted(m.group(1), lang) + m.group(2)


def _question(text: str, t: dict, lang: str) -> str:
    """An open question of the research pack, labelled when it is not in the reader's language."""
    if lang == "fr" and _english(text):
        return f"({t['research_note']}) {text}"
    if lang == "en" and text and not _english(text):
        return f"({t['in_french']}) {_quoted(text, lang)}"
    return text


def _english(text: str) -> bool:
    """A research note written in English (the pack's notes are; the law's texts are not)."""
    words = [w.strip(".,;:()'«»").lower() for w in text.split()[:40]]
    return sum(w in _EN_WORDS for w in words) >= 3


def _d(x, t):
    return x.isoformat() if isinstance(x, date) else (str(x) if x else None)


def _repealed(v: dict, t: dict) -> str:
    """A version repealed on an unknown date: said so, never « à ce jour »."""
    out = t["repealed"]
    if v.get("repealed_before"):
        out += f" ; {t['repealed_before']} {_d(v['repealed_before'], t)}"
    return out


def _quoted(text: str, lang: str) -> str:
    """French text as published (the law's words, its titles, Légifrance's notes), shown in an
    English answer between « » — quoted, not translated (issue 15 item 7)."""
    if lang != "en" or not text or _english(text) or text.lstrip().startswith("«"):
        return text
    return f"« {text} »"


def render_text(d: dict, lang: str = "fr") -> str:
    t = T[lang]
    c = t["colon"]
    title = d["title"].get(lang) or _quoted(d["title"].get("fr"), lang)
    out = [f"{d['citation']}" + (f" — {title}" if title else "")]
    if d["hierarchy"]:
        out.append("  " + _quoted(" › ".join(d["hierarchy"]), lang))
    v = d["version"]
    if v is None:
        out.append(t["no_text"])
    else:
        start = _d(v["valid_from"], t) or t["unknown"]
        if v["valid_until"]:
            span = f"{t['from']} {start} {t['until']} {_d(v['valid_until'], t)}"
        elif v.get("repealed"):
            span = f"{t['from']} {start} — {_repealed(v, t)}"
        elif v["valid_from"]:
            span = f"{t['since']} {start} ({t['today']})"
        else:
            span = t["start_unknown"]
        vid = t["current"] if v["id"] == "current" else v["id"]   # an undated version is « la version actuelle »
        out.append(f"{t['version']} {vid} — {t['valid']} {span}"
                   + ("" if v["valid_on_date"] else f"  ⚠ {t['not_valid']} ({t['at']} {d['at']})"))
        ids = " · ".join(x for x in (d["legiarti"], v["legiarti"] if v["legiarti"] != d["legiarti"] else None) if x)
        src = f"{t['source']}{c}{v['source'] or t['none']}" + (f" ({t['copy']}{c}{v['source_file']})" if v["source_file"] else "")
        out.append((ids + " · " if ids else "") + src)
        if v.get("official") and v["official"] != v["source"]:
            out.append(f"{t['official']}{c}{v['official']}")
        if v["amended_by"]:
            out.append(f"{t['amended']}{c}{_amended(v['amended_by'], lang)}")
        conf = CONFIDENCE[lang].get(v["confidence"], v["confidence"]) if v["confidence"] else t["none"]
        note = v["confidence_note"]
        if note and lang == "fr" and _english(note):
            note = f"({t['research_note']}) {note}"
        elif note and lang == "en" and not _english(note):
            note = f"({t['research_note']}) {_quoted(note, lang)}"
        out.append(f"{t['conf']}{c}{conf}" + (f" — {note}" if note else ""))
        for flag, key in (("truncated", "trunc"), ("translation", "transl"), ("restatement_2029", "restat")):
            if v[flag]:
                out.append(f"⚠ {t[key]}")
        succ = d.get("successions_2029") or []
        if succ and d["instrument"] != "CPP2029" and succ[0]["date"] and d["at"] >= succ[0]["date"].isoformat():
            out.append(("⚠ à cette date, le code de 2029 (ordonnance n° 2025-1091) remplace cet article : voir la correspondance ci-dessous"
                        if lang == "fr" else
                        "⚠ on this date the 2029 code (ordonnance 2025-1091) replaces this article: see the correspondence below"))
        out.append("")
        for para in v["paragraphs"]:
            mark = "▶ " if para["highlight"] else "  "
            lab = f"al. {para['n']}" + (f" ({para['label']})" if para["label"] else "")
            out.append(f"{mark}{lab:<12} {_quoted(para['text'], lang)}")
        if not v["paragraphs"]:
            out.append("  " + t["no_text"])
        if v["notes"]:
            out += ["", t["notes"] + c.rstrip()]
            out += [f"  [{n.get('kind', 'note')}] {_quoted(n.get('text', ''), lang)}" for n in v["notes"]]
    out.append("")
    cites = ", ".join(c["citation"] + ("" if c["in_kb"] else " (hors base)" if lang == "fr" else " (not in KB)")
                      for c in d["cites"])
    sep = " ; " if lang == "fr" else "; "
    out.append(f"{t['cites']}{c}{cites or t['none']}")
    out.append(f"{t['cited_by']}{c}{sep.join(d['cited_by']) or t['none']}")
    rules = sep.join(dict.fromkeys(f"{rule_words(r, lang)} ({r['citation']})" for r in d["rules"]))
    out.append(f"{t['rules']}{c}{rules or t['none']}")
    if d["open_questions"]:
        out.append(t["oq"] + c.rstrip())
        out += [f"  ? " + _question(q.get("text", ""), t, lang)
                + (f" — {q['source']}" if q.get("source") else "") for q in d["open_questions"]]
    if d["successor_2029"]:
        s = d["successor_2029"]
        out.append(f"{t['succ']}{c}{s['citation']}" + ("" if s["in_kb"] else (" (hors base)" if lang == "fr" else " (not in KB)")))
    if d.get("successions_2029") and d["instrument"] != "CPP2029":
        st = {"settled": "établie" if lang == "fr" else "settled", "inferred": "déduite, à vérifier" if lang == "fr" else "inferred, to verify",
              "unsettled": "non établie, à vérifier" if lang == "fr" else "unsettled, to verify"}
        out.append(("Correspondance (code de 2029, en vigueur le " if lang == "fr" else "Correspondence (2029 code, in force on ")
                    + f"{_d(d['successions_2029'][0]['date'], t)}){c.rstrip()}")
        for x in d["successions_2029"]:
            out.append(f"  {x['citation']} → {x['successor'] or '?'} ({st.get(x['status'], x['status'])})"
                       + (f" — {x.get('note_en') or _quoted(x['note'], lang)}" if lang == "en" and x["note"]
                          else f" — {x['note']}" if x["note"] else ""))
    if d["predecessors"]:
        out.append(f"{t['pred']}{c}{', '.join(d['predecessors'])}")
    if d["other_versions"]:
        out.append(f"{t['others']}{c}" + sep.join(
            f"{x['id']} ({_d(x['valid_from'], t) or t['unknown']} → "
            f"{_d(x['valid_until'], t) or (_repealed(x, t) if x.get('repealed') else t['today'])}"
            + (", EN" if x["translation"] else "") + (", 2029" if x["restatement_2029"] else "") + ")"
            for x in d["other_versions"]))
    return "\n".join(out)

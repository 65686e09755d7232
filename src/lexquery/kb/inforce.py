"""Rule citations checked against the version of the text in force (issue 13, items 2 and 5).

A rule claims a period (``valid:`` of its procedure, route, condition or note, intersected:
:class:`~lexquery.kb.provisions.RuleUse`). Over that period the cited article may have had
several versions (``law/``: ``valid_from`` / ``valid_until`` per version). The period is cut
at every version boundary; on each piece the version in force is the one
:meth:`KB.version_at` picks — the same one ``lexquery article --at`` shows — and:

- the cited alinéa or item must exist in it (« CPP 728-15 al. 4 » does not exist in the
  version of 2013-08-07 → 2021-12-31, which has three alinéas): an **error**;
- its text should not change from one piece to the next (the rule then rests on two
  different texts under one citation): a **warning** naming both versions;
- the version relied on should not be stored truncated, and the article should have an
  official link (Legifrance, EUR-Lex, the Council of Europe, the United Nations, or a
  LEGIARTI/CELEX id from which the official link follows);
- on days before the cited text was issued (no version of it yet: the circular of 21 March
  2025 cited by a rule whose period begins in 1985), the rule's answers must say so: an open
  question of reference/open-questions.yaml that concerns the rule's procedure and is bounded
  over those days (``from`` / ``until``) covers them (:func:`uncovered_before_issued`); a
  span no such question covers is a **warning** — the answers on those days cite a text that
  did not exist, with no word (house rule: a citation that does not resolve in the version in
  force on the date is a failing check). A treaty whose application reference/treaty-parties.yaml
  dates State by State (STE 167 cited from 1985 by ste_transfer, in force from 2000-06-01) is cited
  before it exists as a law to come: its conditions (``party_from``) say from when.

:func:`figures` gives the counts ``kb check`` prints (goal 0 each).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from .provisions import KB, Provision, RuleUse, Version

# Hosts of the official publications (the State's or the treaty body's own site).
OFFICIAL_HOSTS = (
    "legifrance.gouv.fr",          # www. and circulaire. (Legifrance's mirror with LEGIARTI ids)
    "eur-lex.europa.eu", "data.europa.eu",
    "coe.int",                     # conventions.coe.int, rm.coe.int (Council of Europe treaty office)
    "un.org",                      # treaties.un.org, legal.un.org (Vienna Convention 1963)
    "justice.gouv.fr",             # Bulletin officiel du ministère de la Justice (circulars)
    "journal-officiel.gouv.fr",
)
_URL = re.compile(r"https?://([^/\s;]+)[^\s;]*")
_ID = re.compile(r"^(LEGIARTI|JORFARTI)\d{12}$")


@dataclass
class Absent:
    """A rule cites an alinéa/item that the version in force on part of its period lacks."""
    use: RuleUse
    provision: Provision
    version: Version
    start: date
    end: date | None

    def message(self) -> str:
        return (f"« {self.use.citation} » n'existe pas dans la version {self.version.id} en vigueur "
                f"du {self.start} au {self.end or '…'} ({len(self.version.paragraphs)} alinéa(s)), période que "
                f"la règle revendique / the cited alinéa is absent from the version in force")


@dataclass
class Changed:
    """The text under one cited alinéa changes between two versions within the rule's period."""
    use: RuleUse
    provision: Provision
    before: Version
    after: Version
    on: date


@dataclass
class Result:
    absent: list[Absent] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    truncated: dict[str, list[str]] = field(default_factory=dict)    # article → versions relied on
    unlinked_cited: list[str] = field(default_factory=list)
    unlinked_all: list[str] = field(default_factory=list)
    unknown_text: list[tuple[RuleUse, date]] = field(default_factory=list)   # no version known then
    unsettled_2029: list[RuleUse] = field(default_factory=list)   # claimed past the 2029 code, no settled successor
    missing_successors: list[str] = field(default_factory=list)   # settled successors not in the KB
    before_issued: list[tuple[RuleUse, str, date, date]] = field(default_factory=list)   # (use, instrument, days before any version)
    uncovered: list[tuple[RuleUse, date, date]] = field(default_factory=list)   # of those, no dated question


def pieces(p: Provision, start: date | None, end: date | None) -> list[tuple[date | None, date | None]]:
    """The rule's period ``start..end`` cut at the boundaries of ``p``'s versions (inclusive
    bounds; None = open). An open start begins at the earliest dated version."""
    cuts = set()
    for v in p.versions:
        if v.valid_from:
            cuts.add(v.valid_from)
        if v.valid_until:
            cuts.add(v.valid_until + timedelta(days=1))
    if start is None:
        start = min(cuts) if cuts else None
    inside = sorted(c for c in cuts if (start is None or c > start) and (end is None or c <= end))
    starts = [start] + inside
    out = []
    for i, s in enumerate(starts):
        e = (starts[i + 1] - timedelta(days=1)) if i + 1 < len(starts) else end
        out.append((s, e))
    return out


def versions_over(kb: KB, p: Provision, start: date | None, end: date | None):
    """(piece start, piece end, version in force) over the period; the version is None when
    no stored version is in force on that piece."""
    out = []
    for s, e in pieces(p, start, end):
        day = s or date.today()
        v = kb.version_at(p, day)
        out.append((s, e, v if v is not None and v.valid_on(day) else None))
    return out


def _article_level(kb: KB, use: RuleUse) -> bool:
    node = kb.resolve(use.citation)
    return node is None or node.paragraph is None


def is_official(url: str | None) -> bool:
    if not url:
        return False
    for m in _URL.finditer(str(url)):
        host = m.group(1).lower()
        if any(host == h or host.endswith("." + h) for h in OFFICIAL_HOSTS):
            return True
    return False


def official_link(p: Provision, v: Version | None = None) -> str | None:
    """The official link of a version (else of any version of the article): its
    ``official``, an official ``source``, or the Legifrance address of its LEGIARTI id."""
    for x in ([v] if v else []) + [x for x in p.versions if x is not v]:
        for cand in (x.official, x.source):
            if is_official(cand):
                return next(m.group(0) for m in _URL.finditer(str(cand))
                            if any(m.group(1).lower().endswith(h) for h in OFFICIAL_HOSTS))
        lid = x.legiarti or (p.legiarti if x is v or v is None else None)
        if lid and _ID.match(str(lid)) and str(lid).startswith("LEGIARTI"):
            return f"https://www.legifrance.gouv.fr/codes/article_lc/{lid}"
    if p.legiarti and str(p.legiarti).startswith("LEGIARTI"):
        return f"https://www.legifrance.gouv.fr/codes/article_lc/{p.legiarti}"
    return None


def check(kb: KB) -> Result:
    res = Result()
    cited: set[str] = set()
    for use in kb.rule_uses:
        p = kb.article_of(use.citation)
        if p is None:
            continue            # unresolved: sparql/rule-citation-unresolved reports it
        cited.add(p.citation)
        article = _article_level(kb, use)
        prev = None
        for s, e, v in versions_over(kb, p, use.valid_from, use.valid_until):
            if v is None:
                if s is not None:
                    res.unknown_text.append((use, s))
                    first = min((x.valid_from for x in p.versions if x.valid_from), default=None)
                    if e is not None and first is not None and e < first:
                        res.before_issued.append((use, p.instrument, s, e))
                prev = None
                continue
            if v.truncated:
                lst = res.truncated.setdefault(p.citation, [])
                if v.id not in lst:
                    lst.append(v.id)
            if article:
                prev = v
                continue
            para = kb.paragraph_in(use.citation, v)
            if para is None:
                if kb.absent_from(use.citation, v):
                    res.absent.append(Absent(use, p, v, s, e))
                else:       # stored without item labels: neither present nor absent
                    res.unknown_text.append((use, s))
            elif prev is not None and prev is not v:
                old = kb.paragraph_in(use.citation, prev)
                cut = (prev.truncated and old is prev.paragraphs[-1]) or (v.truncated and para is v.paragraphs[-1])
                if old is not None and not cut and _norm(old.text) != _norm(para.text) and prev.language == v.language:
                    res.changed.append(Changed(use, p, prev, v, s))
            prev = v
    _check_2029(kb, res)
    for p in kb:
        if p.instrument == "CIRC2025":
            linked = any(is_official(x.official or x.source) for x in p.versions)
        else:
            linked = official_link(p) is not None
        if not linked:
            res.unlinked_all.append(p.citation)
            if p.citation in cited:
                res.unlinked_cited.append(p.citation)
    return res


def _check_2029(kb: KB, res: Result) -> None:
    """Rules claimed beyond the 2029 code's entry into force: each CPP citation should have a
    settled successor (law/cpp2029/correspondence.yaml), which must be a provision of the KB."""
    from .succession import load
    table = load()
    if table.in_force is None:
        return
    for e in table.entries.values():
        if e.settled and kb.resolve(e.new) is None:
            res.missing_successors.append(f"{e.old} → {e.new}")
    for use in kb.rule_uses:
        if not table.concerns(use.citation):
            continue
        if use.valid_until is not None and use.valid_until < table.in_force:
            continue
        e = table.of(use.citation)
        if e is None or not e.settled:
            res.unsettled_2029.append(use)


def _procedure_of(use: RuleUse, procedures: dict[str, set[str]]) -> set[str]:
    """The procedures a rule use belongs to: its rule file's, or — for a value of
    rules/common.yaml — those whose rule files name it (``procedures``: procedure id → the
    words of its rule file)."""
    stem = use.file.rsplit("/", 1)[-1].removesuffix(".yaml")
    if stem in procedures:
        return {stem}
    head = use.where.split("/")[0]
    return {pid for pid, words in procedures.items() if head in words}


def uncovered_before_issued(res: Result, questions: list[dict], procedures: dict[str, set[str]],
                            dated: set[str] = frozenset()) -> list:
    """The spans of ``res.before_issued`` that no open question covers: a question covers a
    span when it concerns every procedure of the use, names the cited text's instrument under
    ``before_issued`` and its ``from`` / ``until`` bound the span (one of them given; the other
    open covers). A treaty in ``dated`` (its application dated State by State by
    reference/treaty-parties.yaml: the rules read it by ``party_from``, whose conditions say
    « or from its known entry into force » and are not met before) needs no question: before it
    exists it is cited as a law to come, with its date. Sets ``res.uncovered`` and returns it."""
    from .reference import _date     # the reference data's reading of a date (open-questions.yaml)

    def covers(q, pid, inst, s, e):
        qf, qu = _date(q.get("from"), "open-questions.yaml"), _date(q.get("until"), "open-questions.yaml")
        return (pid in (q.get("concerns") or []) and inst in (q.get("before_issued") or [])
                and (qf is not None or qu is not None) and (qf is None or qf <= s) and (qu is None or e <= qu))
    res.uncovered = []
    for use, inst, s, e in res.before_issued:
        if inst in dated:
            continue
        pids = _procedure_of(use, procedures)
        if not pids or not all(any(covers(q, pid, inst, s, e) for q in questions if isinstance(q, dict)) for pid in pids):
            res.uncovered.append((use, s, e))
    return res.uncovered


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


def figures(res: Result) -> dict:
    """The figures ``kb check`` reports (goal 0 each, the last one for the cited articles)."""
    return {
        "truncated_relied_on": len(res.truncated),
        "absent_alineas": len({(a.use.citation, a.use.where, a.version.id) for a in res.absent}),
        "without_official_link_cited": len(res.unlinked_cited),
        "without_official_link": len(res.unlinked_all),
        "text_changed_under_citation": len({(c.use.citation, c.use.where, c.on) for c in res.changed}),
        "unsettled_after_2029": len({u.citation for u in res.unsettled_2029}),
        "before_issued_uncovered": len({(u.citation, u.where) for u, _, _ in res.uncovered}),
    }


FIGURE_LABELS = {
    "truncated_relied_on": ("dispositions dont une règle utilise le texte, stockées tronquées",
                            "provisions a rule relies on, stored truncated"),
    "absent_alineas": ("citations d'un alinéa absent de la version en vigueur",
                       "citations of an alinéa absent from the version in force"),
    "without_official_link_cited": ("dispositions citées par les règles sans lien officiel",
                                    "provisions cited by the rules without an official link"),
    "without_official_link": ("dispositions sans lien officiel (toute la base)",
                              "provisions without an official link (whole KB)"),
    "text_changed_under_citation": ("citations dont le texte change pendant la période de la règle",
                                    "citations whose text changes within the rule's period"),
    "unsettled_after_2029": ("citations du CPP sans successeur établi dans le code de 2029, par des règles valables au-delà",
                             "CPP citations without a settled 2029 successor, by rules valid beyond 2028"),
    "before_issued_uncovered": ("citations d'un texte sur des jours où il n'existait pas encore, sans question ouverte datée",
                                "citations of a text on days before it existed, without a dated open question"),
}

"""The impact of a simulated reform on a registry (``lexquery screen FILE --reform R.yaml``).

The registry is screened twice: under the law as it is, and under the rule book and reference
data of the reform (:mod:`lexquery.engine.reform`). With the columnar engine, in one pass
(:mod:`lexquery.screening.columnar_impact`): each batch read once, answered under both, and
compared in memory (:func:`compare_batch`). Otherwise (the scalar engine, an input the vector
reader does not take) through the ordinary screening path twice
(:func:`lexquery.screening.screen.screen`), both outputs spooled to temporary CSV files (the
columns of docs/screening-csv.md), then read side by side by columns, case by case (both keep
the order of the input; :func:`compare_files`) — the same impact. Every case × procedure × State — and every
route of a procedure, as ``procedure/route`` — whose status, ``from`` or ``until`` differs is
a change. The impact gives, per procedure, the count of changes by transition
(``not_applicable → applicable``; ``applicable → applicable`` when only a date moves), the
list of the changed rows with their before/after columns, in text, CSV, JSON Lines, JSON and
an HTML page with a side-by-side view. Memory holds the changed rows only.
"""
from __future__ import annotations

import csv
import html
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby

from ..csvsafe import neutral
from ..engine.reform import effective_from
from ..errors import LexqueryError

IMPACT_FIELDS = ["line", "id", "name", "as_of", "procedure", "route", "state", "change",
                 "status_before", "status_after", "from_before", "from_after",
                 "until_before", "until_after", "reform"]


@dataclass
class Impact:
    """What a reform changes on one registry."""
    reform: dict                      # Reform.meta()
    source: str = ""
    as_of: str | None = None          # the evaluation date given (None: each row's own, or today)
    as_of_note: str | None = None
    cases: int = 0                    # cases read (both screenings read the same)
    changed_cases: int = 0
    rows_before: int = 0
    rows_after: int = 0
    rejected: int = 0
    counts: Counter = field(default_factory=Counter)   # (procedure, transition) -> n
    cases_by_procedure: Counter = field(default_factory=Counter)   # procedure (or procedure/route) -> changed cases
    changes: list[dict] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)        # current, reformed, compare

    def by_procedure(self) -> dict:
        out: dict = {}
        for (p, t), n in sorted(self.counts.items()):
            out.setdefault(p, {})[t] = n
        return out

    def to_dict(self) -> dict:
        return {"reform": self.reform, "source": self.source, "as_of": self.as_of, "as_of_note": self.as_of_note,
                "cases": self.cases, "changed_cases": self.changed_cases, "changed_rows": len(self.changes),
                "rejected": self.rejected, "by_procedure": self.by_procedure(),
                "cases_by_procedure": dict(sorted(self.cases_by_procedure.items())),
                "seconds": {k: round(v, 3) for k, v in self.seconds.items()}, "changes": self.changes}


def transition(before: str | None, after: str | None) -> str:
    """``not_applicable → applicable`` (a status changes) or ``applicable → applicable`` (a date)."""
    return f"{before or 'absent'} → {after or 'absent'}"


def _routes(cell: str) -> dict[str, tuple[str, str | None]]:
    """The ``routes`` cell of docs/screening-csv.md: ``id:status[:from]|…``."""
    out = {}
    for part in (cell or "").split("|"):
        if part:
            bits = part.split(":")
            out[bits[0]] = (bits[1] if len(bits) > 1 else None, bits[2] if len(bits) > 2 else None)
    return out


_KEEP = ("line", "id", "name", "as_of", "procedure", "state", "status", "from", "until", "routes")


def _compare_case(before: list[tuple], after: list[tuple], reform_label: str, start: str | None = None) -> list[dict]:
    """The changed rows of one case (same input line), procedures then their routes. Rows are
    tuples of the columns ``_KEEP``. ``start``: the reform's date (ISO); a ``from`` under the
    reform earlier than it is read by :func:`lexquery.engine.reform.effective_from`."""
    if before == after:
        return []
    b = {(r[4], r[5]): r for r in before}
    a = {(r[4], r[5]): r for r in after}
    head = (after or before)[0]
    out = []
    none = (None,) * len(_KEEP)
    for k in list(b) + [k for k in a if k not in b]:
        rb, ra = b.get(k, none), a.get(k, none)
        if rb == ra:
            continue
        sb, sa, fb, fa, ub, ua = rb[6] or None, ra[6] or None, rb[7] or None, ra[7] or None, rb[8] or None, ra[8] or None
        if start and fa and fa < start and (ra[3] or "") >= start:   # a date before the reform: read from it
            fa = effective_from(fb, fa, start)
        base = {"line": head[0], "id": head[1], "name": head[2], "as_of": head[3], "procedure": k[0],
                "route": None, "state": k[1] or None}
        if (sb, fb, ub) != (sa, fa, ua):
            out.append({**base, "change": "status" if sb != sa else "date",
                        "status_before": sb, "status_after": sa, "from_before": fb, "from_after": fa,
                        "until_before": ub, "until_after": ua, "reform": reform_label})
        if rb[9] != ra[9]:
            rtb, rta = _routes(rb[9]), _routes(ra[9])
            for rid in list(rtb) + [x for x in rta if x not in rtb]:
                (s1, f1), (s2, f2) = rtb.get(rid, (None, None)), rta.get(rid, (None, None))
                if start and f2 and f2 < start and (ra[3] or "") >= start:
                    f2 = effective_from(f1, f2, start)
                if (s1, f1) != (s2, f2):
                    out.append({**base, "route": rid, "change": "status" if s1 != s2 else "date",
                                "status_before": s1, "status_after": s2, "from_before": f1, "from_after": f2,
                                "until_before": None, "until_after": None, "reform": reform_label})
    return [{k: r[k] for k in IMPACT_FIELDS} for r in out]


COMPARE_ROWS = 50_000
"""Rows of each screening read at a time by :func:`compare_files` (memory stays flat with the file)."""


def compare_files(before_path: str, after_path: str, impact: Impact) -> Impact:
    """Read two screening CSVs of the same input side by side and fill ``impact``. Both are
    written by the same writer (header ``line``, …): polars reads the columns the comparison needs
    (:data:`_KEEP`, RFC 4180 — a quoted cell may hold a line break), :data:`COMPARE_ROWS` rows at a
    time; the rows of a case (its ``line``) are matched by rank on both sides, a case whose rows
    are all the same on both sides changes nothing and is only counted (most cases); the others
    are compared column by column in Python (:func:`_compare_case`), as :func:`_compare_parsed`
    compares every case — the same impact (tests/test_reform_jobs.py), ≈ half the CPU of the former
    comparison by text (docs/reforms.md)."""
    import polars as pl
    with open(before_path, newline="", encoding="utf-8") as fb, open(after_path, newline="", encoding="utf-8") as fa:
        hb, ha = next(csv.reader(fb), None), next(csv.reader(fa), None)
    if hb is None or ha is None:
        return impact
    if hb != ha or hb[0] != "line" or len(set(hb)) != len(hb) or not set(_KEEP) <= set(hb):
        return _compare_parsed(before_path, after_path, impact)   # not two outputs of one writer
    sides = [pl.scan_csv(p, infer_schema=False, empty_string_is_null=False, encoding="utf8")
             .select(list(_KEEP)).collect_batches(chunk_size=COMPARE_ROWS) for p in (before_path, after_path)]
    bufs = [None, None]
    done = [False, False]
    label, start = impact.reform.get("label", ""), impact.reform.get("from")
    while True:
        for i in (0, 1):   # one more batch of each side not ended
            if not done[i]:
                part = next(sides[i], None)
                if part is None:
                    done[i] = True
                else:
                    bufs[i] = part if bufs[i] is None else pl.concat([bufs[i], part])
        if bufs[0] is None or bufs[1] is None:
            return impact
        # the rows of each case are together, in the order of the input: the last case of a side
        # not ended may go on in its next batch; the first cases complete on both sides are compared
        runs = [b.get_column("line").rle().struct.unnest() for b in bufs]   # (len, value) per case
        n = min(len(r) - (0 if done[i] else 1) for i, r in enumerate(runs))
        if n > 0:
            lines = [r.get_column("value")[:n] for r in runs]
            if not lines[0].equals(lines[1]):
                k = int((lines[0] != lines[1]).arg_true()[0])
                raise _out_of_step(lines[0][k], lines[1][k], whole=True)
            lens = [r.get_column("len")[:n] for r in runs]
            ends = [int(x.sum()) for x in lens]
            _compare_frames(bufs[0][:ends[0]], bufs[1][:ends[1]], lines[0], lens, impact, label, start)
            bufs = [b[e:] for b, e in zip(bufs, ends)]
        if all(done):   # as zip: both screenings read the same input, the cases past the shorter are left
            return impact


def compare_batch(b, a, impact: Impact) -> Impact:
    """:func:`compare_files` on one batch of both screenings held in memory (the one-pass impact,
    :mod:`lexquery.screening.columnar_impact`): ``b`` and ``a``, frames of the columns :data:`_KEEP`
    as :func:`compare_files` reads them back from the screenings' CSV (``line`` as text, the cells
    the CSV writer writes, an empty cell null), hold the rows of the same whole cases, in the
    order written; their changes and counts are added to ``impact``, as :func:`compare_files` adds
    those of these cases."""
    import polars as pl
    if not b.height and not a.height:
        return impact
    runs = [f.get_column("line").rle().struct.unnest() for f in (b, a)]
    lines = [r.get_column("value") for r in runs]
    if not lines[0].equals(lines[1]):
        n = min(len(x) for x in lines)
        diff = (lines[0][:n] != lines[1][:n]).arg_true()
        k = int(diff[0]) if len(diff) else n
        seen = [x[k] if k < len(x) else None for x in lines]
        raise _out_of_step(*seen)
    _compare_frames(b, a, lines[0], [r.get_column("len") for r in runs], impact,
                    impact.reform.get("label", ""), impact.reform.get("from"))
    return impact


def _out_of_step(before, after, whole: bool = False) -> LexqueryError:
    """The error when both screenings do not hold the same cases in the same order (``before`` /
    ``after``: the first lines that differ, None past a side's end): a defect of lexquery, not of
    the input — both screen the same input. ``whole``: two whole screenings compared
    (:func:`compare_files`, :func:`_cases`; the scalar engine's ``--reform``), else the two
    screenings of a batch (:func:`compare_batch`, the columnar one's, where the scalar engine is
    the way round). ``where`` names the command and the function, in words of both languages."""
    fr = [f"ligne {x}" if x is not None else "plus aucune ligne" for x in (before, after)]
    en = [f"line {x}" if x is not None else "no more lines" for x in (before, after)]
    if whole:
        where, exp_fr, exp_en = ("screen --reform: lexquery.screening.impact.compare_files",
                                 "les mêmes cas, dans le même ordre, dans les deux criblages",
                                 "the same cases, in the same order, in both screenings")
        hint_fr = "une erreur de lexquery, non de votre fichier : relancez avec --debug et signalez-la"
        hint_en = "a defect of lexquery, not of your file: run again with --debug and report it"
    else:
        where, exp_fr, exp_en = ("screen --reform --engine columnar: lexquery.screening.impact.compare_batch",
                                 "les mêmes cas, dans le même ordre, dans les deux criblages du lot",
                                 "the same cases, in the same order, in both screenings of the batch")
        hint_fr = ("une erreur de lexquery, non de votre fichier : relancez avec --debug et signalez-la ; "
                   "en attendant, --engine scalar calcule l'impact par deux criblages complets")
        hint_en = ("a defect of lexquery, not of your file: run again with --debug and report it; meanwhile "
                   "--engine scalar computes the impact by two whole screenings")
    return LexqueryError(
        f"criblages décalés : {fr[0]} sous la loi en vigueur, {fr[1]} sous la réforme",
        where=where, expected=exp_fr, hint=hint_fr,   # where: both languages
        message_en=f"screenings out of step: {en[0]} under the law in force, {en[1]} under the reform",
        expected_en=exp_en, hint_en=hint_en)


ADDED = ("cases", "changed_cases", "rows_before", "rows_after", "rejected", "counts", "cases_by_procedure",
         "changes")
"""The fields of :class:`Impact` that :func:`add_impact` adds up (numbers, counters, the list of
changes); the others (:data:`DESCRIBES`) describe the screening and are the same in every part."""
DESCRIBES = ("reform", "source", "as_of", "as_of_note", "seconds")


def add_impact(impact: Impact, part: Impact) -> Impact:
    """The counts and changes of ``part`` (the impact of the next cases of the input) added to
    ``impact``: what comparing those cases into ``impact`` itself gives."""
    for name in ADDED:
        mine, theirs = getattr(impact, name), getattr(part, name)
        if isinstance(mine, Counter):
            mine.update(theirs)
        else:
            setattr(impact, name, mine + theirs)
    return impact


def _compare_frames(b, a, lines, lens, impact: Impact, label: str, start: str | None):
    """:func:`compare_files` on the rows of whole cases, the same on both sides (``lines``, their
    rows' counts ``lens`` on each side; frames of :data:`_KEEP` in the order written): the cases
    with as many rows on both sides are compared row by row at once, the others are changed."""
    import polars as pl
    impact.cases += len(lines)
    impact.rows_before += b.height
    impact.rows_after += a.height
    impact.rejected += b.filter(pl.col("line").is_first_distinct() & (pl.col("status") == "error")).height
    same_len = lens[0] == lens[1]
    changed = lines.filter(~same_len)
    if len(changed):   # the rows of the cases of as many rows on both sides, aligned
        keep = lines.filter(same_len).implode()
        b2, a2 = b.filter(pl.col("line").is_in(keep)), a.filter(pl.col("line").is_in(keep))
    else:
        b2, a2 = b, a
    differs = None
    for c in _KEEP[1:]:
        d = b2.get_column(c).ne_missing(a2.get_column(c))
        differs = d if differs is None else differs | d
    changed = pl.concat([changed, b2.get_column("line").filter(differs)])
    if not len(changed):
        return
    changed = changed.unique()
    for sb, sa in zip(_rows_of(b, changed), _rows_of(a, changed)):
        _add_changes(impact, _compare_case(sb, sa, label, start))


def _rows_of(f, lines) -> list:
    """The rows (tuples of :data:`_KEEP`) of each case of ``f`` whose line is among ``lines``,
    case by case in the order written."""
    import polars as pl
    out, key = [], None
    for r in f.filter(pl.col("line").is_in(lines.implode())).rows():
        if r[0] != key:
            out.append([])
            key = r[0]
        out[-1].append(r)
    return out


def _cases(groups_b, groups_a, impact: Impact):
    """Each case's rows in both screenings side by side (``groupby`` of their line), counted in
    ``impact``: both screenings read the same input in the same order."""
    for (lb, rows_b), (la, rows_a) in zip(groups_b, groups_a):
        rows_b, rows_a = list(rows_b), list(rows_a)
        if lb != la:
            raise _out_of_step(lb, la, whole=True)
        impact.cases += 1
        impact.rows_before += len(rows_b)
        impact.rows_after += len(rows_a)
        yield rows_b, rows_a


def _add_changes(impact: Impact, ch: list[dict]):
    """Count one case's changed rows in ``impact``."""
    if ch:
        impact.changed_cases += 1
        procs = set()
        for c in ch:
            p = c["procedure"] + (f"/{c['route']}" if c["route"] else "")
            impact.counts[(p, transition(c["status_before"], c["status_after"]))] += 1
            procs.add(p)
        impact.cases_by_procedure.update(procs)
        impact.changes += ch


def _compare_parsed(before_path: str, after_path: str, impact: Impact) -> Impact:
    """:func:`compare_files` for two CSVs whose headers differ: every row parsed and compared."""
    with open(before_path, newline="", encoding="utf-8") as fb, open(after_path, newline="", encoding="utf-8") as fa:
        rb, ra = csv.reader(fb), csv.reader(fa)
        hb, ha = next(rb, None), next(ra, None)
        if hb is None or ha is None:
            return impact
        ib, ia = [hb.index(c) for c in _KEEP], [ha.index(c) for c in _KEEP]
        tb = (tuple(r[i] for i in ib) for r in rb)
        ta = (tuple(r[i] for i in ia) for r in ra)
        gb, ga = groupby(tb, key=lambda r: r[0]), groupby(ta, key=lambda r: r[0])
        label = impact.reform.get("label", "")
        for rows_b, rows_a in _cases(gb, ga, impact):
            if rows_b[0][6] == "error":
                impact.rejected += 1
            _add_changes(impact, _compare_case(rows_b, rows_a, label, impact.reform.get("from")))
    return impact


def spool_input(path: str) -> tuple[str, bool]:
    """A path that can be read twice: the file itself, or standard input / a pipe copied to a
    temporary file (removed by the caller)."""
    if path not in ("-", None) and os.path.isfile(path):
        return path, False
    src = sys.stdin.buffer if path in ("-", None) else open(path, "rb")
    fd, tmp = tempfile.mkstemp(prefix="lexquery-reform-", suffix=".csv")
    with os.fdopen(fd, "wb") as out:
        shutil.copyfileobj(src, out)
    if src is not sys.stdin.buffer:
        src.close()
    return tmp, True


ONE_PASS = True
"""The columnar impact in one pass (:func:`lexquery.screening.columnar_impact.screen_pair`: the input
read once, each batch answered under both rule books and compared in memory); False (tests): two
screenings spooled to CSV files, then :func:`compare_files` — the same impact."""


def screen_impact(path: str, reform, *, base=None, as_of: date | None = None, jobs: int = 1,
                  chunk: int = 200, progress: bool | None = None, label: str | None = None,
                  engine: str = "scalar", lang: str = "fr",
                  block_bytes: int | None = None) -> tuple[Impact, object, object]:
    """Screen ``path`` under the law and under ``reform`` (:class:`lexquery.engine.reform.Reform`);
    return the impact and both screenings' summaries. ``engine="columnar"``: both screenings over
    columns, in one pass (:func:`lexquery.screening.columnar_impact.screen_pair`; :data:`ONE_PASS`),
    each batch answered by both programs, each compiled from its own rule book and reference data
    — the same bytes as the scalar engine's, so the same impact; with ``jobs`` > 1 the batches
    (``block_bytes``: their size, default the reader's) are answered on that many processes — this
    one and ``jobs`` − 1 workers (``columnar_pipeline.MAIN_ANSWERS``), one pool for both
    screenings —, the workers rebuilding the reform from the bytes read here
    (:func:`lexquery.screening.columnar_jobs.reform_spec`) and compiling both programs — when
    ``base`` is the knowledge base of this process (a worker loads that one); else one process.
    An input the vector reader does not take (and :data:`ONE_PASS` False): two screenings
    (``screening/columnar_pipeline.py``), each on its own processes, compared by
    :func:`compare_files`. ``lang``: the progress bar's language."""
    from ..engine.api import load_kb
    from .outputs import CsvWriter
    from .screen import screen
    base = base or load_kb()
    reformed = reform.engine(base)
    src, spooled = spool_input(path)
    label = label or ("<stdin>" if path in ("-", None) else str(path))
    impact = Impact(reform=reform.meta(), source=label, as_of=as_of.isoformat() if as_of else None)
    tmps = []
    # workers load this knowledge base: they can rebuild both screenings' engines (the reform from its bytes)
    own = base is load_kb() and bool(getattr(reform, "raw", b""))
    try:
        if engine == "columnar" and ONE_PASS:   # read once, both programs a batch, compared in memory
            from .columnar_impact import screen_pair
            if own:   # the programs compiled where they answer: each worker, or here
                from .columnar_jobs import reform_spec
                kw = {"before": None, "reform": reform_spec(reform)}
            else:     # another knowledge base (tests): both programs compiled here, one process
                from ..columnar.program import compile_book
                kw = {"before": base, "programs": (compile_book(base.book, base.ref),
                                                   compile_book(reformed.book, reformed.ref))}
            pair = screen_pair(src, impact, after=reformed, as_of=as_of, jobs=jobs, block_bytes=block_bytes,
                               progress=progress, label=label, lang=lang, **kw)
            if pair is not None:
                return impact, pair[0], pair[1]
        summaries = []
        for name, eng in (("current", base), ("reformed", reformed)):
            fd, tmp = tempfile.mkstemp(prefix=f"lexquery-{name}-", suffix=".csv")
            os.close(fd)
            tmps.append(tmp)
            t = time.perf_counter()
            with open(tmp, "w", encoding="utf-8", newline="") as out:
                if engine == "columnar":
                    from .columnar_pipeline import screen_columnar
                    if own:   # the program compiled where it answers: each worker, or here (lazily)
                        from .columnar_jobs import reform_spec
                        kw = ({"engine": None} if eng is base else
                              {"engine": eng, "reform": reform_spec(reform)})
                    else:     # another knowledge base (tests): both programs compiled here, one process
                        from ..columnar.program import compile_book
                        kw = {"engine": eng, "program": compile_book(eng.book, eng.ref)}
                    summaries.append(screen_columnar(src, CsvWriter(out, ","), as_of=as_of, progress=progress,
                                                     label=label, lang=lang, jobs=jobs, block_bytes=block_bytes,
                                                     **kw))
                else:
                    summaries.append(screen(src, CsvWriter(out, ","), as_of=as_of, jobs=jobs, chunk=chunk,
                                            engine=eng, progress=progress, label=label, lang=lang))
            impact.seconds[name] = time.perf_counter() - t
        t = time.perf_counter()
        compare_files(tmps[0], tmps[1], impact)
        impact.seconds["compare"] = time.perf_counter() - t
    finally:
        for tmp in tmps + ([src] if spooled else []):
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return impact, summaries[0], summaries[1]


# --- outputs -------------------------------------------------------------------------------

# the impact report's own words (text and HTML), French and English; procedures, routes and
# statuses in words come from the screening's tables (screen.procedure_names, screen.status_words)
WORDS = {
    "fr": {"from": "à compter du", "changes": "modifie", "simulation": "(simulation : ce n'est pas le droit en vigueur)",
           "read": "cas lus", "change": "changent sous la réforme", "rows": "lignes cas × procédure ou voie",
           "as_of": "date d'évaluation", "note": "note", "by_procedure": "Changements par procédure (statut avant → "
           "après ; même statut : une date change) :", "cases": "cas", "changed": "Cas qui changent :",
           "line": "ligne", "more": "… et {n} autres (-o impact.csv pour la liste entière)",
           "nothing": "Aucun cas ne change sous la réforme à cette date.", "since": "du", "until": "jusqu'au",
           "absent": "absent", "untranslated": None,
           # HTML
           "impact": "Impact", "not_law": "simulation, pas le droit en vigueur", "modelled": "Texte modélisé",
           "From": "À compter du", "h1": "Impact de la réforme sur", "changes_n": "changent",
           "h_by": "Par procédure", "proc_route": "procédure / voie", "before_after": "avant → après",
           "t_rows": "lignes", "h_side": "Cas qui changent — côte à côte",
           "filter": "filtrer (nom, id, procédure, statut)…", "t_case": "cas", "t_state": "État",
           "in_force": "droit en vigueur", "reformed": "réforme simulée"},
    "en": {"from": "from", "changes": "changes", "simulation": "(a simulation: not the law in force)",
           "read": "cases read", "change": "change under the reform", "rows": "rows case × procedure or route",
           "as_of": "evaluation date", "note": "note", "by_procedure": "Changes by procedure (status before → "
           "after; same status: a date moves):", "cases": "cases", "changed": "Cases that change:",
           "line": "line", "more": "… and {n} more (-o impact.csv for the whole list)",
           "nothing": "No case changes under the reform on this date.", "since": "from", "until": "until",
           "absent": "absent", "untranslated": "given in French only by the reform file",
           "impact": "Impact", "not_law": "a simulation, not the law in force", "modelled": "Text modelled",
           "From": "From", "h1": "Impact of the reform on", "changes_n": "change",
           "h_by": "By procedure", "proc_route": "procedure / route", "before_after": "before → after",
           "t_rows": "rows", "h_side": "Cases that change — side by side",
           "filter": "filter (name, id, procedure, status)…", "t_case": "case", "t_state": "State",
           "in_force": "law in force", "reformed": "simulated reform"},
}
_COLON = {"fr": " : ", "en": ": "}


def _labels(lang: str = "fr") -> dict:
    """Procedures and their routes (``procedure/route``) in words."""
    from .screen import procedure_names
    return procedure_names(lang)


def _statuses(lang: str = "fr") -> dict:
    from .screen import status_words
    words = status_words(lang)
    words["error"] = "erreur" if lang == "fr" else "error"
    words[None] = WORDS[lang]["absent"]
    return words


def _transition(t: str, statuses: dict) -> str:
    """``not_applicable → applicable`` in words."""
    a, _, b = t.partition(" → ")
    return f"{statuses.get(None if a == 'absent' else a, a)} → {statuses.get(None if b == 'absent' else b, b)}"


def _reform_head(r: dict, lang: str) -> tuple[str, str, list[str]]:
    from ..render.text import reform_words
    return reform_words(r, lang)


def render_text(imp: Impact, list_limit: int | None = None, lang: str = "fr") -> str:
    """The impact in words for a person (``lang``: fr or en); the ids stay in the CSV and JSON."""
    r = imp.reform
    w, c = WORDS[lang], _COLON[lang]
    label, text, changes = _reform_head(r, lang)
    lines = [f"⚠ {label} — {text}",
             f"  {w['from']} {r['from']}{' ; ' if lang == 'fr' else '; '}{w['changes']}{c}" + "; ".join(changes),
             f"  {w['simulation']}",
             f"{imp.source}{c}{imp.cases} {w['read']}, {imp.changed_cases} {w['change']} "
             f"({len(imp.changes)} {w['rows']})"
             + (f", {w['as_of']} {imp.as_of}" if imp.as_of else "")]
    if lang == "en" and r.get("untranslated"):
        lines.insert(3, f"  ({w['untranslated']}{c}{', '.join(r['untranslated'])})")
    if imp.as_of_note:
        lines.append(f"  {w['note']}{c}{imp.as_of_note}")
    labels, statuses = _labels(lang), _statuses(lang)
    by = imp.by_procedure()
    if by:
        lines.append(w["by_procedure"])
        for p, ts in by.items():
            lines.append(f"  {labels.get(p, p)} — {imp.cases_by_procedure.get(p, 0)} {w['cases']}")
            for t, n in sorted(ts.items(), key=lambda kv: -kv[1]):
                lines.append(f"    {_transition(t, statuses):<45} {n:>7}")
        lines.append(w["changed"])
        shown = imp.changes if list_limit is None else imp.changes[:list_limit]
        for ch in shown:
            p = ch["procedure"] + (f"/{ch['route']}" if ch["route"] else "")
            what = labels.get(p, p) + (f" — {ch['state']}" if ch["state"] else "")
            lines.append(f"  {w['line']} {ch['line']} {ch['id'] or ''} {ch['name'] or ''} — {what}{c}"
                         f"{_st(ch, 'before', lang, statuses)} → {_st(ch, 'after', lang, statuses)}")
        if list_limit is not None and len(imp.changes) > list_limit:
            lines.append(f"  {w['more'].format(n=len(imp.changes) - list_limit)}")
    else:
        lines.append(w["nothing"])
    return "\n".join(lines)


def _st(c, side, lang: str = "fr", statuses: dict | None = None) -> str:
    statuses = statuses or _statuses(lang)
    w = WORDS[lang]
    s = statuses.get(c[f"status_{side}"], c[f"status_{side}"])
    if c[f"from_{side}"]:
        s += f" {w['since']} {c[f'from_{side}']}"
    if c[f"until_{side}"]:
        s += f" {w['until']} {c[f'until_{side}']}"
    return s


def write_csv(imp: Impact, out, sep: str = ",") -> None:
    w = csv.writer(out, delimiter=sep, lineterminator="\n")
    w.writerow(IMPACT_FIELDS)
    for c in imp.changes:
        w.writerow([neutral("" if c[k] is None else str(c[k])) for k in IMPACT_FIELDS])


def write_jsonl(imp: Impact, out) -> None:
    for c in imp.changes:
        out.write(json.dumps(c, ensure_ascii=False) + "\n")


def write_json(imp: Impact, out) -> None:
    out.write(json.dumps(imp.to_dict(), ensure_ascii=False, indent=1) + "\n")


_CSS = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
.banner{background:#fff3e0;border:2px solid #e65100;padding:.8em 1em;margin-bottom:1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.25em .5em;vertical-align:top}
th{background:#f5f5f5}.side td.b{background:#fafafa}.side td.a{background:#e8f5e9}
.applicable{color:#2e7d32;font-weight:600}.applicable_later{color:#1565c0}.undetermined{color:#f9a825}
.not_applicable{color:#757575}.num{text-align:right}input{margin:.5em 0;padding:.3em;width:24em}"""


def _e(v) -> str:
    return html.escape("" if v is None else str(v))


def write_html(imp: Impact, out, lang: str = "fr") -> None:
    """One self-contained page: the reform's banner, the counts by procedure and transition, and
    every changed row side by side (law in force | reform), filterable; in ``lang``."""
    r = imp.reform
    w, c = WORDS[lang], _COLON[lang]
    labels, statuses = _labels(lang), _statuses(lang)
    label, text, changes = _reform_head(r, lang)
    semi = " ; " if lang == "fr" else "; "
    untranslated = (f"<br><small>{_e(w['untranslated'])}{c}{_e(', '.join(r['untranslated']))}</small>"
                    if lang == "en" and r.get("untranslated") else "")
    parts = [f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
             f"<title>{_e(w['impact'])} — {_e(label)}</title><style>{_CSS}</style></head><body>",
             f"<div class='banner'><strong>⚠ {_e(label)}</strong> — {_e(w['not_law'])}<br>"
             f"{_e(w['modelled'])}{c}{_e(text)}<br>{_e(w['From'])} <strong>{_e(r['from'])}</strong>{semi}"
             f"{_e(w['changes'])}{c}{_e('; '.join(changes))}{untranslated}</div>",
             f"<h1>{_e(w['h1'])} {_e(imp.source)}</h1>",
             f"<p>{imp.cases} {_e(w['read'])}{semi}<strong>{imp.changed_cases}</strong> {_e(w['changes_n'])} "
             f"({len(imp.changes)} {_e(w['rows'])})"
             + (f"{semi}{_e(w['as_of'])} {_e(imp.as_of)}" if imp.as_of else "") + ".</p>"]
    if imp.as_of_note:
        parts.append(f"<p><em>{_e(imp.as_of_note)}</em></p>")
    parts.append(f"<h2>{_e(w['h_by'])}</h2><table><tr><th>{_e(w['proc_route'])}</th><th>{_e(w['before_after'])}</th>"
                 f"<th>{_e(w['t_rows'])}</th></tr>")
    for p, ts in imp.by_procedure().items():
        for i, (t, n) in enumerate(sorted(ts.items(), key=lambda kv: -kv[1])):
            first = (f"<td rowspan='{len(ts)}'>{_e(labels.get(p, p))} — "
                     f"{imp.cases_by_procedure.get(p, 0)} {_e(w['cases'])}</td>") if i == 0 else ""
            parts.append(f"<tr>{first}<td>{_e(_transition(t, statuses))}</td><td class='num'>{n}</td></tr>")
    parts.append(f"</table><h2>{_e(w['h_side'])}</h2>"
                 f"<input id='q' placeholder='{_e(w['filter'])}' oninput='f()'>"
                 f"<table class='side' id='t'><tr><th>{_e(w['line'])}</th><th>{_e(w['t_case'])}</th>"
                 f"<th>{_e(w['proc_route'])}</th><th>{_e(w['t_state'])}</th>"
                 f"<th>{_e(w['in_force'])}</th><th>{_e(w['reformed'])}</th></tr>")
    for ch in imp.changes:
        p = ch["procedure"] + (f"/{ch['route']}" if ch["route"] else "")
        cells = []
        for side, cls in (("before", "b"), ("after", "a")):
            st = ch[f"status_{side}"]
            dates = " ".join(x for x in (f"{w['since']} {ch[f'from_{side}']}" if ch[f"from_{side}"] else "",
                                         f"{w['until']} {ch[f'until_{side}']}" if ch[f"until_{side}"] else "") if x)
            cells.append(f"<td class='{cls}'><span class='{_e(st)}'>{_e(statuses.get(st, st))}</span> {_e(dates)}</td>")
        parts.append(f"<tr><td>{_e(ch['line'])}</td><td>{_e(ch['name'])} <code>{_e(ch['id'])}</code></td>"
                     f"<td>{_e(labels.get(p, p))}</td><td>{_e(ch['state'])}</td>{''.join(cells)}</tr>")
    parts.append("</table><script>function f(){var q=document.getElementById('q').value.toLowerCase();"
                 "var rows=document.getElementById('t').rows;for(var i=1;i<rows.length;i++){"
                 "rows[i].style.display=rows[i].textContent.toLowerCase().indexOf(q)<0?'none':''}}</script>"
                 "</body></html>\n")
    out.write("".join(parts))


WRITERS = {"csv": write_csv, "jsonl": write_jsonl, "json": write_json, "html": write_html}

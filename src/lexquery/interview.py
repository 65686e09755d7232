"""The guided interview (issue 17): ask only the facts that decide the answer, one at a time.

Nothing here is a list of questions written by hand. The next question is read off the
engine's own answer for the case as it stands:

1. the case is answered (:meth:`lexquery.engine.api.Engine.ask`);
2. every procedure, State and route that is not yet *firm* — ``undetermined``, or open
   (``applicable`` / ``applicable_later``) with its consent or its deadline still unknown — lists in
   ``missing_facts`` the facts whose knowledge could settle it (the engine lists only facts
   that can change the outcome: docs/answer-format.md);
3. each such fact scores one point per procedure it could settle (half a point per route);
   the fact with the highest score is asked first, ties in the order of the case format
   (docs/case-format.md), so that a person is asked about the person before the sentence;
4. the question says why: the conditions that wait on that fact, with their articles;
5. « je ne sais pas » leaves the fact unknown and it is not asked again; the interview
   stops when no open procedure waits on a fact that can still be asked.

The answers are read with the lexquery language's value readers (« 1er juin 2025 »,
« 3 ans », « Roumanie », « ITF définitive vers la Roumanie »), so the interview accepts
what a ``.lq`` file accepts and refuses it with the same messages. The CLI
(``lexquery interview``) and the page (``POST /api/interview``) are two faces of this
module; neither holds logic of its own.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

from .dsl import vocab
from .engine.case import CONVICTION, MEASURE
from .engine.fields import ITEM_PATH, fact_label

DONT_KNOW = {"je ne sais pas", "jsp", "ne sais pas", "inconnu", "inconnue", "?", "i don't know",
             "dont know", "unknown", "nsp"}
# the type of an item's attribute → a top-level field of the same type, whose reader
# (the language's) reads the answer
_READ_AS = {"bool": "person.protected_adult", "state": "receiving_state", "date": "person.birth_date",
            "duration": "sentence.total", "str": "person.name"}
_ITEM_PATH = ITEM_PATH
WEIGHT_PROCEDURE, WEIGHT_ROUTE = 1.0, 0.5


@dataclass
class Reason:
    procedure: str          # the procedure's label (and State)
    condition: str          # the condition that waits on the fact
    sources: list[str]


@dataclass
class Question:
    path: str               # JSON path of the fact (docs/case-format.md)
    label: str              # the fact in words
    expects: str            # what an answer looks like
    why: list[Reason] = field(default_factory=list)
    score: float = 0.0
    settles: list[str] = field(default_factory=list)   # procedures it could settle

    def to_dict(self) -> dict:
        return {"path": self.path, "label": self.label, "expects": self.expects, "score": self.score,
                "settles": self.settles,
                "why": [{"procedure": r.procedure, "condition": r.condition, "sources": r.sources} for r in self.why]}


# ------------------------------------------------------------------ which fact to ask
def firm(p) -> bool:
    """A procedure (or route) result that no further fact can change the use of."""
    if p.status == "undetermined":
        return False
    # open, but its consent or its deadline still waits on facts (missing_facts lists them)
    if p.status in ("applicable", "applicable_later") and p.missing_facts:
        return False
    return True


def _order(path: str) -> int:
    top = _ITEM_PATH.sub(r"\1", path)
    try:
        return vocab.FIELD_ORDER.index(top)
    except ValueError:
        return len(vocab.FIELD_ORDER)


def _conds_waiting(conds, path, out):
    for c in conds:
        if c.status == "unknown" and path in (c.missing or []):
            out.append(c)
        _conds_waiting(c.children, path, out)


def _title(p, lang):
    t = p.label.get(lang) or p.label.get("fr")
    return f"{t} — {p.state}" if p.state else t


def choose(answer, skipped: set[str] | frozenset = frozenset(), lang: str = "fr") -> Question | None:
    """The fact that settles the most open procedures of ``answer``, or None: nothing left
    to ask (every procedure is firm, or waits only on facts the person does not know)."""
    scores: dict[str, float] = {}
    settles: dict[str, list[str]] = {}
    blocks = []
    for p in answer.procedures:
        blocks.append((p, WEIGHT_PROCEDURE, p))
        blocks += [(r, WEIGHT_ROUTE, p) for r in p.routes]
    for b, w, parent in blocks:
        if firm(b):
            continue
        for f in b.missing_facts:
            if f in skipped:
                continue
            scores[f] = scores.get(f, 0.0) + w
            name = _title(parent, lang)
            lst = settles.setdefault(f, [])
            if name not in lst:
                lst.append(name)
    if not scores:
        return None
    path = min(scores, key=lambda f: (-scores[f], _order(f), f))
    why: list[Reason] = []
    for b, _w, parent in blocks:
        if firm(b) or path not in b.missing_facts:
            continue
        waiting: list = []
        _conds_waiting(b.conditions, path, waiting)
        for c in waiting[:2]:
            r = Reason(_title(parent, lang) + (f" ({b.label.get(lang) or b.label.get('fr')})" if b is not parent else ""),
                       c.label.get(lang) or c.label.get("fr"), list(c.sources))
            if all((r.procedure, r.condition) != (x.procedure, x.condition) for x in why):
                why.append(r)
    label, expects = describe(path, lang)
    return Question(path, label, expects, why, scores[path], settles[path])


# ------------------------------------------------------------------ the fact in words
def describe(path: str, lang: str = "fr") -> tuple[str, str]:
    """(the fact's name, what an answer looks like) — the case format's names
    (:func:`lexquery.engine.fields.fact_label`) and the language's expectations."""
    m = _ITEM_PATH.match(path)
    if m:
        kind = (MEASURE if m.group(1) == "removal_measures" else CONVICTION)[m.group(3)]
        what = vocab.WHAT_EN if lang == "en" else vocab.WHAT
        expects = what.get(kind, what["str"]) if kind != "removal_kind" else \
            "ITF, IATF, OQTF, IRTF, ICTF, expulsion, extradition " + ("or" if lang == "en" else "ou") + " MAE"
        return fact_label(path, lang), expects
    kind = vocab.FIELDS[path][0]
    return fact_label(path, lang), (vocab.WHAT_EN if lang == "en" else vocab.WHAT)[kind]


# ------------------------------------------------------------------ reading an answer
def is_dont_know(text: str) -> bool:
    return vocab.norm(text.strip().rstrip(".!")) in {vocab.norm(w) for w in DONT_KNOW}


def read_answer(path: str, text: str):
    """The JSON value that ``text`` gives the fact ``path`` (raises
    :class:`lexquery.dsl.LqErrors` with the language's message when it cannot be read)."""
    from . import dsl
    from .dsl.case_data import get_path
    m = _ITEM_PATH.match(path)
    if m:
        top, attr = m.group(1), m.group(3)
        kind = (MEASURE if top == "removal_measures" else CONVICTION)[attr]
        if kind == "removal_kind":
            word = text.strip()
            for k in vocab.MEASURE_KINDS:
                if vocab.norm(word) == k:
                    return vocab.MEASURE_KINDS[k]
            if vocab.norm(word) == "mae":
                return "EAW"
            from .errors import InputError
            raise InputError(f"nature de mesure inconnue « {word} »",
                             expected="ITF, IATF, OQTF, IRTF, ICTF, expulsion, extradition ou MAE")
        via = _READ_AS[kind]
        doc = dsl.load(f"cas réponse\n{vocab.field_name(via)} : {text.strip()}\n", "<réponse>")
        return get_path(doc.case_dicts()[0], via)
    kind = vocab.FIELDS[path][0]
    if kind in ("measure", "conviction"):
        items = [x.strip() for x in re.split(r"\s*;\s*|\n", text) if x.strip()]
        body = "\n".join(f"{vocab.field_name(path)} : {x}" for x in items) or f"{vocab.field_name(path)} : aucune"
    else:
        body = f"{vocab.field_name(path)} : {text.strip()}"
    doc = dsl.load(f"cas réponse\n{body}\n", "<réponse>")
    return get_path(doc.case_dicts()[0], path)


def get_fact(case: dict, path: str):
    m = _ITEM_PATH.match(path)
    if m:
        top, i, attr = m.group(1), int(m.group(2)), m.group(3)
        lst = _get(case, top)
        return lst[i].get(attr) if isinstance(lst, list) and i < len(lst) else None
    return _get(case, path)


def _get(case, path):
    d = case
    for k in path.split("."):
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def set_fact(case: dict, path: str, value) -> dict:
    """A copy of ``case`` with the fact set (an item's attribute, a field, a list)."""
    out = copy.deepcopy(case)
    m = _ITEM_PATH.match(path)
    if m:
        top, i, attr = m.group(1), int(m.group(2)), m.group(3)
        _get(out, top)[i][attr] = value
        return out
    parts = path.split(".")
    d = out
    for k in parts[:-1]:
        if not isinstance(d.get(k), dict):
            d[k] = {}
        d = d[k]
    d[parts[-1]] = value
    return out


# ------------------------------------------------------------------ a session
@dataclass
class Interview:
    """One interview: the case as built so far, what was asked, what is not known."""
    engine: object
    case: dict
    as_of: object = None
    lang: str = "fr"
    skipped: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)          # paths, in the order asked
    history: list[tuple[str, object, bool]] = field(default_factory=list)   # (path, previous value, was skipped)

    def answer(self):
        return self.engine.ask(self.case, self.as_of, lang=self.lang)

    def next(self):
        """(the answer as it stands, the next question or None when done)."""
        ans = self.answer()
        return ans, choose(ans, self.skipped, self.lang)

    def give(self, path: str, text: str):
        """Record the person's answer ``text`` to ``path`` (« je ne sais pas » included);
        returns the value set (None for not known)."""
        prev = get_fact(self.case, path)
        if is_dont_know(text):
            self.history.append((path, prev, path in self.skipped))
            self.skipped.add(path)
            self.asked.append(path)
            return None
        value = read_answer(path, text)
        candidate = set_fact(self.case, path, value)
        from .engine.case import read_case
        read_case(candidate, "<entretien>")      # refuse what the case format refuses, with its path
        self.history.append((path, prev, path in self.skipped))
        self.case = candidate
        self.skipped.discard(path)
        if value is None:
            self.skipped.add(path)
        self.asked.append(path)
        return value

    def undo(self) -> str | None:
        """Take the last answer back; returns its path (to ask it again), or None."""
        if not self.history:
            return None
        path, prev, was_skipped = self.history.pop()
        self.case = set_fact(self.case, path, prev)
        if was_skipped:
            self.skipped.add(path)
        else:
            self.skipped.discard(path)
        if self.asked and self.asked[-1] == path:
            self.asked.pop()
        return path

    def revise(self, path: str) -> None:
        """Forget what was said of ``path`` so that it can be asked again."""
        self.skipped.discard(path)


def field_of_words(words: str) -> str | None:
    """« modifier nationalités » → ``person.nationalities`` (the language's field names)."""
    return vocab.field_of(words.strip())


def form_field_count() -> int:
    """The fields a person fills in the page's form (docs/web-page.md): every fact of the
    case format, items' attributes included, not the sections, id or extensions."""
    n = sum(1 for p, (t, _f, _e) in vocab.FIELDS.items() if t not in ("section", "id", "json", "measure", "conviction"))
    return n + len(MEASURE) + len(CONVICTION)

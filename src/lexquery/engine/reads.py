"""What each condition of a rule book may read: the static analysis behind the reuse of results.

engine/verify.py evaluates a procedure again with a reference fact replaced, engine/prove.py
with case facts given values (:mod:`lexquery.engine.reuse`, and the columnar program over a
batch: columnar/compile_population.py). A condition that cannot read what changed gives the
same result again — the same operations on the same values. This module says, from the rule
files alone (computed once per procedure), what a condition may read:

- the reference facts (:meth:`Reads.reads`): the functions its expressions, ``when``, children,
  the conditions (``cond.<id>``) and derived values it reads call, each named by what it
  records as evidence (:data:`lexquery.rules.functions.EVIDENCE`: ``party(STE112,MA)`` →
  ``("party", "STE112")``); a function of the book in neither EVIDENCE nor NO_EVIDENCE reads
  anything (:data:`ANY`);
- the fact paths of the case (:meth:`Reads.facts`, from ``Compiled.facts``, as tuples of names
  without indexes; None: any path);
- what a result given to another evaluation depends on (:meth:`Reads.guarded`: also the
  ``when`` of every condition above it; a route's condition, or one that reads ``from_date``,
  depends on anything).

Nothing legal lives here: only the reading of the rule files' expressions.
"""
from __future__ import annotations

import re

from .evaluate import _precedence_over, cond_index

ANY = ("*", None)
"""Reads any reference fact (a function this module does not know)."""

_CALL = re.compile(r'([A-Za-z_]\w*)\s*\(\s*("([^"]*)")?')


def fact_key(name: str) -> tuple:
    """``party(STE112,MA)`` → ("party", "STE112"); ``law:x`` → ("law:", "x")."""
    if name.startswith("law:"):
        return "law:", name[4:]
    head, _, rest = name.partition("(")
    return head, rest.rstrip(")").split(",")[0]


def path_of(f: str) -> tuple:
    """``removal_measures[0].kind`` → ("removal_measures", "kind")."""
    return tuple(re.sub(r"\[[^\]]*\]", "", f).split("."))


def overlap(facts, tried) -> bool:
    """Whether a condition reading the paths ``facts`` (None: any) may read one of ``tried``
    (:func:`path_of`): one path is the other or lies under it."""
    if facts is None:
        return True
    for t in tried:
        for f in facts:
            n = min(len(f), len(t))
            if f[:n] == t[:n]:
                return True
    return False


def reads_any(reads: frozenset, keys) -> bool:
    """Whether a condition that may read ``reads`` (:meth:`Reads.reads`) may read one of the
    reference facts ``keys`` (:func:`fact_key`)."""
    if ANY in reads:
        return True
    for head, arg in keys:
        if (head, None) in reads or (head, arg) in reads:
            return True
    return False


class Reads:
    """The static reading of every condition of a rule book, computed once per procedure."""

    def __init__(self, book):
        self.book = book
        self.prec_over = _precedence_over(book)
        self.memo: dict[tuple, object] = {}   # (procedure id, what, …) -> computed once

    def unaffected(self, p, what: str, changed, guarded: bool = True) -> frozenset:
        """The conditions of ``p`` that cannot read anything of ``changed``: reference fact
        names when ``what`` is ``"reads"`` (engine/verify.py's replaced facts), fact paths when
        it is ``"facts"`` (engine/prove.py's tried paths). ``guarded``: by what a result given
        to another evaluation depends on (:meth:`guarded`), else by the condition's own reading
        (:meth:`reads` / :meth:`facts`, with the precedence entries). Static: once per key."""
        key = (p.id, what, guarded, frozenset(changed))
        free = self.memo.get(key)
        if free is None:
            table = self.guarded(p, what) if guarded else (self.reads(p) if what == "reads" else self.facts(p))
            if what == "reads":
                keys = [fact_key(n) for n in changed]
                free = frozenset(cid for cid, rd in table.items() if not reads_any(rd, keys))
            else:
                tried = [path_of(f) for f in changed]
                free = frozenset(cid for cid, fs in table.items() if not overlap(fs, tried))
            self.memo[key] = free
        return free

    def guarded(self, p, what: str) -> dict:
        """What a condition's result given to another evaluation depends on (``what``: the
        reference facts of :meth:`reads`, or the fact paths of :meth:`facts`): what it reads,
        and what the ``when`` of each condition above it reads (so that the other evaluation
        reaches it, among its procedure's own conditions, as the first one did). Anything
        (never given) for a condition of a route, or one whose evaluation, or a ``when``
        above it, reads ``from_date`` (known only after the procedure's own conditions)."""
        key = (p.id, "guarded", what)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        index = cond_index(p)
        base = self.reads(p) if what == "reads" else self.facts(p)
        anything = frozenset([ANY]) if what == "reads" else None
        dated = self.dated(p)

        def when_of(c):
            if c.when is None:
                return frozenset()
            if what == "reads":
                return frozenset(self._expr_reads(c.when, index, dict(base), set(), set()))
            x = self._expr_facts(c.when, index, dict(base), set(), set())
            return None if x is None else frozenset(x)

        hit = {cid: anything for cid in index}
        stack = [(c, frozenset(), False) for c in p.conditions]
        while stack:
            c, above, off = stack.pop()
            w = when_of(c)
            own = base[c.id]
            if off or c.id in dated or own is None or w is None or above is None:
                hit[c.id] = anything
                below, off_below = None, True
            else:
                hit[c.id] = own | above
                below, off_below = above | w, False
            for ch in c.children:
                stack.append((ch, below if below is not None else frozenset(), off_below or below is None))
        self.memo[key] = hit
        return hit

    def fixed_derived(self, ignore: frozenset = frozenset()) -> frozenset:
        """The derived values that read neither the day of evaluation (``as_of``,
        ``from_date``), nor the State, nor a condition, nor the reference data (no function
        that records evidence, :meth:`_expr_reads`) — through the derived values they read too
        (a cycle: not fixed). On the same facts they give the same value whatever the day and
        whatever reference fact is replaced (columnar/reuse.py ``carry_derived``). ``ignore``:
        evidence that does not count (``("law:", "month_end")``: the month counts, the same on
        any day, and whatever fact is replaced but that one)."""
        book, state = self.book, {}

        def fixed(n):
            if n in state:
                return state[n] is True   # None: being read (a cycle)
            state[n] = None
            d = book.derived[n]
            ok = not (d.context & {"as_of", "from_date", "state"}) and not d.conds \
                and not (self._expr_reads(d, {}, {}, set(), {n}) - ignore) \
                and all(fixed(m) for m in d.names if m in book.derived)
            state[n] = ok
            return ok
        return frozenset(n for n in book.derived if fixed(n))

    def dated(self, p) -> frozenset:
        """The conditions whose evaluation reads ``from_date`` (through the conditions and
        derived values they read too)."""
        key = (p.id, "dated")
        hit = self.memo.get(key)
        if hit is None:
            index, inner = cond_index(p), self.inner(p)
            dated_names = set()
            for n, d in self.book.derived.items():   # derived values that read it, transitively
                if "from_date" in d.context:
                    dated_names.add(n)
            changed = True
            while changed:
                changed = False
                for n, d in self.book.derived.items():
                    if n not in dated_names and d.names & dated_names:
                        dated_names.add(n)
                        changed = True

            def reads_date(c):
                return any(e is not None and ("from_date" in e.context or e.names & dated_names)
                           for e in (c.expr, c.met_if, c.when, c.requires))

            own = {cid for cid, c in index.items() if reads_date(c)}
            hit = self.memo[key] = frozenset(cid for cid in index
                                             if cid in own or inner[cid] & own or cid not in index)
        return hit

    def inner(self, p) -> dict:
        """Condition id → the conditions its evaluation may evaluate in turn: its children
        and the conditions its expressions read (``cond.<id>``), transitively (computed once;
        a condition read but not found: every condition)."""
        key = (p.id, "inner")
        hit = self.memo.get(key)
        if hit is None:
            index = cond_index(p)
            direct = {}
            for cid, c in index.items():
                ids = {ch.id for ch in c.children}
                for e in (c.expr, c.met_if, c.when, c.requires):
                    if e is not None:
                        ids |= set(e.conds)
                direct[cid] = ids
            hit = self.memo[key] = {}
            for cid in index:
                seen, stack = set(), list(direct[cid])
                while stack:
                    x = stack.pop()
                    if x in seen:
                        continue
                    seen.add(x)
                    if x not in direct:   # not found: anything
                        seen |= set(index)
                        break
                    stack.extend(direct[x])
                seen.discard(cid)
                hit[cid] = frozenset(seen)
        return hit

    def facts(self, p) -> dict:
        """Condition id → the fact paths it may read (as tuples of names; None: any), for every
        condition of ``p`` and its routes (computed once)."""
        key = (p.id, "facts")
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = {}
            index = cond_index(p)
            for cid in index:
                self._cond_facts(index, cid, hit, set())
        return hit

    def _cond_facts(self, index, cid, memo, seen):
        if cid in memo:
            return memo[cid]
        c = index.get(cid)
        if c is None or cid in seen:
            return None
        seen.add(cid)
        out = set()
        for e in (c.expr, c.met_if, c.when, c.requires):
            if e is not None and out is not None:
                x = self._expr_facts(e, index, memo, seen, set())
                out = None if x is None else out | x
        for ch in c.children:
            if out is not None:
                x = self._cond_facts(index, ch.id, memo, seen)
                out = None if x is None else out | x
        seen.discard(cid)
        memo[cid] = None if out is None else frozenset(out)
        return memo[cid]

    def _expr_facts(self, e, index, memo, seen, names_seen):
        out = {path_of(f) for f in e.facts}
        for n in e.names:   # derived values read, transitively
            d = self.book.derived.get(n)
            if d is not None and n not in names_seen:
                names_seen.add(n)
                x = self._expr_facts(d, index, memo, seen, names_seen)
                if x is None:
                    return None
                out |= x
        for cid in e.conds:
            x = self._cond_facts(index, cid, memo, seen)
            if x is None:
                return None
            out |= x
        return out

    def reads(self, p) -> dict:
        """Condition id → the reference facts it may read, as (head, first argument or None
        for any), for every condition of ``p`` and its routes, and ``precedence:<id>`` → what
        the ``when`` and ``until`` of each precedence entry over ``p`` read (computed once)."""
        key = (p.id, "reads")
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = {}
            index = cond_index(p)
            for cid in index:
                self._cond_reads(index, cid, hit, set())
            for pr in self.prec_over.get(p.id, ()):   # the precedence entries over p: their `when`, `until`
                hit[f"precedence:{pr.id}"] = frozenset().union(*[
                    self._expr_reads(e, index, hit, set(), set()) for e in (pr.when, pr.until) if e is not None])
        return hit

    def shown_anyway(self, p) -> frozenset:
        """What the ``when`` and ``date`` of the dated notes of ``p`` shown when it does not apply
        (``always``: a duty) may read: engine/verify.py compares their dates
        (verify.changed), so a procedure that stays not applicable keeps its outcome only if
        they cannot read the facts replaced either (Reuse.still_not_applicable)."""
        key = (p.id, "shown_anyway")
        hit = self.memo.get(key)
        if hit is None:
            index, memo = cond_index(p), dict(self.reads(p))
            hit = self.memo[key] = frozenset().union(*[
                self._expr_reads(e, index, memo, set(), set())
                for n in p.notes if n.always and n.date is not None for e in (n.when, n.date) if e is not None])
        return hit

    def _cond_reads(self, index, cid, memo, seen) -> frozenset:
        if cid in memo:
            return memo[cid]
        c = index.get(cid)
        if c is None or cid in seen:   # a condition read but not found, or a cycle: anything
            return frozenset([ANY])
        seen.add(cid)
        out = set()
        for e in (c.expr, c.met_if, c.when, c.requires):
            if e is not None:
                out |= self._expr_reads(e, index, memo, seen, set())
        for ch in c.children:
            out |= self._cond_reads(index, ch.id, memo, seen)
        seen.discard(cid)
        memo[cid] = frozenset(out)
        return memo[cid]

    def _expr_reads(self, e, index, memo, seen, names_seen) -> set:
        from ..rules.functions import EVIDENCE, NO_EVIDENCE
        functions = self.book.scope.functions
        out = set()
        for m in _CALL.finditer(e.text):
            fn = m.group(1)
            if fn not in functions or fn in NO_EVIDENCE:
                continue   # a form of the language (if, known, exists…) or a function that records nothing
            ev = EVIDENCE.get(fn)
            if ev is None:
                out.add(ANY)
            else:
                out.add((ev[0], ev[1] if isinstance(ev[1], str) else m.group(3) if ev[1] and m.group(2) else None))
        for n in e.names:   # derived values (and periodic constants: law_gap) read, transitively
            d = self.book.derived.get(n)
            if d is not None and n not in names_seen:
                names_seen.add(n)
                out |= self._expr_reads(d, index, memo, seen, names_seen)
        for cid in e.conds:
            out |= self._cond_reads(index, cid, memo, seen)
        return out

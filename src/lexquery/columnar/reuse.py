"""What a rerun of a procedure over a batch takes from its first evaluation (issue 16):
:mod:`lexquery.engine.reuse` over a batch, down to the conditions inside a condition.

The verification (engine/verify.py: a reference fact replaced) and the proof (engine/prove.py:
case facts given values) evaluate a procedure again. A condition that cannot read what changed
(:mod:`lexquery.engine.reads`: the reference facts it may read, the fact paths it may read)
gives the same result again — the same operations on the same values — so its result, and
those of the conditions it evaluates in turn, are given to the rerun (``Ctx.seed``: the memo
of the conditions, ``cond.<id>``). Given so, a condition hands nothing to the condition around
it (a memoised result: no missing fact passed, no evidence); a result given is therefore one
whose absence changes nothing the reruns compare:

- a condition of the procedure's own list (top level): its result is read as it is;
- a condition inside another one, without ``when``: what it passes to the condition around
  it (its missing facts where it is unknown) is already among that condition's children's
  missing facts (compile_conditions: an ``any_of`` / ``all_of`` gathers them), so the
  condition around it, evaluated again, finds the same missing facts (its evidence is not
  compared: the reruns compare outcomes, missing facts, no evidence);
- none of the conditions given is one that may be first evaluated where another reads it
  (``cond.<id>`` read by a condition evaluated before it, in the order the conditions are
  evaluated — :func:`early`): read there, a fresh evaluation passes its missing facts to the
  reader, a given one does not.

Everything is read from the rule files (ids, ``when``, ``cond.<id>`` reads): no rule is
written here.
"""
from __future__ import annotations

from .compile_conditions import CondV


def tree(p) -> tuple:
    """The procedure's own conditions, depth first in the order they are evaluated: (the ids
    in that order, parent id by id — None at the top level —, the ids under each one, itself
    included)."""
    hit = p.__dict__.get("_columnar_tree")
    if hit is not None:
        return hit
    order, parent = [], {}
    stack = [(c, None) for c in reversed(p.conditions)]
    while stack:
        c, up = stack.pop()
        order.append(c.id)
        parent[c.id] = up
        stack.extend((ch, c.id) for ch in reversed(c.children))
    under = {cid: {cid} for cid in order}
    for cid in reversed(order):   # children after their parent: each one's set is complete first
        up = parent[cid]
        if up is not None:
            under[up] |= under[cid]
    hit = (order, parent, {k: frozenset(v) for k, v in under.items()})
    p.__dict__["_columnar_tree"] = hit
    return hit


def early(p, book) -> frozenset:
    """The conditions that may be evaluated first where another condition reads them
    (``cond.<id>``) rather than by the condition above them (or the procedure's list): read by
    a condition evaluated before them — earlier in :func:`tree`'s order, one of the
    conditions under them, or one that may itself be evaluated early (with everything under
    it) —, read through a derived value (computed where first read), or not among the
    procedure's own conditions. A condition's children are always evaluated (the vector code
    evaluates every child of every row), a reading may be skipped (``and`` / ``or`` stop when
    every row is settled): the set is what may happen, not what does."""
    hit = p.__dict__.get("_columnar_early")
    if hit is not None and hit[0] is book.derived:   # the derived values read: the book's
        return hit[1]
    from ..engine.evaluate import cond_index
    index = cond_index(p)
    order, parent, under = tree(p)
    pos = {cid: i for i, cid in enumerate(order)}
    out: set = set()
    readers = []
    for cid in order:
        c = index[cid]
        for e in (c.when, c.expr, c.met_if, c.requires):
            if e is None:
                continue
            readers += [(cid, y) for y in e.conds]
            out |= _derived_conds(e, book, set())
    while True:
        soon = set()
        for y in out:
            soon |= under.get(y, {y})
        new = {y for n, y in readers if y not in out and
               (y not in pos or pos[n] < pos[y] or n in under[y] or n in soon)}
        if not new:
            break
        out |= new
    hit = frozenset(out)
    p.__dict__["_columnar_early"] = (book.derived, hit)
    return hit


def _derived_conds(e, book, seen) -> set:
    """The conditions read by the derived values an expression reads (transitively)."""
    out = set()
    for n in e.names:
        d = book.derived.get(n)
        if d is not None and n not in seen:
            seen.add(n)
            out |= set(d.conds) | _derived_conds(d, book, seen)
    return out


def given(p, book, free, closure, done, top_as_is: bool) -> frozenset:
    """The ids of the conditions whose results a rerun takes from the first evaluation:
    walking the procedure's conditions from the top, a condition is given, with every
    condition it evaluates in turn (``closure``: its children and the conditions it reads,
    transitively), when none of them can read what changed (``free``: the ids that cannot),
    the first evaluation has them all (``done``), none may be evaluated early (:func:`early`),
    and it is of the top level or has no ``when`` (so is each of them reached by a reading,
    not under it); else its children are looked at. ``top_as_is``: a top-level condition is
    given on its own reading alone (engine/verify.py compares no missing fact: the
    conditions given since before this module, kept as they were)."""
    index_early = early(p, book)
    _, parent, under = tree(p)
    from ..engine.evaluate import cond_index
    index = cond_index(p)
    out: set = set()

    def ok(c, top):
        if c.id not in free:
            return False
        inner = closure.get(c.id)
        if inner is None or not all(x in done for x in inner):
            return False
        if top and top_as_is:
            return True
        if not top and c.when is not None:
            return False
        if not inner.isdisjoint(index_early):
            return False
        # a condition reached by a reading (not under this one) hands its result to the
        # condition above it when that one is evaluated again: it must have no `when` either
        for x in inner:
            if x not in under[c.id] and parent.get(x) is not None and index[x].when is not None:
                return False
        return True

    stack = [(c, True) for c in reversed(p.conditions)]
    while stack:
        c, top = stack.pop()
        if ok(c, top):
            out |= closure[c.id]
        else:
            stack.extend((ch, False) for ch in reversed(c.children))
    return frozenset(out)


FIXED = 4000
"""The cost of one more batch (evaluating a procedure again has costs per call: every
condition, route, settlement), counted in rows evaluated with every condition given."""
PER_CONDITION = 0.2
"""The cost of one condition evaluated again per row, in the same unit."""
LIST_APART = 1.0
"""The cost, per row of a batch whose items set no field of a list item, of evaluating them
with items that do (a field of ``removal_measures[0]`` tried by the proof): that batch's
column of lists is then made again for every row (new lists where a field is set), its lists'
items and fields read again, and every condition reading the list evaluated again at every
row — measured: ste_transfer's trials −25 % CPU on synthetic rows with such items apart."""


def batches(p, items, fixed=None) -> list:
    """The reruns ``items`` — (ids of the conditions given, rows, tag[, sets a list item's
    field]) — made into batches: the items that give the same conditions together, then a
    small batch joined to another (the conditions given to both: those given to each) when
    that costs less (``fixed``: the cost of one more batch, :data:`FIXED` unless the caller
    knows it to be more; :data:`PER_CONDITION`; :data:`LIST_APART` for the rows setting no
    list item's field evaluated with rows that do) — only batches of the same ``tag``.
    Returns [(the ids given, the indexes of the items)]. The choice changes what is
    evaluated together, never a result: a condition given to every item of a batch is one
    each could take."""
    fixed = FIXED if fixed is None else fixed
    order, _, _ = tree(p)
    bit = {cid: 1 << i for i, cid in enumerate(order)}
    full = (1 << len(order)) - 1
    groups: dict = {}
    for j, item in enumerate(items):
        ids, rows, tag = item[:3]
        lists = len(item) > 3 and bool(item[3])
        g = groups.get((ids, tag, lists))
        if g is None:
            mask = 0
            for x in (ids or ()):
                mask |= bit.get(x, 0)
            # ids, tag, conditions not given, rows, items, rows setting a list item's field
            g = groups[(ids, tag, lists)] = [ids, tag, full & ~mask, 0, [], 0]
        g[3] += rows
        g[5] += rows if lists else 0
        g[4].append(j)
    live = sorted(groups.values(), key=lambda g: g[3])

    def cost(rows, unseeded, listed):
        # the rows of a batch setting no list item's field, in one that does: made again
        return rows * (1 + PER_CONDITION * unseeded.bit_count()) + (LIST_APART * (rows - listed) if listed else 0)
    i = 0
    while i < len(live) and len(live) > 1:
        g = live[i]
        best, gain = None, 0.0
        for h in live:
            if h is g or h[1] != g[1]:
                continue
            u = g[2] | h[2]
            s = fixed + cost(g[3], g[2], g[5]) + cost(h[3], h[2], h[5]) - cost(g[3] + h[3], u, g[5] + h[5])
            if s > gain:
                best, gain = h, s
        if best is None:
            i += 1
            continue
        best[0] = None if g[0] is None or best[0] is None else g[0] & best[0]
        best[2] |= g[2]
        best[3] += g[3]
        best[4] += g[4]
        best[5] += g[5]
        live.pop(i)
        live.sort(key=lambda x: x[3])
        i = 0
    return [(g[0], g[4]) for g in live]


def seed(conds: dict, ids, idx) -> dict | None:
    """The results ``ids`` of a first evaluation (``conds``: its memo) at the rows ``idx``, for
    a rerun (``Ctx.seed``): each taken when the rerun first reads it — most are never read (the
    conditions inside a condition given are not evaluated again, nor read)."""
    if ids is None:
        return None
    return {x: _Taken(conds[x], idx) for x in ids}


class _Taken(CondV):
    """A condition's result at some rows, taken when first read (a :class:`CondV`)."""
    __slots__ = ("_src", "_idx", "_hit")

    def __init__(self, src, idx):
        self._src, self._idx, self._hit = src, idx, None

    def _get(self):
        hit = self._hit
        if hit is None:
            hit = self._hit = self._src.take(self._idx)
        return hit

    id = property(lambda self: self._src.id)
    kind = property(lambda self: self._src.kind)
    eff = property(lambda self: self._get().eff)
    on = property(lambda self: self._get().on)
    date = property(lambda self: self._get().date)
    miss = property(lambda self: self._get().miss)

    def take(self, idx):
        return self._get().take(idx)


def fixed_derived(book, month_end: bool = False) -> frozenset:
    """The derived values that read neither the day of evaluation (``as_of``, ``from_date``)
    nor the reference data (a function of the book that records evidence, or one not known to
    record none: ``rules.functions.NO_EVIDENCE``), nor the State, nor a condition — through
    the derived values they read too (a cycle: not fixed). On the same facts they give the same
    value whatever the day and whatever reference fact is replaced: an evaluation of the same
    rows on another day (compile_in_time) or with a reference fact replaced (the verification's
    reruns) takes them from the case's (:func:`carry_derived`). ``month_end``: also those whose
    only evidence is ``law:month_end`` (the month counts: the same on any day) — for rows where
    that evidence is not replaced. Read from the rule files once per rule book."""
    key = "_columnar_fixed_derived_me" if month_end else "_columnar_fixed_derived"
    hit = book.__dict__.get(key)
    if hit is None:
        from ..engine.reads import Reads
        hit = book.__dict__[key] = Reads(book).fixed_derived(frozenset({("law:", "month_end")}) if month_end else frozenset())
    return hit


def carry_derived(book, parent, sub, idx) -> None:
    """``sub`` (the rows ``idx`` of ``parent``, evaluated on another day or with reference facts
    replaced — ``sub.overrides`` set) takes the case's values of the derived values
    :func:`fixed_derived` — those ``parent`` takes from the case itself (``derived_from``;
    ``derived_keep``: a trial's, those reading no fact tried) — instead of computing them again
    (``Program.derived``); the month counts too unless a row of ``sub`` replaces
    ``law:month_end``."""
    src = getattr(parent, "derived_from", None)
    if src is None:
        return
    from .compile import _overridden
    from ..rules.functions import MONTH_END
    keep = fixed_derived(book, _overridden(sub, MONTH_END) is None)
    own = getattr(parent, "derived_keep", None)
    sub.derived_from = (src[0], src[1][idx])
    sub.derived_keep = keep if own is None else keep & own

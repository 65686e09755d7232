"""The evaluation environment of one case (and one candidate State).

Holds the normalised case, the date of evaluation, the State considered, the
reference data, and what evaluation learns along the way: the fact paths that were
needed but unknown (→ ``missing_facts``), the reference evidence consulted, the
results of conditions already evaluated, cached derived values (per case when they
do not depend on the State: CPP 716-1 dates are computed once per case).
"""
from __future__ import annotations

from ..rules.values import UNKNOWN


_TRUTH = {"met": True, "not_met": False}


class Env:
    __slots__ = ("case", "as_of", "state", "book", "ref", "missing", "evidence", "results",
                 "_derived", "_items", "_cond_index", "_eval_cond", "from_date", "explain", "skipped",
                 "overrides", "kept", "top")

    def __init__(self, case, as_of, state, book, ref, explain=True, derived=None):
        self.case = case
        self.as_of = as_of
        self.state = state
        self.book = book
        self.ref = ref
        self.missing: set[str] = set()
        self.evidence: dict[str, object] = {}
        self.results: dict[str, object] = {}
        # derived values with the fact paths they found unknown; a dict shared by the
        # environments of one case when the caller knows the values depend on the case only
        self._derived: dict[str, tuple] = {} if derived is None else derived
        self._items: list[tuple] = []
        self._cond_index: dict = {}
        self._eval_cond = None
        self.from_date = UNKNOWN
        self.explain = explain  # false: no explanation tree (screening)
        self.skipped: list[str] = []  # conditions whose `when` was false, in evaluation order
        self.overrides = None  # reference facts replaced by « unknown » (engine/verify.py)
        # a first evaluation whose results the reevaluations reuse (engine/reuse.py): () before
        # it, then its condition results after the procedure's own conditions; ``top`` its
        # top-level results when they make the procedure not applicable
        self.kept = None
        self.top = None

    def fact(self, keys, dotted):
        v = self.case
        for k in keys:
            if isinstance(v, dict) and k in v:
                v = v[k]
            else:
                self.missing.add(dotted)
                return UNKNOWN
        return v

    def push_item(self, item, index, coll):
        self._items.append((item, index, coll))

    def pop_item(self):
        self._items.pop()

    def item(self, keys):
        item, index, coll = self._items[-1]
        v = item
        for k in keys:
            if isinstance(v, dict) and k in v:
                v = v[k]
            else:
                self.missing.add(f"{coll}[{index}]." + ".".join(keys))
                return UNKNOWN
        return v

    def derived(self, name):
        """A derived value, computed once (per case when shared), with the fact paths it found
        unknown and the evidence it recorded (a month count resting on the month's-last-day
        convention: ``law:month_end``), both given again to each environment that reads it. A
        value whose evidence engine/verify.py replaces (``overrides``) is computed again, and
        not kept."""
        hit = self._derived.get(name)
        ov = self.overrides
        if hit is not None and ov and hit[2] and not hit[2].keys().isdisjoint(ov):
            hit = None
        if hit is None:
            saved, self.missing = self.missing, set()
            saved_ev, self.evidence = self.evidence, {}
            try:
                v = self.book.derived[name].fn(self)
            finally:
                miss, self.missing = self.missing, saved
                ev, self.evidence = self.evidence, saved_ev
            hit = (v, miss, ev)
            if not (ov and ev and not ev.keys().isdisjoint(ov)):
                self._derived[name] = hit
        if hit[1]:
            self.missing |= hit[1]
        if hit[2]:
            self.evidence.update(hit[2])
        return hit[0]

    def cond(self, cid):
        """Truth of an evaluated condition: met → true, not met → false, else UNKNOWN."""
        r = self.results.get(cid)
        if r is None and cid in self._cond_index:
            r = self._eval_cond(self._cond_index[cid], self)
        if r is None:
            return False  # a condition that does not apply (its `when` is false)
        return _TRUTH.get(r.status, UNKNOWN)

    def record_evidence(self, name, fact):
        self.evidence[name] = fact

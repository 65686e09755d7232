"""A SHACL Core checker compiled once from a shapes graph (W3C SHACL §2–§4, Core subset).

:func:`compile_shapes` reads the shapes graph — targets, property paths, constraint
parameters — into closures; :meth:`Checker.check` runs them over :class:`Data` (the
data graph's triples indexed by subject) and returns :class:`Finding` records, the
fields of a ``sh:ValidationResult`` that lexquery reports (focus node, source shape,
constraint component, value, severity). Nothing here knows lexquery's shapes: change
``shapes/case-shapes.ttl`` and the checker follows. Shapes graphs outside the subset
(SPARQL constraints, other targets, ``sh:deactivated``, …) raise :class:`Unsupported`
and the caller uses pySHACL instead.

Each component mirrors pySHACL 0.40's own evaluation (``pyshacl/constraints/core``):
ill-typed literals fail ``sh:datatype``, ``sh:lessThan`` uses rdflib's ``<`` and fails on
a string/non-string pair, ``sh:minInclusive`` / ``sh:maxInclusive`` use pySHACL's own
``compare_literal`` (blank nodes, IRIs and a string/non-string pair fail; two well-typed
``xsd:date`` are compared as dates without importing pySHACL), ``sh:pattern`` uses
``re.search`` on pySHACL's string form, ``sh:targetClass`` follows ``rdfs:subClassOf*`` in
the data graph. The differential tests (tests/test_validate_engine.py) check the same
findings as pySHACL on every example and thousands of generated and mutated cases.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Callable, NamedTuple

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD


class Unsupported(Exception):
    """The shapes graph uses something outside the compiled subset: use pySHACL."""


class Finding(NamedTuple):
    """One SHACL validation result (the fields lexquery reports)."""
    focus: object
    shape: object           # sh:sourceShape
    component: URIRef       # sh:sourceConstraintComponent
    value: object | None    # sh:value (None when SHACL gives none: cardinalities)
    severity: URIRef


_TYPE, _SUBCLASS, _EMPTY = RDF.type, RDFS.subClassOf, {}
_str_eq = str.__eq__   # predicates are IRIs: comparing their text is comparing them


class Data:
    """A data graph as ``{subject: {predicate: [objects]}}`` (set semantics per pair)."""
    __slots__ = ("sp", "types", "subclasses")

    def __init__(self, triples=()):
        self.sp: dict = {}
        self.types: dict = {}        # class -> [instances]
        self.subclasses: dict = {}   # class -> [direct subclasses]
        for t in triples:
            self.add(*t)

    @classmethod
    def of_graph(cls, g: Graph) -> "Data":
        return cls(g.triples((None, None, None)))

    def add(self, s, p, o) -> None:
        objs = self.sp.setdefault(s, {}).setdefault(p, {})   # a dict as an ordered set
        if o in objs:
            return
        objs[o] = None
        if _str_eq(p, _TYPE):       # str comparison: rdflib's __eq__ is Python code, this is C
            self.types.setdefault(o, []).append(s)
        elif _str_eq(p, _SUBCLASS):
            self.subclasses.setdefault(o, []).append(s)

    def objects(self, s, p):
        """The objects of (s, p), in insertion order (a sized, iterable view)."""
        return self.sp.get(s, _EMPTY).get(p, _EMPTY).keys()

    def instances(self, cls) -> list:
        """Instances of ``cls`` or of its subclasses (``rdf:type/rdfs:subClassOf*``)."""
        seen, todo, out, got = {cls}, [cls], [], set()
        while todo:
            c = todo.pop()
            for i in self.types.get(c, ()):
                if i not in got:
                    got.add(i)
                    out.append(i)
            for sub in self.subclasses.get(c, ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return out


# ---- property paths (SHACL §2.3.1) -------------------------------------------------------
def _compile_path(sg: Graph, path) -> Callable:
    if isinstance(path, URIRef):
        return lambda d, n: d.objects(n, path)
    if isinstance(path, BNode):
        alt = sg.value(path, SH.alternativePath)
        if alt is not None:
            parts = [_compile_path(sg, p) for p in Collection(sg, alt)]
            return lambda d, n: _dedup(v for f in parts for v in f(d, n))
        if sg.value(path, RDF.first) is not None:
            steps = [_compile_path(sg, p) for p in Collection(sg, path)]

            def seq(d, n):
                nodes = [n]
                for f in steps:
                    nodes = _dedup(v for x in nodes for v in f(d, x))
                return nodes
            return seq
    raise Unsupported(f"sh:path {path!r} (only IRIs, sequences and sh:alternativePath are compiled)")


def _dedup(it) -> list:
    out, seen = [], set()
    for v in it:
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


# ---- value tests, as pySHACL evaluates them ---------------------------------------------------
_PY_TYPES = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
             XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime}


def _datatype_ok(v, dt) -> bool:
    if not isinstance(v, Literal):
        return False
    def actual():
        py = _PY_TYPES.get(dt)
        return True if py is None else isinstance(v.value, py)
    if v.datatype == dt:
        return False if getattr(v, "ill_typed", None) is True else actual()
    if dt == RDFS.Literal:
        return True
    if dt == RDFS.Datatype and v.datatype:
        return True
    if v.datatype is None and v.language is None and dt == XSD.string:
        return actual()
    if dt == RDF.langString and v.language:
        return actual()
    return False


def _nodekind_ok(v, kind) -> bool:
    if isinstance(v, BNode):
        return kind in (SH.BlankNode, SH.BlankNodeOrLiteral, SH.BlankNodeOrIRI)
    if isinstance(v, Literal):
        return kind in (SH.Literal, SH.BlankNodeOrLiteral, SH.IRIOrLiteral)
    return kind in (SH.IRI, SH.IRIOrLiteral, SH.BlankNodeOrIRI)


def _pattern_string(v) -> str:
    if isinstance(v, Literal) and v.value is not None and v.datatype in (None, RDF.langString, XSD.string):
        return str(v.value)
    return str(v)


def _lt_pairs_failing(values, others):
    """Value nodes not less than some compared value (pySHACL's ``_compare_lt``)."""
    for v in values:
        a, a_str = (str(v), True) if isinstance(v, URIRef) else \
            ((v.value, True) if isinstance(v, Literal) and isinstance(v.value, str) else (v, False))
        for o in others:
            b, b_str = (str(o), True) if isinstance(o, URIRef) else \
                ((o.value, True) if isinstance(o, Literal) and isinstance(o.value, str) else (o, False))
            if a_str != b_str or not a < b:
                yield v


def _range_ok(v, bound, sign: int) -> bool:
    """pySHACL's sh:minInclusive (``sign`` 1: v >= bound) / sh:maxInclusive (``sign`` -1: v <= bound)."""
    if not isinstance(v, Literal):          # blank nodes and IRIs cannot pass a value comparison
        return False
    if isinstance(v.value, str) != isinstance(bound.value, str):   # string vs non-string: fails
        return False
    from pyshacl.rdfutil.compare import compare_literal   # imports pySHACL (≈ 0.1 s), hence only here
    try:
        return compare_literal(v, bound) * sign >= 0
    except (TypeError, NotImplementedError):
        return False


def _range_failing(bound, sign: int) -> Callable:
    """The value nodes failing one bound. Two well-typed xsd:date literals are compared as
    dates directly: what compare_literal decides for them (tests/test_validate_engine.py)."""
    day = bound.value if bound.datatype == XSD.date and type(bound.value) is date else None
    xsd_date = XSD.date

    def failing(vs):
        out = []
        for v in vs:
            if day is not None and type(v) is Literal and v.datatype == xsd_date and type(v.value) is date:
                ok = v.value >= day if sign > 0 else v.value <= day
            else:
                ok = _range_ok(v, bound, sign)
            if not ok:
                out.append(v)
        return out
    return failing


# ---- shapes ------------------------------------------------------------------------------------
_IGNORED = {SH.path, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group,
            SH.property, SH.targetClass, SH.qualifiedMinCount, SH.defaultValue}
_ALLOWED = _IGNORED | {SH.minCount, SH.maxCount, SH.datatype, SH.node, SH["in"], SH.lessThan,
                       SH.nodeKind, SH.pattern, SH.qualifiedValueShape, SH.minInclusive, SH.maxInclusive}


class Checker:
    """The compiled shapes: :meth:`check` gives the SHACL findings over a :class:`Data`."""

    def __init__(self, sg: Graph):
        self.sg = sg
        self._compiled: dict = {}
        self.targets: list[tuple[object, object]] = []   # (class, shape)
        shapes = set(sg.subjects(RDF.type, SH.NodeShape)) | set(sg.subjects(SH.targetClass, None))
        for pred in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.deactivated):
            if next(sg.subject_objects(pred), None) is not None:
                raise Unsupported(f"{sg.qname(pred)} is not compiled")
        for s in shapes:
            if (s, RDF.type, RDFS.Class) in sg or (s, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in sg:
                raise Unsupported("implicit class targets are not compiled")
        for s in sorted(shapes, key=str):
            for c in sg.objects(s, SH.targetClass):
                self.targets.append((c, s))
            self._shape(s)

    # a shape compiles to: run(data, focus) -> list[Finding]
    def _shape(self, s):
        if s in self._compiled:
            return self._compiled[s]
        holder: list = []
        self._compiled[s] = lambda d, f: holder[0](d, f)   # recursion through sh:node
        sg = self.sg
        for p in set(sg.predicates(s, None)):
            if str(p).startswith(str(SH)) and p not in _ALLOWED:
                raise Unsupported(f"{p} on shape {s} is not compiled")
        severity = sg.value(s, SH.severity) or SH.Violation
        path = sg.value(s, SH.path)
        values = _compile_path(sg, path) if path is not None else (lambda d, f: (f,))
        checks = self._constraints(s)
        props = [self._shape(p) for p in sg.objects(s, SH.property)]

        def run(d, f):
            vs = values(d, f)
            out = [Finding(f, s, comp, v, severity) for check in checks for comp, v in check(d, f, vs)]
            for prop in props:
                out.extend(prop(d, f))
            return out
        holder.append(run)
        self._compiled[s] = run
        return run

    def _conforms(self, shape):
        run = self._shape(shape)
        return lambda d, v: not run(d, v)

    def _constraints(self, s) -> list[Callable]:
        sg, out = self.sg, []
        lo, hi = sg.value(s, SH.minCount), sg.value(s, SH.maxCount)
        if lo is not None:
            n = int(lo)
            out.append(lambda d, f, vs: [(SH.MinCountConstraintComponent, None)] if len(vs) < n else ())
        if hi is not None:
            m = int(hi)
            out.append(lambda d, f, vs: [(SH.MaxCountConstraintComponent, None)] if len(vs) > m else ())
        for dt in sg.objects(s, SH.datatype):
            out.append(lambda d, f, vs, dt=dt: [(SH.DatatypeConstraintComponent, v) for v in vs if not _datatype_ok(v, dt)])
        for kind in sg.objects(s, SH.nodeKind):
            out.append(lambda d, f, vs, k=kind: [(SH.NodeKindConstraintComponent, v) for v in vs if not _nodekind_ok(v, k)])
        for pat in sg.objects(s, SH.pattern):
            rx = re.compile(str(pat))
            out.append(lambda d, f, vs, rx=rx: [(SH.PatternConstraintComponent, v) for v in vs
                                                if isinstance(v, BNode) or not rx.search(_pattern_string(v))])
        for lst in sg.objects(s, SH["in"]):
            allowed = set(Collection(sg, lst))
            out.append(lambda d, f, vs, a=allowed: [(SH.InConstraintComponent, v) for v in vs if v not in a])
        for node in sg.objects(s, SH.node):
            ok = self._conforms(node)
            out.append(lambda d, f, vs, ok=ok: [(SH.NodeConstraintComponent, v) for v in vs if not ok(d, v)])
        for other in sg.objects(s, SH.lessThan):
            if not isinstance(other, URIRef):
                raise Unsupported("sh:lessThan must be an IRI")
            out.append(lambda d, f, vs, o=other: [(SH.LessThanConstraintComponent, v)
                                                  for v in _lt_pairs_failing(vs, d.objects(f, o))])
        for param, comp, sign in ((SH.minInclusive, SH.MinInclusiveConstraintComponent, 1),
                                  (SH.maxInclusive, SH.MaxInclusiveConstraintComponent, -1)):
            for bound in sg.objects(s, param):
                if not isinstance(bound, Literal):
                    raise Unsupported(f"{sg.qname(param)} must be a literal")
                out.append(lambda d, f, vs, bad=_range_failing(bound, sign), c=comp: [(c, v) for v in bad(vs)])
        for q in sg.objects(s, SH.qualifiedValueShape):
            qmin = sg.value(s, SH.qualifiedMinCount)
            if qmin is None or sg.value(s, SH.qualifiedMaxCount) is not None or \
                    sg.value(s, SH.qualifiedValueShapesDisjoint) is not None:
                raise Unsupported("only sh:qualifiedMinCount is compiled for sh:qualifiedValueShape")
            ok, n = self._conforms(q), int(qmin)
            out.append(lambda d, f, vs, ok=ok, n=n: [(SH.QualifiedMinCountConstraintComponent, None)]
                       if sum(1 for v in vs if ok(d, v)) < n else ())
        return out

    def check(self, data: Data) -> list[Finding]:
        """Every finding over the data graph (focus nodes from the shapes' targets)."""
        out: list[Finding] = []
        for cls, shape in self.targets:
            run = self._compiled[shape]
            for focus in data.instances(cls):
                out.extend(run(data, focus))
        return out


def compile_shapes(sg: Graph) -> Checker:
    """Compile a shapes graph; :class:`Unsupported` if it leaves the compiled subset."""
    return Checker(sg)

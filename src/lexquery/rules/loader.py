"""Load ``rules/*.yaml`` and compile them once into a :class:`RuleBook`.

File format: ``rules/README.md``. Every procedure, condition, constant, derived value
and note must cite its legal basis (``sources``); a missing basis is a RuleError here,
a citation that does not resolve to a provision node is reported by ``lexquery kb check``.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
from datetime import date
from pathlib import Path

from ..dates import parse_date, parse_duration
from .. import yaml12
from ..errors import OutputError, RuleError
from ..files import atomic_output, prune
from ..paths import rules_dir
from .expr_closures import compile_expr
from .expr_parse import TREES
from .expr_scope import CASE_ROOTS, Scope
from .expr_source import to_source
from .functions import FUNCTIONS
from .model import Condition, FactBound, FactDefault, Note, Precedence, Procedure, RuleBook

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DUR_RE = re.compile(r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")
KINDS = {"test", "assess", "from", "until", "any_of", "all_of"}


def _const_value(v):
    if isinstance(v, list):
        return [_const_value(x) for x in v]
    if isinstance(v, date):
        return v
    if isinstance(v, str):
        if _DATE_RE.match(v):
            return parse_date(v)
        if _DUR_RE.match(v) and v != "P":
            return parse_duration(v)
    return v


def _label(v, where):
    if isinstance(v, str):
        return {"fr": v}
    if isinstance(v, dict) and "fr" in v:
        return v
    raise RuleError("libellé attendu (chaîne ou {fr:, en:})", where=where)


def _sources(d, where, required=True):
    s = d.get("sources") or []
    if isinstance(s, str):
        s = [s]
    if required and not s:
        raise RuleError("règle sans fondement juridique : `sources` est vide", where=where,
                        hint="citez la disposition (ex. « CPP 728-11 1° »)")
    return [str(x) for x in s]


def _flag(d: dict, key: str, where, *, also: tuple[str, ...] = ()):
    """The value of a yes-or-no key (``per_state``, a bound's ``none``): ``true`` or ``false``
    (absent: false), or one of the words ``also`` allows, read by :func:`lexquery.yaml12.flag`.
    Anything else is a RuleError: the project's YAML is YAML 1.2, where ``no``, ``yes``, ``on`` and
    ``off`` are text — and a text is true in Python, so ``per_state: no`` would evaluate a
    procedure per State."""
    try:
        return yaml12.flag(d, key, also=also)
    except yaml12.NotABoolean as e:
        raise RuleError(e.message, where=where, hint=yaml12.FLAG_HINT) from None


def _literal(v, where) -> str:
    """A constant's value written in the expression language (numbers, dates, durations,
    lists of words)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, str) and (_DATE_RE.match(v) or (_DUR_RE.match(v) and v != "P")):
        return v
    if isinstance(v, list) and all(isinstance(x, str) and '"' not in x for x in v):
        return "[" + ", ".join(f'"{x}"' for x in v) + "]"
    raise RuleError(f"valeur par période non prise en charge : {v!r}", where=where,
                    hint="un nombre, une date AAAA-MM-JJ, une durée P… ou une liste de mots")


def _periodic(name, spec, where, periods) -> dict:
    """A constant whose value depends on the law in force on the date of evaluation
    (``periods: [{from, until, value, sources, note}]``), compiled as a derived value: the
    value of the period that holds ``as_of``; outside every period ``law_gap(name)`` —
    unknown, and the answer says which periods are encoded (rules/README.md)."""
    ps = spec["periods"]
    if not isinstance(ps, list) or not ps:
        raise RuleError("`periods` attend une liste de {from, until, value, sources}", where=where)
    parts, srcs, shown, raw = [], list(_sources(spec, where, required=False)), [], []
    for i, p in enumerate(ps):
        w = f"{where}/periods/{i}"
        if not isinstance(p, dict) or "value" not in p:
            raise RuleError("période attendue sous la forme {from:, until:, value:, sources:}", where=w)
        vf, vu = _date(p.get("from"), w), _date(p.get("until"), w)
        tests = ([f"as_of >= {vf.isoformat()}"] if vf else []) + ([f"as_of <= {vu.isoformat()}"] if vu else [])
        parts.append((" and ".join(tests) or "true", _literal(p["value"], w)))
        for s in _sources(p, w):
            if s not in srcs:
                srcs.append(s)
        val = ", ".join(map(str, p["value"])) if isinstance(p["value"], list) else p["value"]
        shown.append(f"{vf or '…'} → {vu or '…'} : {val}")
        raw.append((vf, vu, _const_value(p["value"])))
    expr = f'law_gap("{name}")'
    for test, value in reversed(parts):
        expr = f"if({test}, {value}, {expr})"
    note = spec.get("note")
    periods[name] = {"periods": shown, "sources": srcs, "note": note, "note_en": spec.get("note_en"), "values": raw}
    return {"expr": expr, "sources": srcs}


def _valid(d, where):
    """``valid: {from, until, note}`` of a procedure, route or condition: the period its
    text is encoded for (rules/README.md)."""
    valid = d.get("valid") or {}
    if not isinstance(valid, dict):
        raise RuleError("`valid` attend {from:, until:, note:}", where=where)
    vf, vu = _date(valid.get("from"), where), _date(valid.get("until"), where)
    if vf and vu and vf > vu:
        raise RuleError(f"`valid` : début {vf} après la fin {vu}", where=where)
    note = valid.get("note")
    return vf, vu, (_label(note, where) if note is not None else None)


def _published(d, where, vf):
    """``valid: {published: {on, source}}`` of a procedure: the day the text that opens its
    period (its ``from``) was published in the Journal officiel, and where that is stated
    (rules/README.md). From that day the law that will apply from ``from`` is known: the
    procedure is answered under it (engine/in_time.py ``before_period``). A date on or before
    ``from``; only on a procedure's ``valid:`` (not a route's or a condition's)."""
    valid = d.get("valid") or {}
    pub = valid.get("published") if isinstance(valid, dict) else None
    if pub is None:
        return None, None
    w = f"{where}/valid/published"
    if not isinstance(pub, dict) or set(pub) - {"on", "source"} or not pub.get("on"):
        raise RuleError("`published` attend {on: AAAA-MM-JJ, source: « où la date de publication est "
                        "dite »}", where=w)
    on = _date(pub["on"], w)
    if not isinstance(on, date):
        raise RuleError("`published.on` : une date AAAA-MM-JJ est attendue", where=w)
    src = pub.get("source")
    if not isinstance(src, str) or not src.strip():
        raise RuleError("`published.source` manquant : une date de publication ne s'encode qu'avec la "
                        "source qui la donne", where=w)
    if vf is None:
        raise RuleError("`published` sans `from` : c'est la publication du texte qui ouvre la période",
                        where=w)
    if on > vf:
        raise RuleError(f"`published` : publication le {on}, après le début de la période {vf}", where=w)
    return on, src.strip()


def _no_published(d, where):
    v = d.get("valid")
    if isinstance(v, dict) and "published" in v:
        raise RuleError("`published` ne s'emploie que sur le `valid:` d'une procédure (pas d'une voie "
                        "ni d'une condition)", where=f"{where}/valid/published")


def _date(v, where):
    if v is None or isinstance(v, date):
        return v
    try:
        return parse_date(str(v))
    except ValueError as e:
        raise RuleError(str(e), where=where) from None


def is_law_gap(d) -> bool:
    """A condition's ``valid:`` with a ``note:`` marks a law gap — outside the period the law
    is not encoded, the condition is unknown and says why (legal periods, issue 12 item 9);
    without a note it is the period of the text the condition cites — outside it the
    condition does not apply, another one takes over (a renumbered alinéa, issue 13)."""
    v = d.get("valid")
    return isinstance(v, dict) and v.get("note") is not None


def _when_valid(d, where):
    """``when`` of a condition or note with its ``valid: {from, until}`` folded in: outside
    the period its cited text was in force, the condition or note does not apply (the
    period is also what ``kb check`` checks its citations against, kb/inforce.py)."""
    when = d.get("when")
    valid = d.get("valid")
    if not valid:
        return when
    if not isinstance(valid, dict):
        raise RuleError("`valid` attendu sous la forme {from: AAAA-MM-JJ, until: AAAA-MM-JJ}", where=where)
    parts = []
    for key, op in (("from", ">="), ("until", "<=")):
        v = _date(valid.get(key), f"{where}/valid/{key}")
        if v is not None:
            parts.append(f"as_of {op} {v.isoformat()}")
    if when is not None:
        parts.append(f"({when})")
    return " and ".join(parts) if parts else None


class _Builder:
    def __init__(self, scope: Scope):
        self.scope = scope

    def expr(self, v, where):
        return None if v is None else compile_expr(v, self.scope, where)

    def condition(self, d, where) -> Condition:
        cid = d.get("id")
        if not cid:
            raise RuleError("condition sans `id`", where=where)
        w = f"{where}/{cid}"
        kinds = [k for k in KINDS if k in d]
        if "assess" in d:
            kind = "assess"
        elif len(kinds) != 1:
            raise RuleError(f"une condition a exactement un de {sorted(KINDS)}", where=w)
        else:
            kind = kinds[0]
        _no_published(d, w)
        c = Condition(id=cid, label=_label(d.get("label", cid), w), sources=_sources(d, w), kind=kind,
                      when=self.expr(d.get("when") if is_law_gap(d) else _when_valid(d, w), w + "/when"),
                      explain=d.get("explain"))
        if is_law_gap(d):   # a law gap: outside the period the condition is unknown and says why
            c.valid_from, c.valid_until, c.valid_note = _valid(d, w)
        if d.get("valid"):
            c.law_period = _valid(d, w)[:2]
        if kind in ("any_of", "all_of"):
            c.children = [self.condition(x, w) for x in d[kind]]
        elif kind == "assess":
            c.requires = self.expr(d.get("requires"), w + "/requires")
        else:
            c.expr = self.expr(d[kind], w)
            c.met_if = self.expr(d.get("met_if"), w + "/met_if")
        facts = set(d.get("facts") or [])
        for e in (c.expr, c.requires, c.met_if):
            if e is not None:
                facts |= e.facts
        for ch in c.children:
            facts |= set(ch.facts)
        c.facts = sorted(facts)
        return c

    def note(self, d, where) -> Note:
        nid = d.get("id") or "note"
        w = f"{where}/notes/{nid}"
        verify = _flag(d, "verify", w)
        if verify and d.get("kind", "info") != "warning":
            raise RuleError("`verify: true` ne s'emploie que sur une note `kind: warning` (un point à vérifier "
                            "à la main, repris dans `to_verify`)", where=w)
        kind = d.get("kind", "info")
        always = kind == "duty" or bool(_flag(d, "always", w))   # a duty is shown whether or not the procedure applies
        return Note(id=nid, kind=kind, text=_label(d.get("text", ""), w), verify=verify, always=always,
                    sources=_sources(d, w), when=self.expr(_when_valid(d, w), w + "/when"),
                    law_period=_valid(d, w)[:2] if d.get("valid") else (None, None),
                    date=self.expr(d.get("date"), w + "/date"),
                    values={k: self.expr(v, f"{w}/values/{k}") for k, v in (d.get("values") or {}).items()})

    def procedure(self, d, where, pid=None) -> Procedure:
        route = pid is not None     # a route: built with its id by its procedure
        pid = pid or d.get("procedure") or d.get("id")
        if not pid:
            raise RuleError("fichier de règle sans `procedure`", where=where)
        vf, vu, vnote = _valid(d, where)
        if route:
            _no_published(d, where)
            published = published_source = None
        else:
            published, published_source = _published(d, where, vf)
        p = Procedure(id=pid, label=_label(d.get("label", pid), where), sources=_sources(d, where),
                      file=where, per_state=_flag(d, "per_state", where, also=("nationalities",)),
                      valid_from=vf, valid_until=vu, valid_note=vnote,
                      published=published, published_source=published_source,
                      replaces=[str(x) for x in (d.get("replaces") or [])],
                      exclusive_group=d.get("exclusive_group"), order=int(d.get("order", 100)),
                      consent_required=self.expr(d.get("consent_required"), where + "/consent_required"),
                      consent_sources=_sources({"sources": d.get("consent_sources")}, where, required=False),
                      until=self.expr(d.get("until"), where + "/until"),
                      until_label=d.get("until_label"),
                      asked_when=self.expr(d.get("asked_when"), where + "/asked_when"))
        if p.consent_required is not None and not p.consent_sources:
            raise RuleError("`consent_required` sans `consent_sources`", where=where)
        p.conditions = [self.condition(c, where) for c in d.get("conditions") or []]
        p.basis = d.get("basis")
        if p.basis is not None:
            found = [c for c in _all_conditions(p.conditions) if c.id == p.basis]
            if not found or found[0].kind != "any_of":
                raise RuleError(f"`basis: {p.basis}` : l'id d'une condition `any_of` de la procédure est attendu "
                                "(ses alternatives sont les fondements évalués chacun comme un chemin)", where=where)
        p.notes = [self.note(n, where) for n in d.get("notes") or []]
        p.routes = [self.procedure(r, f"{where}/routes/{r.get('id')}", pid=r.get("id"))
                    for r in d.get("routes") or []]
        own = {c.id for c in p.conditions}
        for rt in p.routes:
            for cid in rt.replaces:
                if cid not in own:
                    raise RuleError(f"`replaces` nomme « {cid} », qui n'est pas une condition de « {pid} »",
                                    where=f"{where}/routes/{rt.id}",
                                    hint=f"conditions de la procédure : {', '.join(sorted(own))}")
        return p


def _all_conditions(conds):
    for c in conds:
        yield c
        yield from _all_conditions(c.children)


def _read(path: Path):
    """A rule file's document (``yaml`` imported here, when a rule file is parsed: a process
    whose rules come from the cache never imports it)."""
    import yaml
    try:
        return yaml12.load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise RuleError(f"YAML illisible : {getattr(e, 'problem', e)}", where=yaml12.where(path, e)) from None


CACHE_FORMAT = 2
"""What the rules cache holds: 2, the expression trees as :mod:`.expr_tree`'s nodes (lark-free:
a process loading them never imports lark); 1 (files ``rules-*.pickle``), lark's trees. A file of
another format is not read (named apart, and its ``format`` checked)."""


CHECKS = "rules-checks-3"
"""The identity of what this loader accepts: to change when it refuses (or reads otherwise)
files an earlier version took — a book cached by that version must not be served without the
new checks (2: yes-or-no keys take only true or false; 3: a procedure's ``valid.published``)."""


def _cache_key(digest: str) -> str:
    """The rules' cache key: the rule files' ``digest`` (their names and bytes), the identity of
    the YAML parser (:data:`lexquery.yaml12.READER`) — the same bytes parsed otherwise may give
    other documents, so another cache file — and of the loader's checks (:data:`CHECKS`)."""
    return hashlib.sha256(yaml12.READER.encode() + b"\0" + CHECKS.encode() + b"\0" + digest.encode()).hexdigest()


def _cache_file(key: str) -> Path:
    from ..paths import cache_dir
    return cache_dir() / f"rules{CACHE_FORMAT}-{key[:32]}.pickle"


def _cache_load(digest: str):
    """Parsed YAML + expression trees of a previous run with byte-identical rule files."""
    key = _cache_key(digest)
    try:
        with _cache_file(key).open("rb") as fh:
            data = pickle.load(fh)
        return data if data.get("key") == key and data.get("format") == CACHE_FORMAT else None
    except Exception:  # absent, stale or unreadable: rebuild, never trust
        return None


def _cache_save(digest: str, docs, trees) -> None:
    key = _cache_key(digest)
    f = _cache_file(key)
    try:
        f.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(f, binary=True) as fh:   # a temporary of its own: two processes never mix
            pickle.dump({"key": key, "format": CACHE_FORMAT, "docs": docs, "trees": dict(trees)}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
    except (OSError, OutputError):
        return  # a read-only checkout still works, only slower
    prune(f.parent, "rules*-*.pickle")   # the caches of earlier rule files (and of format 1) go


def load_rules(directory: Path | None = None, *, skip: set[str] | None = None) -> RuleBook:
    """Read and compile every rule file of ``directory`` (default: the repo's rules/)."""
    directory = Path(directory or rules_dir())
    files = sorted(p for p in directory.glob("*.yaml") if not (skip and p.name in skip))
    if not files:
        raise RuleError("aucun fichier de règles", where=str(directory))
    digest = hashlib.sha256()
    raws = []
    for f in files:
        raw = f.read_bytes()
        digest.update(f.name.encode() + b"\0" + raw)
        raws.append((f, raw))
    cached = _cache_load(digest.hexdigest())
    if cached:
        docs = list(zip(files, cached["docs"]))
        TREES.update(cached["trees"])
    else:
        docs = [(f, _read(f)) for f, _ in raws]
    return build_book(docs, digest.hexdigest(), save=not cached)


def build_book(docs, digest: str, *, save: bool = False) -> RuleBook:
    """Compile parsed rule files ``[(path, document)]`` into a :class:`RuleBook` — the one
    compiler of the rule language, used for ``rules/`` and for a book derived from it (a
    simulated reform, :mod:`lexquery.engine.reform`). The book keeps ``docs`` (read only)."""
    constants, constant_sources, derived_src, defaults_src, bounds_src, periods = {}, {}, {}, [], [], {}
    for f, doc in docs:
        defaults_src += [(f, path, spec) for path, spec in (doc.get("defaults") or {}).items()]
        bounds_src += [(f, path, spec) for path, spec in (doc.get("bounds") or {}).items()]
        for name, spec in (doc.get("constants") or {}).items():
            w = f"{f.name}/constants/{name}"
            if name in constants or name in periods:
                raise RuleError(f"constante « {name} » définie deux fois", where=w)
            if isinstance(spec, dict) and "periods" in spec:
                derived_src[name] = (f, _periodic(name, spec, w, periods))
                continue
            if not isinstance(spec, dict) or "value" not in spec:
                raise RuleError("constante attendue sous la forme {value:, sources:}", where=w)
            constants[name] = _const_value(spec["value"])
            constant_sources[name] = _sources(spec, w)
        for name, spec in (doc.get("derived") or {}).items():
            derived_src[name] = (f, spec)
    scope = Scope(constants, set(derived_src), FUNCTIONS)
    b = _Builder(scope)
    derived, derived_sources = {}, {}
    for name, (f, spec) in derived_src.items():
        w = f"{f.name}/derived/{name}"
        if not isinstance(spec, dict) or "expr" not in spec:
            raise RuleError("valeur dérivée attendue sous la forme {expr:, sources:}", where=w)
        derived[name] = b.expr(spec["expr"], w)
        derived_sources[name] = _sources(spec, w)
    defaults = [_default(b, f, path, spec) for f, path, spec in defaults_src]
    bounds = [_bound(b, f, path, spec) for f, path, spec in bounds_src]
    procedures, precedence = {}, []
    for f, doc in docs:
        if "procedure" in doc:
            p = b.procedure(doc, f.name)
            if p.id in procedures:
                raise RuleError(f"procédure « {p.id} » définie deux fois", where=f.name)
            procedures[p.id] = p
        for i, pr in enumerate(doc.get("precedence") or []):
            w = f"{f.name}/precedence/{pr.get('id', i)}"
            for k in ("id", "prevails", "over", "when"):
                if k not in pr:
                    raise RuleError(f"précédence sans `{k}`", where=w)
            precedence.append(Precedence(id=pr["id"], prevails=pr["prevails"], over=pr["over"],
                                         when=b.expr(pr["when"], w), sources=_sources(pr, w),
                                         reason=_label(pr.get("reason", pr["id"]), w),
                                         until=b.expr(pr["until"], w) if pr.get("until") is not None else None))
    known = set(procedures) | {rt.id for p in procedures.values() for rt in p.routes}
    for pr in precedence:
        for pid in (pr.prevails, pr.over):  # a procedure, or a route of one
            if pid not in known:
                raise RuleError(f"précédence vers une procédure inconnue « {pid} »", where=pr.id)
    _check_derived_cycles(derived)
    procedures = dict(sorted(procedures.items(), key=lambda kv: (kv[1].order, kv[0])))
    if save:
        _cache_save(digest, [d for _, d in docs], TREES)
    per_case = not any(d.conds or (d.context & {"state", "from_date"}) for d in derived.values())
    return RuleBook(procedures, precedence, constants, derived, derived_sources, constant_sources,
                    [str(f) for f, _ in docs], digest, derived_per_case=per_case, scope=scope,
                    defaults=defaults, bounds=bounds, periods=periods, docs=docs)


def _fact_path(path, where) -> str:
    """A fact path of the case (``person.location``), as the rules read it."""
    names = str(path).split(".")
    if names[0] not in CASE_ROOTS or not all(n.isidentifier() for n in names):
        raise RuleError(f"chemin de fait invalide « {path} »", where=where,
                        expected="un chemin du format de cas, ex. person.location")
    return str(path)


def _default(b: "_Builder", f: Path, path, spec) -> FactDefault:
    """One entry of ``defaults:`` — a fact the case format defines from other facts when
    it is not given (docs/case-format.md): ``{value: EXPR, when: EXPR, sources, contract}``."""
    w = f"{f.name}/defaults/{path}"
    if not isinstance(spec, dict) or "value" not in spec or "when" not in spec:
        raise RuleError("valeur par défaut attendue sous la forme {value:, when:, sources:}", where=w)
    return FactDefault(path=_fact_path(path, w), value=b.expr(spec["value"], w + "/value"),
                       when=b.expr(spec["when"], w + "/when"), sources=_sources(spec, w),
                       contract=str(spec.get("contract") or ""), note=spec.get("note"))


def _bound(b: "_Builder", f: Path, path, spec) -> FactBound:
    """One entry of ``bounds:`` — the range an unknown date fact can take given the other
    facts (``{min: EXPR, max: EXPR, none: bool, when: EXPR, sources}``), so that the engine
    may prove that the fact cannot change an answer (lexquery.engine.prove)."""
    w = f"{f.name}/bounds/{path}"
    if not isinstance(spec, dict) or "min" not in spec or "max" not in spec:
        raise RuleError("bornes attendues sous la forme {min:, max:, sources:}", where=w)
    return FactBound(path=_fact_path(path, w), min=b.expr(spec["min"], w + "/min"),
                     max=b.expr(spec["max"], w + "/max"), none=_flag(spec, "none", w),
                     when=b.expr(spec.get("when"), w + "/when"), sources=_sources(spec, w),
                     note=spec.get("note"))


def compile_to_source(book: RuleBook) -> RuleBook:
    """Compile every expression of ``book`` once more, to Python source (``expr_source.to_source``),
    for batches: same values, missing facts and evidence, no call per node. Costs a few tens
    of milliseconds, so a single ``ask`` keeps the closures. Idempotent."""
    if getattr(book, "_sourced", False):
        return book
    for c, where in book.compiled():
        if getattr(c.fn, "source", None) is None:
            fn = to_source(c, book.scope, where)
            if fn is not None:
                c.fn = fn
    book._sourced = True
    return book


def _check_derived_cycles(derived):
    state = {}

    def visit(n, stack):
        if state.get(n) == 1:
            raise RuleError(f"valeurs dérivées circulaires : {' → '.join(stack + [n])}", where="derived")
        if state.get(n) == 2:
            return
        state[n] = 1
        for m in derived[n].names:
            if m in derived:
                visit(m, stack + [n])
        state[n] = 2
    for n in derived:
        visit(n, [])

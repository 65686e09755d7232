"""A simulated reform (what OpenFisca calls a « reform »): the law as a bill or a hypothesis
would make it, from a date, written in the rule files' own language (docs/reforms.md).

A reform file overrides, from its ``from:`` date, rule parameters (``constants:``), derived
values (``derived:``), conditions (``conditions:`` — replace, add, remove) and the Parties to
a treaty (``parties:``). Loading it derives a **new rule book** from the current one: the
parsed rule files (``RuleBook.docs``) are copied, each override is written into them as a
period of the rule language — a constant gets ``periods:`` (the current value until the day
before, the new one from the date), a replaced condition ends the day before (its ``valid:``
period ``until`` D − 1) and its successor begins on the date (``valid: {from: D}``), so the
reform's date is a day the law changes for the dates in time (engine/in_time.py) — and the copy is
compiled by the same loader (:func:`lexquery.rules.loader.build_book`) with the same load
checks (unknown names, missing ``sources``, ``replaces``…). Before ``from`` the law is
therefore unchanged; no Python is patched, so any engine that takes a rule book (the
scalar evaluator, the columnar program) answers under the reform as it answers under the law.

Reference data (a State joining or leaving STE 112 / STE 167) are overridden the same way:
:class:`ReformedReference` answers ``party()`` from the reform on and after its date, and
from the stored facts before it.

Every citation a reform adds must resolve to a provision of ``law/`` and exist in the
version in force on the reform's date (the ``kb check`` rule of ``law/citations-in-force``);
an error names the reform file, the key, what was expected and what to do
(:class:`~lexquery.errors.ReformError`, exit 2). Every reformed answer carries the label
« réforme simulée : <name> » (``knowledge_base.reform`` of the answer JSON): a reform is never
presented as the law in force.
"""
from __future__ import annotations

import copy
import difflib
import hashlib
import re
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from pathlib import Path

import yaml

from .. import yaml12
from ..errors import LexqueryError, ReformError
from ..kb.reference import Fact, Reference

TOP_KEYS = ("reform", "name", "name_en", "description", "description_en", "text", "text_en", "from", "sources",
            "constants", "derived", "conditions", "parties")
LABEL_PREFIX = "réforme simulée"
LABEL_PREFIX_EN = "simulated reform"


@dataclass
class Reform:
    """A reform file, loaded: its words, its date, and the rule book and reference data it
    derives from the current ones."""
    id: str
    name: str
    description: str
    text: str
    start: date
    file: str
    digest: str
    book: object = None                 # RuleBook
    ref: Reference | None = None
    changes: list[dict] = field(default_factory=list)   # what it overrides, in words (for reports)
    # the same words in English (the rule files' convention: ``note`` / ``note_en``): the file's
    # ``name_en``, ``text_en``, ``description_en``; the French when not given
    name_en: str = ""
    text_en: str = ""
    description_en: str = ""
    untranslated: list[str] = field(default_factory=list)   # keys of the file whose text has no English
    raw: bytes = field(default=b"", repr=False)   # the file's bytes as read: what a worker process rebuilds it from

    @property
    def label(self) -> str:
        """« réforme simulée : <name> » — on every reformed answer."""
        return f"{LABEL_PREFIX} : {self.name}"

    @property
    def label_en(self) -> str:
        """« simulated reform: <name_en> » — the label of an answer read in English."""
        return f"{LABEL_PREFIX_EN}: {self.name_en or self.name}"

    def meta(self) -> dict:
        """The ``knowledge_base.reform`` object of a reformed answer (docs/answer-format.md);
        ``name_en``, ``label_en``, ``text_en``, ``changes_en``: the same in English."""
        return {"id": self.id, "name": self.name, "label": self.label, "from": self.start.isoformat(),
                "text": self.text, "file": self.file, "digest": self.digest[:12],
                "changes": [c["what"] for c in self.changes],
                "name_en": self.name_en or self.name, "label_en": self.label_en, "text_en": self.text_en or self.text,
                "changes_en": [c.get("what_en") or c["what"] for c in self.changes],
                "untranslated": list(self.untranslated)}

    def engine(self, base=None):
        """An :class:`~lexquery.engine.api.Engine` answering under the reform."""
        from .api import Engine, load_kb
        base = base or load_kb()
        eng = Engine(book=self.book, ref=self.ref)
        eng.kb_meta = {**base.kb_meta, "version": f"{base.kb_meta.get('version')}+reform.{self.digest[:12]}",
                       "reform": self.meta()}
        return eng


# --- reading -------------------------------------------------------------------------------

def _err(file, key, message, expected=None, hint=None):
    return ReformError(message, where=f"{file} : {key}" if key else str(file), expected=expected, hint=hint)


def _read_yaml(path: Path, raw: bytes | None = None) -> dict:
    if raw is None and not path.is_file():
        raise ReformError(f"fichier de réforme introuvable : {path}", where=str(path),
                          expected="un fichier YAML de réforme (docs/reforms.md)",
                          hint="voir examples/reforms/*.yaml", message_en=f"reform file not found: {path}",
                          expected_en="a YAML reform file (docs/reforms.md)", hint_en="see examples/reforms/*.yaml")
    try:
        # the project's YAML (lexquery.yaml12: only true/false are booleans — YAML 1.1 would read
        # the code of Norway, NO, as false) with dates kept as text: they are checked by _day()
        # with a message, not PyYAML's ValueError
        doc = yaml12.load(path.read_text(encoding="utf-8") if raw is None else raw.decode("utf-8"), dates_as_text=True)
    except yaml.YAMLError as e:
        raise ReformError(f"YAML illisible : {getattr(e, 'problem', e)}", where=yaml12.where(path, e),
                          hint="corriger la syntaxe YAML à cette ligne",
                          message_en=f"unreadable YAML: {getattr(e, 'problem', e)}",
                          hint_en="fix the YAML syntax on this line") from None
    except UnicodeDecodeError:
        raise ReformError("fichier non UTF-8", where=str(path), hint="enregistrez-le en UTF-8",
                          message_en="file not UTF-8", hint_en="save it as UTF-8") from None
    if not isinstance(doc, dict):
        raise _err(path, None, "une réforme est un objet YAML (clés reform, name, from, …)",
                   expected=", ".join(TOP_KEYS))
    return doc


def _day(v, file, key) -> date:
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except (TypeError, ValueError):
        raise _err(file, key, f"date invalide : {v!r}", expected="une date AAAA-MM-JJ") from None


def _closest(name, names) -> str | None:
    m = difflib.get_close_matches(str(name), list(names), n=1)
    return m[0] if m else None


def _sources_of(spec, file, key) -> list[str]:
    s = spec.get("sources") if isinstance(spec, dict) else None
    if isinstance(s, str):
        s = [s]
    if not s or not all(isinstance(x, str) and x for x in s):
        raise _err(file, key, "modification sans fondement : `sources` est vide",
                   expected="la liste des dispositions que la réforme modifie, citées comme dans rules/ (ex. « CPP 720 II »)",
                   hint="une réforme s'écrit dans la langue des règles : chaque valeur et chaque condition cite son texte")
    return list(s)


def load_reform(path, base_book=None, base_ref=None, *, check_citations: bool = True,
                raw: bytes | None = None) -> Reform:
    """Read the reform file at ``path`` and derive its rule book and reference data from
    ``base_book`` / ``base_ref`` (default: the knowledge base of this process). ``raw``: the
    file's bytes already read (:attr:`Reform.raw` of a reform loaded before — a screening's worker
    process rebuilds the same reform from them, whatever the file has become since); ``path`` then
    only names it."""
    path = Path(path)
    doc = _read_yaml(path, raw)
    file = str(path)
    unknown = [k for k in doc if k not in TOP_KEYS]
    if unknown:
        k = unknown[0]
        close = _closest(k, TOP_KEYS)
        raise _err(file, k, f"clé inconnue « {k} »", expected=", ".join(TOP_KEYS),
                   hint=f"vouliez-vous dire « {close} » ?" if close else "voir docs/reforms.md")
    for k in ("reform", "name", "text", "from"):
        if not doc.get(k):
            raise _err(file, k, f"clé `{k}` absente",
                       expected={"reform": "un identifiant (ex. lsc-trois-ans)",
                                 "name": "le nom de la réforme, affiché sur chaque réponse réformée",
                                 "text": "le texte qu'elle modélise (proposition de loi, hypothèse de travail…)",
                                 "from": "la date AAAA-MM-JJ à partir de laquelle elle s'appliquerait"}[k])
    start = _day(doc["from"], file, "from")
    if not any(doc.get(k) for k in ("constants", "derived", "conditions", "parties")):
        raise _err(file, None, "réforme sans modification",
                   expected="au moins une de : constants, derived, conditions, parties")
    if base_book is None or base_ref is None:
        from .api import load_kb
        base = load_kb()
        base_book = base_book or base.book
        base_ref = base_ref or base.ref
    if not base_book.docs:
        raise LexqueryError("le livre de règles n'a pas gardé ses fichiers : réforme impossible")
    raw = path.read_bytes() if raw is None else raw
    digest = hashlib.sha256(base_book.digest.encode() + b"\0" + raw).hexdigest()
    r = Reform(id=str(doc["reform"]), name=str(doc["name"]), description=str(doc.get("description") or ""),
               text=str(doc["text"]), start=start, file=file, digest=digest,
               name_en=str(doc.get("name_en") or ""), text_en=str(doc.get("text_en") or ""),
               description_en=str(doc.get("description_en") or ""), raw=raw)
    docs = [(f, copy.deepcopy(d)) for f, d in base_book.docs]
    uses: list[tuple[str, str]] = []    # (citation, key in the reform file)
    _constants(r, doc.get("constants"), docs, uses)
    _derived(r, doc.get("derived"), docs, uses)
    _conditions(r, doc.get("conditions"), docs, uses)
    parties = _parties(r, doc.get("parties"), base_ref)
    from ..rules.loader import build_book
    try:
        r.book = build_book(docs, digest)
    except LexqueryError as e:   # the rules' own load checks, on the reformed book
        raise _err(file, e.where, f"la règle réformée ne se charge pas : {e.message}",
                   expected=e.expected, hint=e.hint or "corriger l'expression ou la référence dans le fichier de réforme") from None
    r.ref = ReformedReference.of(base_ref, r, parties) if parties else base_ref
    r.untranslated = untranslated(doc)
    if check_citations and uses:
        _check_citations(r, uses)
    return r


def untranslated(doc: dict) -> list[str]:
    """The keys of a reform file whose French text has no English beside it (the rule files'
    convention: ``name`` / ``name_en``, ``note`` / ``note_en``, ``label: {fr:, en:}``): an
    English report then shows that text in French, and says so (docs/reforms.md)."""
    out = [k for k in ("name", "text", "description") if doc.get(k) and not doc.get(f"{k}_en")]
    for kind in ("constants", "derived"):
        for name, spec in (doc.get(kind) or {}).items() if isinstance(doc.get(kind), dict) else ():
            if isinstance(spec, dict) and spec.get("note") and not spec.get("note_en"):
                out.append(f"{kind}.{name}.note")
    for i, ch in enumerate(doc.get("conditions") or [] if isinstance(doc.get("conditions"), list) else []):
        for k in ("with", "add"):
            node = ch.get(k) if isinstance(ch, dict) else None
            if isinstance(node, dict):
                for c, _ in _walk([node]):
                    lab = c.get("label")
                    if lab and not (isinstance(lab, dict) and lab.get("en")):
                        out.append(f"conditions[{i}].{k}" + (f" ({c.get('id')})" if c.get("id") else "") + ".label")
    for i, p in enumerate(doc.get("parties") or [] if isinstance(doc.get("parties"), list) else []):
        if isinstance(p, dict):
            out += [f"parties[{i}].{k}" for k in ("note", "source") if p.get(k) and not p.get(f"{k}_en")]
    return out


# --- constants and derived values -------------------------------------------------------------

def _find(docs, section, name):
    for f, d in docs:
        if name in (d.get(section) or {}):
            return f, d
    return None, None


def _constants(r: Reform, spec, docs, uses):
    if not spec:
        return
    if not isinstance(spec, dict):
        raise _err(r.file, "constants", "`constants` attend un objet {nom: {value:, sources:}}")
    names = [n for _, d in docs for n in (d.get("constants") or {})]
    day_before = r.start - timedelta(days=1)
    for name, new in spec.items():
        key = f"constants.{name}"
        f, d = _find(docs, "constants", name)
        if d is None:
            close = _closest(name, names)
            raise _err(r.file, key, f"constante inconnue « {name} »", expected="une constante de rules/*.yaml (constants:)",
                       hint=f"vouliez-vous dire « {close} » ?" if close else "voir rules/common.yaml")
        if not isinstance(new, dict) or "value" not in new:
            raise _err(r.file, key, "nouvelle valeur attendue sous la forme {value:, sources:}")
        srcs = _sources_of(new, r.file, key)
        uses += [(s, key) for s in srcs]
        old = d["constants"][name]
        if "periods" in old:
            periods = []
            for p in old["periods"]:
                pf = p.get("from")
                pf = _day(pf, f.name, f"constants.{name}.periods") if pf is not None else None
                if pf is not None and pf >= r.start:
                    continue
                pu = p.get("until")
                pu = _day(pu, f.name, f"constants.{name}.periods") if pu is not None else None
                periods.append({**p, "until": day_before if pu is None or pu >= r.start else pu})
            before = old["periods"][-1]["value"] if old["periods"] else None
        else:
            before = old["value"]
            periods = [{"until": day_before, "value": old["value"], "sources": list(old.get("sources") or srcs)}]
        periods.append({"from": r.start, "value": new["value"], "sources": srcs})
        note = f"{r.label} : {new.get('note') or 'valeur modifiée'} à compter du {r.start.isoformat()}"
        note_en = f"{r.label_en}: {new.get('note_en') or new.get('note') or 'value changed'} from {r.start.isoformat()}"
        old_en = old.get("note_en") or old.get("note")
        d["constants"][name] = {"sources": list(dict.fromkeys(list(old.get("sources") or []) + srcs)),
                                "periods": periods,
                                "note": f"{old['note']} ; {note}" if old.get("note") else note,
                                "note_en": f"{old_en}; {note_en}" if old_en else note_en}
        if "valid" in old:
            d["constants"][name]["valid"] = old["valid"]
        # in words for the reports (the constant's name stays in ``name``): its text, the note
        cited = ", ".join(srcs)
        r.changes.append({"kind": "constant", "name": name, "before": before, "after": new["value"],
                          "what": f"{cited} : {new.get('note') or 'valeur modifiée'} ({_shown(before)} → "
                                  f"{_shown(new['value'])}) à compter du {r.start.isoformat()}",
                          "what_en": f"{cited}: {new.get('note_en') or new.get('note') or 'value changed'} "
                                     f"({_shown(before)} → {_shown(new['value'])}) from {r.start.isoformat()}"})


def _shown(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(map(str, v)) + "]"
    return str(v)


def _derived(r: Reform, spec, docs, uses):
    if not spec:
        return
    if not isinstance(spec, dict):
        raise _err(r.file, "derived", "`derived` attend un objet {nom: {expr:, sources:}}")
    names = [n for _, d in docs for n in (d.get("derived") or {})]
    for name, new in spec.items():
        key = f"derived.{name}"
        _, d = _find(docs, "derived", name)
        if d is None:
            close = _closest(name, names)
            raise _err(r.file, key, f"valeur dérivée inconnue « {name} »", expected="une valeur de rules/*.yaml (derived:)",
                       hint=f"vouliez-vous dire « {close} » ?" if close else "voir rules/common.yaml")
        if not isinstance(new, dict) or not isinstance(new.get("expr"), str):
            raise _err(r.file, key, "nouvelle valeur attendue sous la forme {expr:, sources:}")
        srcs = _sources_of(new, r.file, key)
        uses += [(s, key) for s in srcs]
        old = d["derived"][name]
        d["derived"][name] = {"expr": f"if(as_of >= {r.start.isoformat()}, ({new['expr']}), ({old['expr']}))",
                              "sources": list(dict.fromkeys(list(old.get("sources") or []) + srcs))}
        cited = ", ".join(srcs)
        r.changes.append({"kind": "derived", "name": name, "expr": new["expr"],
                          "what": f"{cited} : {new.get('note') or 'calcul modifié'} à compter du {r.start.isoformat()}",
                          "what_en": f"{cited}: {new.get('note_en') or new.get('note') or 'computation changed'} "
                                     f"from {r.start.isoformat()}"})


# --- conditions ---------------------------------------------------------------------------

def _procedure_doc(r, docs, pid, key):
    for _, d in docs:
        if d.get("procedure") == pid:
            return d
    names = [d["procedure"] for _, d in docs if d.get("procedure")]
    close = _closest(pid, names)
    raise _err(r.file, key, f"procédure inconnue « {pid} »", expected=f"une de : {', '.join(names)}",
               hint=f"vouliez-vous dire « {close} » ?" if close else None)


def _route_doc(r, proc, rid, key):
    for rt in proc.get("routes") or []:
        if rt.get("id") == rid:
            return rt
    ids = [rt.get("id") for rt in proc.get("routes") or []]
    close = _closest(rid, ids)
    raise _err(r.file, key, f"voie inconnue « {rid} » de la procédure « {proc.get('procedure')} »",
               expected=f"une de : {', '.join(ids) or '(aucune voie)'}",
               hint=f"vouliez-vous dire « {close} » ?" if close else None)


def _walk(conds, parent=None):
    """Every condition of a tree with the list that holds it."""
    for c in conds or []:
        yield c, conds
        for k in ("any_of", "all_of"):
            if isinstance(c.get(k), list):
                yield from _walk(c[k], c)


def _ids(node) -> list[str]:
    return [c.get("id") for c, _ in _walk(node.get("conditions"))]


def _and_when(clause: str, when) -> str:
    return clause if not when else f"{clause} and ({when})"


def _ends_before(c: dict, start: date, file, key) -> None:
    """A condition the reform replaces or removes holds up to the day before ``start``: its
    ``valid:`` period ends then (rules/README.md: outside its period a condition does not apply,
    as with a false ``when``), so the reform's date is a day the law changes for the engine's
    dates in time (engine/in_time.py ``law_boundaries``: a date computed before it, or after it
    under the old law, counts only inside the period of the text that gives it — review 26,
    R26-10). A law gap's ``valid:`` (with a ``note``) means « unknown outside »: there the end
    is a ``when``, and the reform's date is read from the condition that begins on it."""
    from ..rules.loader import is_law_gap
    if is_law_gap(c):
        c["when"] = _and_when(f"as_of < {start.isoformat()}", c.get("when"))
        return
    v = dict(c.get("valid") or {})
    until = start - timedelta(days=1)
    if v.get("until") is None or _day(v["until"], file, key) > until:
        v["until"] = until.isoformat()
    c["valid"] = v


def _begins_on(c: dict, start: date, file, key) -> None:
    """A condition the reform adds (or puts in place of another) holds from ``start``: its
    ``valid:`` period begins then (:func:`_ends_before`)."""
    from ..rules.loader import is_law_gap
    if is_law_gap(c):
        c["when"] = _and_when(f"as_of >= {start.isoformat()}", c.get("when"))
        return
    v = dict(c.get("valid") or {})
    if v.get("from") is None or _day(v["from"], file, key) < start:
        v["from"] = start.isoformat()
    c["valid"] = v


def _rewrite_cond_refs(node, old: str, new: str):
    """``cond.<old>`` → ``(cond.<old> or cond.<new>)`` in every expression of ``node``: the two
    conditions hold on complementary periods, the one out of its period does not apply
    (``cond.`` of a condition that does not apply is false)."""
    pat = re.compile(rf"\bcond\.{re.escape(old)}\b")

    def fix(v):
        if isinstance(v, str):
            return pat.sub(f"(cond.{old} or cond.{new})", v) if "cond." in v else v
        if isinstance(v, list):
            return [fix(x) for x in v]
        if isinstance(v, dict):
            return {k: (fix(x) if k not in ("label", "text", "explain", "note", "sources", "reason") else x)
                    for k, x in v.items()}
        return v
    return fix(node)


def _conditions(r: Reform, spec, docs, uses):
    if not spec:
        return
    if not isinstance(spec, list):
        raise _err(r.file, "conditions", "`conditions` attend une liste de {procedure:, route:, replace:|add:|remove:}")
    d_iso = r.start.isoformat()
    for i, ch in enumerate(spec):
        key = f"conditions[{i}]"
        if not isinstance(ch, dict) or not ch.get("procedure"):
            raise _err(r.file, key, "modification de condition sans `procedure`",
                       expected="{procedure: id, route: id (facultatif), replace: id, with: {condition}} ou add: {condition} ou remove: id")
        ops = [k for k in ("replace", "add", "remove") if k in ch]
        if len(ops) != 1:
            raise _err(r.file, key, "une modification de condition a exactement un de replace, add, remove",
                       expected="replace: id + with: {…} | add: {…} (in: id d'un any_of/all_of, facultatif) | remove: id")
        op = ops[0]
        pid = ch["procedure"]
        proc = _procedure_doc(r, docs, pid, key + ".procedure")
        node = _route_doc(r, proc, ch["route"], key + ".route") if ch.get("route") else proc
        where = f"{pid}/{ch['route']}" if ch.get("route") else pid
        if op in ("replace", "remove"):
            cid = ch[op]
            found = [(c, lst) for c, lst in _walk(node.get("conditions")) if c.get("id") == cid]
            if not found:
                close = _closest(cid, _ids(node))
                raise _err(r.file, f"{key}.{op}", f"condition inconnue « {cid} » de « {where} »",
                           expected=f"une de : {', '.join(_ids(node))}",
                           hint=f"vouliez-vous dire « {close} » ?" if close else "une voie se désigne par route:")
            old, lst = found[0]
            if proc.get("basis") == cid or node.get("basis") == cid:
                raise _err(r.file, f"{key}.{op}", f"« {cid} » est le `basis` de la procédure : non remplaçable par une réforme",
                           hint="remplacez l'une de ses alternatives, ou ajoutez-en une (add: … in: " + cid + ")")
            _ends_before(old, r.start, r.file, f"{key}.{op}")
            if op == "remove":
                r.changes.append({"kind": "condition", "name": f"{where}/{cid}",
                                  "what": f"{_where(proc, node)} : condition « {_lbl(old)} » supprimée à compter du {d_iso}",
                                  "what_en": f"{_where(proc, node, 'en')}: condition « {_lbl(old, 'en')} » "
                                             f"removed from {d_iso}"})
                continue
            new = ch.get("with")
            if not isinstance(new, dict):
                raise _err(r.file, f"{key}.with", "`replace` sans `with:` (la condition qui la remplace)",
                           expected="{id:, label:, sources:, test:|from:|until:|assess:|any_of:|all_of:}")
            new = copy.deepcopy(new)
            new.setdefault("id", f"{cid}_reforme")
            if new["id"] in _all_ids(proc):
                raise _err(r.file, f"{key}.with.id", f"l'id « {new['id']} » est déjà celui d'une condition de « {pid} »",
                           hint="donnez à la condition réformée un id nouveau (ex. " + cid + "_reforme)")
            _sources_of(new, r.file, f"{key}.with")
            uses += [(s, f"{key}.with") for s in _all_sources(new)]
            _begins_on(new, r.start, r.file, f"{key}.with")
            lst.insert(lst.index(old) + 1, new)
            # the references to the replaced condition read the one in force on the date
            proc.update(_rewrite_cond_refs(proc, cid, new["id"]))
            for _, d in docs:
                if "precedence" in d and "procedure" not in d:
                    d["precedence"] = _rewrite_cond_refs(d["precedence"], cid, new["id"])
            for rt in [proc] + list(proc.get("routes") or []):
                if cid in (rt.get("replaces") or []):
                    rt["replaces"] = list(rt["replaces"]) + [new["id"]]
            r.changes.append({"kind": "condition", "name": f"{where}/{cid}",
                              "what": f"{_where(proc, node)} : condition « {_lbl(old)} » remplacée par "
                                      f"« {_lbl(new)} » à compter du {d_iso}",
                              "what_en": f"{_where(proc, node, 'en')}: condition « {_lbl(old, 'en')} » replaced by "
                                         f"« {_lbl(new, 'en')} » from {d_iso}"})
        else:   # add
            new = ch["add"]
            if not isinstance(new, dict) or not new.get("id"):
                raise _err(r.file, f"{key}.add", "condition ajoutée sans `id`",
                           expected="{id:, label:, sources:, test:|from:|until:|assess:|any_of:|all_of:}")
            new = copy.deepcopy(new)
            if new["id"] in _all_ids(proc):
                raise _err(r.file, f"{key}.add.id", f"l'id « {new['id']} » est déjà celui d'une condition de « {pid} »")
            _sources_of(new, r.file, f"{key}.add")
            uses += [(s, f"{key}.add") for s in _all_sources(new)]
            _begins_on(new, r.start, r.file, f"{key}.add")
            target = node.setdefault("conditions", [])
            if ch.get("in"):
                parents = [c for c, _ in _walk(node.get("conditions")) if c.get("id") == ch["in"]
                           and ("any_of" in c or "all_of" in c)]
                if not parents:
                    raise _err(r.file, f"{key}.in", f"« {ch['in']} » n'est pas une condition any_of / all_of de « {where} »",
                               expected="l'id d'une condition any_of ou all_of")
                target = parents[0].get("any_of") if "any_of" in parents[0] else parents[0]["all_of"]
            target.append(new)
            r.changes.append({"kind": "condition", "name": f"{where}/{new['id']}",
                              "what": f"{_where(proc, node)} : condition « {_lbl(new)} » ajoutée à compter du {d_iso}",
                              "what_en": f"{_where(proc, node, 'en')}: condition « {_lbl(new, 'en')} » "
                                         f"added from {d_iso}"})


def _lbl(node, lang: str = "fr") -> str:
    """The label of a procedure, route or condition of the parsed rule files, in ``lang`` (the
    French when it has no English; its id when it has no label)."""
    lab = node.get("label")
    if isinstance(lab, dict):
        return str(lab.get(lang) or lab.get("fr") or node.get("id") or node.get("procedure"))
    return str(lab or node.get("id") or node.get("procedure"))


def _where(proc, node, lang: str = "fr") -> str:
    """« procedure › route » in words."""
    return _lbl(proc, lang) + ("" if node is proc else f" › {_lbl(node, lang)}")


def _all_ids(proc) -> set:
    out = set(_ids(proc))
    for rt in proc.get("routes") or []:
        out |= set(_ids(rt)) | {rt.get("id")}
    return out


def _all_sources(cond) -> list[str]:
    out = list(cond.get("sources") or [])
    for k in ("any_of", "all_of"):
        for c in cond.get(k) or []:
            out += _all_sources(c)
    return out


# --- reference data: Parties to a treaty ------------------------------------------------------

@dataclass(frozen=True)
class PartyChange:
    treaty: str
    state: str
    join: bool
    start: date
    source: str
    note: str | None = None
    source_en: str | None = None
    note_en: str | None = None


def _parties(r: Reform, spec, ref: Reference) -> list[PartyChange]:
    if not spec:
        return []
    if not isinstance(spec, list):
        raise _err(r.file, "parties", "`parties` attend une liste de {treaty:, state:, join: true|false}")
    out = []
    for i, p in enumerate(spec):
        key = f"parties[{i}]"
        if not isinstance(p, dict):
            raise _err(r.file, key, "objet {treaty:, state:, join:} attendu")
        t = p.get("treaty")
        if t not in ref.treaties:
            raise _err(r.file, f"{key}.treaty", f"traité inconnu « {t} »", expected=" ou ".join(ref.treaties),
                       hint="les traités sont déclarés dans reference/treaty-parties.yaml")
        s = p.get("state")
        if not isinstance(s, str) or s not in ref.states:
            close = _closest(s, ref.states)
            raise _err(r.file, f"{key}.state", f"État inconnu « {s} »",
                       expected="un code ISO 3166 alpha-2 entre guillemets, présent dans reference/states.yaml (ex. \"MA\")",
                       hint=f"vouliez-vous dire « {close} » ?" if close else None)
        if p.get("join") not in (True, False):
            raise _err(r.file, f"{key}.join", f"`join: {p.get('join')!r}`", expected="true (devient Partie) ou false (cesse de l'être)")
        start = _day(p["from"], r.file, f"{key}.from") if p.get("from") is not None else r.start
        if start < r.start:
            raise _err(r.file, f"{key}.from", f"date {start} antérieure à celle de la réforme ({r.start})",
                       hint="avant la date de la réforme, le droit est inchangé : donnez une date égale ou postérieure")
        src = f"{r.label} — {p.get('source') or r.text}"
        src_en = f"{r.label_en} — {p.get('source_en') or p.get('source') or r.text_en or r.text}"
        out.append(PartyChange(t, s, p["join"], start, src, p.get("note"), src_en, p.get("note_en")))
        name = ref.state_name(s)
        r.changes.append({"kind": "party", "name": f"{t}/{s}",
                          "what": f"{ref.treaties[t]['citation']} / {name} : "
                                  f"{'devient Partie' if p['join'] else 'cesse d’être Partie'} le {start.isoformat()}",
                          "what_en": f"{ref.treaties[t]['citation']} / {ref.state_name(s, 'en')}: "
                                     f"{'becomes a Party' if p['join'] else 'ceases to be a Party'} on {start.isoformat()}"})
    return out


@dataclass
class ReformedReference(Reference):
    """The reference data under a reform: a Party to a treaty from the reform's date on, or no
    longer one; before that date, the stored facts unchanged."""
    reform_parties: dict = field(default_factory=dict)   # (treaty, state) -> [PartyChange] by date
    reform_label: str = ""
    reform_label_en: str = ""

    @classmethod
    def of(cls, ref: Reference, reform: Reform, changes: list[PartyChange]) -> "ReformedReference":
        by: dict = {}
        for c in changes:
            by.setdefault((c.treaty, c.state), []).append(c)
        for v in by.values():
            v.sort(key=lambda c: c.start)
        # a fresh object: the look-up cache of the base (functions._lookup) is not shared
        return cls(**{f.name: getattr(ref, f.name) for f in fields(Reference)},
                   reform_parties=by, reform_label=reform.label, reform_label_en=reform.label_en)

    def party(self, treaty: str, state: str, on: date) -> Fact:
        changes = [c for c in self.reform_parties.get((treaty, state), ()) if c.start <= on]
        if not changes:
            return super().party(treaty, state, on)
        c = changes[-1]
        t = self.treaties[treaty]
        fr_date = t["france_in_force"]
        if on < fr_date:
            return super().party(treaty, state, on)
        ev = (f"[S] {c.source} : {t['citation']} / {self.state_name(state)} — "
              f"{'Partie' if c.join else 'non Partie'} à compter du {c.start.isoformat()}",)
        ev_en = (f"[S] {c.source_en or c.source}: {t['citation']} / {self.state_name(state, 'en')} — "
                 f"{'a Party' if c.join else 'not a Party'} from {c.start.isoformat()}",)
        note_en = (self.reform_label_en or self.reform_label) + (f"; {c.note_en or c.note}" if c.note else "")
        return Fact(c.join, ev, f"{self.reform_label}" + (f" ; {c.note}" if c.note else ""), "S",
                    evidence_en=ev_en, note_en=note_en)


# --- citations ----------------------------------------------------------------------------

def _check_citations(r: Reform, uses):
    """Each citation the reform adds resolves to a provision of law/ and exists in the version
    in force on the reform's date (the checks of ``kb check`` on rules: sparql
    rule-citation-unresolved, law/citations-in-force)."""
    from ..kb.provisions import RuleUse, load_kb as load_provisions
    from ..kb import inforce
    try:
        kb = load_provisions()
    except LexqueryError:
        return   # no law/ here (an installed package without it): the rules' own checks only
    for cit, key in uses:
        if kb.resolve(cit) is None:
            close = _closest(cit, list(kb.by_citation))
            raise _err(r.file, key, f"citation introuvable : « {cit} »",
                       expected="une disposition de law/ citée sous sa forme canonique (ex. « CPP 720 II », « STE 167 art. 3.1 »)",
                       hint=f"vouliez-vous dire « {close} » ? (lexquery article …)" if close else "lexquery article --help")
    shadow = copy.copy(kb)
    shadow.rule_uses = [RuleUse(cit, key, r.file, r.start, None) for cit, key in uses]
    res = inforce.check(shadow)
    for a in res.absent:
        if a.end is None or a.end >= r.start:
            raise _err(r.file, a.use.where, a.message(),
                       expected=f"une disposition qui existe dans la version en vigueur le {r.start.isoformat()}",
                       hint="citez l'alinéa de cette version (lexquery article … --at " + r.start.isoformat() + ")")


# --- one case under both ------------------------------------------------------------------

def effective_from(before, after, start):
    """The opening date under the reform, as the comparison reads it (dates or ISO texts).

    The engine computes a date under the law of the evaluation date: on or after the reform's
    date ``start``, a threshold it lowers can give a ``from`` earlier than ``start`` (the caps
    of CPP 729 al. 8: mid-sentence reached years ago). The law changes on ``start`` only, so such
    a date reads as: the date under the law in force when that one came earlier (it was
    already open), else ``start`` (open from the reform's entry into force)."""
    if after is None or after == "" or str(after) >= str(start):
        return after
    if before not in (None, "") and str(before) < str(start):
        return before
    return start



def compare_answers(current, reformed) -> list[dict]:
    """What differs between the answer under the law in force and the answer under a reform
    (same case, same date): per procedure (and State), its status, dates, consent, the path
    that opens it, and per route and condition their status; a condition present on one side
    only is one the reform added, replaced or removed. Each difference is
    ``{procedure, state, route, condition, what, before, after}``."""
    def idx(ans):
        return {(p.procedure, p.state): p for p in ans.procedures}

    def conds(cs, out):
        for c in cs:
            out[c.id] = c
            conds(c.children, out)
        return out

    def iso(v):
        return v.isoformat() if isinstance(v, date) else v

    out = []
    a, b = idx(current), idx(reformed)
    meta = (reformed.knowledge_base or {}).get("reform") or {}
    start = date.fromisoformat(meta["from"]) if meta.get("from") and reformed.as_of >= date.fromisoformat(meta["from"]) else None

    def diff_proc(p, q, key, route=None):
        base = {"procedure": key[0], "state": key[1], "route": route, "condition": None}
        if p is None or q is None:
            out.append({**base, "what": "présence", "before": None if p is None else p.status,
                        "after": None if q is None else q.status})
            return
        qf = iso(effective_from(p.date_from, q.date_from, start)) if start else iso(q.date_from)
        for what, x, y in (("statut", p.status, q.status), ("à partir du", iso(p.date_from), qf),
                           ("jusqu'au", iso(p.date_until), iso(q.date_until)),
                           ("consentement requis", p.consent_required, q.consent_required),
                           ("ouverte par", p.opens_by, q.opens_by)):
            if x != y:
                out.append({**base, "what": what, "before": x, "after": y})
                if what == "à partir du" and y != iso(q.date_from):   # read from the reform's date
                    out[-1]["computed"] = iso(q.date_from)
        cp, cq = conds(p.conditions, {}), conds(q.conditions, {})
        for cid in list(cp) + [c for c in cq if c not in cp]:
            x, y = cp.get(cid), cq.get(cid)
            if x is None or y is None or x.status != y.status:
                out.append({**base, "condition": cid, "what": "condition",
                            "before": None if x is None else x.status, "after": None if y is None else y.status,
                            "label": (y or x).label.get("fr") if isinstance((y or x).label, dict) else (y or x).label,
                            "label_en": ((y or x).label.get("en") or (y or x).label.get("fr"))
                            if isinstance((y or x).label, dict) else (y or x).label})
        if route is None:
            rp, rq = {r.procedure: r for r in p.routes}, {r.procedure: r for r in q.routes}
            for rid in list(rp) + [r for r in rq if r not in rp]:
                diff_proc(rp.get(rid), rq.get(rid), key, route=rid)

    for key in list(a) + [k for k in b if k not in a]:
        diff_proc(a.get(key), b.get(key), key)
    return out

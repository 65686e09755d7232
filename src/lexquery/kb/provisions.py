"""The law as Python objects: every ``law/**/*.yaml`` file (docs/design.md, "law/ YAML
schema") loaded into :class:`Provision` (article) → :class:`Version` → :class:`Paragraph`.

- versions of the same article found in several files are merged by (instrument, number);
- :meth:`KB.version_at` picks the version valid on a date (authentic text first; a
  translation or the 2029 restatement only when nothing else is there, and flagged);
- cross-references are extracted from the text by regex (:mod:`lexquery.kb.citations`);
- "cited by" covers other provisions and the rules (``rules/*.yaml``);
- :meth:`KB.resolve` finds the node for a citation string, or None with a hint.

The whole KB is cached as a pickle under ``kb/cache/`` keyed by the sha256 of the input
files, so that a new process loads it without YAML parsing nor rule compilation.
"""
from __future__ import annotations

import difflib
import hashlib
import os
import pickle
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import yaml12
from ..errors import KnowledgeBaseError, NotFoundError, OutputError
from ..files import atomic_output, prune
from ..paths import home
from . import citations as C

CACHE_VERSION = "kb-provisions-2"   # 2: yes-or-no keys checked (_flag)


@dataclass
class Paragraph:
    n: int                          # 1-based, items included
    text: str
    label: str | None
    citations: list[str]            # "CPP 728-11 al. 2", "CPP 728-11 1°"
    refs: list[str] = field(default_factory=list)   # article citations it refers to


@dataclass
class Version:
    id: str
    valid_from: date | None
    valid_until: date | None
    language: str = "fr"
    translation: bool = False
    restatement_2029: bool = False
    legiarti: str | None = None
    amended_by: str | None = None
    source: str | None = None
    source_file: str | None = None
    official: str | None = None     # official link (Legifrance, EUR-Lex, coe.int, UN) for this version
    confidence: str | None = None
    confidence_note: str | None = None
    truncated: bool = False
    paragraphs: list[Paragraph] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    file: str = ""                  # the law/ file it was read from
    repealed: bool = False          # no longer in force, end date unknown (``valid_until`` null)
    repealed_before: date | None = None   # a date on which a source shows it no longer in force

    def valid_on(self, d: date) -> bool:
        if self.repealed and self.valid_until is None:
            return False    # repealed on an unknown date: never asserted in force
        if self.valid_from and d < self.valid_from:
            return False
        if self.valid_until and d > self.valid_until:
            return False
        return True

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def refs(self) -> list[str]:
        out = []
        for p in self.paragraphs:
            out += [r for r in p.refs if r not in out]
        return out


@dataclass
class Provision:
    instrument: str
    number: str
    citation: str
    iri: str
    title: dict = field(default_factory=dict)
    hierarchy: list[str] = field(default_factory=list)
    legiarti: str | None = None
    successor_2029: str | None = None
    versions: list[Version] = field(default_factory=list)
    open_questions: list[dict] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def key(self):
        return (self.instrument, self.number)


@dataclass
class Node:
    """What a citation resolves to: an article, or a paragraph of one of its versions."""
    citation: str
    provision: Provision
    version: Version | None = None
    paragraph: Paragraph | None = None

    @property
    def iri(self) -> str:
        if self.paragraph and self.version:
            return version_iri(self.provision, self.version) + f"/al/{self.paragraph.n}"
        return self.provision.iri


@dataclass
class RuleUse:
    citation: str
    where: str                      # procedure/condition id
    file: str
    valid_from: date | None = None  # the period the rule claims (``valid:`` of the procedure,
    valid_until: date | None = None  # route, condition or note, intersected; None = open)
    label: dict | None = None       # what the rule is, in words ({fr, en}): procedure › condition


def version_iri(p: Provision, v: Version) -> str:
    return f"{p.iri}/v/{C.slug_number(v.id)}"


class KB:
    """All provisions, with the indexes the commands and checks need."""

    def __init__(self, provisions: dict, rule_uses: list[RuleUse], digest: str, files: list[str],
                 problems: list[tuple[str, str]]):
        self.provisions: dict[tuple[str, str], Provision] = provisions
        self.rule_uses = rule_uses
        self.digest = digest
        self.files = files
        self.problems = problems            # (where, message) found while loading
        self.rules: dict = {"procedures": [], "precedence": [], "values": []}
        self._build_indexes()

    # -- indexes ------------------------------------------------------------------------
    def _build_indexes(self):
        self.by_citation: dict[str, list[Node]] = {}
        self.by_article_citation: dict[str, Provision] = {}
        for p in self.provisions.values():
            self.by_article_citation[p.citation] = p
            self.by_citation.setdefault(p.citation, []).append(Node(p.citation, p))
            for v in p.versions:
                for para in v.paragraphs:
                    for c in para.citations:
                        self.by_citation.setdefault(c, []).append(Node(c, p, v, para))
        self.loose = {C.normalise(c): c for c in self.by_citation}
        self.cited_by: dict[str, list[str]] = {}
        for p in self.provisions.values():
            for v in p.versions:
                for para in v.paragraphs:
                    for r in para.refs:
                        lst = self.cited_by.setdefault(r, [])
                        src = para.citations[-1] if para.citations else p.citation
                        if src not in lst:
                            lst.append(src)
        self.rules_by_article: dict[str, list[RuleUse]] = {}
        for u in self.rule_uses:
            art = self.article_of(u.citation)
            if art:
                self.rules_by_article.setdefault(art.citation, []).append(u)

    def __iter__(self):
        return iter(sorted(self.provisions.values(), key=_sort_key))

    def __len__(self):
        return len(self.provisions)

    # -- lookup -------------------------------------------------------------------------
    def resolve(self, citation: str, at: date | None = None) -> Node | None:
        """The node whose citation equals ``citation`` (paragraph of the version valid
        ``at``, default: the current authentic one), or None."""
        nodes = self.by_citation.get(citation)
        if not nodes:
            key = self.loose.get(C.normalise(citation))
            nodes = self.by_citation.get(key) if key else None
        if not nodes:
            return None
        art = [n for n in nodes if n.paragraph is None]
        if art:
            return art[0]
        want = self.version_at(nodes[0].provision, at)
        for n in nodes:
            if n.version is want:
                return n
        return nodes[0]

    def hint(self, citation: str) -> str | None:
        close = difflib.get_close_matches(C.normalise(citation), list(self.loose), n=3, cutoff=0.6)
        if close:
            return "vouliez-vous dire : " + ", ".join(f"« {self.loose[c]} »" for c in close) + " ?"
        return None

    def lookup(self, query: str, at: date | None = None) -> Node:
        """A user's query → node, or NotFoundError with a 'did you mean' hint."""
        cit = C.parse_query(query) or query
        node = self.resolve(cit, at) or self.resolve(query, at)
        if node is None:
            close = self.hint(cit)
            raise NotFoundError(f"disposition introuvable : « {query} »" + (f" (lu « {cit} »)" if cit != query else ""),
                                expected="ex. « 728-11 », « CPP 729-2 al. 1 », « STE 112 art. 3 », « Circ. 2025 §2.2 », « D541 », « CP 132-23 »",
                                hint=close or "`lexquery sources` liste les dispositions connues",
                                message_en=f"provision not found: « {query} »" + (f" (read « {cit} »)" if cit != query else ""),
                                expected_en="e.g. « 728-11 », « CPP 729-2 al. 1 », « STE 112 art. 3 », « Circ. 2025 §2.2 », "
                                            "« D541 », « CP 132-23 »",
                                hint_en=close.replace("vouliez-vous dire :", "did you mean:").replace(" ?", "?") if close
                                else "`lexquery sources` lists the known provisions")
        if node.paragraph is not None:
            day = at or date.today()
            v = self.version_at(node.provision, day)
            if v is not None and v.valid_on(day) and self.absent_from(node.citation, v):
                shown = f"{len(v.paragraphs)} alinéa(s)"
                raise NotFoundError(
                    f"disposition introuvable : « {node.citation} » n'existe pas dans la version en vigueur au "
                    f"{day.isoformat()} (version {v.id}, {shown})",
                    expected=f"une subdivision de cette version : « {node.provision.citation} al. 1 » à « "
                             f"{node.provision.citation} al. {len(v.paragraphs)} »" if v.paragraphs else None,
                    hint=f"`lexquery article \"{node.provision.citation}\" --at {day.isoformat()}` montre cette version ; "
                         "les autres versions sont listées en fin d'affichage",
                    message_en=f"provision not found: « {node.citation} » does not exist in the version in force on "
                               f"{day.isoformat()} (version {v.id}, {len(v.paragraphs)} paragraph(s))",
                    expected_en=f"a subdivision of this version: « {node.provision.citation} al. 1 » to « "
                                f"{node.provision.citation} al. {len(v.paragraphs)} »" if v.paragraphs else None,
                    hint_en=f"`lexquery article \"{node.provision.citation}\" --at {day.isoformat()}` shows this version; "
                            "the other versions are listed at the end")
        return node

    def absent_from(self, citation: str, v: Version) -> bool:
        """True when version ``v`` has no subdivision ``citation``: an « al. N » beyond its
        paragraphs, or a label (« 1° », « IV ») when its paragraphs carry labels at all — a
        version stored without item labels (seed texts) neither has nor lacks them."""
        if self.paragraph_in(citation, v) is not None:
            return False
        if re.search(r" al\. \d+$", citation):
            return True
        return any(p.label for p in v.paragraphs)

    def paragraph_in(self, citation: str, v: Version) -> Paragraph | None:
        """The paragraph of version ``v`` that ``citation`` names (« al. N » or its label), or None."""
        return next((p for p in v.paragraphs if citation in p.citations), None)

    def article_of(self, citation: str) -> Provision | None:
        n = self.resolve(citation)
        if n:
            return n.provision
        # the longest article citation that prefixes it ("CPP 999-9 al. 2" -> none)
        for c in sorted(self.by_article_citation, key=len, reverse=True):
            if citation.startswith(c) and citation[len(c):len(c) + 1] in (" ", "."):
                return self.by_article_citation[c]
        return None

    def version_at(self, p: Provision, at: date | None = None, lang: str | None = None) -> Version | None:
        """The version valid on ``at`` (default: today). Authentic text before translation;
        the 2029 restatement only for the 2029 code or when nothing else is there."""
        if not p.versions:
            return None
        at = at or date.today()

        want = lang or "fr"

        def rank(v: Version):
            authentic_first = (not v.translation, v.language == want)
            return (
                v.valid_on(at),
                p.instrument == "CPP2029" or not v.restatement_2029,
                *(authentic_first if lang in (None, "fr") else authentic_first[::-1]),
                v.valid_from is not None,
                v.valid_from or date.min,
                not v.truncated,
            )
        return max(p.versions, key=rank)


def _sort_key(p: Provision):
    order = list(C.INSTRUMENTS)
    idx = order.index(p.instrument) if p.instrument in order else 99
    parts = [int(x) if x.isdigit() else 0 for x in re.split(r"[^0-9]+", p.number) if x]
    return (idx, re.sub(r"[0-9.\-\s]", "", p.number), parts, p.number)


# --- loading -------------------------------------------------------------------------------

def latest_version_date(kb: "KB") -> date | None:
    """The date ``law/manifest.json`` must declare as ``sources_as_of``: the most recent
    ``valid_from`` of a version of the current texts, translations included (CPP 720 of
    2024-01-28 is known only in English), the 2029 restatement excepted."""
    dates = [v.valid_from for p in kb for v in p.versions if v.valid_from and not v.restatement_2029]
    return max(dates) if dates else None


def sources_as_of() -> str | None:
    """``sources_as_of`` of answers, declared in ``law/manifest.json`` (see paths.py)."""
    from ..paths import sources_as_of as declared
    return declared()


def law_dir() -> Path:
    return home() / "law"


def cache_dir() -> Path:
    from ..paths import cache_dir as where
    return where()


def input_files(law: Path, rules: Path | None) -> list[Path]:
    files = sorted(law.rglob("*.yaml")) + sorted(law.rglob("*.yml"))
    if rules and rules.is_dir():
        files += sorted(rules.glob("*.yaml"))
    return files


def digest_of(files: list[Path], base: Path) -> str:
    h = hashlib.sha256(CACHE_VERSION.encode() + b"\0" + yaml12.READER.encode())   # and the YAML parser
    here = Path(__file__).parent
    for code in ("provisions.py", "citations.py", "graph.py"):   # a code change invalidates the cache
        try:
            h.update((here / code).read_bytes())
        except OSError:
            pass
    for f in files:
        try:
            rel = str(f.relative_to(base))
        except ValueError:
            rel = str(f)
        h.update(rel.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def load_kb(law: Path | None = None, rules: Path | None = None, *, use_cache: bool = True,
            with_rules: bool = True) -> KB:
    """Load the KB from ``law`` (default ``law/``) and the rules' citations from ``rules``."""
    base = home()
    law = Path(law) if law else law_dir()
    if rules is None and with_rules:
        rules = base / "rules"
    if not with_rules:
        rules = None
    files = input_files(law, rules)
    digest = digest_of(files, base)
    cpath = cache_dir() / f"kb-{digest[:32]}.pickle"
    if use_cache and cpath.exists():
        try:
            with open(cpath, "rb") as fh:
                kb = pickle.load(fh)
            if isinstance(kb, KB) and kb.digest == digest:
                return kb
        except Exception:  # a stale or broken cache is rebuilt, never trusted
            pass
    kb = build_kb(law, rules, digest, base)
    if use_cache:
        try:
            cpath.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(cpath, binary=True) as fh:
                pickle.dump(kb, fh, protocol=pickle.HIGHEST_PROTOCOL)
            prune(cpath.parent, "kb-*.pickle")
        except (OSError, OutputError):
            pass
    return kb


def _read_yaml(path: Path):
    import yaml
    try:
        return yaml12.load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise KnowledgeBaseError(f"YAML illisible : {getattr(e, 'problem', e)}", where=yaml12.where(path, e)) from None


def _as_date(v, where, problems):
    if v is None or v == "":
        return None
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        problems.append((where, f"date illisible « {v} » (attendu AAAA-MM-JJ)"))
        return None


def _flag(vd: dict, key: str, default: bool, where, problems) -> bool:
    """A version's yes-or-no key (``truncated``, ``translation``, ``repealed``, ``restatement_2029``):
    ``true`` or ``false``, ``default`` when absent, read by :func:`lexquery.yaml12.flag`. Anything
    else is a problem of the file (``kb check``: error): in the project's YAML 1.2 ``no`` / ``yes``
    are text, and a text is true in Python — ``translation: no`` would mark a French text as a
    translation. The value kept then is the careful one for a reader: ``truncated`` true (the text
    is shown as possibly cut), the others their default."""
    try:
        return yaml12.flag(vd, key, default)
    except yaml12.NotABoolean as e:
        problems.append((where, f"{e.message} ({yaml12.FLAG_NOTE})"))
        return True if key == "truncated" else default


def _label_dict(v):
    if isinstance(v, dict):
        return {str(k): str(x) for k, x in v.items() if x is not None}
    if v:
        return {"fr": str(v)}
    return {}


def build_kb(law: Path, rules: Path | None, digest: str = "", base: Path | None = None) -> KB:
    base = base or home()
    provisions: dict[tuple[str, str], Provision] = {}
    problems: list[tuple[str, str]] = []
    files = sorted(law.rglob("*.yaml")) + sorted(law.rglob("*.yml"))

    def rel(f: Path) -> str:
        try:
            return str(f.relative_to(base))
        except ValueError:
            return str(f)

    for f in files:
        doc = _read_yaml(f)
        if isinstance(doc, dict) and "correspondence" in doc:
            continue    # a table of successors (law/cpp2029/correspondence.yaml): kb/succession.py
        if not isinstance(doc, dict) or "instrument" not in doc or "number" not in doc:
            problems.append((rel(f), "fichier de loi sans `instrument` ni `number`"))
            continue
        try:
            inst = C.instrument(doc["instrument"])
        except KeyError:
            problems.append((rel(f), f"instrument inconnu « {doc['instrument']} »"))
            continue
        number = str(doc["number"]).strip()
        key = (inst.code, number)
        p = provisions.get(key)
        if p is None:
            p = provisions[key] = Provision(inst.code, number, C.article_citation(inst.code, number),
                                            C.article_iri(inst.code, number))
        p.files.append(rel(f))
        p.title = {**_label_dict(doc.get("title")), **p.title} if p.title else _label_dict(doc.get("title"))
        if doc.get("hierarchy") and len(doc["hierarchy"]) > len(p.hierarchy):
            p.hierarchy = [str(x) for x in doc["hierarchy"]]
        p.legiarti = p.legiarti or doc.get("legiarti")
        p.successor_2029 = p.successor_2029 or (str(doc["successor_2029"]) if doc.get("successor_2029") else None)
        for q in doc.get("open_questions") or []:
            q = q if isinstance(q, dict) else {"text": str(q)}
            if q not in p.open_questions:
                p.open_questions.append(q)
        for i, vd in enumerate(doc.get("versions") or []):
            w = f"{rel(f)}:versions[{i}]"
            v = _version(vd, inst, p, w, problems)
            v.file = rel(f)
            old = next((x for x in p.versions if x.id == v.id and x.language == v.language), None)
            if old is None:
                p.versions.append(v)
            elif _better(v, old):
                p.versions[p.versions.index(old)] = v
    for p in provisions.values():
        _identify_seed_copies(p)
        p.versions.sort(key=lambda v: (v.valid_from or date.min, v.translation, v.restatement_2029))
    summary = read_rules(rules) if rules else {"procedures": [], "precedence": [], "values": []}
    kb = KB(provisions, rule_uses_of(summary), digest, [rel(f) for f in files], problems)
    kb.rules = summary
    return kb


_ITEM_LABEL = re.compile(r"(?m)^\s*(?:\d+°|[IVX]+\.?|[a-z]\))\s*")


def _plain(text: str) -> str:
    """Text compared for identity: without item labels (« 1° ») and whitespace."""
    return "".join(_ITEM_LABEL.sub("", text).split())


def _identify_seed_copies(p: Provision) -> None:
    """A seed page (law/generated/) is a dated snapshot with no validity of its own. When the
    research pack gives the same text as a dated version (valid_from / valid_until), they are
    one version: the seed copy (exact text, item labels) takes that version's id and validity
    and the pack's copy is dropped — otherwise an undated 2021 text would count as in force
    today (CPP 728-15 and 728-22 before and after QPC 2021-905)."""
    for s in [v for v in p.versions if "generated" in v.file and v.valid_from is None and v.valid_until is None]:
        same = next((c for c in p.versions if c is not s and "generated" not in c.file
                     and (c.valid_from or c.valid_until) and c.language == s.language
                     and _plain(c.text) == _plain(s.text)), None)
        if same is None:
            continue
        s.id, s.valid_from, s.valid_until = same.id, same.valid_from, same.valid_until
        s.legiarti = s.legiarti or same.legiarti
        s.amended_by = s.amended_by or same.amended_by
        s.source = s.source or same.source
        s.official = s.official or same.official
        s.notes = s.notes + [n for n in same.notes if n not in s.notes]
        p.versions.remove(same)


def _better(new: Version, old: Version) -> bool:
    """Two copies of one version: keep the fuller one (not truncated, more text, not generated)."""
    def score(v):
        return (not v.truncated, "law/legi/" in v.file, "generated" not in v.file, len(v.text), v.source is not None)
    return score(new) > score(old)


def _version(vd, inst, p: Provision, where, problems) -> Version:
    vid = str(vd.get("id") or vd.get("valid_from") or "unknown")
    v = Version(
        id=vid,
        valid_from=_as_date(vd.get("valid_from"), where, problems),
        valid_until=_as_date(vd.get("valid_until"), where, problems),
        language=str(vd.get("language") or "fr"),
        translation=_flag(vd, "translation", False, where, problems),
        restatement_2029=_flag(vd, "restatement_2029", inst.code == "CPP2029", where, problems),
        legiarti=vd.get("legiarti"), amended_by=vd.get("amended_by"),
        source=vd.get("source"), source_file=vd.get("source_file"), official=vd.get("official"),
        confidence=vd.get("confidence"), confidence_note=vd.get("confidence_note"),
        truncated=_flag(vd, "truncated", False, where, problems),
        repealed=_flag(vd, "repealed", False, where, problems),
        repealed_before=_as_date(vd.get("repealed_before"), where, problems),
        notes=[n if isinstance(n, dict) else {"kind": "editorial", "text": str(n)} for n in vd.get("notes") or []],
    )
    for n, pd in enumerate(vd.get("paragraphs") or [], start=1):
        if isinstance(pd, str):
            pd = {"text": pd}
        text = str(pd.get("text") or "")
        label = str(pd["label"]) if pd.get("label") not in (None, "") else None
        cits = [f"{p.citation} al. {n}"]
        if label:
            cits.append(C.label_citation(inst.code, p.citation, label))
        refs = [C.article_citation(c, num) for c, num in C.extract_refs(text, inst.code, p.number)]
        v.paragraphs.append(Paragraph(n, text, label, cits, refs))
    return v


def _srcs(d) -> list[str]:
    out = []
    for k, v in d.items():
        if k == "sources" or k.endswith("_sources"):
            out += [str(x) for x in ([v] if isinstance(v, str) else (v or []))]
    return out


def _label_of(d, default):
    lab = d.get("label") if isinstance(d, dict) else None
    return _label_dict(lab) or {"fr": str(default)}


def _valid_of(d) -> tuple:
    """``valid: {from, until}`` of a procedure, route, condition or note as two dates (None:
    open); an unreadable date is left open here (the rule loader reports it)."""
    v = d.get("valid") if isinstance(d, dict) else None
    if not isinstance(v, dict):
        return (None, None)
    out = []
    for k in ("from", "until"):
        x = v.get(k)
        if isinstance(x, date) or x is None:
            out.append(x)
        else:
            try:
                out.append(date.fromisoformat(str(x)))
            except ValueError:
                out.append(None)
    return tuple(out)


def _cond(d, proc_id):
    cid = str(d.get("id") or "?")
    kids = []
    for k in ("any_of", "all_of"):
        kids += [_cond(x, proc_id) for x in d.get(k) or [] if isinstance(x, dict)]
    return {"id": cid, "label": _label_of(d, cid), "sources": _srcs(d), "children": kids, "valid": _valid_of(d),
            "kind": next((k for k in ("assess", "test", "from", "until", "any_of", "all_of") if k in d), "test")}


def _proc(d, file, pid=None):
    pid = str(pid or d.get("procedure") or d.get("id") or "?")
    return {"id": pid, "label": _label_of(d, pid), "file": file, "sources": _srcs(d),
            "exclusive_group": d.get("exclusive_group"), "valid": _valid_of(d),
            "conditions": [_cond(c, pid) for c in d.get("conditions") or [] if isinstance(c, dict)],
            "notes": [{"id": str(n.get("id") or "note"), "sources": _srcs(n), "valid": _valid_of(n)}
                      for n in d.get("notes") or [] if isinstance(n, dict)],
            "routes": [_proc(r, file, r.get("id")) for r in d.get("routes") or [] if isinstance(r, dict)]}


def _within(outer: tuple, inner: tuple) -> tuple:
    """The intersection of two periods (from, until), None meaning open."""
    f = max([x for x in (outer[0], inner[0]) if x], default=None)
    u = min([x for x in (outer[1], inner[1]) if x], default=None)
    return (f, u)


def read_rules(rules: Path) -> dict:
    """A plain summary of ``rules/*.yaml`` for the KB (no compilation: a broken rule file is
    still described, so that the checks can report what is wrong with it)."""
    out = {"procedures": [], "precedence": [], "values": []}
    for f in sorted(rules.glob("*.yaml")):
        doc = _read_yaml(f) or {}
        if not isinstance(doc, dict):
            continue
        fname = f"rules/{f.name}"
        if "procedure" in doc:
            out["procedures"].append(_proc(doc, fname))
        for kind in ("defaults", "bounds"):   # facts the case format defines or bounds (rules/README.md)
            for path, spec in (doc.get(kind) or {}).items():
                spec = spec if isinstance(spec, dict) else {}
                out["values"].append({"id": str(path), "kind": kind, "file": fname, "sources": _srcs(spec),
                                      "valid": _valid_of(spec)})
        for kind in ("constants", "derived"):
            for name, spec in (doc.get(kind) or {}).items():
                spec = spec if isinstance(spec, dict) else {}
                out["values"].append({"id": str(name), "kind": kind, "file": fname, "sources": _srcs(spec),
                                      "valid": _valid_of(spec)})
        for i, pr in enumerate(doc.get("precedence") or []):
            if isinstance(pr, dict):
                out["precedence"].append({"id": str(pr.get("id", i)), "prevails": pr.get("prevails"),
                                          "over": pr.get("over"), "file": fname, "sources": _srcs(pr),
                                          "reason": _label_of({"label": pr.get("reason")}, pr.get("id", i))})
    return out


def rule_uses_of(summary: dict) -> list[RuleUse]:
    """Every citation the rules make, with the period the citing rule claims (the
    ``valid:`` of its procedure, route, condition and note, intersected)."""
    uses = []

    def words(*labels):
        """« procedure › condition » in each language (a label without English: its French)."""
        return {lang: " › ".join(lab.get(lang) or lab.get("fr", "") for lab in labels) for lang in ("fr", "en")}

    def conds(pid, plabel, cs, f, period):
        for c in cs:
            per = _within(period, c.get("valid", (None, None)))
            uses.extend(RuleUse(s, f"{pid}/{c['id']}", f, *per, words(plabel, c["label"])) for s in c["sources"])
            conds(pid, plabel, c["children"], f, per)

    def proc(p, period=(None, None), plabel=None):
        per = _within(period, p.get("valid", (None, None)))
        lab = words(plabel, p["label"]) if plabel else words(p["label"])
        uses.extend(RuleUse(s, p["id"], p["file"], *per, lab) for s in p["sources"])
        conds(p["id"], lab, p["conditions"], p["file"], per)
        for n in p["notes"]:
            nper = _within(per, n.get("valid", (None, None)))
            uses.extend(RuleUse(s, f"{p['id']}/{n['id']}", p["file"], *nper,
                                words(lab, {"fr": "note", "en": "note"})) for s in n["sources"])
        for r in p["routes"]:
            proc(r, per, lab)
    for p in summary["procedures"]:
        proc(p)
    for v in summary["values"]:
        uses.extend(RuleUse(s, v["id"], v["file"], *v.get("valid", (None, None))) for s in v["sources"])
    for pr in summary["precedence"]:
        uses.extend(RuleUse(s, pr["id"], pr["file"]) for s in pr["sources"])
    return uses

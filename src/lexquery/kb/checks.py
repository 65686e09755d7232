"""The KB checked like code (STYLE.md §13): four families of checks, one report.

(a) SHACL: ``shapes/kb-shapes.ttl`` over the KB graph + ``ontology/*.ttl`` (pySHACL);
(b) SPARQL: every ``checks/*.rq`` must return no rows (header: what a row means,
    severity, what to do) over the KB graph + ontologies + the ELI ontology (named graph
    ``<urn:lexquery:eli>``);
(c) OWL: ``ontology/*.ttl`` + ELI consistent, no unsatisfiable class (owlready2 + HermiT,
    Java needed; the result is cached by the digest of the ontology files);
(d) reference data (``reference/``, :mod:`lexquery.kb.reference`): every fact has a source
    and a mark; the citations it makes resolve.

:func:`run_checks` returns a :class:`Report`; the ``kb check`` command prints it and
raises :class:`~lexquery.errors.ValidationFailed` when an error-level finding is there.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import OutputError
from ..files import write_atomic
from ..paths import home
from .provisions import KB, cache_dir, load_kb

ELI_GRAPH = "urn:lexquery:eli"
FAMILIES = ("shacl", "sparql", "owl", "reference", "law")


@dataclass
class Finding:
    check: str          # family/name, e.g. "sparql/rule-citation-unresolved"
    severity: str       # error | warning
    what: str
    where: str
    fix: str = ""


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)          # checks that ran
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (check, why)
    timings: dict[str, float] = field(default_factory=dict)
    figures: dict[str, int] = field(default_factory=dict)   # the law family's counts (goal 0)

    @property
    def errors(self):
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self):
        return [f for f in self.findings if f.severity != "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self):
        return {"ok": self.ok, "ran": self.ran, "skipped": [{"check": c, "why": w} for c, w in self.skipped],
                "findings": [asdict(f) for f in self.findings], "timings": self.timings,
                "figures": self.figures}


@dataclass
class Layout:
    """Where the inputs of the checks are (the repository, or a copy for tests)."""
    root: Path

    @property
    def law(self): return self.root / "law"
    @property
    def rules(self): return self.root / "rules"
    @property
    def ontology(self): return self.root / "ontology"
    @property
    def shapes(self): return self.root / "shapes" / "kb-shapes.ttl"
    @property
    def checks(self): return self.root / "checks"
    @property
    def reference(self): return self.root / "reference"

    @property
    def eli(self) -> Path:
        for p in (self.root / "sources" / "eli-ontology.nt", home() / "sources" / "eli-ontology.nt"):
            if p.exists():
                return p
        return self.root / "sources" / "eli-ontology.nt"


def run_checks(root: Path | None = None, *, kb: KB | None = None, only: set[str] | None = None,
               use_cache: bool = True) -> Report:
    import time
    lay = Layout(Path(root) if root else home())
    rep = Report()
    if kb is None:
        kb = load_kb(lay.law, lay.rules, use_cache=use_cache)
    for where, msg in kb.problems:
        rep.findings.append(Finding("load", "error", msg, where, "corriger le fichier law/ / fix the law/ file"))
    want = set(only or FAMILIES)
    graph = None
    if want & {"shacl", "sparql"}:
        from .graph import kb_graph, load_turtle_dir
        t = time.perf_counter()
        graph = kb_graph(kb, use_cache=use_cache)
        onto = load_turtle_dir(lay.ontology) if lay.ontology.is_dir() else None
        rep.timings["graph"] = time.perf_counter() - t
    for fam, fn in (("shacl", lambda: check_shacl(graph, onto, lay, rep)),
                    ("sparql", lambda: check_sparql(graph, onto, lay, rep)),
                    ("owl", lambda: check_owl(lay, rep, use_cache=use_cache)),
                    ("reference", lambda: check_reference(kb, lay, rep)),
                    ("law", lambda: check_law(kb, rep, lay))):
        if fam in want:
            if fam == "law" and not only and not rep.ran:
                # the law family reads law/ and rules/ only: alone, it would call « conforme » an
                # install that lost shapes/, checks/, ontology/ and reference/
                rep.skipped.append(("law", "aucune autre famille lancée (dossiers de la base absents)"))
                continue
            t = time.perf_counter()
            fn()
            rep.timings[fam] = time.perf_counter() - t
    return rep


# --- (a) SHACL ---------------------------------------------------------------------------

def check_shacl(graph, onto, lay: Layout, rep: Report):
    from rdflib import Graph
    from rdflib.namespace import RDF, SH
    if not lay.shapes.exists():
        rep.skipped.append(("shacl", f"{lay.shapes} absent"))
        return
    import pyshacl
    data = Graph()
    for t in graph:
        data.add(t)
    if onto is not None:
        for t in onto:
            data.add(t)
    shapes = Graph().parse(lay.shapes, format="turtle")
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                            advanced=False, allow_warnings=True)
    rep.ran.append("shacl/kb-shapes")
    found = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        sev = results.value(r, SH.resultSeverity)
        focus = results.value(r, SH.focusNode)
        path = results.value(r, SH.resultPath)
        msg = results.value(r, SH.resultMessage)
        shape = results.value(r, SH.sourceShape)
        label = _node_name(data, focus)
        what = str(msg) if msg else f"non conforme à {shape}"
        if path is not None:
            what += f" [{_short(path)}]"
        found.append(Finding(
            "shacl/" + _short(shape), "error" if sev == SH.Violation else "warning", what, label,
            "compléter le fichier law/ ou rules/ d'où vient le nœud / complete the law/ or rules/ file the node comes from"))
    # pySHACL's results graph is a set: listed in a fixed order (shape, where, what), the same report every run
    rep.findings.extend(sorted(found, key=lambda f: (f.check, f.where, f.what, f.severity)))


def _short(term) -> str:
    s = str(term)
    return s.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if s.startswith("http") else s


def _node_name(g, node) -> str:
    from rdflib.namespace import RDFS
    from .graph import LQ
    if node is None:
        return "?"
    for p in (LQ.citation, LQ.localId):
        v = g.value(node, p)
        if v is not None:
            files = [str(f) for f in g.objects(node, LQ.lawFile)] + [str(f) for f in g.objects(node, LQ.ruleFile)]
            for ver in g.objects(node, LQ.partOfVersion):   # an alinéa: the file of its version
                files += [str(f) for f in g.objects(ver, LQ.lawFile)]
            return f"{v}" + (f" ({', '.join(sorted(set(files)))})" if files else "")
    for f in g.objects(node, LQ.lawFile):
        lab = g.value(node, RDFS.label)
        return f"{lab or node} ({f})"
    return str(node)


# --- (b) SPARQL --------------------------------------------------------------------------

_HEADER = re.compile(r"^#\s*(check|severity|fix|dataset)\s*:\s*(.*)$", re.M)


def read_query(path: Path) -> dict:
    text = Path(path).read_text(encoding="utf-8")
    meta = {k: v.strip() for k, v in _HEADER.findall(text)}
    return {"name": Path(path).stem, "text": text, "check": meta.get("check", ""),
            "severity": meta.get("severity", "error"), "fix": meta.get("fix", ""),
            "dataset": meta.get("dataset", "named")}


def union_graph(ds):
    """Every triple of the checks' dataset in one plain graph (``# dataset: union`` in a query's
    header): for a query that follows paths across our ontology and ELI's, which rdflib
    evaluates ≈ 10 times faster on one graph than across the named graphs of a Dataset."""
    from rdflib import Graph
    g = Graph()
    for ctx in ds.contexts():
        for t in ctx:
            g.add(t)
    return g


def check_dataset(graph, onto, lay: Layout):
    from rdflib import Dataset, URIRef
    ds = Dataset(default_union=False)
    d = ds.default_graph
    for t in graph:
        d.add(t)
    if onto is not None:
        for t in onto:
            d.add(t)
    if lay.shapes.exists():
        d.parse(lay.shapes, format="turtle")
    if lay.eli.exists():
        ds.graph(URIRef(ELI_GRAPH)).parse(lay.eli, format="nt")
    return ds


def check_sparql(graph, onto, lay: Layout, rep: Report):
    files = sorted(lay.checks.glob("*.rq")) if lay.checks.is_dir() else []
    if not files:
        rep.skipped.append(("sparql", f"aucune requête dans {lay.checks}"))
        return
    if not lay.eli.exists():
        rep.findings.append(Finding("sparql/eli-terms", "error", "ontologie ELI officielle introuvable",
                                    str(lay.eli), "copier ../shared/vocab/eli-ontology.nt dans sources/"))
    ds = check_dataset(graph, onto, lay)
    with warnings.catch_warnings():   # rdflib's Dataset warns about its own default_context
        warnings.simplefilter("ignore", DeprecationWarning)
        _run_queries(ds, files, rep)


def _run_queries(ds, files, rep: Report):
    union = None
    for f in files:
        q = read_query(f)
        target = ds
        if q["dataset"] == "union":
            union = union if union is not None else union_graph(ds)
            target = union
        try:
            res = target.query(q["text"])
        except Exception as e:  # a broken query is a broken check, reported as such
            rep.findings.append(Finding(f"sparql/{q['name']}", "error", f"requête SPARQL invalide : {e}", str(f),
                                        "corriger la requête"))
            continue
        rep.ran.append(f"sparql/{q['name']}")
        vars_ = [str(v) for v in res.vars]
        for row in res:
            vals = {v: (str(row[v]) if row[v] is not None else "") for v in vars_}
            where = vals.get("where") or " ".join(vals.values())
            what = vals.get("what") or q["check"]
            rep.findings.append(Finding(f"sparql/{q['name']}", q["severity"], what, where, q["fix"]))


def run_query(text: str, kb: KB, root: Path | None = None):
    """Run one SPARQL query over the checks' dataset; returns (vars, rows of strings)."""
    from .graph import kb_graph, load_turtle_dir
    lay = Layout(Path(root) if root else home())
    ds = check_dataset(kb_graph(kb), load_turtle_dir(lay.ontology) if lay.ontology.is_dir() else None, lay)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        res = ds.query(text)
        rows = list(res) if res.type == "SELECT" else None
    if res.type == "ASK":
        return ["ask"], [[str(bool(res.askAnswer)).lower()]]
    if res.type == "CONSTRUCT" or res.type == "DESCRIBE":
        return ["s", "p", "o"], [[str(x) for x in t] for t in res.graph]
    vars_ = [str(v) for v in res.vars]
    return vars_, [[("" if row[v] is None else str(row[v])) for v in vars_] for row in rows]


# --- (c) OWL -----------------------------------------------------------------------------

def java_path() -> str | None:
    exe = shutil.which("java")
    if exe:
        return exe
    return "/usr/bin/java" if os.path.exists("/usr/bin/java") else None


def check_owl(lay: Layout, rep: Report, *, use_cache: bool = True):
    files = sorted(lay.ontology.glob("*.ttl")) if lay.ontology.is_dir() else []
    if not files:
        rep.skipped.append(("owl", f"aucune ontologie dans {lay.ontology}"))
        return
    h = hashlib.sha256(b"owl-check-1")
    for f in files + ([lay.eli] if lay.eli.exists() else []):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    cpath = cache_dir() / f"owl-{h.hexdigest()[:32]}.json"
    if use_cache and cpath.exists():
        try:
            cached = json.loads(cpath.read_text())
            rep.ran.append("owl/hermit (cache)")
            rep.findings += [Finding(**f) for f in cached]
            return
        except (ValueError, TypeError):
            pass
    java = java_path()
    if not java:
        rep.findings.append(Finding("owl/hermit", "warning",
                                    "Java introuvable : cohérence OWL non vérifiée / Java not found: OWL consistency not checked",
                                    "java", "installer Java 17 (apt-get install openjdk-17-jre-headless) puis relancer"))
        rep.skipped.append(("owl", "pas de Java / no Java"))
        return
    findings = _owl_reason(files, lay.eli if lay.eli.exists() else None, java)
    rep.ran.append("owl/hermit")
    rep.findings += findings
    if use_cache and not any(f.where == "java" for f in findings):
        try:
            cpath.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(cpath, json.dumps([asdict(f) for f in findings]))
        except (OSError, OutputError):
            pass


def _owl_reason(files: list[Path], eli: Path | None, java: str) -> list[Finding]:
    import owlready2
    from rdflib import Graph
    owlready2.JAVA_EXE = java
    g = Graph()
    for f in files:
        g.parse(f, format="turtle")
    if eli:
        g.parse(eli, format="nt")
    # HermiT knows only the OWL 2 datatype map: xsd:date & co. become rdfs:Literal
    from rdflib import RDFS, XSD
    for dt in (XSD.date, XSD.gYear, XSD.gYearMonth, XSD.duration, XSD.time):
        for s, p, o in list(g.triples((None, None, dt))):
            g.remove((s, p, o))
            g.add((s, p, RDFS.Literal))
    out: list[Finding] = []
    fix = "revoir les axiomes (disjointWith, subClassOf, domain/range) de ontology/*.ttl"
    with tempfile.TemporaryDirectory() as tmp:
        nt = Path(tmp) / "all.nt"
        g.serialize(nt, format="nt", encoding="utf-8")
        world = owlready2.World()
        import contextlib
        import io
        with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
            onto = world.get_ontology("file://" + str(nt)).load(format="ntriples")
        import contextlib
        import io
        try:
            with onto, contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            out.append(Finding("owl/hermit", "error", "ontologie incohérente (HermiT) / inconsistent ontology",
                               ", ".join(f.name for f in files), fix))
            return out
        except owlready2.OwlReadyJavaError as e:
            return [Finding("owl/hermit", "warning", f"HermiT n'a pas pu tourner / HermiT failed: {str(e)[:300]}",
                            "java", "vérifier l'installation de Java 17")]
        for c in world.inconsistent_classes():
            if c is owlready2.Nothing:
                continue
            out.append(Finding("owl/hermit", "error", "classe insatisfiable (équivalente à owl:Nothing) / unsatisfiable class",
                               c.iri, fix))
    return out


# --- (e) the law as in force -------------------------------------------------------------

def _rule_words(rules: Path) -> dict[str, set[str]]:
    """Each procedure of rules/ (a file with a top-level ``procedure:``) → the words of its file
    (what it names: the values of rules/common.yaml it reads)."""
    out = {}
    for f in sorted(rules.glob("*.yaml")) if rules.is_dir() else []:
        text = f.read_text(encoding="utf-8")
        m = re.search(r"^procedure:\s*([A-Za-z_]\w*)", text, re.M)
        if m:
            out[m.group(1)] = set(re.findall(r"[A-Za-z_]\w*", text))
    return out


def _questions_and_treaties(lay: Layout) -> tuple[list[dict], set[str]]:
    """The open questions of reference/open-questions.yaml, and the treaties whose application
    reference/treaty-parties.yaml dates State by State (their codes: STE112, STE167)."""
    from . import reference
    from ..errors import KnowledgeBaseError
    if not lay.reference.is_dir():
        return [], set()
    try:
        ref = reference.load_reference(lay.reference)
    except KnowledgeBaseError:
        return [], set()           # check_reference reports it
    return list(ref.open_questions or []), set(getattr(ref, "treaties", {}) or {})


def check_law(kb: KB, rep: Report, lay: Layout | None = None):
    """Rule citations against the version in force over the period each rule claims, and the
    figures of issue 13 (:mod:`lexquery.kb.inforce`); with the layout, the days a rule cites a
    text not yet issued are checked against the dated open questions
    (:func:`lexquery.kb.inforce.uncovered_before_issued`)."""
    from . import inforce
    res = inforce.check(kb)
    rep.ran.append("law/citations-in-force")
    if lay is not None:
        questions, treaties = _questions_and_treaties(lay)
        inforce.uncovered_before_issued(res, questions, _rule_words(lay.rules), dated=treaties)
        rep.ran.append("law/before-issued")
    rep.figures = inforce.figures(res)
    by_use = {}
    for u, s, e in res.uncovered:
        by_use.setdefault((u.citation, u.where, u.file), []).append((s, e))
    for (cit, where, file), spans in sorted(by_use.items()):
        rep.findings.append(Finding(
            "law/before-issued", "warning",
            f"« {cit} » est cité du {spans[0][0]} au {spans[-1][1]}, avant que ce texte existe, sans question "
            f"ouverte datée / « {cit} » is cited from {spans[0][0]} to {spans[-1][1]}, before the text existed, "
            f"with no dated open question", f"{where} ({file})",
            "borner la validité de la règle (valid:) ou ajouter une question ouverte datée qui concerne la "
            "procédure (reference/open-questions.yaml, from/until) / bound the rule's validity or add a dated "
            "open question concerning the procedure"))
    seen = set()
    for a in res.absent:
        key = (a.use.citation, a.use.where, a.version.id)
        if key in seen:
            continue
        seen.add(key)
        rep.findings.append(Finding(
            "law/citations-in-force", "error", a.message(), f"{a.use.where} ({a.use.file})",
            "citer l'alinéa de cette version, ou borner la validité de la règle (valid: {from, until} de la "
            "condition ou de la note) / cite this version's alinéa, or bound the rule's validity"))
    for c in res.changed:
        key = (c.use.citation, c.use.where, c.on)
        if key in seen:
            continue
        seen.add(key)
        rep.findings.append(Finding(
            "law/text-changed", "warning",
            f"le texte de « {c.use.citation} » change le {c.on} (version {c.before.id} → {c.after.id}) pendant la "
            f"période de la règle / the text of « {c.use.citation} » changes on {c.on} (version {c.before.id} → "
            f"{c.after.id}) within the rule's period", f"{c.use.where} ({c.use.file})",
            "vérifier que la règle vaut pour les deux textes, sinon borner sa validité / check that the rule holds "
            "for both texts, else bound its validity"))
    for art, vids in sorted(res.truncated.items()):
        rep.findings.append(Finding(
            "law/truncated-relied-on", "warning",
            f"texte tronqué utilisé par une règle / truncated text relied on: {art} (version(s) {', '.join(vids)})",
            art, "compléter le texte depuis la source officielle (law/) / complete the text from the official source (law/)"))
    for s in res.missing_successors:
        rep.findings.append(Finding(
            "law/successor-2029", "error", f"successeur du code de 2029 introuvable dans la base / successor not in the KB: {s}",
            "law/cpp2029/correspondence.yaml", "ajouter l'article à law/cpp2029/ ou corriger la correspondance / "
            "add the article to law/cpp2029/ or correct the correspondence"))
    by = {}
    for u in res.unsettled_2029:
        by.setdefault(u.citation, []).append(u.where)
    for cit, wheres in sorted(by.items()):
        rep.findings.append(Finding(
            "law/successor-2029", "warning",
            f"« {cit} » : pas de successeur établi dans le code de 2029, règle valable au-delà du 2028-12-31 "
            f"(les réponses le disent « à vérifier ») / « {cit} »: no settled successor in the 2029 code, rule valid "
            f"beyond 2028-12-31 (answers say « to verify »)", ", ".join(sorted(set(wheres))[:4]),
            "établir la correspondance (law/cpp2029/correspondence.yaml) ou borner la règle / settle the "
            "correspondence (law/cpp2029/correspondence.yaml) or bound the rule"))
    for art in res.unlinked_cited:
        rep.findings.append(Finding(
            "law/official-link", "warning",
            f"disposition citée par les règles sans lien officiel / cited provision without official link: {art}",
            art, "ajouter official (Legifrance, EUR-Lex, Conseil de l'Europe, ONU) ou l'identifiant LEGIARTI / add "
            "official (Legifrance, EUR-Lex, Council of Europe, UN) or the LEGIARTI id"))


# --- (d) reference data ------------------------------------------------------------------

def _check_reference_english(ref, rep: Report):
    """Every French text of the reference data that an answer shows has its English beside it
    (issue 15 item 7: `ask --lang en --explain` says the evidence in English): a fact's
    ``note`` its ``note_en``, a declaration's ``text`` / ``flag`` / ``note`` their ``*_en``, an
    open question's ``fr`` its ``en``."""
    rep.ran.append("reference/english")
    groups = [("eu.yaml", getattr(ref, "fd", {})), ("bilateral.yaml", getattr(ref, "bilateral", {})),
              ("treaty-parties.yaml", {f"{k[0]}/{k[1]}": v for k, v in getattr(ref, "parties", {}).items()})]
    seen = set()
    for fname, table in groups:
        for key, facts in table.items():
            for x in facts:
                if getattr(x, "note", None) and not getattr(x, "note_en", None) and (fname, x.note) not in seen:
                    seen.add((fname, x.note))
                    rep.findings.append(Finding("reference/english", "error", f"note sans anglais : « {x.note} »",
                                                f"reference/{fname} {key}", "ajouter note_en: (la même note en anglais)"))
    for (treaty, state), decls in (getattr(ref, "declarations", {}) or {}).items():
        for d in decls:
            for k in ("text", "flag", "note"):
                if d.get(k) and not d.get(f"{k}_en") and ("declarations.yaml", k, d[k]) not in seen:
                    seen.add(("declarations.yaml", k, d[k]))
                    rep.findings.append(Finding("reference/english", "error", f"{k} sans anglais : « {d[k]} »",
                                                f"reference/declarations.yaml {treaty}/{state}", f"ajouter {k}_en:"))
    for i, q in enumerate(getattr(ref, "open_questions", []) or []):
        if isinstance(q, dict) and q.get("fr") and not q.get("en"):
            rep.findings.append(Finding("reference/english", "error", "question ouverte sans anglais",
                                        f"reference/open-questions.yaml questions[{i}]", "ajouter en:"))


def check_reference(kb: KB, lay: Layout, rep: Report):
    try:
        from . import reference
    except ImportError:
        rep.skipped.append(("reference", "lexquery.kb.reference absent"))
        return
    if not lay.reference.is_dir():
        rep.skipped.append(("reference", f"{lay.reference} absent"))
        return
    from ..errors import KnowledgeBaseError
    try:
        ref = reference._load(str(lay.reference)) if hasattr(reference, "_load") else reference.load_reference(lay.reference)
    except KnowledgeBaseError as e:
        rep.findings.append(Finding("reference/facts", "error", e.message, e.where or str(lay.reference),
                                    e.hint or "ajouter source et marque (S, I, U) à chaque fait"))
        return
    rep.ran.append("reference/facts")
    groups = [("eu.yaml", getattr(ref, "fd", {})), ("bilateral.yaml", getattr(ref, "bilateral", {}))]
    groups.append(("treaty-parties.yaml", {f"{k[0]}/{k[1]}": v for k, v in getattr(ref, "parties", {}).items()}))
    for fname, table in groups:
        for key, facts in table.items():
            for x in facts:
                if not getattr(x, "source", None) or getattr(x, "mark", None) not in ("S", "I", "U"):
                    rep.findings.append(Finding("reference/facts", "error", "fait sans source ou sans marque S/I/U",
                                                f"reference/{fname} {key}", "ajouter source: et mark:"))
    _check_reference_english(ref, rep)
    for i, q in enumerate(getattr(ref, "open_questions", []) or []):
        if isinstance(q, dict) and not (q.get("source") or q.get("sources")):
            rep.findings.append(Finding("reference/open-questions", "error", "question ouverte sans source",
                                        f"reference/open-questions.yaml questions[{i}]", "ajouter source:"))
    cit = getattr(ref, "consular_citation", None)
    if cit and kb.resolve(cit) is None and len(kb):
        rep.findings.append(Finding("reference/citations", "error", f"citation introuvable : {cit}",
                                    "reference/consular.yaml", "corriger la citation (forme canonique, docs/design.md)"))

"""The KB as an RDF graph (ELI + ``lq:``), for SHACL, SPARQL and export.

- article (work): ``eli:LegalResourceSubdivision`` + ``lq:Article``, ``eli:is_part_of`` its
  instrument (``eli:LegalResource``), ``eli:number``, ``lq:citation``, ``eli:id_local``
  (LEGIARTI), ``eli:is_realized_by`` its versions;
- version (expression): ``eli:LegalExpression`` + ``lq:ArticleVersion``, ``eli:realizes``,
  ``eli:version_date`` / ``eli:first_date_entry_in_force`` / ``eli:date_no_longer_in_force``
  (or ``lq:validFromUnknown true``), ``eli:language``, ``dcterms:source``, ``lq:confidence``,
  ``lq:truncated``, ``eli:cites`` the articles its text refers to;
- alinéa: ``lq:Paragraph`` with ``lq:citation`` (``al. N`` and its label), ``lq:text``,
  ``lq:paragraphCites`` the articles it refers to (``eli:cites`` has the ELI domain
  LegalResource ∪ LegalExpression, which an alinéa of a version is not: checks/eli-domain.rq);
- sources: ``dcterms:source`` IRIs only — a URL as is, our copy ``sources/…`` as
  ``https://w3id.org/lexquery/sources/…`` (served by ``lexquery serve``); the text as written in
  law/ (lists « a; b », section marks, remarks) in ``lq:sourceNote`` (checks/source-not-iri.rq);
- rules: ``lq:Rule`` / ``lq:Condition`` / ``lq:RuleNote`` / ``lq:RuleValue`` /
  ``lq:Precedence``, with ``lq:citesCitation`` (the string) and ``lq:cites`` (the node).

IRIs follow docs/design.md. The graph is cached (pickle) next to the provisions cache.
"""
from __future__ import annotations

import pickle
import re
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

from ..errors import OutputError
from ..files import atomic_output, prune
from . import citations as C
from .provisions import KB, cache_dir, version_iri

ELI = Namespace("http://data.europa.eu/eli/ontology#")
LQ = Namespace("https://w3id.org/lexquery/ontology#")
LAW = Namespace(C.BASE)
RULE = Namespace("https://w3id.org/lexquery/rule/")
LANG = Namespace("http://publications.europa.eu/resource/authority/language/")
GRAPH_VERSION = "kb-graph-5"   # 3: lq:paragraphCites, dcterms:source IRIs + lq:sourceNote; 4: lq:Succession
_LANGS = {"fr": ("FRA", "français", "French"), "en": ("ENG", "anglais", "English"),
          "de": ("DEU", "allemand", "German"), "nl": ("NLD", "néerlandais", "Dutch"),
          "it": ("ITA", "italien", "Italian"), "es": ("SPA", "espagnol", "Spanish")}


def bind(g: Graph) -> Graph:
    for p, ns in (("eli", ELI), ("lq", LQ), ("law", LAW), ("rule", RULE), ("dcterms", DCTERMS),
                  ("skos", SKOS), ("owl", OWL), ("lang", LANG)):
        g.bind(p, ns)
    return g


_URL_START = re.compile(r"^(https?://[^\s<>\"{}|\\^`;]+)")
_OUR_COPY = re.compile(r"^(sources/[\w./-]+)")
SOURCES = "https://w3id.org/lexquery/sources/"


def source_iris(value: str) -> tuple[list[URIRef], bool]:
    """The IRIs a ``source:`` of law/ names, and whether its text says more than them.

    « a; b » is a list: each part that starts with a URL gives that URL, each part that
    starts with a path under ``sources/`` gives the IRI of our copy (:data:`SOURCES`); what
    follows them (« §3 », « (seed 001 l.49-61) ») and parts that are neither are kept by the
    caller in ``lq:sourceNote``."""
    iris, extra = [], False
    for part in (x.strip() for x in str(value).split(";")):
        if not part:
            continue
        m = _URL_START.match(part) or _OUR_COPY.match(part)
        if m is None:
            extra = True
            continue
        target = m.group(1).rstrip(".,)")
        iris.append(URIRef(SOURCES + target[len("sources/"):] if target.startswith("sources/") else target))
        extra = extra or part != target
    return iris, extra or not iris


def _add_sources(add, node, value: str):
    """``dcterms:source`` IRI(s), and the text in ``lq:sourceNote`` when it says more."""
    iris, extra = source_iris(value)
    for iri in iris:
        add((node, DCTERMS.source, iri))
    if extra:
        add((node, LQ.sourceNote, Literal(str(value).strip())))


def build_graph(kb: KB) -> Graph:
    g = bind(Graph())
    add = g.add
    langs_used = set()
    instruments = set()
    for p in kb:
        inst = C.instrument(p.instrument)
        inst_iri = URIRef(C.BASE + inst.slug)
        if inst.code not in instruments:
            instruments.add(inst.code)
            add((inst_iri, RDF.type, ELI.LegalResource))
            add((inst_iri, RDF.type, LQ.Instrument))
            add((inst_iri, RDFS.label, Literal(inst.label_fr, lang="fr")))
            add((inst_iri, RDFS.label, Literal(inst.label_en, lang="en")))
        a = URIRef(p.iri)
        add((a, RDF.type, ELI.LegalResourceSubdivision))
        add((a, RDF.type, LQ.Article))
        parent = _parent_section(kb, p)
        add((a, ELI.is_part_of, URIRef(parent.iri) if parent else inst_iri))
        add((URIRef(parent.iri) if parent else inst_iri, ELI.has_part, a))
        if parent:
            add((a, ELI.is_part_of, inst_iri))
        add((a, ELI.number, Literal(p.number)))
        add((a, LQ.citation, Literal(p.citation)))
        title_fr = p.title.get("fr")
        add((a, RDFS.label, Literal(p.citation + (f" — {title_fr}" if title_fr else ""), lang="fr")))
        if p.title.get("en"):
            add((a, RDFS.label, Literal(f"{p.citation} — {p.title['en']}", lang="en")))
        if p.legiarti:
            add((a, ELI.id_local, Literal(p.legiarti)))
        for f in p.files:
            add((a, LQ.lawFile, Literal(f)))
        if p.successor_2029:
            add((a, LQ.successorNumber, Literal(p.successor_2029)))
            succ = kb.provisions.get(("CPP2029", p.successor_2029))
            if succ:
                add((a, LQ.successor2029, URIRef(succ.iri)))
        for i, q in enumerate(p.open_questions, start=1):
            qn = URIRef(f"{p.iri}/question/{i}")
            add((qn, RDF.type, LQ.OpenQuestion))
            add((qn, LQ.text, Literal(str(q.get("text", "")))))
            add((qn, RDFS.label, Literal(f"Question ouverte sur {p.citation} : {q.get('text', '')}"[:200], lang="fr")))
            if q.get("source"):
                _add_sources(add, qn, str(q["source"]))
            add((a, LQ.hasOpenQuestion, qn))
        for v in p.versions:
            e = URIRef(version_iri(p, v))
            add((e, RDF.type, ELI.LegalExpression))
            add((e, RDF.type, LQ.ArticleVersion))
            add((e, ELI.realizes, a))
            add((a, ELI.is_realized_by, e))
            add((e, RDFS.label, Literal(f"{p.citation}, version {v.id}" + (" (traduction)" if v.translation else ""), lang="fr")))
            add((e, RDFS.label, Literal(f"{p.citation}, version {v.id}" + (" (translation)" if v.translation else ""), lang="en")))
            if v.valid_from:
                add((e, ELI.first_date_entry_in_force, Literal(v.valid_from, datatype=XSD.date)))
                add((e, ELI.version_date, Literal(v.valid_from, datatype=XSD.date)))
            else:
                add((e, LQ.validFromUnknown, Literal(True)))
            if v.valid_until:
                add((e, ELI.date_no_longer_in_force, Literal(v.valid_until, datatype=XSD.date)))
            code, fr, en = _LANGS.get(v.language, (v.language.upper(), v.language, v.language))
            lang_iri = LANG[code]
            add((e, ELI.language, lang_iri))
            if code not in langs_used:
                langs_used.add(code)
                add((lang_iri, RDF.type, ELI.Language))
                add((lang_iri, RDFS.label, Literal(fr, lang="fr")))
                add((lang_iri, RDFS.label, Literal(en, lang="en")))
            if v.legiarti:
                add((e, ELI.id_local, Literal(v.legiarti)))
            if v.source:
                _add_sources(add, e, str(v.source))
            elif v.source_file:   # our copy of the source (e.g. a seed) is where the text comes from
                _add_sources(add, e, str(v.source_file))
            if v.source_file:
                add((e, LQ.sourceFile, Literal(v.source_file)))
            if v.official:   # where this version is officially published (Legifrance, EUR-Lex, coe.int, UN)
                links, _ = source_iris(str(v.official))
                for link in links or [Literal(str(v.official))]:
                    add((e, RDFS.seeAlso, link))
            add((e, LQ.lawFile, Literal(v.file)))
            if v.amended_by:
                add((e, LQ.amendedBy, Literal(str(v.amended_by))))
            if v.confidence:
                add((e, LQ.confidence, Literal(str(v.confidence))))
            if v.confidence_note:
                add((e, LQ.confidenceNote, Literal(str(v.confidence_note))))
            add((e, LQ.truncated, Literal(v.truncated)))
            add((e, LQ.translation, Literal(v.translation)))
            add((e, LQ.restatement2029, Literal(v.restatement_2029)))
            if v.paragraphs and any(x.text for x in v.paragraphs):
                add((e, LQ.text, Literal(v.text, lang=v.language)))
            for para in v.paragraphs:
                n = URIRef(f"{e}/al/{para.n}")
                add((n, RDF.type, LQ.Paragraph))
                add((n, LQ.partOfVersion, e))
                add((e, LQ.hasParagraph, n))
                add((n, LQ.ordinal, Literal(para.n)))
                if para.label:
                    add((n, LQ.paragraphLabel, Literal(para.label)))
                for c in para.citations:
                    add((n, LQ.citation, Literal(c)))
                add((n, RDFS.label, Literal(para.citations[-1], lang="fr")))
                if para.text:
                    add((n, LQ.text, Literal(para.text, lang=v.language)))
                for r in para.refs:
                    add((n, LQ.mentions, Literal(r)))
                    target = kb.by_article_citation.get(r)
                    t_iri = URIRef(target.iri) if target else _iri_for_citation(r)
                    if t_iri is not None:
                        add((n, LQ.paragraphCites, t_iri))
                        add((e, ELI.cites, t_iri))
            for j, note in enumerate(v.notes, start=1):
                nn = URIRef(f"{e}/note/{j}")
                add((nn, RDF.type, LQ.Note))
                add((nn, LQ.noteKind, Literal(str(note.get("kind", "editorial")))))
                add((nn, LQ.text, Literal(str(note.get("text", "")))))
                add((e, LQ.hasNote, nn))
    _add_rules(g, kb)
    _add_successions(g, kb)
    return g


def _add_successions(g: Graph, kb: KB):
    """law/cpp2029/correspondence.yaml as dated successor links: one ``lq:Succession`` per
    entry (``lq:successionDate`` = the new code's entry into force; predecessor = the
    article or alinéa in the version in force the day before), and, when the correspondence
    is settled, ``eli:repealed_by`` from the old article to the new one (ELI's domain:
    legal resources, i.e. articles, not our alinéa nodes)."""
    from datetime import timedelta
    from .succession import load
    table = load()
    if not table.entries or table.in_force is None:
        return
    before = table.in_force - timedelta(days=1)
    for e in table.entries.values():
        n = URIRef(f"{C.BASE}cpp2029/succession/{C.slug_number(e.old.replace(' ', '-'))}")
        g.add((n, RDF.type, LQ.Succession))
        g.add((n, RDFS.label, Literal(f"{e.old} → {e.new or '?'} ({e.status})", lang="fr")))
        g.add((n, RDFS.label, Literal(f"{e.old} → {e.new or '?'} ({e.status})", lang="en")))
        g.add((n, LQ.oldCitation, Literal(e.old)))
        g.add((n, LQ.successionStatus, Literal(e.status)))
        g.add((n, LQ.successionDate, Literal(table.in_force, datatype=XSD.date)))
        if e.source:
            _add_sources(g.add, n, e.source)
        old = kb.resolve(e.old, before)
        if old is not None:
            g.add((n, LQ.predecessor, URIRef(old.iri)))
        if e.new:
            g.add((n, LQ.newCitation, Literal(e.new)))
            new = kb.resolve(e.new, table.in_force)
            if new is not None:
                g.add((n, LQ.successor, URIRef(new.iri)))
                if old is not None and e.settled:
                    g.add((URIRef(old.provision.iri), ELI.repealed_by, URIRef(new.provision.iri)))


def _parent_section(kb: KB, p):
    """Circular sections nest: §2.1 is part of §2 (a heading with no text of its own)."""
    if p.instrument != "CIRC2025" or "." not in p.number:
        return None
    return kb.provisions.get((p.instrument, p.number.rsplit(".", 1)[0]))


def _iri_for_citation(cit: str):
    for inst in C.INSTRUMENTS.values():
        if cit.startswith(inst.prefix):
            return URIRef(C.article_iri(inst.code, cit[len(inst.prefix):]))
    return None


def _cite(g: Graph, kb: KB, node, citations):
    for c in citations:
        g.add((node, LQ.citesCitation, Literal(c)))
        target = kb.resolve(c)
        if target is not None:
            g.add((node, LQ.cites, URIRef(target.iri)))


def _labels(g, node, label: dict, fallback: str):
    for lang in ("fr", "en"):
        if label.get(lang):
            g.add((node, RDFS.label, Literal(label[lang], lang=lang)))
    if not label.get("fr") and not label.get("en"):
        g.add((node, RDFS.label, Literal(fallback)))


def _add_rules(g: Graph, kb: KB):
    procs = {}

    def cond(parent, pid, c, path):
        n = URIRef(f"{RULE}{pid}/cond/{path}{c['id']}")
        g.add((n, RDF.type, LQ.Condition))
        g.add((n, LQ.localId, Literal(c["id"])))
        g.add((parent, LQ.hasCondition, n))
        _labels(g, n, c["label"], c["id"])
        _cite(g, kb, n, c["sources"])
        for ch in c["children"]:
            cond(n, pid, ch, f"{path}{c['id']}.")

    def proc(p, parent=None):
        r = URIRef(f"{RULE}{p['id']}")
        procs[p["id"]] = r
        g.add((r, RDF.type, LQ.Rule))
        g.add((r, LQ.localId, Literal(p["id"])))
        g.add((r, LQ.ruleFile, Literal(p["file"])))
        _labels(g, r, p["label"], p["id"])
        if p.get("exclusive_group"):
            g.add((r, LQ.exclusiveGroup, Literal(str(p["exclusive_group"]))))
        if parent is not None:
            g.add((parent, LQ.hasRoute, r))
        _cite(g, kb, r, p["sources"])
        for c in p["conditions"]:
            cond(r, p["id"], c, "")
        for nt in p["notes"]:
            n = URIRef(f"{RULE}{p['id']}/note/{nt['id']}")
            g.add((n, RDF.type, LQ.RuleNote))
            g.add((n, LQ.localId, Literal(nt["id"])))
            g.add((r, LQ.hasRuleNote, n))
            _cite(g, kb, n, nt["sources"])
        for rt in p["routes"]:
            proc(rt, r)
    for p in kb.rules["procedures"]:
        proc(p)
    for v in kb.rules["values"]:
        n = URIRef(f"{RULE}value/{v['id']}")
        g.add((n, RDF.type, LQ.RuleValue))
        g.add((n, LQ.localId, Literal(v["id"])))
        g.add((n, LQ.ruleFile, Literal(v["file"])))
        _cite(g, kb, n, v["sources"])
    for pr in kb.rules["precedence"]:
        n = URIRef(f"{RULE}precedence/{pr['id']}")
        g.add((n, RDF.type, LQ.Precedence))
        g.add((n, LQ.localId, Literal(pr["id"])))
        g.add((n, LQ.ruleFile, Literal(pr["file"])))
        _labels(g, n, pr["reason"], pr["id"])
        for prop, key in ((LQ.prevails, "prevails"), (LQ.over, "over")):
            if pr.get(key):
                g.add((n, prop, procs.get(pr[key], URIRef(f"{RULE}{pr[key]}"))))
        _cite(g, kb, n, pr["sources"])


def kb_graph(kb: KB, *, use_cache: bool = True) -> Graph:
    """The KB's graph, from the pickle cache when the inputs have not changed."""
    path = cache_dir() / f"graph-{GRAPH_VERSION}-{kb.digest[:32]}.pickle"
    if use_cache and kb.digest and path.exists():
        try:
            with open(path, "rb") as fh:
                return bind(pickle.load(fh))
        except Exception:
            pass
    g = build_graph(kb)
    if use_cache and kb.digest:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(path, binary=True) as fh:
                pickle.dump(g, fh, protocol=pickle.HIGHEST_PROTOCOL)
            prune(path.parent, "graph-*.pickle")
        except (OSError, OutputError, pickle.PicklingError):
            pass
    return g


def load_turtle_dir(folder: Path, g: Graph | None = None) -> Graph:
    g = g if g is not None else bind(Graph())
    for f in sorted(Path(folder).glob("*.ttl")):
        g.parse(f, format="turtle")
    return g


def export(kb: KB, fmt: str = "turtle") -> str:
    g = kb_graph(kb)
    if fmt in ("jsonld", "json-ld"):
        from .jsonld import compact
        return compact(g)
    return g.serialize(format="turtle")

"""A case (docs/case-format.md) as an RDF graph over the lexquery ontology.

The mapping is the JSON-LD context shipped in ``lexquery/data/case-context.jsonld``:
each contract key is a term of ``ontology/lexquery.ttl`` (dates typed ``xsd:date``,
lengths ``xsd:duration``, States coerced to the EU country authority IRIs,
``removal_measures[].kind`` to a subclass of ``lq:RemovalMeasure``). Before the
context is applied, :func:`frame` makes the few facts that JSON-LD cannot express
explicit, and names every node after its JSON path so results map back to it:

- ``null``/absent stays absent — *unknown* gives no triple, never ``false``;
- ``[]`` is *known to be none*: ``nationalities: []`` → ``lq:stateless true``,
  ``removal_measures: []`` → ``lq:noRemovalMeasure true``, ``convictions: []`` →
  ``lq:noConviction true``;
- ``safety_period_end: "none"`` → ``lq:hasSafetyPeriod false``; ``total: "life"`` →
  ``lq:lifeSentence true``;
- ``extensions`` is dropped (the context maps it to ``null``).

Node IRIs: ``https://w3id.org/lexquery/case/{id}`` for the case, then one segment per
JSON key or list index (``…/sentence/convictions/0``): :func:`json_path` reverses it.
"""
from __future__ import annotations

import copy
import json
import re
import warnings
from datetime import date
from functools import lru_cache
from importlib import resources
from urllib.parse import quote, unquote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, Namespace

LQ = Namespace("https://w3id.org/lexquery/ontology#")
CASE_BASE = "https://w3id.org/lexquery/case/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"

# object-valued keys: JSON key -> class term of the context
_NODES = {"person": "Person", "detention": "Detention", "sentence": "Sentence", "consent": "Consent",
          "identification": "Identification"}
_LISTS = {("sentence", "convictions"): "Conviction", ((), "removal_measures"): "RemovalMeasure"}


@lru_cache(maxsize=1)
def context() -> dict:
    """The JSON-LD context (``@context`` value), read once."""
    text = resources.files("lexquery").joinpath("data", "case-context.jsonld").read_text(encoding="utf-8")
    return json.loads(text)["@context"]


@lru_cache(maxsize=1)
def property_keys() -> dict[URIRef, str]:
    """Reverse of the context: property IRI -> the contract's JSON key."""
    ctx, out = context(), {}
    for key, d in ctx.items():
        if key.startswith("@") or not isinstance(d, (str, dict)):
            continue
        iri = d["@id"] if isinstance(d, dict) else d
        if iri.startswith("lq:") and iri[3].islower():
            out[URIRef(str(LQ) + iri[3:])] = key
    return out


@lru_cache(maxsize=1)
def state_codes() -> dict[str, str]:
    """Country authority IRI -> ISO 3166-1 alpha-2 code."""
    return {COUNTRY + v.split(":", 1)[1]: k for k, v in context().items()
            if isinstance(v, str) and v.startswith("country:")}


def case_iri(case_id) -> str:
    return CASE_BASE + quote(str(case_id) if case_id not in (None, "") else "_", safe="")


def _plain(v):
    """Accept normalised values too (datetime.date, lexquery.dates.Duration)."""
    if isinstance(v, date):
        return v.isoformat()
    if hasattr(v, "iso") and callable(v.iso):
        return v.iso()
    return v


def frame(case: dict, base: str | None = None) -> dict:
    """The case as a JSON-LD document (ids, types, explicit 'known none' facts)."""
    doc = {k: _plain(v) for k, v in case.items() if v is not None and k != "extensions"}
    base = base or case_iri(doc.get("id"))
    doc["@id"], doc["@type"] = base, "Case"
    for key, cls in _NODES.items():
        sub = doc.get(key)
        if isinstance(sub, dict):
            sub = {k: _plain(v) for k, v in sub.items() if v is not None}
            sub["@id"], sub["@type"] = f"{base}/{key}", cls
            doc[key] = sub
    person = doc.get("person")
    if isinstance(person, dict) and person.get("nationalities") == []:
        del person["nationalities"]
        person["stateless"] = True
    sentence = doc.get("sentence")
    if isinstance(sentence, dict):
        if sentence.get("safety_period_end") == "none":
            del sentence["safety_period_end"]
            sentence["has_safety_period"] = False
        if sentence.get("total") == "life":
            del sentence["total"]
            sentence["life_sentence"] = True
    ident = doc.get("identification")
    if isinstance(ident, dict) and ident.get("offence_max_penalty") == "life":
        # a penalty of life imprisonment is no xsd:duration: the graph leaves it unsaid (the
        # JSON reader and the rules keep it; only the RDF route cannot state it)
        del ident["offence_max_penalty"]
    for (parent, key), cls in _LISTS.items():
        holder = doc if parent == () else doc.get(parent)
        if not isinstance(holder, dict) or not isinstance(holder.get(key), list):
            continue
        items = holder[key]
        if not items:
            del holder[key]
            holder["no_conviction" if key == "convictions" else "no_removal_measure"] = True
            continue
        prefix = f"{holder['@id']}/{key}"
        out = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            item = {k: _plain(v) for k, v in item.items() if v is not None}
            if item.get("total") == "life":
                del item["total"]
                item["life_sentence"] = True
            item["@id"], item["@type"] = f"{prefix}/{i}", cls
            out.append(item)
        holder[key] = out
    doc["@context"] = context()
    return doc


def to_graph(case: dict, graph: Graph | None = None, base: str | None = None) -> Graph:
    """The RDF graph of one case (raw JSON dict in the contract's format).

    ``graph``: add to this graph (several cases in one graph need distinct ``id``s, or
    distinct ``base`` IRIs under ``CASE_BASE``). The context is applied by
    :func:`_apply_context`, a direct interpretation of the subset of JSON-LD it uses
    (about 10 x faster than rdflib's JSON-LD parser); :func:`to_graph_jsonld` applies it
    with rdflib's JSON-LD processor, and the tests check both give the same graph.
    """
    g = graph if graph is not None else Graph()
    for t in triples(case, base):
        g.add(t)
    return g


def triples(case: dict, base: str | None = None):
    """The triples of :func:`to_graph`, without building a Graph (for the compiled checker)."""
    return _apply_context(frame(case, base))


@lru_cache(maxsize=1)
def _terms() -> dict:
    """Context terms compiled: key -> (predicate IRI, coercion) and value terms -> IRI."""
    ctx = context()
    prefixes = {k: v for k, v in ctx.items() if isinstance(v, str) and v.endswith(("#", "/"))}

    def expand(v: str) -> str:
        pre, _, local = v.partition(":")
        return prefixes[pre] + local if pre in prefixes and not local.startswith("//") else v

    keys, values = {}, {}
    for k, d in ctx.items():
        if k.startswith("@") or k in prefixes or d is None:
            continue
        if isinstance(d, dict):
            coerce = d.get("@type")
            keys[k] = (URIRef(expand(d["@id"])), "@vocab" if coerce == "@vocab" else
                       (URIRef(expand(coerce)) if coerce else None))
        else:
            keys[k] = (URIRef(expand(d)), None)
            values[k] = URIRef(expand(d))
    return {"keys": keys, "values": values}


@lru_cache(maxsize=16384, typed=True)  # typed: True and 1 are different literals
def _literal(value, datatype=None) -> Literal:
    """Literals repeat across cases (dates, booleans, durations): built once (rdflib terms are immutable)."""
    return Literal(value, datatype=datatype) if datatype is not None else Literal(value)


_TYPE = RDF.type


def _apply_context(node: dict):
    """Triples of a framed case node (the JSON-LD expansion of our context's subset)."""
    t = _terms()
    subj = URIRef(node["@id"])
    types = node.get("@type")
    for ty in ([types] if isinstance(types, str) else types or []):
        yield subj, _TYPE, t["values"][ty]
    for k, v in node.items():
        if k.startswith("@") or k not in t["keys"]:
            continue
        pred, coerce = t["keys"][k]
        for item in (v if isinstance(v, list) else [v]):
            if item is None:
                continue
            if isinstance(item, dict):
                yield subj, pred, URIRef(item["@id"])
                yield from _apply_context(item)
            elif coerce == "@vocab":  # a State code or an enumeration value
                if item in t["values"]:
                    yield subj, pred, t["values"][item]
                # else: not a term of the context (an invalid code): nothing is guessed
            elif isinstance(item, bool):
                yield subj, pred, _literal(item)
            elif coerce is not None:
                yield subj, pred, _literal(str(item), coerce)
            elif isinstance(item, (int, float, str)):
                yield subj, pred, _literal(item) if type(item) in (int, float, str) else Literal(item)
            else:
                yield subj, pred, Literal(item)


def to_graph_jsonld(case: dict, graph: Graph | None = None, base: str | None = None) -> Graph:
    """:func:`to_graph` through rdflib's JSON-LD processor (the reference mapping)."""
    g = graph if graph is not None else Graph()
    with warnings.catch_warnings():  # rdflib 7's JSON-LD parser uses the deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        g.parse(data=json.dumps(frame(case, base), ensure_ascii=False), format="json-ld")
    return g


_SEG = re.compile(r"^\d+$")


def case_of(node) -> str | None:
    """The case IRI a node of :func:`to_graph` belongs to."""
    s = str(node)
    if not s.startswith(CASE_BASE):
        return None
    return CASE_BASE + s[len(CASE_BASE):].split("/")[0]


def json_path(node) -> str | None:
    """The contract JSON path of a node of :func:`to_graph` ('' for the case itself)."""
    s = str(node)
    if not s.startswith(CASE_BASE):
        return None
    parts = s[len(CASE_BASE):].split("/")[1:]
    out = ""
    for p in parts:
        p = unquote(p)
        out += f"[{p}]" if _SEG.match(p) else (f".{p}" if out else p)
    return out


def without_paths(case: dict, paths) -> dict:
    """A deep copy of the raw case without the values at the given JSON paths."""
    doc = copy.deepcopy(case)
    for path in paths:
        tokens = re.findall(r"[^.\[\]]+|\[\d+\]", path)
        cur, ok = doc, True
        for t in tokens[:-1]:
            try:
                cur = cur[int(t[1:-1])] if t.startswith("[") else cur[t]
            except (KeyError, IndexError, TypeError, ValueError):
                ok = False
                break
        if not ok or not tokens:
            continue
        last = tokens[-1]
        try:
            if last.startswith("["):
                cur[int(last[1:-1])] = None
            elif isinstance(cur, dict):
                cur.pop(last, None)
        except (IndexError, TypeError):
            pass
    return doc

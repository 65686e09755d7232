"""``GET /api/vocabulary``: what the case form needs, read from the project's data.

- States: ``reference/states.yaml`` (ISO 3166-1 alpha-2 code, French and English name);
- removal measure kinds (``lq:caseFormatCode``) and protection statuses (``skos:notation``
  of ``lq:protectionStatuses``), with their labels: ``ontology/lexquery.ttl``;
- procedures and their labels: the compiled rules (``rules/*.yaml``);
- the case-format fields (docs/case-format.md): paths and types from the
  engine's reader (:data:`lexquery.engine.case.SCHEMA`) in the order of the lexquery language
  (:data:`lexquery.dsl.vocab.FIELDS`); labels from the ontology property the JSON-LD context
  maps each key to, else the language's first French name and English alias.
"""
from __future__ import annotations

from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS
from starlette.responses import JSONResponse

from ..paths import home

LQ = "https://w3id.org/lexquery/ontology#"
_ITEM_TYPE = {"removal_kind": "kind"}   # the form's name for the enumeration of measure kinds
_NO_PROPERTY = {"kind": {"fr": "nature de la mesure", "en": "kind of measure"}}   # JSON-LD @type, no property


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    g = Graph()
    g.parse(home() / "ontology" / "lexquery.ttl", format="turtle")   # a local file, nothing fetched
    return g


def _labels(g: Graph, node) -> dict[str, str]:
    out = {}
    for lit in g.objects(node, RDFS.label):
        if isinstance(lit, Literal) and lit.language in ("fr", "en"):
            out.setdefault(lit.language, str(lit))
    return out


def _coded(g: Graph, prop, order) -> list[dict]:
    by_code = {str(code): _labels(g, s) for s, code in g.subject_objects(prop)}
    return [{"code": c, "fr": by_code.get(c, {}).get("fr", c), "en": by_code.get(c, {}).get("en", c)} for c in order]


def _property_labels(g: Graph) -> dict[str, dict[str, str]]:
    """JSON key of the case format -> labels of the ontology property it stands for."""
    from ..caserdf.graph import LQ as LQNS, property_keys
    out = {}
    for iri, key in property_keys().items():
        labels = _labels(g, URIRef(iri)) or _labels(g, URIRef(str(LQNS) + str(iri).split("#")[-1]))
        if labels:
            out.setdefault(key, labels)
    return out


def _fields(g: Graph) -> list[dict]:
    from ..dsl.vocab import FIELDS
    from ..engine.case import CONVICTION, MEASURE
    props = _property_labels(g)
    out = []
    for path, (kind, fr, en) in FIELDS.items():
        key = path.split(".")[-1]
        names = {"fr": fr[0], "en": next((x for x in en if x != key and "." not in x), key.replace("_", " "))}
        out.append({"path": path, "type": kind, **names})
        sub = {"removal_measures": MEASURE, "sentence.convictions": CONVICTION}.get(path)
        for k, t in (sub or {}).items():
            lab = props.get(k) if k not in _NO_PROPERTY else _NO_PROPERTY[k]
            lab = lab or {}
            out.append({"path": f"{path}[].{k}", "type": _ITEM_TYPE.get(t, t),
                        "fr": lab.get("fr", k.replace("_", " ")), "en": lab.get("en", k.replace("_", " "))})
    return out


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    from ..dsl.vocab import states
    from ..engine.api import load_kb
    from ..engine.case import PROTECTION, REMOVAL_KINDS
    g = _ontology()
    book = load_kb().book
    return {
        "states": [{"code": c, "fr": n.get("fr", c), "en": n.get("en", n.get("fr", c))}
                   for c, n in sorted(states().items())],
        "removal_kinds": _coded(g, URIRef(LQ + "caseFormatCode"), REMOVAL_KINDS),
        "protection": [x for x in _coded(g, SKOS.notation, PROTECTION)],
        "procedures": [{"code": pid, "fr": p.label.get("fr", pid), "en": p.label.get("en", p.label.get("fr", pid)),
                        "consent": p.consent_required is not None,   # does the person's consent arise at all
                        **({"until_label": p.until_label} if p.until_label else {})}   # how `until` reads
                       for pid, p in book.procedures.items()],
        "fields": _fields(g),
    }


async def get(request):
    """GET /api/vocabulary."""
    from .limits import run_limited
    return JSONResponse(await run_limited(request, vocabulary))

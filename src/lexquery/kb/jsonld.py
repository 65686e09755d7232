"""Compact JSON-LD (W3C JSON-LD 1.1 §4.1 « compacted document form ») with lexquery's
published ``@context``.

The context is one file, ``lexquery/data/context.jsonld`` (shipped in the package), served by
``lexquery serve`` at ``/context.jsonld`` and published at :data:`CONTEXT_IRI`. Documents embed it
(``"@context": {…}``) rather than refer to it by IRI, so that a JSON-LD processor reads them
without fetching anything; the embedded context is the published one, key for key
(tests/test_render_rdf.py).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

CONTEXT_FILE = Path(__file__).resolve().parents[1] / "data" / "context.jsonld"
CONTEXT_IRI = "https://w3id.org/lexquery/context.jsonld"


@lru_cache(maxsize=1)
def context() -> dict:
    """The ``@context`` object (prefixes of the KB, the answers and the vocabularies they use)."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]


def compact(graph) -> str:
    """``graph`` as compact JSON-LD: IRIs shortened by the context's prefixes."""
    return graph.serialize(format="json-ld", context=dict(context()), indent=1)

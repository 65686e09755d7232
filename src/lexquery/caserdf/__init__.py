"""Case data as RDF (JSON-LD context onto ``ontology/lexquery.ttl``) and its SHACL validation.

- :func:`to_graph` — one raw JSON case (docs/case-format.md) as an rdflib Graph;
- :func:`validate` — JSON-level problems, then ``shapes/case-shapes.ttl``, each located by JSON path;
- :func:`validate_stream` — the same over a stream of cases, in chunks on several processes.
"""
from .graph import context, frame, json_path, to_graph
from .stream import Item, validate_stream
from .validate import ValidationResult, conforms, shapes_graph, validate, validate_many

__all__ = ["to_graph", "frame", "context", "json_path", "validate", "validate_many", "conforms", "ValidationResult", "shapes_graph",
           "validate_stream", "Item"]

"""The knowledge base: the law as data (``law/``), its RDF graph, its checks.

- :mod:`lexquery.kb.provisions` — ``load_kb()``: provisions, versions, paragraphs, citations;
- :mod:`lexquery.kb.graph` — ``kb_graph()``: the KB as RDF (ELI + ``lq:``);
- :mod:`lexquery.kb.checks` — ``run_checks()``: SHACL, SPARQL, OWL, reference data;
- :mod:`lexquery.kb.coverage` — ``docs/coverage.md``.
"""
from .provisions import KB, Node, Paragraph, Provision, Version, load_kb

__all__ = ["KB", "Node", "Paragraph", "Provision", "Version", "load_kb"]

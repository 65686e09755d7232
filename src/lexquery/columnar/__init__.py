"""The columnar back-end (issue 16): a population of cases evaluated as vectors.

Generated from ``rules/*.yaml`` like the scalar engine (nothing of a rule is written here);
numpy and polars are imported only by this package, never on the path of ``lexquery ask``.
See docs/columnar.md and ``program.compile_book``.
"""

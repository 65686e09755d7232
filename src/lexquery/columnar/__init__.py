"""The columnar back-end (issue 16): a population of cases evaluated as vectors.

- :mod:`.frame` reads a screening CSV in batches as typed columns (and hands the rows it cannot
  take exactly to the scalar reader), :mod:`.pipeline` runs read → program → write, byte for byte
  what the scalar path writes (columnar-io);
- :mod:`.program` (``compile_book``) is generated from ``rules/*.yaml`` like the scalar engine
  (nothing of a rule is written here) and evaluates the typed columns (columnar-core).

numpy and polars are imported only by this package, never on the path of ``lexquery ask``
(tests/test_columnar_pipeline.py). Interface between the halves: COLUMNAR-INTERFACE notes.
"""

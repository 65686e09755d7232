"""The columnar screening back-end (issue 16): a screening CSV read in batches as typed columns
(:mod:`.frame`), answered over columns, written as the scalar path writes it (:mod:`.pipeline`).

Engine floor: imports dates, errors, kb, rules, engine (and the screening CSV reader, which it
only reuses); never imported on the path of ``lexquery ask`` — numpy and polars stay out of it
(tests/test_columnar_pipeline.py).
"""

"""Case files, read in one place for every face (CLI commands, HTTP API, caserdf): the same
limits and the same messages everywhere (docs/case-format.md).

- :mod:`.json_text`: a JSON text read strictly (nesting, repeated keys, lone surrogates);
- :mod:`.batch`: the cases of a .json, .jsonl or .lq file as :class:`~.batch.Entry` s;
- :mod:`.load`: a file or standard input (JSON or the lexquery language) → raw cases.
"""

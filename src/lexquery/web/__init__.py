"""The HTTP API and the web page of lexquery (issue 6): ``create_app()`` in :mod:`.app`.

Starlette routes in small modules (:mod:`.answers`, :mod:`.provisions`, :mod:`.vocabulary`,
:mod:`.checking`, :mod:`.sparql`), the safety measures in :mod:`.limits` and :mod:`.body`,
the error bodies in :mod:`.errors`; the page itself is ``static/``. See docs/web.md.
"""

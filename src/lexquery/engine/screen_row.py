"""One output row of the screening CSV (docs/screening-csv.md): its columns and the cells of a
procedure's result — the one definition the scalar screening (:mod:`lexquery.screening.screen`),
the columnar pipeline's JSON rows and the rows the columnar program hands back to the scalar
engine (:mod:`lexquery.columnar.program`) all write.

At the engine's floor, so that the columnar back-end (floor 2) can use it without importing
the screening (floor 4)."""
from __future__ import annotations

FIELDS = ["line", "id", "name", "as_of", "procedure", "state", "status", "from", "until",
          "consent_required", "missing_facts", "sources", "routes", "deadlines", "message",
          "basis", "to_verify"]   # appended (issue 12): the legal basis, what to verify by hand

_CONSENT = {None: None, True: "true", False: "false"}   # consent_required as the CSV writes it


def procedure_cells(line, cid, name, a_of, p) -> tuple:
    """The cells of one output row (:data:`FIELDS`) of a procedure's result ``p``
    (:class:`lexquery.engine.answer.ProcedureResult`), before neutralisation: lists joined with
    « | », dates ISO, None for an empty cell (``csv.writer`` writes it as nothing)."""
    df, du, routes, notes = p.date_from, p.date_until, p.routes, p.notes
    return (line, cid, name, a_of, p.procedure, p.state, p.status,
            None if df is None else df.isoformat(), None if du is None else du.isoformat(),
            _CONSENT[p.consent_required], "|".join(p.missing_facts), "|".join(p.sources),
            "|".join([f"{r.procedure}:{r.status}:{r.date_from.isoformat()}" if r.date_from else
                      f"{r.procedure}:{r.status}" for r in routes]) if routes else "",
            "|".join([f"{n.id}:{n.date.isoformat()}" for n in notes if n.date is not None])
            if notes else "", None, "|".join([b["id"] for b in p.basis]),
            "|".join([v["fact"] for v in p.to_verify]))

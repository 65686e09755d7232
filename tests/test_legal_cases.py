"""Legal test cases as data (STYLE.md §5): tests/cases/*.yaml, collected by pytest.

Each file holds one theme: an optional ``base`` case (JSON case format, in YAML) and a list
``cases``. Each case has

- ``name``: a sentence of law ("Un Roumain résidant en Roumanie, frappé d'une ITF, …");
- ``as_of``: the date of evaluation (passed to ``ask``; when absent, the case's own ``as_of``);
- ``case``: the facts, deep-merged onto ``base`` (mappings merge key by key; lists and
  scalars replace; ``null`` stays ``null``, i.e. *unknown*);
- ``basis``: the texts that justify the expectation (sources/legal/texts, seeds);
- ``expect``: a list, one entry per procedure — ``procedure``: its id (``lc_expulsion``, ``ste_transfer`` …;
  the ids of the procedures, their routes, conditions, notes and legal bases are listed, with their
  labels and citations, in docs/coverage.md « Identifiants des règles / Rule ids », generated from
  the rules by ``lexquery kb coverage``),
  and ``state`` for per-State procedures (not for ``lc_expulsion`` nor ``prefecture_notice``):
  ``status``, ``from``, ``until``, ``consent_required`` (compared when given; write
  ``null`` to require null), ``sources`` (each cited by the answer, itself or through one of
  its subdivisions: « CPP 730-2 » is met by « CPP 730-2 1° »), ``no_sources`` (citations it
  must not make, itself or through a subdivision),
  ``missing_facts`` (subset), ``no_missing_facts`` (subset that must NOT be listed, or
  ``true``: no missing fact at all),
  ``irrelevant_facts`` (subset of the unknown facts proven not to change the answer,
  lexquery.engine.prove), ``derived_facts`` ({fact: value} the case format settled,
  rules/common.yaml ``defaults:``; on any procedure's entry, checked on the answer),
  ``conditions`` ({id: status}, searched through nested alternatives), ``routes``
  ({route id: expectation} — a route's expectation takes the same keys as a procedure's,
  ``status``, ``from``, ``until``, ``sources`` and ``no_sources`` (the route's own citations, not
  its procedure's), ``conditions``, ``missing_facts``, ``notes``, ``law_change``, ``set_aside_by`` …:
  :func:`_check_block` compares both; a route has no ``to_verify`` of its own — its notes to
  verify are listed on the procedure — and no ``legal_basis``), ``set_aside_by``
  (id of the procedure that prevails — on a route, of the route, e.g. ``lsc_plein_droit`` over
  ``lsc_720_i`` (CPP D147-24 al. 2) — or ``null``), ``notes`` ({note id: its date, or
  ``true`` for present, or ``{text: "…"}`` for words its text must contain — a date a note gives
  in its text, e.g. a route's note, which carries no date of its own}, or a list of note ids present), ``no_notes`` (note ids that must NOT be shown), ``opens_by`` (the
  path that opens the procedure first: its own id or a route's), ``states`` on a procedure id alone
  (exact set of States answered for it), ``legal_basis`` (the exact list of the ids of the
  bases the status rests on, the answer's ``basis``), ``to_verify`` (subset of the names of
  the answer's ``to_verify`` entries: ``party(STE167,MA)``, ``note:<id>``, ``question:<id>``),
  ``no_to_verify`` (names that must NOT be listed) and ``law_change`` (``{on, computed_from,
  status, from}``, each compared when given, for a pending date re-settled under the law in
  force on it, engine/in_time.py; ``null``: no such change), on a procedure or a route;
- ``xfail``: "reason" — the engine is legally wrong here (strict: an unexpected pass fails);
- ``reform``: a simulated reform file (path from the repository's root, docs/reforms.md),
  on a case or at the top of the file for all its cases: the case is answered under that
  reform (``lexquery.engine.reform``), never under the law in force.

The engine is built once (``lexquery.engine.load_kb``) and shared by every case. A failure
prints the file, the case name, each expectation that failed (expected vs actual), and the
answer's text rendering with ``explain`` — no Python traceback.

Run: ``.venv/bin/python -m pytest tests/test_legal_cases.py tests/cases -q``
(or the whole suite: ``make test``).
"""
from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest
from lexquery import yaml12

CASES_DIR = Path(__file__).parent / "cases"
_ENGINE = None


def engine(reform: str | None = None):
    global _ENGINE
    if _ENGINE is None:
        from lexquery.engine import load_kb
        _ENGINE = load_kb()
    if reform is None:
        return _ENGINE
    if reform not in _REFORMED:
        from lexquery.engine.reform import load_reform
        _REFORMED[reform] = load_reform(ROOT / reform, _ENGINE.book, _ENGINE.ref).engine(_ENGINE)
    return _REFORMED[reform]


ROOT = Path(__file__).resolve().parent.parent
_REFORMED: dict = {}


# ---------------------------------------------------------------- reading the files
def deep_merge(base, over):
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = deep_merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


def _iso(v):
    return v.isoformat() if isinstance(v, date) else v


def _jsonable(v):
    """YAML reads 2026-12-01 as a date: the case format wants ISO strings."""
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    return _iso(v)


def load_cases(path: Path) -> list[dict]:
    data = yaml12.load(path.read_text(encoding="utf-8")) or {}
    base = data.get("base", {})
    out = []
    for i, c in enumerate(data.get("cases", [])):
        case = _jsonable(deep_merge(base, c.get("case", {})))
        case.setdefault("id", f"{path.stem}-{i + 1}")
        out.append({"file": path, "index": i, "name": c["name"],
                    "as_of": _iso(c["as_of"] if "as_of" in c else case.get("as_of")),
                    "case": case, "expect": c.get("expect", []), "xfail": c.get("xfail"),
                    "basis": c.get("basis", []), "reform": c.get("reform", data.get("reform"))})
    return out


# ---------------------------------------------------------------- checking an answer
def _find_cond(conds, cid):
    for c in conds:
        if c.id == cid:
            return c
        hit = _find_cond(c.children, cid)
        if hit is not None:
            return hit
    return None


def cites(sources: list[str], wanted: str) -> bool:
    """``wanted`` is cited, or one of its subdivisions is: an expectation « CPP 730-2 » is met
    by « CPP 730-2 1° », « STE 167 art. 3 » by « STE 167 art. 3.1 », « CPP 720 » by
    « CPP 720 IV » (citing the alinéa cites the article); never the other way round."""
    return any(s == wanted or (s.startswith(wanted) and s[len(wanted):len(wanted) + 1] in (" ", "."))
               for s in sources)


def _check_block(res, exp: dict, where: str) -> list[str]:
    """Compare one ProcedureResult (or route) with its expectation; return mismatches."""
    errs = []
    simple = {"status": res.status, "from": _iso(res.date_from), "until": _iso(res.date_until),
              "consent_required": res.consent_required, "opens_by": getattr(res, "opens_by", None)}
    for key, actual in simple.items():
        if key in exp and _iso(exp[key]) != actual:
            errs.append(f"{where}: {key}: expected {_iso(exp[key])!r}, got {actual!r}")
    if "sources" in exp:
        # the answer's citations for a procedure: its own, and those of its routes that are open
        # (applicable now or later: « voie : dans le cadre de la LSC … APPLICABLE » cites CPP 720 I
        # there) — a route that does not apply is not a basis of the answer
        cited = list(res.sources) + [s for r in getattr(res, "routes", [])
                                     if r.status in ("applicable", "applicable_later") for s in r.sources]
        lacking = [s for s in exp["sources"] if not cites(cited, s)]
        if lacking:
            errs.append(f"{where}: sources: must cite {lacking}; cited {res.sources}")
    if "no_sources" in exp:   # citations the answer must not make (itself or a subdivision)
        cited = list(res.sources) + [s for r in getattr(res, "routes", [])
                                     if r.status in ("applicable", "applicable_later") for s in r.sources]
        extra = [s for s in exp["no_sources"] if cites(cited, s)]
        if extra:
            errs.append(f"{where}: no_sources: must not cite {extra}; cited {res.sources}")
    if "missing_facts" in exp:
        lacking = [m for m in exp["missing_facts"] if m not in res.missing_facts]
        if lacking:
            errs.append(f"{where}: missing_facts: must list {lacking}; listed {res.missing_facts}")
    if "no_missing_facts" in exp:
        banned = exp["no_missing_facts"]
        extra = list(res.missing_facts) if banned is True else [m for m in banned if m in res.missing_facts]
        if extra:
            errs.append(f"{where}: missing_facts: must not list {extra}; listed {res.missing_facts}")
    if "irrelevant_facts" in exp:
        got = [f["fact"] for f in getattr(res, "irrelevant_facts", [])]
        lacking = [m for m in exp["irrelevant_facts"] if m not in got]
        if lacking:
            errs.append(f"{where}: irrelevant_facts: must list {lacking}; listed {got}")
    for cid, st in (exp.get("conditions") or {}).items():
        c = _find_cond(res.conditions, cid)
        if c is None:
            errs.append(f"{where}: condition {cid}: expected {st!r}, not in the answer")
        elif c.status != st:
            errs.append(f"{where}: condition {cid}: expected {st!r}, got {c.status!r}")
    notes = exp.get("notes") or {}
    if isinstance(notes, list):   # a list of note ids: each present, whatever its date
        notes = dict.fromkeys(notes, True)
    for nid, nexp in notes.items():
        n = next((x for x in getattr(res, "notes", []) if x.id == nid), None)
        if n is None:
            errs.append(f"{where}: note {nid}: expected, not in the answer")
        elif isinstance(nexp, dict):   # {text: "…"}: a date (or words) the note's text gives
            if str(nexp.get("text", "")) not in (n.text or ""):
                errs.append(f"{where}: note {nid}: text must contain {nexp.get('text')!r}; got {n.text!r}")
        elif nexp is not True and _iso(nexp) != _iso(n.date):
            errs.append(f"{where}: note {nid}: date expected {_iso(nexp)!r}, got {_iso(n.date)!r}")
    if "legal_basis" in exp:
        actual = [b["id"] for b in getattr(res, "basis", [])]
        if actual != list(exp["legal_basis"] or []):
            errs.append(f"{where}: legal_basis: expected {exp['legal_basis']!r}, got {actual!r}")
    names = [v["fact"] for v in getattr(res, "to_verify", [])]
    lacking = [v for v in exp.get("to_verify") or [] if v not in names]
    if lacking:
        errs.append(f"{where}: to_verify: must list {lacking}; listed {names}")
    extra = [v for v in exp.get("no_to_verify") or [] if v in names]
    if extra:
        errs.append(f"{where}: to_verify: must not list {extra}; listed {names}")
    for nid in exp.get("no_notes") or []:
        if any(x.id == nid for x in getattr(res, "notes", [])):
            errs.append(f"{where}: note {nid}: must not be shown")
    if "law_change" in exp:   # {on, computed_from, status?, from?} or null (no law change)
        lc = getattr(res, "law_change", None)
        want = exp["law_change"]
        if want is None or lc is None:
            if (want is None) != (lc is None):
                errs.append(f"{where}: law_change: expected {want!r}, got {lc!r}")
        else:
            got = {"on": _iso(lc["on"]), "computed_from": _iso(lc["computed"]), "status": lc["status"],
                   "from": _iso(lc["from"])}
            for k, v in want.items():
                if got.get(k, "<absent>") != _iso(v):
                    errs.append(f"{where}: law_change.{k}: expected {_iso(v)!r}, got {got.get(k, '<absent>')!r}")
    if "set_aside_by" in exp:
        actual = (getattr(res, "set_aside_by", None) or {}).get("by")
        if actual != exp["set_aside_by"]:
            errs.append(f"{where}: set_aside_by: expected {exp['set_aside_by']!r}, got {actual!r}")
    for rid, rexp in (exp.get("routes") or {}).items():
        r = next((x for x in res.routes if x.procedure == rid), None)
        if r is None:
            errs.append(f"{where}: route {rid}: not in the answer (routes: "
                        f"{[x.procedure for x in res.routes]})")
        else:
            errs += _check_block(r, rexp, f"{where} › {rid}")
    return errs


def check_answer(answer, expect: list[dict]) -> list[str]:
    errs = []
    for exp in expect:
        pid, state = exp["procedure"], exp.get("state")
        mine = [p for p in answer.procedures if p.procedure == pid]
        if "states" in exp:
            got = sorted(p.state for p in mine if p.state)
            if got != sorted(exp["states"]):
                errs.append(f"{pid}: states: expected {sorted(exp['states'])}, got {got}")
        for fact, value in (exp.get("derived_facts") or {}).items():
            got = {f["fact"]: f["value"] for f in getattr(answer, "derived_facts", [])}
            if got.get(fact, "<absent>") != value:
                errs.append(f"derived_facts: {fact}: expected {value!r}, got {got.get(fact, '<absent>')!r}")
        if not ({"status", "from", "until", "consent_required", "sources", "missing_facts",
                 "conditions", "routes", "set_aside_by", "no_missing_facts", "notes",
                 "irrelevant_facts", "legal_basis", "to_verify", "no_to_verify", "no_notes",
                 "no_sources", "opens_by", "law_change"} & set(exp)):
            continue
        hits = [p for p in mine if state is None or p.state == state]
        where = f"{pid}" + (f" [{state}]" if state else "")
        if not hits:
            errs.append(f"{where}: no answer for this procedure/State "
                        f"(answered: {[(p.procedure, p.state) for p in answer.procedures]})")
            continue
        errs += _check_block(hits[0], exp, where)
    return errs


# ---------------------------------------------------------------- pytest plumbing
class LegalCaseMismatch(Exception):
    pass


class LegalCaseItem(pytest.Item):
    def __init__(self, *, spec, **kw):
        super().__init__(**kw)
        self.spec = spec
        if spec["xfail"]:
            self.add_marker(pytest.mark.xfail(reason=str(spec["xfail"]), strict=True,
                                              raises=LegalCaseMismatch))

    def runtest(self):
        from lexquery.engine import ask
        ans = ask(self.spec["case"], as_of=self.spec["as_of"], engine=engine(self.spec.get("reform")))
        self.answer = ans
        errs = check_answer(ans, self.spec["expect"])
        if errs:
            raise LegalCaseMismatch(errs)

    def repr_failure(self, excinfo, style=None):
        if not isinstance(excinfo.value, LegalCaseMismatch):
            return super().repr_failure(excinfo, style)
        from lexquery.render.text import render_text
        s = self.spec
        lines = [f"file : {s['file'].relative_to(CASES_DIR.parent.parent)} (case {s['index'] + 1})",
                 f"case : {s['name']}",
                 f"as of: {s['as_of']}"] + ([f"reform: {s['reform']}"] if s.get("reform") else [])
        if s["basis"]:
            lines.append("basis: " + (s["basis"] if isinstance(s["basis"], str) else "; ".join(s["basis"])))
        lines.append("expected vs actual:")
        lines += [f"  - {e}" for e in excinfo.value.args[0]]
        lines.append("answer (text, --explain):")
        lines += ["  " + ln for ln in render_text(self.answer, explain=True).splitlines()]
        return "\n".join(lines)

    def reportinfo(self):
        return self.spec["file"], None, f"{self.spec['file'].name}: {self.spec['name']}"


class LegalCaseFile(pytest.File):
    def collect(self):
        for spec in load_cases(self.path):
            yield LegalCaseItem.from_parent(self, name=f"{spec['index'] + 1}: {spec['name']}",
                                            spec=spec)


def collect_yaml(file_path: Path, parent):
    if file_path.suffix == ".yaml" and file_path.parent == CASES_DIR:
        return LegalCaseFile.from_parent(parent, path=file_path)
    return None


# ---------------------------------------------------------------- the files themselves
def _all_specs():
    return [s for p in sorted(CASES_DIR.glob("*.yaml")) for s in load_cases(p)]


def test_at_least_45_cases_each_with_name_date_and_expectation():
    specs = _all_specs()
    assert len(specs) >= 45, len(specs)
    for s in specs:
        assert s["name"] and s["as_of"] and s["expect"], (s["file"].name, s["name"])
        assert s["basis"], f"{s['file'].name}: {s['name']}: no legal basis cited"
        for e in s["expect"]:
            assert "procedure" in e, (s["file"].name, s["name"])


def test_case_names_are_unique():
    names = [s["name"] for s in _all_specs()]
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]


def test_checker_reports_a_wrong_expectation():
    """Negative control: a deliberately wrong expectation is reported, not ignored."""
    s = _all_specs()[0]
    from lexquery.engine import ask
    ans = ask(s["case"], as_of=s["as_of"], engine=engine())
    p = ans.procedures[0]
    wrong = "undetermined" if p.status != "undetermined" else "applicable"
    errs = check_answer(ans, [{"procedure": p.procedure, "state": p.state, "status": wrong,
                               "sources": ["CPP 999-9"], "conditions": {"no_such_condition": "met"},
                               "no_sources": [p.sources[0]]}])
    assert len(errs) == 4 and any("no_sources: must not cite" in e for e in errs), errs
    for notes in (["no_such_note"], {"no_such_note": True}):   # both spellings of ``notes``
        errs = check_answer(ans, [{"procedure": p.procedure, "state": p.state, "notes": notes}])
        assert errs == [f"{p.procedure}" + (f" [{p.state}]" if p.state else "")
                        + ": note no_such_note: expected, not in the answer"], errs


def test_a_route_expectation_takes_a_procedure_keys():
    """A route's block is checked by :func:`_check_block` like a procedure's: its ``sources``
    are the route's own citations (CPP 720 I for ``lsc_720_i``), not its procedure's (CPP 729
    al. 8, the direct path's time condition), and its other keys are compared too."""
    s = next(x for x in _all_specs() if x["name"].startswith("Aux deux tiers d'une peine de trois ans"))
    from lexquery.engine import ask
    ans = ask(s["case"], as_of=s["as_of"], engine=engine())

    def route(exp):
        return check_answer(ans, [{"procedure": "lc_expulsion", "routes": {"lsc_720_i": exp}}])
    assert route({"sources": ["CPP 720 I"], "no_sources": ["CPP 729 al. 8"], "notes": ["lsc_examination"],
                  "status": "applicable", "conditions": {"lsc_two_thirds": "met"}}) == []
    errs = route({"sources": ["CPP 729 al. 8"], "no_sources": ["CPP 720 I"], "notes": ["no_such_note"],
                  "missing_facts": ["person.no_such_fact"], "status": "not_applicable"})
    assert len(errs) == 5 and all(e.startswith("lc_expulsion › lsc_720_i: ") for e in errs), errs


def test_cites_accepts_a_subdivision_never_a_parent():
    assert cites(["CPP 730-2 1°"], "CPP 730-2")
    assert cites(["STE 167 art. 3.1"], "STE 167 art. 3")
    assert cites(["CPP 720 IV"], "CPP 720")
    assert not cites(["CPP 730-2"], "CPP 730-2 1°")
    assert not cites(["CPP 730-21"], "CPP 730-2")
    assert not cites(["STE 167 art. 31"], "STE 167 art. 3")

"""Public entry points: ``load_kb()`` (compile once) and ``ask(case)``.

The rules are read from ``rules/*.yaml`` and compiled once per process; reference
data is loaded once; each ``ask`` only evaluates closures over the case's facts.
"""
from __future__ import annotations

import json
from datetime import date
from functools import partial
from pathlib import Path

from ..version import __version__
from ..dates import DATE_RANGE, check_day, parse_day
from ..errors import InputError
from ..rules.loader import load_rules
from ..rules.values import UNKNOWN
from .answer import Answer, ProcedureResult, CondResult
from .candidates import NATIONALITY_FACTS, candidate_facts, candidate_states
from .case import read_case
from .env import Env
from .facts import apply_defaults
from .prove import prove
from . import recodification
from .evaluate import evaluate_procedure
from .reuse import Reuse
from .verify import collect as collect_to_verify

VERSION = __version__   # one version, written in lexquery/__init__.py


class Engine:
    """Compiled rules + reference data; answers cases."""

    def __init__(self, book=None, ref=None, rules_dir=None):
        self.book = book or load_rules(rules_dir)
        if ref is None:
            from ..kb.reference import load_reference
            ref = load_reference()
        self.ref = ref
        self.kb_meta = {"version": f"{VERSION}+rules.{self.book.digest[:12]}",
                        "sources_as_of": _sources_as_of()}
        self.reuse = Reuse(self.book)   # what the reevaluations without explanations reuse
        self.succession = _succession()   # the 2029 code's correspondence (kb/succession.py)

    def ask(self, case, as_of: date | str | None = None, source: str | None = None,
            explain: bool = True, lang: str = "fr") -> Answer:
        """Answer one case (a dict in the JSON case format, or already normalised).

        ``explain=False`` (screening) gives the same statuses, dates, consent, missing facts,
        sources, routes and dated notes without building what only explains them (notes'
        texts, evidence, facts to verify), computes the State-independent derived values
        (CPP 716-1 dates…) once per case instead of once per procedure and State, and lets
        the reevaluations of engine/verify.py and engine/prove.py reuse what cannot change
        (engine/reuse.py).
        """
        if as_of is not None:
            as_of = _as_of(as_of)
        c = case if case.get("__normalised__") else read_case(case, source, default_as_of=None)
        when = as_of or c.get("as_of") or date.today()
        book = self.book
        c, derived_facts = apply_defaults(c, book, self.ref)   # facts the case format defines (rules: defaults)
        shared = {} if (not explain and book.derived_per_case) else None
        one = self._one
        if lang != "fr":   # the notes' texts in the reader's language (rule files: fr, en)
            one = partial(self._one, lang=lang)
        procs: list[ProcedureResult] = []
        cands_all = candidate_states(c)
        cands_nat = None
        for p in book.procedures.values():
            if p.asked_when is not None and not self._asked(p, c, when):
                continue
            if not p.per_state:
                procs.append(one(p, c, when, None, explain, shared))
                continue
            only_nat = p.per_state == "nationalities"
            cands = cands_nat if only_nat else cands_all
            if cands is None:
                cands = cands_nat = candidate_states(c, only_nationalities=True)
            if not cands:
                r = one(p, c, when, UNKNOWN, explain, shared)
                if r.status != "not_applicable":
                    r.status = "undetermined"
                    # only the facts that could name a State for this procedure (the last one
                    # when all are known: receiving_state, or the nationalities)
                    facts = NATIONALITY_FACTS if p.per_state == "nationalities" else candidate_facts(c)
                    r.missing_facts = sorted(set(r.missing_facts) | {
                        f for f in facts if _unknown(c, f)} or {facts[-1]})
                procs.append(r)
                continue
            for state, why in cands:
                r = one(p, c, when, state, explain, shared)
                r.state_reasons = why
                procs.append(r)
        return Answer(case=c.get("id"), as_of=when, knowledge_base=self.kb_meta, procedures=procs,
                      candidates=[{"state": s, "because": w} for s, w in cands_all],
                      name=c.get("person", {}).get("name"), derived_facts=derived_facts)

    def prepare_batch(self) -> "Engine":
        """Before answering many cases: compile the rules' expressions to Python source
        (``rules.loader.compile_to_source``: one generated function per expression instead of
        closures; same answers, tests/test_screen_fast.py). Returns the engine."""
        from ..rules.loader import compile_to_source
        compile_to_source(self.book)
        return self

    def _asked(self, p, case, as_of) -> bool:
        """Whether the case asks the question of procedure ``p`` (its ``asked_when``, e.g. the
        relevés signalétiques only for a case that describes a hearing): true only when it holds."""
        return p.asked_when.fn(Env(case, as_of, None, self.book, self.ref, False, None)) is True

    def _one(self, p, case, as_of, state, explain, shared, lang="fr") -> ProcedureResult:
        """Procedure ``p`` for one case and State: evaluated (engine/evaluate.py), what to
        verify measured (engine/verify.py), the facts that cannot change it proven irrelevant
        (engine/prove.py), the 2029 code's numbering applied (engine/recodification.py).
        Without explanations, the reevaluations of verify and prove reuse the results that
        cannot change and build only the outcome (engine/reuse.py)."""
        book = self.book
        env = Env(case, as_of, state, book, self.ref, explain, shared)
        out = self._outside_validity(p, env)
        if out is not None:
            return recodification.apply(out, p, as_of, self.succession, lang)
        if explain:
            r = evaluate_procedure(p, env, book, lang)

            def rerun(overrides):
                e = Env(case, as_of, state, book, self.ref, False, shared)
                e.overrides = overrides
                return evaluate_procedure(p, e, book, lang)

            def trial(c, keep, touched):
                return evaluate_procedure(p, Env(c, as_of, state, book, self.ref, False, keep), book)
        else:
            reuse = self.reuse
            env.kept = ()   # keep the results of this first evaluation for the reevaluations
            r = evaluate_procedure(p, env, book, lang)

            def rerun(overrides):   # the conditions that read none of the facts replaced: not again
                if r.status == "not_applicable" and reuse.still_not_applicable(env, p, overrides):
                    return r        # the same outcome, without evaluating
                return evaluate_procedure(p, reuse.rerun_env(env, p, overrides, shared), book, lang, outcome_only="dated")

            def trial(c, keep, touched):
                return evaluate_procedure(p, reuse.trial_env(env, p, c, keep, touched), book, outcome_only=True)
        # what to verify is measured on the evaluation of the case as given (before the proof)
        to_verify = collect_to_verify(p, env, r, rerun, lang)
        if r.missing_facts or any(rt.missing_facts for rt in r.routes):
            r = prove(r, trial, case, book, self.ref, as_of, shared)
        r.to_verify = to_verify
        return recodification.apply(r, p, as_of, self.succession, lang)

    @staticmethod
    def _outside_validity(p, env) -> ProcedureResult | None:
        """An undetermined answer when the date is outside the period the encoded rules are
        valid for (``valid:`` of the rule file), else None (evaluate.outside_validity)."""
        from .evaluate import outside_validity
        return outside_validity(p, env)


def _as_of(value) -> date:
    """The evaluation date given to ``ask``: a date or ISO text within DATE_MIN .. DATE_MAX."""
    try:
        if isinstance(value, str):
            d = parse_day(value)
        elif isinstance(value, date):
            d = check_day(value)
        else:
            raise ValueError(value)
    except ValueError:
        shown = value.isoformat() if isinstance(value, date) else repr(value)
        raise InputError(f"date d'évaluation invalide : {shown}", where="as_of",
                         expected=f"une date AAAA-MM-JJ {DATE_RANGE}") from None
    return d


def _unknown(case, path):
    v = case
    for k in path.split("."):
        if not isinstance(v, dict) or k not in v:
            return True
        v = v[k]
    return False


def _succession():
    try:
        from ..kb.succession import load
        return load()
    except Exception:  # the correspondence is optional for answering
        return None


def _sources_as_of():
    try:
        from ..paths import sources_as_of
        return sources_as_of()
    except Exception:  # the provision index is optional for answering
        return None


_DEFAULT: Engine | None = None


def load_kb(rules_dir=None) -> Engine:
    """Compile the rules and load the reference data (once per process)."""
    global _DEFAULT
    if rules_dir is not None:
        return Engine(rules_dir=rules_dir)
    if _DEFAULT is None:
        _DEFAULT = Engine()
    return _DEFAULT


default_engine = load_kb


def ask(case, as_of=None, engine: Engine | None = None):
    """Answer a case dict, a list of cases, or a path to a JSON file of case(s)."""
    eng = engine or load_kb()
    if isinstance(case, (str, Path)):
        path = Path(case)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise InputError(f"JSON illisible : {e.msg}", where=f"{path}:{e.lineno}:{e.colno}") from None
        case = data
    if isinstance(case, list):
        return [eng.ask(c, as_of) for c in case]
    return eng.ask(case, as_of)

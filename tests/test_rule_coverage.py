"""Every condition of every rule file is exercised on both sides by the legal cases (issue 3).

The cases of ``tests/cases/*.yaml`` (read with the loader of ``tests/test_legal_cases.py``) are
answered by the engine; for each procedure or route and each of its conditions, the statuses
the answers show are collected. Every condition of ``rules/*.yaml`` (the procedures, their
routes, nested ``any_of`` / ``all_of`` included) must have been seen

- ``met`` and ``not_met`` (fact tests, date conditions, alternatives, conjunctions);
- for an ``assess`` condition: ``to_assess``, and ``not_met`` when it has a ``requires``;

and every precedence entry (``rules/precedence.yaml`` and the ``precedence:`` of a procedure
file) must have been seen both applying (its condition ``precedence:<id>`` is ``not_met``) and
not applying (the procedure or route it could set aside answered without it).

A side that a condition cannot take is listed in ``ALLOWED_MISSING`` with the reason, as a
sentence; an entry that a case comes to exercise must be removed (the test says so).

Cases marked ``xfail`` (the engine is known to be legally wrong there) are not counted: a
side seen only where the engine errs is not evidence that the rule works.

The same file checks that every « quotation » in a case's ``basis`` is the published text of
the provision it cites, as held in law/ (a paraphrase goes without guillemets).

Run: ``.venv/bin/python -m pytest -q tests/test_rule_coverage.py``
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from lexquery import yaml12
from test_legal_cases import CASES_DIR, engine, load_cases

# (procedure or route id, condition id, side): why that side cannot be reached.
ALLOWED_MISSING: dict[tuple[str, str, str], str] = {
    ("eu_recognition", "fd_applies_until", "not_met"):
        "La condition n'est examinée que si la décision-cadre s'applique à la date (when: "
        "fd_applies(state)) ; le dernier jour connu de son application (fd_until) est alors la date "
        "ou un jour suivant : la condition porte ce jour comme dernier jour d'utilisation de la "
        "procédure (until) et ne peut être que met ou unknown — le lendemain, c'est "
        "executing_state_member qui n'est pas remplie.",
    ("lsc_720_i", "lsc_removal", "not_met"):
        "La voie du I de l'article 720 n'est examinée que si la libération conditionnelle "
        "« expulsion » n'est pas exclue, ce qui suppose déjà que la personne soit étrangère "
        "(foreigner) et frappée d'une mesure de la liste du 729-2 (removal_measure) : "
        "lsc_removal, qui teste « removable_729_2 and foreigner », ne peut alors être que "
        "met ou unknown.",
    ("lsc_plein_droit", "lsc_pd_removal", "not_met"):
        "La voie du II et du IV de l'article 720 n'est examinée que si la libération "
        "conditionnelle « expulsion » n'est pas exclue (étranger frappé d'une mesure de la liste "
        "du 729-2), et la liste du IV de l'article 720 (removal_measures_720_iv) est identique à "
        "celle du 729-2 : lsc_pd_removal ne peut alors être que met ou unknown.",
    ("ste_transfer", "basis_bilateral", "met"):
        "Les conditions propres d'une convention bilatérale ne sont pas encodées : le chemin "
        "basis_bilateral contient bilateral_conditions (bilateral_terms, « à vérifier »), toujours "
        "unknown, et ne peut donc être que unknown, en attente (entrée en vigueur) ou not_met.",
    ("ste_transfer", "bilateral_conditions", "met"):
        "La condition lit bilateral_terms(state), toujours inconnu : les conditions propres de la convention ne "
        "sont pas encodées et aucun fait du cas ne les règle (issue 12, « a wrong answer is worse "
        "than no answer ») ; la convention est nommée dans to_verify.",
    ("ste_transfer", "bilateral_conditions", "not_met"):
        "La condition lit bilateral_terms(state), toujours inconnu (voir ci-dessus) ; la condition n'est pas "
        "évaluée (when) quand aucune convention ne lie la France à l'État.",
    ("ste_transfer", "basis_reciprocity", "met"):
        "L'accord ad hoc de réciprocité fixe ses propres conditions : le chemin basis_reciprocity "
        "contient l'appréciation reciprocity, toujours to_assess, et ne peut donc être que "
        "to_assess, unknown ou not_met.",
}


def _premises_hold(book) -> list[str]:
    """The facts of the rule files that the reasons above rest on; if one changes, the entry
    must be reconsidered."""
    errs = []
    # the 729-2 list may be given by period (rules/common.yaml): the one in force since 720 IV
    # exists (2024-01-28) is the last, open-ended period
    l729 = book.constants.get("removal_measures_729_2")
    if l729 is None and "removal_measures_729_2" in book.periods:
        last = book.periods["removal_measures_729_2"]["values"][-1]
        l729 = last[2] if last[1] is None else None
    if book.constants.get("removal_measures_720_iv") != l729:
        errs.append("removal_measures_720_iv no longer equals removal_measures_729_2: "
                    "lsc_pd_removal may now be not_met — give it a case and drop its allow-list entry")
    ste = book.procedures["ste_transfer"]
    lb = next((c for c in ste.conditions if c.id == "legal_basis"), None)
    for path in ("basis_reciprocity",):
        p = next((ch for ch in (lb.children if lb else []) if ch.id == path), None)
        if p is None or not any(ch.kind == "assess" and ch.requires is None for ch in p.children):
            errs.append(f"ste_transfer/{path} no longer holds an unconditional assess condition: "
                        "it may now be met — give it a case and drop its allow-list entry")
    p = next((ch for ch in (lb.children if lb else []) if ch.id == "basis_bilateral"), None)
    terms = next((ch for ch in (p.children if p else []) if ch.id == "bilateral_conditions"), None)
    if terms is None or terms.kind != "test" or terms.expr.text.strip() != "bilateral_terms(state)":
        errs.append("ste_transfer/basis_bilateral no longer holds bilateral_conditions = bilateral_terms(state) "
                    "(always unknown): it may now be met — give it a case and drop its allow-list entries")
    return errs


# ---------------------------------------------------------------- what the rules ask for
def _walk_rule_conditions(conds):
    for c in conds:
        yield c
        yield from _walk_rule_conditions(c.children)


def required_sides(book) -> dict[tuple[str, str], tuple[str, set[str]]]:
    """{(procedure or route id, condition id): (file, sides required)} for every condition."""
    out = {}
    for p in book.procedures.values():
        for owner in [p, *p.routes]:
            for c in _walk_rule_conditions(owner.conditions):
                if c.kind == "assess":
                    sides = {"to_assess"} | ({"not_met"} if c.requires is not None else set())
                else:
                    sides = {"met", "not_met"}
                out[(owner.id, c.id)] = (p.file, sides)
    return out


# ---------------------------------------------------------------- what the cases show
def _walk_results(conds):
    for c in conds:
        yield c
        yield from _walk_results(c.children)


@lru_cache(maxsize=1)
def observations():
    """(statuses seen per (owner, condition), precedence outcomes seen per entry id, cases run)."""
    eng = engine()
    prec_over = defaultdict(list)
    for pr in eng.book.precedence:
        prec_over[pr.over].append(pr.id)
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    prec: dict[str, set[str]] = defaultdict(set)
    n = 0

    def visit(res):
        for c in _walk_results(res.conditions):
            seen[(res.procedure, c.id)].add(c.status)
        for pid in prec_over.get(res.procedure, ()):
            hit = next((c for c in res.conditions if c.id == f"precedence:{pid}"), None)
            if hit is None:
                prec[pid].add("not_applying")
            elif hit.status == "not_met":
                prec[pid].add("applying")
            else:
                prec[pid].add(hit.status)
        for r in res.routes:
            visit(r)

    for path in sorted(CASES_DIR.glob("*.yaml")):
        for spec in load_cases(path):
            if spec["xfail"]:
                continue
            n += 1
            for res in eng.ask(spec["case"], spec["as_of"]).procedures:
                visit(res)
    return seen, prec, n


def missing_sides(required, seen, allowed) -> list[str]:
    """The sides required but never seen, minus the allowed ones, one line each."""
    out = []
    for (owner, cid), (file, sides) in sorted(required.items()):
        for side in sorted(sides - seen.get((owner, cid), set())):
            if (owner, cid, side) not in allowed:
                out.append(f"{file}: {owner}/{cid}: never {side} "
                           f"(seen: {sorted(seen.get((owner, cid), set())) or 'never evaluated'})")
    return out


# ---------------------------------------------------------------- the tests
def test_every_condition_of_every_rule_is_seen_on_both_sides():
    book = engine().book
    seen, _, n = observations()
    missing = missing_sides(required_sides(book), seen, ALLOWED_MISSING)
    assert not missing, (f"{len(missing)} side(s) of the rules' conditions are exercised by none "
                         f"of the {n} cases (add cases to tests/cases/*.yaml):\n  "
                         + "\n  ".join(missing))


def test_every_precedence_entry_is_seen_applying_and_not_applying():
    book = engine().book
    _, prec, n = observations()
    missing = [f"precedence {pr.id} ({pr.prevails} over {pr.over}): never {side} "
               f"(seen: {sorted(prec.get(pr.id, set())) or 'never evaluated'})"
               for pr in book.precedence for side in ("applying", "not_applying")
               if side not in prec.get(pr.id, set())]
    assert not missing, f"over the {n} cases:\n  " + "\n  ".join(missing)


def test_allow_list_is_exact_and_its_premises_hold():
    """Each allowed gap names a real condition and side, is still a gap, has a reason written
    as a sentence, and the facts its reason rests on still hold."""
    book = engine().book
    required = required_sides(book)
    seen, _, _ = observations()
    errs = []
    for (owner, cid, side), reason in ALLOWED_MISSING.items():
        if (owner, cid) not in required:
            errs.append(f"{owner}/{cid}: no such condition in rules/")
        elif side not in required[(owner, cid)][1]:
            errs.append(f"{owner}/{cid}: side {side} is not required")
        elif side in seen.get((owner, cid), set()):
            errs.append(f"{owner}/{cid}: now seen {side} — remove it from ALLOWED_MISSING")
        if not (reason[:1].isupper() and reason.rstrip().endswith(".")):
            errs.append(f"{owner}/{cid}: the reason must be a sentence")
    errs += _premises_hold(book)
    assert not errs, "\n".join(errs)


def test_checker_reports_what_is_missing():
    """Negative control: with no case at all, every required side is reported, by name."""
    required = required_sides(engine().book)
    missing = missing_sides(required, {}, {})
    assert len(missing) == sum(len(s) for _, s in required.values())
    assert any("eu_recognition/sentence_running: never not_met" in m for m in missing), missing
    assert any("ste_transfer/reciprocity: never to_assess" in m for m in missing), missing


# ---------------------------------------------------------------- quotations in the cases
# A « quotation » in a case's ``basis`` must be the text as published, found in the law/ file of
# the provision it cites (its paragraphs, any version; whitespace, apostrophes and « œ »
# normalised; « … » or « [...] » separates the pieces of an elided quotation). A paraphrase is
# written without guillemets.
LAW = Path(__file__).resolve().parent.parent / "law"
_FOLDERS = {"CPP": ["cpp", "generated/cpp"], "CP": ["cp"], "CVRC": ["cvrc"], "STE 112": ["ste112"],
            "STE 167": ["ste167"], "DC 2008/909": ["dc2008-909"], "CETS 222": ["cets222"], "CPP-2029": ["cpp2029"]}


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s)
    for a, b in (("’", "'"), ("‘", "'"), ("\u00a0", " "), ("\u202f", " "), ("œ", "oe"),
                 ("Œ", "Oe"), ("“", '"'), ("”", '"')):
        s = s.replace(a, b)
    return re.sub(r"\s+", " ", s).strip().lower()


def _law_files(citation: str) -> list[Path]:
    m = re.match(r"Circ\. 2025 (?:§([\d.]+)|n\. ?(\d+))", citation)
    if m:
        return [LAW / "generated" / "circ2025" / (f"{m.group(1)}.yaml" if m.group(1) else f"n{m.group(2)}.yaml")]
    for inst in sorted(_FOLDERS, key=len, reverse=True):
        m = re.match(re.escape(inst) + r"\s+(?:art\. )?([A-Z]?\d+(?:-\d+)*)", citation)
        if m:
            return [LAW / d / f"{m.group(1)}.yaml" for d in _FOLDERS[inst]]
    return []


def _published_text(files: list[Path]) -> str:
    out = []
    for f in files:
        if f.is_file():
            doc = yaml12.load(f.read_text(encoding="utf-8"))
            out += [p["text"] for v in doc.get("versions", []) for p in v.get("paragraphs", [])]
    return _norm("\n".join(out))


# the independent reviews (issue 12) are kept as their authors wrote them: they quote the
# research pack too (notes, English translations, bills), not only the texts of law/
REVIEWS_AS_WRITTEN = {"review_independent_1.yaml", "review_independent_2.yaml", "review_independent_3.yaml"}


def quotation_errors() -> list[str]:
    errs = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        if path.name in REVIEWS_AS_WRITTEN:
            continue
        for spec in load_cases(path):
            for b in spec["basis"]:
                for q in re.findall(r"«\s*(.*?)\s*»", b):
                    citation = b.split(" : ")[0].strip()
                    files = [f for f in _law_files(citation) if f.is_file()]
                    where = f"{path.name}: {spec['name'][:60]}…: {citation}: « {q} »"
                    if not files:
                        errs.append(f"{where}: the cited provision has no file in law/ "
                                    f"(quote a text of law/, or drop the guillemets)")
                        continue
                    text = _published_text(files)
                    pieces = [x for x in re.split(r"\s*(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*", q) if x.strip()]
                    bad = [x for x in pieces if _norm(x) not in text]
                    if bad:
                        errs.append(f"{where}: not in {files[0].relative_to(LAW.parent)}: {bad}")
    return errs


def test_quotations_in_the_cases_are_the_published_text():
    errs = quotation_errors()
    assert not errs, "quotations not found as published:\n  " + "\n  ".join(errs)


def test_quotation_check_catches_a_paraphrase():
    """Negative control: the paraphrase once quoted for CPP 729-2 al. 1 is not its text; the
    text itself is, apostrophes and spaces normalised."""
    text = _published_text(_law_files("CPP 729-2 al. 1"))
    assert _norm("Lorsque la personne condamnée est de nationalité étrangère") not in text
    assert _norm("Lorsqu’un étranger  condamné à une peine privative de liberté") in text
    assert _law_files("parties.md (c)") == []

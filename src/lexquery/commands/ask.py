"""`lexquery ask CASE [--format text|json|turtle|jsonld] [--as-of DATE] [--explain]`.

CASE is a JSON file (one case or an array; ``-`` for standard input) in the public
case format, or a ``.lq`` file in the lexquery language when that module is present.
Exits 0 when every case could be answered (whatever the answer), 3 when a case is invalid
(its problems are printed, the other cases are still answered).
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

from ..errors import CaseError, InputError, UsageError


def register(sub):
    p = sub.add_parser("ask", help="quelles procédures s'appliquent à ce(s) cas ?")
    p.add_argument("case", help="fichier de cas (.json, tableau JSON, .jsonl, .lq) ou - pour l'entrée standard")
    p.add_argument("--format", "-f", choices=["text", "json", "turtle", "jsonld"], default="text")
    p.add_argument("--as-of", help="date d'évaluation (AAAA-MM-JJ), remplace celle du cas")
    p.add_argument("--explain", action="store_true", help="montrer tout l'arbre du raisonnement")
    p.add_argument("--lang", choices=["fr", "en"], default="fr")
    p.set_defaults(func=run)


def looks_like_lq(text: str) -> bool:
    """Standard input in the lexquery language rather than JSON (JSON starts with { or [)."""
    body = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#")).lstrip("\ufeff \t\r\n")
    return bool(body) and body[0] not in "{["


def load_lq(path: str, stdin_text: str | None = None):
    """The .lq document named by ``path`` (or on standard input), else None.
    The language's parser is imported only for such input (cold ``ask`` budget)."""
    if path == "-":
        if not looks_like_lq(stdin_text or ""):
            return None
        from .. import dsl
        return dsl.load(stdin_text, "<stdin>", implicit_id="stdin")
    if path.endswith(".lq") and Path(path).is_file():
        from .. import dsl
        return dsl.load_file(path)
    return None


def load_cases(path: str, stdin_text: str | None = None) -> tuple[list, str]:
    """Read raw case dicts from a file; returns (cases, label for messages)."""
    if path == "-":
        text, label = (sys.stdin.read() if stdin_text is None else stdin_text), "<stdin>"
    else:
        f = Path(path)
        if not f.exists():
            from ..errors import NotFoundError
            raise NotFoundError(f"fichier introuvable : {path}", hint="vérifiez le chemin")
        label = path
        if f.suffix == ".lq":
            try:
                from ..dsl import cases_from_file  # provided by the lexquery language module
            except ImportError:
                raise InputError("le langage lexquery (.lq) n'est pas encore disponible", where=path) from None
            return cases_from_file(f), label
        text = f.read_text(encoding="utf-8-sig")
    if path.endswith(".jsonl"):
        cases = []
        for i, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    cases.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise InputError(f"JSON illisible : {e.msg}", where=f"{label}:{i}:{e.colno}") from None
        return cases, label
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"JSON illisible : {e.msg}", where=f"{label}:{e.lineno}:{e.colno}",
                         expected="un objet cas ou un tableau de cas") from None
    return (data if isinstance(data, list) else [data]), label


def run(args) -> int:
    from ..engine.api import load_kb
    from ..render import render
    as_of = None
    if args.as_of:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            raise UsageError(f"date invalide pour --as-of : {args.as_of!r}", expected="AAAA-MM-JJ") from None
    stdin_text = sys.stdin.read() if args.case == "-" else None
    doc = load_lq(args.case, stdin_text)
    engine = load_kb()
    if doc is not None and args.format == "text":  # the language: answer its questions
        from .. import dsl
        sys.stdout.write(dsl.run(doc, engine, explain=args.explain, as_of=as_of) + "\n")
        return 0
    if doc is not None:
        raw, label = doc.case_dicts(), ("<stdin>" if args.case == "-" else args.case)
    else:
        raw, label = load_cases(args.case, stdin_text)
    answers, failed = [], 0
    for i, c in enumerate(raw):
        where = f"{label}[{i}]" if len(raw) > 1 else label
        try:
            answers.append(engine.ask(c, as_of, source=where))
        except CaseError as e:
            failed += 1
            print(e.render(), file=sys.stderr)
    if answers:
        single = len(raw) == 1 and not args.case.endswith(".jsonl")
        out = render(answers[0] if single else answers, args.format, explain=args.explain, lang=args.lang)
        sys.stdout.write(out + "\n")
    return CaseError.exit_code if failed else 0

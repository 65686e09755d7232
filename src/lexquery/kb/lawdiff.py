"""What changed in an article between two dates: the versions in force on each date
compared alinéa by alinéa (``lexquery law diff 729 --from DATE --to DATE``).

Alinéas are paired by label when both versions carry one (« I », « 1° »), else by rank;
a changed alinéa is shown word by word (difflib), with the rules that cite it.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date

from .provisions import KB, Provision, Version


@dataclass
class ParaChange:
    kind: str                   # "modifié" | "ajouté" | "supprimé" | "renuméroté" | "inchangé" | "non comparable (texte tronqué)"
    before: str | None          # citation in the old version (« CPP 729 al. 8 »)
    after: str | None
    old_text: str | None
    new_text: str | None
    words: str = ""             # [-removed-] {+added+}
    rules: list[str] = field(default_factory=list)


@dataclass
class Diff:
    provision: Provision
    at_from: date
    at_to: date
    old: Version | None
    new: Version | None
    changes: list[ParaChange]

    @property
    def same_version(self) -> bool:
        return self.old is self.new

    @property
    def comparable(self) -> bool:
        """Texts in one language (a translation is not compared with the French text)."""
        return self.old is not None and self.new is not None and self.old.language == self.new.language

    def to_dict(self) -> dict:
        def v(x):
            return None if x is None else {"id": x.id, "valid_from": x.valid_from and x.valid_from.isoformat(),
                                           "valid_until": x.valid_until and x.valid_until.isoformat(),
                                           "legiarti": x.legiarti, "truncated": x.truncated,
                                           "translation": x.translation, "language": x.language}
        return {"citation": self.provision.citation, "from": self.at_from.isoformat(), "to": self.at_to.isoformat(),
                "version_from": v(self.old), "version_to": v(self.new), "same_version": self.same_version,
                "comparable": self.comparable,
                "changes": [{"kind": c.kind, "before": c.before, "after": c.after, "old_text": c.old_text,
                             "new_text": c.new_text, "words": c.words, "rules": c.rules}
                            for c in self.changes if c.kind != "inchangé"]}


def word_diff(a: str, b: str) -> str:
    aw, bw = a.split(), b.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=aw, b=bw, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(" ".join(aw[i1:i2]))
        if op in ("delete", "replace"):
            out.append("[-" + " ".join(aw[i1:i2]) + "-]")
        if op in ("insert", "replace"):
            out.append("{+" + " ".join(bw[j1:j2]) + "+}")
    return " ".join(out)


def _pairs(old: Version, new: Version):
    if any(p.label for p in old.paragraphs) and any(p.label for p in new.paragraphs):
        ol = [p.label or f"#{p.n}" for p in old.paragraphs]
        nl = [p.label or f"#{p.n}" for p in new.paragraphs]
    else:
        ol = [" ".join(p.text.split()) for p in old.paragraphs]
        nl = [" ".join(p.text.split()) for p in new.paragraphs]
    sm = difflib.SequenceMatcher(a=ol, b=nl, autojunk=False)
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            yield from zip(old.paragraphs[i1:i2], new.paragraphs[j1:j2])
        elif op == "replace" and i2 - i1 == j2 - j1:
            yield from zip(old.paragraphs[i1:i2], new.paragraphs[j1:j2])
        else:   # unequal blocks: pair each old alinéa with the most similar new one, in order
            olds, news = old.paragraphs[i1:i2], new.paragraphs[j1:j2]
            j = 0
            for a in olds:
                best, score = None, 0.5
                for k in range(j, len(news)):
                    r = difflib.SequenceMatcher(a=a.text.split(), b=news[k].text.split(), autojunk=False).ratio()
                    if r > score:
                        best, score = k, r
                if best is None:
                    yield a, None
                    continue
                for k in range(j, best):
                    yield None, news[k]
                yield a, news[best]
                j = best + 1
            for k in range(j, len(news)):
                yield None, news[k]


def diff(kb: KB, p: Provision, at_from: date, at_to: date) -> Diff:
    old, new = kb.version_at(p, at_from), kb.version_at(p, at_to)
    changes: list[ParaChange] = []
    if old is not None and new is not None and old is not new and old.language == new.language:
        rules = {}
        for u in kb.rules_by_article.get(p.citation, []):
            rules.setdefault(u.citation, []).append(u)

        def users(para, day):
            if para is None:
                return set()
            return {u.where for c in para.citations for u in rules.get(c, [])
                    if (u.valid_from is None or u.valid_from <= day) and (u.valid_until is None or day <= u.valid_until)}
        for a, b in _pairs(old, new):
            ta = " ".join(a.text.split()) if a else None
            tb = " ".join(b.text.split()) if b else None
            kind = ("inchangé" if a.n == b.n else "renuméroté") if ta == tb else \
                "ajouté" if a is None else "supprimé" if b is None else "modifié"
            # where a stored text is cut, what follows the cut cannot be compared
            cut_old = old.truncated and (a is None or a is old.paragraphs[-1])
            cut_new = new.truncated and (b is None or b is new.paragraphs[-1])
            if kind not in ("inchangé", "renuméroté") and (cut_old or cut_new):
                kind = "non comparable (texte tronqué)"
            changes.append(ParaChange(kind, a.citations[-1] if a else None, b.citations[-1] if b else None, ta, tb,
                                      word_diff(ta, tb) if kind == "modifié" else "",
                                      sorted(users(a, at_from) | users(b, at_to))))
    return Diff(p, at_from, at_to, old, new, changes)

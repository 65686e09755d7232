"""The 2029 code's correspondence (issue 13, item 3): which article of the code rewritten by
ordonnance n° 2025-1091 (in force on 1 January 2029) takes over each provision the rules
cite — ``law/cpp2029/correspondence.yaml``, one entry per old citation:

- ``settled``: the stored Journal officiel text gives the new number next to a text that
  restates the old one — answers from the new code's entry into force cite the new article
  with the old one beside it;
- ``inferred`` / ``unsettled``: the number comes from a cross-reference only, or is not
  given, or the substance may have changed — the old citation stays and the answer lists it
  « à vérifier ».

Read without the provision index (small YAML, once per process) so that the engine can use
it on every answer.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import yaml12
from ..paths import home


@dataclass(frozen=True)
class Succession:
    old: str
    new: str | None
    status: str                     # settled | inferred | unsettled
    mark: str = "U"
    same_substance: bool | None = None
    source: str = ""
    note: str = ""
    note_en: str = ""     # the same note in English (issue 15 item 7)

    @property
    def settled(self) -> bool:
        return self.status == "settled" and bool(self.new) and self.same_substance is not False


@dataclass
class Table:
    instrument: str = "CPP"
    successor: str = "CPP2029"
    in_force: date | None = None
    label: dict = field(default_factory=dict)
    source: str = ""
    file: str = ""
    entries: dict[str, Succession] = field(default_factory=dict)

    def applies(self, day: date) -> bool:
        return self.in_force is not None and day >= self.in_force

    def concerns(self, citation: str) -> bool:
        """A citation of the instrument the new code replaces (« CPP 729-2 al. 1 », « CPP D541 »)."""
        return citation.startswith(self.instrument + " ")

    def of(self, citation: str) -> Succession | None:
        return self.entries.get(citation)


def correspondence_file(root: Path | None = None) -> Path:
    return (root or home()) / "law" / "cpp2029" / "correspondence.yaml"


@functools.lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> Table:
    from .parsed_cache import parsed
    p = Path(path)
    try:   # the file's parsing kept between processes (parsed_cache): yaml imported only to parse it
        doc = parsed(p, yaml12.load, yaml12.READER) or {}
    except OSError:
        return Table()
    except Exception as e:
        import yaml
        if not isinstance(e, yaml.YAMLError):
            raise
        return Table()
    c = doc.get("correspondence") or {}
    t = Table(instrument=str(c.get("instrument", "CPP")), successor=str(c.get("successor", "CPP2029")),
              in_force=c.get("in_force") if isinstance(c.get("in_force"), date) else None,
              label=c.get("label") or {}, source=str(c.get("source") or ""), file=str(p))
    for e in c.get("entries") or []:
        if not isinstance(e, dict) or not e.get("old"):
            continue
        s = Succession(str(e["old"]), str(e["new"]) if e.get("new") else None, str(e.get("status", "unsettled")),
                       str(e.get("mark", "U")), e.get("same_substance"), str(e.get("source") or ""),
                       str(e.get("note") or ""), str(e.get("note_en") or ""))
        t.entries[s.old] = s
    return t


def load(root: Path | None = None) -> Table:
    """The correspondence table (an empty one when the file is absent)."""
    f = correspondence_file(root)
    try:
        mtime = f.stat().st_mtime
    except OSError:
        return Table()
    return _load(str(f), mtime)

"""Legifrance's open data (base LEGI, DILA) read into ``law/`` versions (issue 13, item 4).

One LEGI article file is one *version* of an article, in DILA's documented XML:

    <ARTICLE>
      <META>
        <META_COMMUN><ID>LEGIARTI…</ID><ANCIEN_ID/><ORIGINE>LEGI</ORIGINE>
          <URL>article/LEGI/ARTI/…/LEGIARTI….xml</URL><NATURE>Article</NATURE></META_COMMUN>
        <META_SPEC><META_ARTICLE><NUM>729-2</NUM><ETAT>VIGUEUR</ETAT>
          <DATE_DEBUT>2016-03-09</DATE_DEBUT><DATE_FIN>2999-01-01</DATE_FIN>
          <TYPE>AUTONOME</TYPE></META_ARTICLE></META_SPEC>
      </META>
      <CONTEXTE><TEXTE cid="LEGITEXT000006071154" …><TITRE_TXT …>Code de procédure pénale</TITRE_TXT>
        <TM><TITRE_TM id="LEGISCTA…">Partie législative</TITRE_TM><TM>…</TM></TM></TEXTE></CONTEXTE>
      <VERSIONS><VERSION etat="…"><LIEN_ART debut="…" fin="…" id="LEGIARTI…" num="…"/></VERSION>…</VERSIONS>
      <NOTA><CONTENU>…</CONTENU></NOTA>
      <BLOC_TEXTUEL><CONTENU><p>…</p>… (or text separated by <br/>)</CONTENU></BLOC_TEXTUEL>
      <LIENS><LIEN typelien="MODIFIE" sens="source" …>LOI n°… - art. …</LIEN>…</LIENS>
    </ARTICLE>

``DATE_FIN`` is the first day the version is no longer in force (the next version's
``DATE_DEBUT``); 2999-01-01 means « no end ». ``law/`` stores the last day in force
(``valid_until`` inclusive), so ``valid_until = DATE_FIN - 1 day``.

Only the standard library's XML parser is used (no network, no external entity: expat does
not fetch them, and ``defusedxml`` is used when it is installed).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

try:  # pragma: no cover - optional hardening
    from defusedxml import ElementTree as ET   # type: ignore
except ImportError:  # the stdlib parser: expat never resolves external entities
    import xml.etree.ElementTree as ET   # noqa: N817

from ..errors import InputError

# LEGITEXT ids of the codes the KB holds (Legifrance: « Code de procédure pénale », « Code pénal »)
CODES = {"LEGITEXT000006071154": "CPP", "LEGITEXT000006070719": "CP"}
NO_END = date(2999, 1, 1)
ETATS_IN_FORCE = {"VIGUEUR", "VIGUEUR_DIFF", "VIGUEUR_ETEN", "VIGUEUR_NON_ETEN"}
ETATS_ENDED = {"MODIFIE", "MODIFIE_MORT_NE", "ABROGE", "ABROGE_DIFF", "TRANSFERE", "PERIME",
               "ANNULE", "DISJOINT", "SUBSTITUE"}
_ITEM = re.compile(r"^\s*((?:[IVX]+|\d+)(?:\s*°|\.|\s*-)|[a-z]\))\s*")


@dataclass
class LegiArticle:
    """One version of an article, as the LEGI file gives it."""
    legiarti: str
    num: str
    etat: str
    date_debut: date | None
    date_fin: date | None
    code_cid: str | None
    code_title: str | None
    hierarchy: list[str]
    paragraphs: list[dict]          # [{"text": …, "label": …?}]
    nota: list[str] = field(default_factory=list)
    amended_by: list[str] = field(default_factory=list)
    versions: list[dict] = field(default_factory=list)   # the other versions the file lists
    path: str = ""

    @property
    def instrument(self) -> str | None:
        return CODES.get(self.code_cid or "")

    @property
    def valid_from(self) -> date | None:
        return self.date_debut

    @property
    def valid_until(self) -> date | None:
        if self.date_fin is None or self.date_fin >= NO_END:
            return None
        return self.date_fin - timedelta(days=1)

    @property
    def official_link(self) -> str:
        return f"https://www.legifrance.gouv.fr/codes/article_lc/{self.legiarti}"


def _date(s: str | None) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(s.strip())
    except ValueError:
        return None


def _text_of(el) -> str:
    return "".join(el.itertext()) if el is not None else ""


_BLOCK_TAGS = {"p", "P", "div", "DIV", "br", "BR", "li", "LI", "tr", "TR", "blockquote", "BLOCKQUOTE"}


def paragraphs_of(contenu) -> list[str]:
    """The operative text cut into paragraphs: one per ``<p>`` (or ``<div>``, list item, table
    row), and ``<br/>`` also ends a paragraph (older LEGI files separate alinéas with it)."""
    if contenu is None:
        return []
    out: list[str] = []
    buf: list[str] = []

    def flush():
        t = " ".join("".join(buf).split())
        if t:
            out.append(t)
        buf.clear()

    def walk(el, top=False):
        if not top and el.tag in _BLOCK_TAGS:
            flush()
        if el.text:
            buf.append(el.text)
        for ch in el:
            walk(ch)
            if ch.tail:
                buf.append(ch.tail)
        if not top and el.tag in _BLOCK_TAGS:
            flush()
    walk(contenu, top=True)
    flush()
    return out


def _label(text: str) -> tuple[str | None, str]:
    """« 1° La personne … » → ("1°", "La personne …"); « II. - Lorsque … » → ("II", "Lorsque …").
    law/ keeps the item label apart from the text (docs/design.md)."""
    m = re.match(r"^\s*(\d+°)\s*", text)
    if m:
        return m.group(1), text[m.end():]
    m = re.match(r"^\s*([IVX]+)\s*\.?\s*[-–]\s*", text)
    if m:
        return m.group(1), text[m.end():]
    m = re.match(r"^\s*([a-z]\))\s*", text)
    if m:
        return m.group(1), text[m.end():]
    return None, text


def parse_article(data: bytes | str, path: str = "") -> LegiArticle:
    """One LEGI article file → :class:`LegiArticle`; InputError names the file and the tag."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as e:
        raise InputError(f"XML LEGI illisible : {e}", where=path or "<xml>",
                         expected="un fichier d'article de la base LEGI (<ARTICLE> … </ARTICLE>)") from None
    if root.tag != "ARTICLE":
        raise InputError(f"élément racine <{root.tag}> : ce n'est pas un fichier d'article LEGI", where=path,
                         expected="<ARTICLE> (les fichiers de section <SECTION_TA> et de texte sont ignorés)")
    ident = (root.findtext("META/META_COMMUN/ID") or "").strip()
    num = (root.findtext("META/META_SPEC/META_ARTICLE/NUM") or "").strip()
    if not ident or not num:
        raise InputError("article LEGI sans identifiant (META_COMMUN/ID) ou sans numéro (META_ARTICLE/NUM)",
                         where=path, expected="META/META_COMMUN/ID et META/META_SPEC/META_ARTICLE/NUM")
    meta = root.find("META/META_SPEC/META_ARTICLE")
    texte = root.find("CONTEXTE/TEXTE")
    cid = texte.get("cid") if texte is not None else None
    title = None
    if texte is not None:
        tt = texte.find("TITRE_TXT")
        if tt is not None:
            title = tt.get("c_titre_court") or _text_of(tt).strip() or None
            cid = cid or tt.get("id_txt")
    hierarchy = [" ".join(_text_of(t).split()) for t in root.iter("TITRE_TM")]
    paras = []
    part = None
    for t in paragraphs_of(root.find("BLOC_TEXTUEL/CONTENU")):
        label, body = _label(t)
        if label and re.fullmatch(r"[IVX]+", label):
            part = label
        elif label and part and label.endswith("°"):
            label = f"{part} {label}"     # an item of a part: « CPP 720 I 1° » (docs/design.md)
        paras.append({"label": label, "text": body} if label else {"text": body})
    nota = paragraphs_of(root.find("NOTA/CONTENU"))
    amended = []
    for lien in root.iter("LIEN"):
        if lien.get("sens") == "source" and lien.get("typelien") in ("MODIFIE", "CREE", "CREATION", "MODIFICATION"):
            t = " ".join(_text_of(lien).split())
            if t and t not in amended:
                amended.append(t)
    versions = [{"id": la.get("id"), "debut": la.get("debut"), "fin": la.get("fin"), "etat": la.get("etat")}
                for la in root.iter("LIEN_ART")]
    return LegiArticle(ident, num, (meta.findtext("ETAT") or "").strip() if meta is not None else "",
                       _date(meta.findtext("DATE_DEBUT")) if meta is not None else None,
                       _date(meta.findtext("DATE_FIN")) if meta is not None else None,
                       cid, title, hierarchy, paras, nota, amended, versions, path)


def read_path(path: Path) -> tuple[list[LegiArticle], list[tuple[str, str]]]:
    """An article file, or a directory of the dump (searched recursively for ``*.xml``):
    the articles read, and (file, why) for each file skipped."""
    path = Path(path)
    if not path.exists():
        from ..errors import NotFoundError
        raise NotFoundError(f"chemin introuvable : {path}", hint="donner un fichier d'article LEGI (.xml) ou un dossier du dump")
    files = [path] if path.is_file() else sorted(path.rglob("*.xml"))
    arts, skipped = [], []
    for f in files:
        data = f.read_bytes()
        head = data[:4096].lstrip()
        if b"<ARTICLE" not in head:
            skipped.append((str(f), "pas un fichier d'article (<ARTICLE>)"))
            continue
        arts.append(parse_article(data, str(f)))
    return arts, skipped

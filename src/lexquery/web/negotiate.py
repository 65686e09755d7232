"""HTTP content negotiation (RFC 9110 §12.5.1 ``Accept``): which of the offered media types a
client prefers — used by the SPARQL endpoint (SPARQL 1.1 Protocol §2.1.4) and by the linked-data
IRIs (``/law/…``, W3C « Cool URIs for the Semantic Web »)."""
from __future__ import annotations


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """``[(media range, q, order)]``; an absent or empty header accepts everything (``*/*``)."""
    if not header or not header.strip():
        return [("*/*", 1.0, 0)]
    out = []
    for i, part in enumerate(header.split(",")):
        bits = [b.strip() for b in part.split(";")]
        kind = bits[0].lower()
        if not kind:
            continue
        if "/" not in kind:
            kind = "*/*" if kind == "*" else kind + "/*"
        q = 1.0
        for b in bits[1:]:
            if b.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(b[2:])))
                except ValueError:
                    q = 0.0
        out.append((kind, q, i))
    return out


def _specificity(media_range: str, offer: str) -> int | None:
    """3 exact, 2 ``type/*``, 1 ``*/*``; None when the range does not cover the offer."""
    if media_range == offer:
        return 3
    t, _, s = media_range.partition("/")
    if s == "*" and t != "*" and offer.startswith(t + "/"):
        return 2
    if media_range == "*/*":
        return 1
    return None


def choose(header: str | None, offers: list[str]) -> str | None:
    """The offer the client prefers (highest q of its most specific matching range; ties: the
    client's order, then ours); None when every offer is refused (→ 406 Not Acceptable)."""
    ranges = parse_accept(header)
    best, best_key = None, None
    for rank, offer in enumerate(offers):
        match = None
        for media_range, q, order in ranges:
            spec = _specificity(media_range, offer)
            if spec is not None and (match is None or spec > match[0]):
                match = (spec, q, order)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], match[0] == 3, -match[2] if match[0] == 3 else 0, -rank)
        if best_key is None or key > best_key:
            best, best_key = offer, key
    return best

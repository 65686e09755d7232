"""The ids seen in a screening file, kept compactly (screening/columnar_ids.py): the same answers
as the dict they replace (an id already seen is a duplicate of its first line,
docs/screening-csv.md), whether ids come by blocks (the columnar reader) or one by one (the
scalar reader), and two ids with the same hash are still two ids."""
import random

import pytest

from lexquery.screening import columnar_ids as C


def _drive(seed, monkeypatch):
    monkeypatch.setattr(C, "SPILL", 50)
    rnd = random.Random(seed)
    seen, ref = C.SeenIds(), {}
    for blk in range(80):
        ids = list(dict.fromkeys(f"X{rnd.randrange(4000)}" for _ in range(rnd.randrange(0, 120))))
        disjoint = seen.isdisjoint(ids)
        assert disjoint == ref.keys().isdisjoint(ids)
        if disjoint and rnd.random() < 0.5:
            lines = list(range(blk * 1000, blk * 1000 + len(ids)))
            seen.add_block(ids, lines)
            ref.update(zip(ids, lines))
        else:
            for j, rid in enumerate(ids):
                if seen.get(rid) is None:
                    seen[rid] = ref[rid] = blk * 1000 + j
        for rid in ids + ["absent"]:
            assert seen.get(rid) == ref.get(rid)
            assert (rid in seen) == (rid in ref)
    assert len(seen) == len(ref)
    return seen


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_same_answers_as_a_dict(seed, monkeypatch):
    seen = _drive(seed, monkeypatch)
    assert len(seen.runs) < 12   # runs merged as they grow


def test_equal_hashes_are_told_apart_by_the_text(monkeypatch):
    monkeypatch.setattr(C, "_hash", len)   # every id of a length collides
    _drive(3, monkeypatch)
    seen = C.SeenIds()
    seen.add_block(["AB", "CD"], [2, 3])
    assert seen.isdisjoint(["EF", "GH"]) and not seen.isdisjoint(["EF", "CD"])
    assert seen.get("CD") == 3 and seen.get("EF") is None


def test_ids_beyond_ascii_and_lines_that_do_not_follow(monkeypatch):
    """Ids of any text (accents, non-Latin, a lone surrogate of a mis-decoded byte) keep their own
    line, whether a block's lines follow one another (kept as the first) or not."""
    monkeypatch.setattr(C, "_hash", lambda s: len(s) << 32)   # equal in their low 32 bits: all collide
    seen = C.SeenIds()
    a = ["Zoë-1", "Ωμέγα-2", "丁-3", "x\udcff"]
    seen.add_block(a, [10, 11, 12, 13])
    b = ["Zoë-2", "é", "plain"]
    seen.add_block(b, [20, 25, 21])
    for rid, line in [*zip(a, [10, 11, 12, 13]), *zip(b, [20, 25, 21])]:
        assert seen.get(rid) == line
    assert seen.get("Zoe-1") is None and seen.get("x\udcfe") is None and seen.get("Zoë") is None
    assert not seen.isdisjoint(["new", "丁-3"]) and seen.isdisjoint(["new", "丁-4"])
    assert isinstance(seen.lines[0], int) and not isinstance(seen.lines[1], int)


def test_a_million_ids_cost_about_thirty_bytes_each():
    """The arrays kept for 1,000,000 synthetic ids (15 characters) and their lines: ≈ 27 bytes an
    id (the text once, 32-bit hash, index and offset; consecutive lines as one number), not the
    ≈ 82 of 64-bit hashes, lines and polars text columns."""
    seen = C.SeenIds()
    for k in range(0, 1_000_000, 10_000):
        seen.add_block([f"FLE-2026-{i:06d}" for i in range(k, k + 10_000)], range(k + 2, k + 10_002))
    held = (len(seen.text) + sum(o.nbytes for o in seen.offsets) + sum(h.nbytes + i.nbytes for h, i in seen.runs)
            + sum(getattr(x, "nbytes", 8) for x in seen.lines))
    assert held / 1_000_000 < 30, held
    assert seen.get("FLE-2026-123456") == 123458 and seen.get("FLE-2026-1234567") is None


@pytest.mark.parametrize("seed", [3, 4])
def test_add_if_new_adds_a_block_only_when_no_id_was_seen(seed, monkeypatch):
    """``add_if_new`` (what the columnar reader asks of a block: the ids hashed once) is
    ``isdisjoint`` then ``add_block``: a block with one id seen before adds nothing."""
    monkeypatch.setattr(C, "SPILL", 50)
    rnd = random.Random(seed)
    seen, ref = C.SeenIds(), {}
    added = refused = 0
    for blk in range(60):
        ids = list(dict.fromkeys(f"Y{rnd.randrange(3000)}" for _ in range(rnd.randrange(0, 90))))
        lines = list(range(blk * 1000, blk * 1000 + len(ids)))
        new = ref.keys().isdisjoint(ids)
        assert seen.add_if_new(ids, lines) == new
        if new:
            ref.update(zip(ids, lines))
            added += bool(ids)
        else:
            refused += 1
            rid = rnd.choice(ids)
            if rid not in ref:   # one by one, as the scalar reader
                seen[rid] = ref[rid] = blk * 1000
        for rid in ids + ["absent"]:
            assert seen.get(rid) == ref.get(rid)
    assert len(seen) == len(ref) and added > 5 and refused > 5


def test_a_seen_id_among_new_ones_is_found_wherever_its_hash_sorts():
    """The runs are searched with a block's hashes sorted (``_disjoint``): a hash found there
    is checked against its own id, not the id at its sorted position."""
    seen = C.SeenIds()
    old = [f"OLD-{i}" for i in range(200)]
    seen.add_block(old, list(range(2, 202)))
    fresh = [f"NEW-{i}" for i in range(200)]
    for k in (0, 37, 99, 150, 199):
        for rid in (old[k], old[199 - k]):
            ids = fresh[:k] + [rid] + fresh[k:]
            assert not seen.isdisjoint(ids), (k, rid)
            assert not seen.add_if_new(ids, list(range(1000, 1201)))
    assert seen.isdisjoint(fresh) and len(seen) == 200

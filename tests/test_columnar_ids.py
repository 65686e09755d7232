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

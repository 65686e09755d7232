"""What a person types and reads on the command line (issue 15 item 9): `sources --grep`
ignores accents and case, `reference` writes the State with its French article."""
from __future__ import annotations

from lexquery.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out


def test_sources_grep_ignores_accents_and_case(capsys):
    code, plain = run(capsys, "sources", "--grep", "eloignement")
    assert code == 0
    code, accented = run(capsys, "sources", "--grep", "ÉLOIGNEMENT")
    assert plain == accented
    assert "CPP 729-2" in plain            # « mesure d'éloignement » in its title or text


def test_reference_writes_the_state_with_its_article(capsys):
    code, out = run(capsys, "reference", "STE112", "GE", "--at", "2026-01-01")
    assert code == 0
    assert "entre la France et la Géorgie (GE)" in out
    code, out = run(capsys, "reference", "EU", "IT", "--at", "2026-01-01")
    assert out.startswith("L'Italie (IT) : État membre")
    code, out = run(capsys, "reference", "BILATERAL", "MA", "--at", "2026-01-01")
    assert "entre la France et le Maroc (MA)" in out

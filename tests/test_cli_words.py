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


def test_ask_jsonl_one_answer_a_line(capsys, tmp_path):
    import json
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    lot = tmp_path / "lot.json"
    cases = [json.loads((root / "examples" / f).read_text(encoding="utf-8"))
             for f in ("ionescu.json", "benali-maroc.json")]
    lot.write_text(json.dumps(cases), encoding="utf-8")
    code, out = run(capsys, "ask", str(lot), "--format", "jsonl")
    lines = out.strip().split("\n")
    assert code == 0 and len(lines) == 2
    code, arr = run(capsys, "ask", str(lot), "--format", "json")
    assert [json.loads(l) for l in lines] == json.loads(arr)


def test_kb_query_tsv(capsys, tmp_path):
    q = tmp_path / "q.rq"
    q.write_text('PREFIX lq: <https://w3id.org/lexquery/ontology#>\n'
                 'SELECT DISTINCT ?c WHERE { ?x lq:citation ?c FILTER(?c = "CPP 729-2 al. 1") }', encoding="utf-8")
    code, out = run(capsys, "kb", "query", str(q), "--format", "tsv")
    assert code == 0
    assert out.strip().split("\n") == ["c", "CPP 729-2 al. 1"]


def test_article_speaks_french_and_labels_english_research_notes(capsys):
    code, out = run(capsys, "article", "729-2")
    assert code == 0
    assert "Confiance : assez élevée" in out or "Confiance : élevée" in out
    assert "Confiance : high" not in out and "Version current" not in out
    for line in out.splitlines():
        if line.startswith("  ? ") and " the " in line:
            assert "(note de recherche, en anglais)" in line, line


def test_lengths_in_words(tmp_path, capsys):
    """« durée totale : trois ans » is read as 3 years (was « une seule valeur attendue »)."""
    import json
    for words, iso in (("trois ans", "P3Y"), ("dix-huit mois", "P18M"), ("deux ans et six mois", "P2Y6M"),
                       ("un an", "P1Y")):
        f = tmp_path / "t.lq"
        f.write_text(f"cas t\ndurée totale : {words}\n", encoding="utf-8")
        code, out = run(capsys, "convert", str(f), "--to", "json")
        assert code == 0 and json.loads(out)["sentence"]["total"] == iso, (words, out)

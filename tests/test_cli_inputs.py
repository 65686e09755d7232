"""Bad input to `ask`, `validate`, `convert`, `check` and `screen` gets a message for a person
(where, what was expected, what to do) and the exit code of README.md, never an internal
error: values that are not cases, JSON nested too deep, repeated keys and repeated ids,
empty files, folders given as files, outputs that cannot be written. Also: the shape of
`ask --format json` (an array for an array, an object for an object), the note for the
questions of a .lq file outside the text format, and examples in `ask --help` and
`convert --help`."""
import json
from pathlib import Path

import pytest

from lexquery.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
IONESCU = json.loads((EXAMPLES / "ionescu.json").read_text(encoding="utf-8"))


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "erreur interne" not in err and "Traceback" not in err
    return code, out, err


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ---- 1. a value that is not a case --------------------------------------------------------------
@pytest.mark.parametrize("text, shown", [("42", "42"), ("null", "null"), ('"x"', '"x"')])
@pytest.mark.parametrize("command", ["ask", "validate", "convert"])
def test_a_json_value_that_is_not_an_object_is_not_a_case(tmp_path, capsys, command, text, shown):
    f = _write(tmp_path, "v.json", text)
    code, _, err = _run(capsys, command, f)
    assert code == 3
    assert f"erreur: cas invalide (1 problème(s)) dans {f}\n" in err
    assert f"  - $: objet JSON attendu pour un cas, trouvé {shown} " in err


@pytest.mark.parametrize("text, shown", [("[42]", "42"), ("[[]]", "[]")])
@pytest.mark.parametrize("command", ["ask", "convert"])
def test_an_array_item_that_is_not_an_object_is_named_by_its_index(tmp_path, capsys, command, text, shown):
    f = _write(tmp_path, "v.json", text)
    code, _, err = _run(capsys, command, f)
    assert code == 3
    assert f"dans {f}[0]\n  - $: objet JSON attendu pour un cas, trouvé {shown} " in err


def test_validate_reports_an_array_item_that_is_not_an_object_as_a_finding_of_that_case(tmp_path, capsys):
    f = _write(tmp_path, "v.json", json.dumps([IONESCU, None]))
    code, out, _ = _run(capsys, "validate", f, "--format", "json", "--jobs", "1")
    reports = json.loads(out)
    assert code == 6 and [r["source"] for r in reports] == [f"{f}[0]", f"{f}[1]"]
    assert reports[0]["conforms"] and not reports[1]["conforms"]
    assert [(r["where"], r["message"]) for r in reports[1]["results"]] == \
        [("$", "objet JSON attendu pour un cas, trouvé null")]


# ---- 2. nesting ----------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["ask", "validate", "convert"])
def test_json_nested_too_deep_is_refused_with_the_limit_of_the_api(tmp_path, capsys, command):
    f = _write(tmp_path, "deep.json", "[" * 100_000)
    code, _, err = _run(capsys, command, f)
    assert code == 3
    assert err.startswith(f"erreur: JSON trop imbriqué : plus de 32 niveaux d'imbrication\n  --> {f}\n")
    assert "= aide : vérifiez que c'est bien un fichier de cas" in err


def test_nesting_under_the_recursion_limit_is_still_refused_at_32_levels(tmp_path, capsys):
    case = dict(IONESCU, extensions={"x": json.loads("[" * 40 + "]" * 40)})
    f = _write(tmp_path, "cas.json", json.dumps(case))
    code, _, err = _run(capsys, "ask", f)
    assert code == 3 and "JSON trop imbriqué" in err and f"{f}: extensions.x[0]" in err


def test_the_limit_is_the_one_of_the_http_api():
    pytest.importorskip("starlette")
    from lexquery.casefiles.json_text import MAX_DEPTH
    from lexquery.web.body import MAX_DEPTH as API
    assert MAX_DEPTH == API


def test_a_deep_json_line_is_a_finding_of_its_line(tmp_path, capsys):
    f = _write(tmp_path, "lot.jsonl", json.dumps(IONESCU) + "\n" + "[" * 100_000 + "\n")
    code, out, _ = _run(capsys, "validate", f, "--jobs", "1")
    assert code == 6
    assert f"{f}:1 — cas « ionescu-2026 » : conforme" in out
    assert f"{f}:2" in out and "JSON trop imbriqué" in out


# ---- 3. identifiers unique within a batch --------------------------------------------------------
def _dup_json(tmp_path):
    other = dict(IONESCU, id="autre")
    return _write(tmp_path, "lot.json", json.dumps([IONESCU, other, IONESCU], indent=1))


def test_ask_refuses_the_second_use_of_an_id_and_answers_the_others(tmp_path, capsys):
    f = _dup_json(tmp_path)
    code, out, err = _run(capsys, "ask", f, "--format", "json")
    assert code == 3
    assert [a["case"] for a in json.loads(out)] == ["ionescu-2026", "autre"]
    assert (f"erreur: cas invalide (1 problème(s)) dans {f}[2]\n"
            f"  - id: identifiant « ionescu-2026 » déjà utilisé par le cas [0] (ligne 3) "
            f"(attendu : un identifiant unique par cas dans le fichier (format des cas)) "
            f"— donnez à ce cas un autre identifiant, par exemple « ionescu-2026-2 »") in err


def test_validate_reports_a_repeated_id_as_a_finding_of_that_case(tmp_path, capsys):
    f = _dup_json(tmp_path)
    code, out, _ = _run(capsys, "validate", f, "--format", "json", "--jobs", "1")
    reports = json.loads(out)
    assert code == 6 and [r["conforms"] for r in reports] == [True, True, False]
    bad = [r for r in reports[2]["results"] if r["severity"] == "violation"]
    assert [(r["where"], r["message"]) for r in bad] == \
        [("id", "identifiant « ionescu-2026 » déjà utilisé par le cas [0] (ligne 3)")]


@pytest.mark.parametrize("command, code", [("ask", 3), ("validate", 6)])
def test_a_repeated_id_in_json_lines_names_the_line(tmp_path, capsys, command, code):
    f = _write(tmp_path, "lot.jsonl", (json.dumps(IONESCU) + "\n") * 2)
    got, out, err = _run(capsys, command, f)
    assert got == code
    assert "identifiant « ionescu-2026 » déjà utilisé par le cas de la ligne 1" in out + err
    assert f"{f}:2" in out + err


# ---- 4. the shape of the JSON answer -------------------------------------------------------------
@pytest.mark.parametrize("name, text, shape", [
    ("un.json", json.dumps(IONESCU), dict),
    ("tableau.json", json.dumps([IONESCU]), list),
    ("lignes.jsonl", json.dumps(IONESCU) + "\n", list),
])
def test_an_array_gives_an_array_and_an_object_an_object(tmp_path, capsys, name, text, shape):
    f = _write(tmp_path, name, text)
    code, out, _ = _run(capsys, "ask", f, "--format", "json")
    assert code == 0 and isinstance(json.loads(out), shape)


def test_the_rule_of_the_shape_is_in_the_help(capsys):
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    out = capsys.readouterr().out
    assert "un tableau pour un tableau JSON (même d'un seul cas) ou un fichier .jsonl" in out


# ---- 5. questions of a .lq file outside the text format ------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "turtle"])
def test_questions_outside_the_text_format_get_a_note(capsys, fmt):
    code, out, err = _run(capsys, "ask", EXAMPLES / "ionescu.lq", "--format", fmt)
    assert code == 0 and out
    assert (f"note : les 11 questions de {EXAMPLES / 'ionescu.lq'} ne sont répondues qu'au format texte "
            f"(--format text) ; ici seuls les cas sont évalués, comme « quelles procédures ? »") in err


def test_no_note_without_questions(tmp_path, capsys):
    f = _write(tmp_path, "cas.lq", "cas dupont\nnationalités : Maroc\n")
    code, out, err = _run(capsys, "ask", f, "--format", "json")
    assert code == 0 and json.loads(out)["case"] == "dupont" and err == ""


# ---- 6. folders and outputs ----------------------------------------------------------------------
@pytest.mark.parametrize("command", ["ask", "validate", "convert", "check"])
def test_a_folder_is_not_a_case_file(tmp_path, capsys, command):
    code, _, err = _run(capsys, command, tmp_path)
    assert code == 5 and f"erreur: ce n'est pas un fichier mais un dossier : {tmp_path}\n" in err


@pytest.fixture
def registry(tmp_path):
    from lexquery.screening.synth import synth_text
    return _write(tmp_path, "registre.csv", synth_text(2, seed=1))


def test_screen_output_in_a_missing_folder(tmp_path, capsys, registry):
    out = tmp_path / "nulle-part" / "o.csv"
    code, _, err = _run(capsys, "screen", registry, "-o", out, "-q")
    assert code == 5 and f"erreur: dossier introuvable pour la sortie -o : {out.parent}\n" in err


def test_screen_output_with_an_unknown_extension(tmp_path, capsys, registry):
    out = tmp_path / "o.xyz"
    code, _, err = _run(capsys, "screen", registry, "-o", out, "-q")
    assert code == 2 and not out.exists()
    assert f"erreur: extension de sortie inconnue : {out}\n  = attendu : un fichier .csv .jsonl .json .html .ics\n" in err


def test_screen_output_with_an_unknown_extension_and_an_explicit_format(tmp_path, capsys, registry):
    out = tmp_path / "o.txt"
    code, _, _ = _run(capsys, "screen", registry, "-o", out, "--format", "csv", "-q")
    assert code == 0 and out.read_text(encoding="utf-8").startswith("line;")   # the input's separator (synth writes « ; »)


def test_screen_missing_input_does_not_empty_the_output(tmp_path, capsys):
    out = _write(tmp_path, "o.csv", "à garder\n")
    code, _, err = _run(capsys, "screen", tmp_path / "absent.csv", "-o", out, "-q")
    assert code == 5 and "fichier introuvable" in err and out.read_text(encoding="utf-8") == "à garder\n"


def test_convert_output_in_a_missing_folder(tmp_path, capsys):
    out = tmp_path / "nulle-part" / "cas.lq"
    code, _, err = _run(capsys, "convert", EXAMPLES / "ionescu.json", "-o", out)
    assert code == 5 and f"dossier introuvable pour la sortie -o : {out.parent}" in err


# ---- 7. no case ----------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["ask", "check", "convert", "validate"])
def test_an_empty_lq_file_is_an_error(tmp_path, capsys, command):
    f = _write(tmp_path, "vide.lq", "# rien encore\n")
    code, out, err = _run(capsys, command, f)
    assert code == 3 and out == ""
    assert err == (f"erreur: aucun cas dans le fichier\n  --> {f}\n"
                   "  = attendu : au moins un cas, commençant par « cas <identifiant> »\n"
                   "  = aide : le plus petit cas : « cas dupont-2026 » sur une ligne, puis ses faits, "
                   "ex. « nationalités : Maroc »\n")


@pytest.mark.parametrize("command", ["ask", "validate", "convert"])
def test_an_empty_json_array_is_an_error(tmp_path, capsys, command):
    f = _write(tmp_path, "vide.json", "[]")
    code, out, err = _run(capsys, command, f)
    assert code == 3 and out == ""
    assert err.startswith(f"erreur: aucun cas dans le fichier\n  --> {f}\n")
    assert '= aide : le plus petit cas : {"id": "dupont-2026"}' in err


def test_a_lq_file_of_questions_without_a_case_is_still_correct(tmp_path, capsys):
    f = _write(tmp_path, "q.lq", "article 728-11 ?\n")
    code, out, _ = _run(capsys, "check", f)
    assert code == 0 and "correct — 0 cas, 1 question(s)" in out


# ---- 8. a key given twice ------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["ask", "validate", "convert"])
def test_a_repeated_key_is_refused_with_its_path_and_line(tmp_path, capsys, command):
    f = _write(tmp_path, "cas.json", '[{"id": "a"},\n {"id": "b",\n  "person": {"name": "X", "name": "Y"}}]')
    code, _, err = _run(capsys, command, f)
    assert code == 3
    assert err == (f"erreur: clé « name » donnée deux fois dans le même objet ([1].person.name)\n"
                   f"  --> {f}:3:27\n"
                   "  = attendu : chaque clé une seule fois par objet\n"
                   "  = aide : la première est à la ligne 3, colonne 14 : gardez la bonne valeur et supprimez "
                   "l'autre (JSON ne garderait que la dernière, sans rien dire)\n")


def test_a_repeated_key_in_json_lines_is_a_finding_of_its_line(tmp_path, capsys):
    f = _write(tmp_path, "lot.jsonl", json.dumps(IONESCU) + '\n{"id": "a", "id": "b"}\n')
    code, out, _ = _run(capsys, "validate", f, "--jobs", "1")
    assert code == 6 and f"{f}:2:13" in out and "clé « id » donnée deux fois dans le même objet (id)" in out


# ---- 10. examples in --help ----------------------------------------------------------------------
@pytest.mark.parametrize("command, example", [
    ("ask", "lexquery ask examples/ionescu.json --as-of 2026-12-01"),
    ("convert", "lexquery convert examples/ionescu.json --to lq"),
])
def test_help_shows_examples(capsys, command, example):
    with pytest.raises(SystemExit) as e:
        main([command, "--help"])
    out = capsys.readouterr().out
    assert e.value.code == 0 and "exemples :" in out and example in out

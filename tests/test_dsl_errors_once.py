"""Each mistake of a .lq file is reported once: a wrong fact of a case is not reported
again for every `et si` question evaluated on that case."""
from pathlib import Path

from lexquery.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_a_mistake_in_a_case_is_reported_once_whatever_the_questions(tmp_path, capsys):
    text = (EXAMPLES / "ionescu.lq").read_text(encoding="utf-8")
    bad = text.replace("fin de peine prévisible : 1er avril 2028", "fin de peine prévisible : 1er avril 2024")
    assert bad != text and "et si" in bad
    f = tmp_path / "ionescu.lq"
    f.write_text(bad, encoding="utf-8")
    code = main(["check", str(f)])
    err = capsys.readouterr().err
    assert code == 3
    assert f"{f}:23:27" in err
    assert err.count("erreur: fin de peine 2024-04-01 antérieure au début d'exécution 2025-06-01") == 1
    assert "erreurs." not in err




def test_a_mistake_of_an_et_si_change_is_still_reported_at_its_place():
    from lexquery import dsl
    from lexquery.dsl import LqErrors
    text = (EXAMPLES / "ionescu.lq").read_text(encoding="utf-8") + "et si fin de peine prévisible : 1er avril 2024 ?\n"
    try:
        dsl.load(text, "t.lq")
    except LqErrors as e:
        assert [(x.span.line, x.message) for x in e.errors] == \
            [(text.count("\n"), "fin de peine 2024-04-01 antérieure au début d'exécution 2025-06-01")]
    else:
        raise AssertionError("the et si change should be refused")

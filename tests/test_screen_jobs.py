"""`lexquery screen` without --jobs: one process for a small export, every core for a large
one or for standard input (docs/performance.md: two processes only pay from ~1,000 rows)."""
import os

from lexquery.commands.screen import AUTO_PARALLEL_BYTES, default_jobs


def test_a_small_file_is_screened_in_one_process(tmp_path):
    f = tmp_path / "petit.csv"
    f.write_text("id;nationalities\nx;RO\n", encoding="utf-8")
    assert default_jobs(str(f)) == 1


def test_a_large_file_and_standard_input_use_every_core(tmp_path):
    f = tmp_path / "grand.csv"
    f.write_bytes(b"id;nationalities\n" + b"x;RO\n" * (AUTO_PARALLEL_BYTES // 5 + 1))
    cores = os.cpu_count() or 1
    assert default_jobs(str(f)) == cores
    assert default_jobs("-") == cores


def test_an_explicit_jobs_wins_over_the_default(tmp_path, monkeypatch):
    from lexquery.cli import main
    from lexquery.screening import screen as screening
    seen = []
    real = screening.screen
    monkeypatch.setattr(screening, "screen", lambda *a, **k: seen.append(k["jobs"]) or real(*a, **k))
    big = tmp_path / "grand.csv"
    big.write_bytes(b"id;nationalities\n" + b"".join(b"x%d;RO\n" % i for i in range(AUTO_PARALLEL_BYTES // 5)))
    small = tmp_path / "petit.csv"
    small.write_text("id;nationalities\nx;RO\n", encoding="utf-8")
    out = str(tmp_path / "o.csv")
    assert main(["screen", str(big), "--as-of", "2026-12-01", "-j", "1", "-q", "-o", out, "--engine", "scalar"]) == 0
    assert main(["screen", str(small), "--as-of", "2026-12-01", "-j", "2", "-q", "-o", out]) == 0
    assert main(["screen", str(small), "--as-of", "2026-12-01", "-q", "-o", out]) == 0
    assert seen == [1, 2, 1]


def test_jobs_no_longer_chooses_the_engine(tmp_path, monkeypatch):
    """--jobs alone keeps the default engine (columnar for a large CSV answer) and is handed to it;
    without --jobs the columnar engine takes every core from AUTO_COLUMNAR_PARALLEL_BYTES, one below;
    an HTML report is still the scalar engine's, with the jobs asked."""
    from lexquery.cli import main
    from lexquery.commands.screen import AUTO_COLUMNAR_PARALLEL_BYTES, default_columnar_jobs
    from lexquery.screening import columnar_pipeline, screen as screening
    col, sca = [], []
    real_c, real_s = columnar_pipeline.screen_columnar, screening.screen
    monkeypatch.setattr(columnar_pipeline, "screen_columnar", lambda *a, **k: col.append(k["jobs"]) or real_c(*a, **k))
    monkeypatch.setattr(screening, "screen", lambda *a, **k: sca.append(k["jobs"]) or real_s(*a, **k))
    mid = tmp_path / "moyen.csv"
    mid.write_bytes(b"id;nationalities\n" + b"".join(b"x%d;RO\n" % i for i in range(2500)))
    out = str(tmp_path / "o.csv")
    assert main(["screen", str(mid), "--as-of", "2026-12-01", "-j", "1", "-q", "-o", out]) == 0
    assert main(["screen", str(mid), "--as-of", "2026-12-01", "-q", "-o", out]) == 0
    assert main(["screen", str(mid), "--as-of", "2026-12-01", "-j", "2", "-q", "-o", str(tmp_path / "r.html")]) == 0
    assert col == [1, 1] and sca == [2]
    cores = os.cpu_count() or 1
    assert default_columnar_jobs(str(mid)) == 1 and default_columnar_jobs("-") == cores
    big = tmp_path / "grand.csv"
    big.write_bytes(b"id;nationalities\n" + b"x;RO\n" * (AUTO_COLUMNAR_PARALLEL_BYTES // 5 + 1))
    assert default_columnar_jobs(str(big)) == cores

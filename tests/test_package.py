"""The package as a user installs it (issue 15 §1-3, « Done when »): build the sdist and the
wheel, install the wheel in a fresh virtual environment, and from a folder outside the checkout
run ``lexquery --version``, ``ask``, ``article``, ``kb check`` (≥ 1 check run) and ``serve``
(the page, the API, the SPARQL endpoint, an article IRI as Turtle).

Offline and fast: the wheel is built without build isolation when the test environment has
setuptools ≥ 77 (the test extra requires it), else with it (needs an index); the fresh
environment gets the wheel alone (``--no-index --no-deps``) and finds the dependencies through
a ``.pth`` line naming this environment's site-packages — the wheel's own ``lexquery`` comes
first on ``sys.path``, and nothing of the checkout is visible (checked)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import pytest

from serve_support import no_proxy_env, served

ROOT = Path(__file__).resolve().parents[1]
KB_FOLDERS = ("law", "rules", "ontology", "shapes", "reference", "checks", "sources")

pytest.importorskip("build")


def _setuptools_ok() -> bool:
    try:
        import setuptools
        return int(setuptools.__version__.split(".")[0]) >= 77
    except Exception:  # absent or odd version: let build isolate
        return False


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, "-m", "build", "--outdir", str(out)]
    if _setuptools_ok():
        cmd.append("--no-isolation")
    r = subprocess.run(cmd + [str(ROOT)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def installed(dist, tmp_path_factory):
    """(the fresh environment's bin folder, a working folder outside the checkout, its env)."""
    base = tmp_path_factory.mktemp("fresh")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "lexquery-test-deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    wheel = next(dist.glob("lexquery-*.whl"))
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-index",
                        "--no-deps", str(wheel)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    work = base / "work"
    work.mkdir()
    shutil.copy(ROOT / "examples" / "ionescu.json", work / "ionescu.json")
    env = {k: v for k, v in no_proxy_env().items()
           if k not in ("LEXQUERY_HOME", "LEXQUERY_CACHE", "PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HOME=str(base / "home"), XDG_CACHE_HOME=str(base / "cache"),
               PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    return venv / "bin", work, env


def run(installed, *args, timeout=300):
    bin_, work, env = installed
    return subprocess.run([str(bin_ / "lexquery"), *args], cwd=work, env=env, capture_output=True, text=True,
                          timeout=timeout)


def test_the_wheel_and_the_sdist_carry_the_knowledge_base(dist):
    wheel = next(dist.glob("lexquery-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for folder in KB_FOLDERS:
        ours = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}
        packed = {n[len("lexquery/kbdata/"):] for n in names if n.startswith(f"lexquery/kbdata/{folder}/")}
        assert ours == packed, folder
    assert "lexquery/data/context.jsonld" in names and "lexquery/__main__.py" in names
    assert not [n for n in names if "__pycache__" in n or "/kb/cache/" in n]
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in meta and "Project-URL: " in meta
    assert "Description-Content-Type: text/markdown" in meta and "# lexquery" in meta   # the README
    sdist = next(dist.glob("lexquery-*.tar.gz"))
    members = tarfile.open(sdist).getnames()
    top = members[0].split("/")[0]
    for folder in KB_FOLDERS:   # at the top level, as in the repository
        assert any(m.startswith(f"{top}/{folder}/") for m in members), folder
    assert f"{top}/setup.py" in members and f"{top}/LICENSE" in members


def test_version_and_python_m(installed):
    bin_, work, env = installed
    r = run(installed, "--version")
    assert r.returncode == 0 and r.stdout.startswith("lexquery 0.")
    assert "paquet installé / installed package" in r.stdout and str(bin_.parent) in r.stdout
    r2 = subprocess.run([str(bin_ / "python"), "-m", "lexquery", "--version"], cwd=work, env=env,
                        capture_output=True, text=True, timeout=60)
    assert r2.returncode == 0 and r2.stdout == r.stdout
    code = ("import json, importlib.metadata as m, lexquery; "
            "print(json.dumps([lexquery.__version__, m.version('lexquery'), lexquery.__file__]))")
    r3 = subprocess.run([str(bin_ / "python"), "-c", code], cwd=work, env=env, capture_output=True, text=True)
    version, dist_version, where = json.loads(r3.stdout)
    assert version == dist_version and r.stdout.startswith(f"lexquery {version} ")
    assert where.startswith(str(bin_.parent)) and not where.startswith(str(ROOT))   # not the checkout


def test_ask_and_article_from_another_folder(installed):
    from lexquery.cli import main
    r = run(installed, "ask", "ionescu.json", "--format", "json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    # the same answer as the checkout gives (only the KB version's hash of rules/ may differ: equal here)
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["ask", str(ROOT / "examples" / "ionescu.json"), "--format", "json"]) == 0
    assert got == json.loads(out.getvalue())
    statuses = {(p["procedure"], p["status"]) for p in got["procedures"]}
    assert ("lc_expulsion", "applicable") in statuses
    r = run(installed, "article", "729-2")
    assert r.returncode == 0 and r.stdout.startswith("CPP 729-2") and "LEGIARTI000032172294" in r.stdout


def test_kb_check_runs_checks(installed):
    r = run(installed, "kb", "check", "--format", "json", timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] and len(report["ran"]) >= 10, report["ran"]
    assert {"shacl/kb-shapes", "sparql/eli-domain", "reference/facts"} <= set(report["ran"])


def test_serve_answers_the_page_the_api_sparql_and_an_iri(installed):
    from rdflib import Graph, URIRef
    bin_, work, env = installed
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def get(url, accept="*/*", data=None, ctype=None):
        headers = {"Accept": accept}
        if ctype:
            headers["Content-Type"] = ctype
        with opener.open(urllib.request.Request(url, data=data, headers=headers), timeout=120) as r:
            return r.headers["Content-Type"], r.read().decode("utf-8")

    with served([str(bin_ / "lexquery")], cwd=work, env=env) as url:
        ctype, body = get(url + "/")
        assert ctype.startswith("text/html") and "/static/app.js" in body
        ctype, body = get(url + "/api/ask", "application/json", (work / "ionescu.json").read_bytes(), "application/json")
        assert json.loads(body)["case"] == "ionescu-2026"
        q = urllib.parse.quote("ASK { <https://w3id.org/lexquery/law/cpp/729-2> ?p ?o }")
        ctype, body = get(f"{url}/api/sparql?query={q}", "application/sparql-results+xml")
        assert ctype.startswith("application/sparql-results+xml") and "<boolean>true</boolean>" in body
        ctype, body = get(url + "/law/cpp/729-2", "text/turtle")
        assert ctype.startswith("text/turtle")
        g = Graph().parse(data=body, format="turtle")
        assert (URIRef("https://w3id.org/lexquery/law/cpp/729-2"), None, None) in g
        ctype, body = get(url + "/context.jsonld")
        assert json.loads(body)["@context"]["eli"] == "http://data.europa.eu/eli/ontology#"


import urllib.parse  # noqa: E402  (used above, in the serve test)

"""Build hook: the knowledge base goes into the package.

The folders ``law/ rules/ ontology/ shapes/ reference/ checks/ sources/`` stay at the top of
the repository for the people who edit the law; ``build_py`` copies them into
``lexquery/kbdata/`` of the wheel, where :func:`lexquery.paths.home` finds them when the
package is installed (no checkout around it). An sdist carries them at the top level
(``MANIFEST.in``), so a wheel built from the sdist gets them too. An editable install
(``pip install -e .``) copies nothing: the package reads the checkout.
Everything else is declared in pyproject.toml.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

KB_FOLDERS = ("law", "rules", "ontology", "shapes", "reference", "checks", "sources")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "cache", ".*")


class build_py_with_kb(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "lexquery" / "kbdata"
        missing = [f for f in KB_FOLDERS if not (here / f).is_dir()]
        if missing:
            raise SystemExit(f"lexquery build: folder(s) {', '.join(missing)} missing in {here}; "
                             "build from the repository or from its sdist")
        if target.exists():
            shutil.rmtree(target)
        for folder in KB_FOLDERS:
            shutil.copytree(here / folder, target / folder, ignore=SKIP)


setup(cmdclass={"build_py": build_py_with_kb})

"""Pictures of the magistrate's desk for docs/desk.md (issue 17: looked at by a person).

- docs/screenshots/interview.png: the guided interview on the page, a few answers into
  examples/benali-maroc.json (Debian's /usr/bin/chromium driven by Playwright, as
  scripts/screenshots.py does);
- docs/screenshots/note-page1.png, note-page2.png: the first two pages of the PDF note
  (`lexquery ask examples/ionescu.json --format pdf`), rasterised with pypdfium2
  (`pip install pypdfium2`: only this script needs it).

    .venv/bin/python scripts/desk_screenshots.py
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import ARGS, CHROMIUM, CLI, ROOT, start_server  # noqa: E402

sys.path.insert(0, str(ROOT / "tests"))
from test_interview import typed  # noqa: E402  (the example's facts as a person types them)

from lexquery.interview import get_fact  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def interview(url: str) -> Path:
    example = json.loads((ROOT / "examples" / "benali-maroc.json").read_text(encoding="utf-8"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="fr-FR")
        page.goto(url + "/")
        page.wait_for_selector("body[data-ready=true]")
        page.fill("#f-id", example["id"])
        page.fill("#f-as_of", example["as_of"])
        page.click("#tab-interview")
        page.click("#iv-from-form")
        for i in range(4):
            page.wait_for_selector("[data-iv-path]")
            fact = page.get_attribute("[data-iv-path]", "data-iv-path")
            page.fill("#iv-text", typed(fact, get_fact(example, fact)))
            page.click("#iv-reply")
            page.wait_for_function("n => document.querySelectorAll('#iv-history li').length >= n", arg=i + 1)
        page.wait_for_selector("[data-iv-path]")
        page.evaluate("window.scrollTo(0, 0)")
        f = OUT / "interview.png"
        page.screenshot(path=str(f), full_page=False)
        browser.close()
    return f


def note_pages() -> list[Path]:
    import pypdfium2
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "fiche.pdf"
        subprocess.run(CLI + ["ask", "examples/ionescu.json", "--format", "pdf", "-o", str(pdf)], cwd=ROOT, check=True)
        doc = pypdfium2.PdfDocument(str(pdf))
        out = []
        for i in range(2):
            f = OUT / f"note-page{i + 1}.png"
            doc[i].render(scale=1.4).to_pil().save(f)
            out.append(f)
        doc.close()
    return out


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    proc, url = start_server()
    try:
        shots = [interview(url)]
    finally:
        proc.terminate()
        proc.wait(10)
    shots += note_pages()
    for f in shots:
        print(f.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Screenshots of the web page for docs/web-page.md (issue 6: looked at by a person).

Starts `lexquery serve` on a free loopback port (or uses --url), drives Debian's
/usr/bin/chromium with Playwright, and writes docs/screenshots/{form,answer,article,what-if,
trainer-tree,print,english}.png.

    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000] [--out docs/screenshots]
"""
from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=fr-FR"]
CLI = [sys.executable, "-c", "import sys; from lexquery.cli import main; sys.exit(main())"]


def start_server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(CLI + ["serve", "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    sys.exit("lexquery serve did not start")


def paste(page, path: Path):
    page.click("#tab-paste")
    page.fill("#paste-text", path.read_text(encoding="utf-8"))
    page.click("#paste-submit")
    page.wait_for_selector(".card")


def shoot(url: str, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="fr-FR")
        page.goto(url + "/")
        page.wait_for_selector("body[data-ready=true]")

        def save(name, full=True, el=None, max_height=None):
            f = out / f"{name}.png"
            if el and max_height:
                b = el.bounding_box()  # relative to the viewport; the clip is relative to the page
                b["y"] += page.evaluate("window.scrollY")
                page.screenshot(path=str(f), full_page=True, clip={**b, "height": min(b["height"], max_height)})
            elif el:
                el.screenshot(path=str(f))
            else:
                page.screenshot(path=str(f), full_page=full)
            shots.append(f)

        # the form, filled with the Ionescu case
        paste(page, ROOT / "examples/ionescu.json")
        page.click("#tab-form")
        page.evaluate("window.scrollTo(0, 0)")
        save("form", el=page.locator("#input"))
        # the answer
        save("answer", el=page.locator("#answer-section"), max_height=2200)
        # an article, from a citation of the answer
        page.locator(".card[data-procedure=eu_recognition] ul.conditions a.cite[data-citation='CPP 728-11 al. 1']").first.click()
        page.wait_for_selector("#article-dialog[open] .paragraphs")
        save("article", full=False)
        page.keyboard.press("Escape")
        # what if: Mansouri, the acts not punishable in Algeria
        paste(page, ROOT / "examples/mansouri-algerie.json")
        page.click("#wi-dual_criminality button[data-value=false]")
        page.wait_for_selector(".whatif-result[data-changes]")
        save("what-if", el=page.locator("#answer-section"), max_height=1500)
        # the trainer's tree (Ionescu: STE 112 set aside between Member States)
        paste(page, ROOT / "examples/ionescu.json")
        page.check("#trainer")
        save("trainer-tree", el=page.locator(".card[data-procedure=ste_transfer]"))
        page.uncheck("#trainer")
        # print preview
        page.emulate_media(media="print")
        save("print")
        page.emulate_media(media="screen")
        # English
        page.click("#lang-switch")
        paste(page, ROOT / "examples/petrenko-ukraine.json")
        page.click("#tab-form")
        page.wait_for_timeout(300)
        page.evaluate("window.scrollTo(0, 0)")
        save("english", full=False)
        browser.close()
    return shots


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="an already running lexquery serve (default: start one)")
    ap.add_argument("--out", default=str(ROOT / "docs/screenshots"))
    a = ap.parse_args()
    proc = None
    url = a.url.rstrip("/") if a.url else None
    if not url:
        proc, url = start_server()
    try:
        for f in shoot(url, Path(a.out)):
            print(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f)
    finally:
        if proc:
            proc.terminate()
            proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())

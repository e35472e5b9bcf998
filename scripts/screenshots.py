"""Regenerate the README's screenshots (docs/screenshots/*.png): the app on a fresh embedded engine in Chromium.

Run `.venv/bin/python scripts/screenshots.py`; needs Debian's chromium (the flags are in tests/appserver.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, running_app, wait_for_app  # noqa: E402

SHOTS = {
    "home": "home",
    "overview": "overview",
    "query-history": "queries-history",
    "tables": "tables?include_system=1",
}


def main() -> None:
    """Start the app, open each page once its script has finished, and save a full-page PNG of it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with running_app() as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        for name, path in SHOTS.items():
            page.goto(f"{base}/{path}")
            wait_for_app(page)
            page.locator("[data-testid=stAppViewContainer] [data-testid=stElementContainer]").first.wait_for()
            page.screenshot(path=str(args.out / f"{name}.png"), full_page=True)
            print(args.out / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main()

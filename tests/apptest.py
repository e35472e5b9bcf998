"""The app under Streamlit's AppTest, routed by app.py's `st.navigation` on every run, as the server runs it.

AppTest decides afresh before every run whether the folder of the script it runs holds a `pages/` folder (Streamlit's
legacy multipage mode), so it cannot run `app.py` from its own folder the way the server does after
`dashboard.frame.leave_legacy_pages_mode`. It runs a one-line script from a folder of its own that executes
`app.py`; the pages' paths are absolute (`dashboard.frame.script_path`), so they resolve the same.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.frame import ROOT, script_path

APP = ROOT / "app.py"
ENTRY = f"import runpy\n\nrunpy.run_path({str(APP)!r}, run_name='__main__')\n"


def app(timeout: float = 60) -> AppTest:
    """The whole app (frame, sidebar, navigation), not yet run."""
    return AppTest.from_string(ENTRY, default_timeout=timeout)


def open_page(at: AppTest, script: str) -> AppTest:
    """Switch the app to a page script (`pages/overview.py`); run it next.

    Before the app's first run AppTest finds a page by its file name, so only a page whose URL path is its file name
    (`overview`, not `history-analytics`) can be opened then."""
    return at.switch_page(script_path(script))

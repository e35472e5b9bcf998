"""The server settings in .streamlit/config.toml are the ones Streamlit reads when started from the repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_rerun_overheads_are_off_and_deploy_hidden_when_started_from_the_repository() -> None:
    probe = ("from streamlit import config; "
             "print(config.get_option('runner.postScriptGC'), config.get_option('server.fileWatcherType'), "
             "config.get_option('client.toolbarMode'))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "none", "viewer"]

"""The launcher hands secrets over through a pipe: the app's environment, read by the engine's `file()` with the SQL
guard bypassed, holds none of them, while the settings still have them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.launch import split_environment

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {"LLM_API_KEY": "sk-launch-only-4f1c9e", "CHM_EXPORT_SECRET": "5f0a9c27e4b1d83c6e7f2a90b4c8d1e3f6a7b2c9d0e1f4a3b5c6d7e8f9a0b1c2",
           "CLICKHOUSE_PASSWORD": "pw-launch-only-77d2"}
CHILD = """
import json
from core.connection import connect
from config import load_settings
settings = load_settings()
conn = connect(settings)
read = conn.query_rows("SELECT file('/proc/self/environ')")[0][0]
print(json.dumps({"llm": settings.llm.api_key.get_secret_value(),
                  "export": settings.app.export_secret.get_secret_value(),
                  "environ": read if isinstance(read, str) else read.decode("utf-8", "replace")}))
"""


def test_split_moves_only_secret_variables() -> None:
    clean, secrets = split_environment({"PATH": "/bin", "LLM_API_KEY": "k", "DATABASE_URL": "postgres://x",
                                        "CHM_DATA_DIR": "d"})
    assert clean == {"PATH": "/bin", "CHM_DATA_DIR": "d"}
    assert secrets == {"LLM_API_KEY": "k", "DATABASE_URL": "postgres://x"}


def test_the_engine_reads_no_secret_from_the_launched_process(tmp_path: Path) -> None:
    env = {**os.environ, **SECRETS, "CHM_DATA_DIR": str(tmp_path / "engine"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "core.launch", sys.executable, "-c", CHILD], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["llm"] == SECRETS["LLM_API_KEY"] and report["export"] == SECRETS["CHM_EXPORT_SECRET"]
    assert "CHM_DATA_DIR=" in report["environ"], "the read itself must work, or the test proves nothing"
    for name, value in SECRETS.items():
        assert value not in report["environ"] and f"{name}=" not in report["environ"], name


def test_without_the_launcher_the_same_read_would_leak(tmp_path: Path) -> None:
    env = {**os.environ, **SECRETS, "CHM_DATA_DIR": str(tmp_path / "engine"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert SECRETS["LLM_API_KEY"] in json.loads(done.stdout.strip().splitlines()[-1])["environ"]

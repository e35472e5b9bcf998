"""README's layout table matches the tree: every top-level entry is described, every path it names exists, and every
module a row names lives in that row's folder."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_DESCRIBED = {"README.md", ".gitignore"}


def _rows() -> list[tuple[list[str], str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in table.splitlines():
        cells = line.split("|")
        if len(cells) >= 4 and "`" in cells[1]:
            rows.append((re.findall(r"`([^`]+)`", cells[1]), cells[2]))
    return rows


def _tracked_top_level() -> set[str]:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {name.split("/", 1)[0] for name in files.split()}


def test_every_path_in_the_table_exists() -> None:
    for paths, _ in _rows():
        for path in paths:
            assert (ROOT / path).exists(), f"README's layout table names {path}, which is not in the tree"


def test_every_top_level_entry_is_in_the_table() -> None:
    described = {path.rstrip("/").split("/", 1)[0] for paths, _ in _rows() for path in paths}
    missing = _tracked_top_level() - described - NOT_DESCRIBED
    assert not missing, f"README's layout table does not describe {sorted(missing)}"


def test_modules_a_folder_row_names_live_there() -> None:
    for paths, text in _rows():
        folders = [path for path in paths if path.endswith("/") and (ROOT / path).is_dir()]
        for folder in folders:
            for module in re.findall(r"`([A-Za-z_]+\.(?:py|xml))`", text):
                assert (ROOT / folder / module).exists(), f"the row of {folder} names {module}, not in that folder"

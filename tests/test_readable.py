"""Readable pages: units and words on numbers, Material icons instead of emoji, row counts, the query picker."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core import sqlfiles
from core.connection import Connection
from dashboard.catalog import PAGES, PANELS
from dashboard.frame import NAVIGATION
from dashboard.panels import Panel, format_bytes, format_duration, format_value
from dashboard.render import UNIT_FORMAT, clear_results, column_config, rows_caption
from tests import apptest

ROOT = Path(__file__).resolve().parent.parent
UI_SOURCES = [ROOT / "app.py", *(ROOT / d / f for d in ("dashboard", "pages", "history", "assistant")
                                  for f in sorted(p.name for p in (ROOT / d).glob("*.py")))]
EMOJI = re.compile("[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f]")
UNIT_SUFFIX = re.compile(r"_(?:bytes|ms|pct|s|seconds)$")
OUTPUT_NAME = re.compile(r"\bAS (\w+)|^\s+(?:\w+\.)?(\w+),?\s*$", re.MULTILINE)


def test_bytes_read_in_binary_units() -> None:
    assert format_bytes(0) == "0 B"
    assert format_bytes(1023) == "1,023 B"
    assert format_bytes(785871) == "767.5 KiB"
    assert format_bytes(5 * 1024**3) == "5.0 GiB"


def test_durations_read_in_the_unit_that_fits() -> None:
    assert format_duration(0.785) == "785 ms"
    assert format_duration(4) == "4.0 s"
    assert format_duration(125) == "2 min 5 s"
    assert format_duration(3900) == "1 h 5 min"
    assert format_duration(2 * 86400 + 3600) == "2 d 1 h"


def test_values_carry_their_unit_and_thousands_separators() -> None:
    assert format_value(785871, "bytes") == "767.5 KiB"
    assert format_value(4, "s") == "4.0 s"
    assert format_value(1500, "ms") == "1.5 s"
    assert format_value(12.345, "pct") == "12.3 %"
    assert format_value(1234567, "count") == "1,234,567"
    assert format_value(None, "bytes") == "—"
    assert format_value("26.9.1", None) == "26.9.1"


def _select_list(sql_name: str) -> str:
    text = sqlfiles.load(sql_name)
    return text[: re.search(r"^FROM\b", text, re.MULTILINE).start()] if re.search(r"^FROM\b", text, re.MULTILINE) \
        else text


@pytest.mark.parametrize("panel", [p for p in PANELS.values() if p.units or p.labels], ids=lambda p: p.name)
def test_declared_columns_exist_in_the_panels_sql(panel: Panel) -> None:
    selected = " ".join(_select_list(name) for name in panel.sql_files)
    for column in {*panel.units, *panel.labels}:
        assert re.search(rf"\b{column}\b", selected), f"{panel.name}: {column} is not in its SELECT list"
    assert set(panel.units.values()) <= set(UNIT_FORMAT)


@pytest.mark.parametrize("panel", [p for p in PANELS.values() if p.kind in ("table", "kpi") and not p.check],
                         ids=lambda p: p.name)
def test_every_column_named_as_a_quantity_declares_its_unit(panel: Panel) -> None:
    selected = _select_list(panel.sql)
    outputs = {m.group(1) or m.group(2) for m in OUTPUT_NAME.finditer(selected)}
    named = {name for name in outputs if UNIT_SUFFIX.search(name)}
    if panel.kind == "kpi" and panel.y:
        named &= set(panel.y)
    assert named <= set(panel.units), f"{panel.name}: no unit for {sorted(named - set(panel.units))}"


def test_kpi_labels_are_words() -> None:
    for panel in (p for p in PANELS.values() if p.kind == "kpi" and not p.check):
        for column in panel.y or panel.units:
            label = panel.label(column)
            assert "_" not in label and label[0].isupper(), (panel.name, column, label)
    assert PANELS["server_info"].label("uptime_seconds") == "Uptime"


def test_table_columns_get_words_units_and_links() -> None:
    panel = PANELS["queries_history"]
    frame = pd.DataFrame({"query_id": ["/query-detail?query_id=a"], "read_bytes": [785871],
                          "query_duration_ms": [12], "user": ["default"]})
    config = column_config(panel, frame)
    assert config["read_bytes"]["label"] == "Bytes read"
    assert config["read_bytes"]["type_config"]["format"] == "bytes"
    assert config["query_duration_ms"]["label"] == "Duration"
    assert config["query_duration_ms"]["type_config"]["format"] == "%,.0f ms"
    assert config["query_id"]["type_config"]["type"] == "link"
    assert config["user"]["label"] == "User"
    assert frame["read_bytes"].dtype.kind == "i", "the data keeps the raw number"


def test_row_count_says_how_many_of_how_many_and_why_it_stops() -> None:
    frame = pd.DataFrame({"x": range(3)})
    assert rows_caption(frame, None) == "3 of 3 rows"
    assert rows_caption(frame, 500) == "3 of 3 rows"
    assert "the first 3" in rows_caption(frame, 3) and "more rows match" in rows_caption(frame, 3)
    frame.attrs["truncated"] = True
    assert "row cap (CHM_MAX_RESULT_ROWS)" in rows_caption(frame, None)


def test_no_emoji_in_the_ui_and_every_menu_icon_is_material() -> None:
    found = [(path.name, number, line.strip()) for path in UI_SOURCES
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if EMOJI.search(line)]
    assert found == []
    icons = [item.icon for items in NAVIGATION.values() for item in items] + [page.icon for page in PAGES.values()]
    assert icons and all(icon.startswith(":material/") and icon.endswith(":") for icon in icons), icons


@pytest.fixture(scope="module")
def app(conn: Connection) -> AppTest:
    """The app through app.py's navigation, on the session's engine with its logs flushed."""
    conn.query_df("SELECT 1")
    conn.command("SYSTEM FLUSH LOGS")
    at = apptest.app(timeout=90)
    at.run()
    assert not at.exception
    return at


def test_a_table_page_says_how_many_rows_it_shows(app: AppTest) -> None:
    apptest.open_page(app, "pages/databases.py")
    app.run()
    counts = [c.value for c in app.caption if re.fullmatch(r"[\d,]+ of [\d,]+ rows", c.value)]
    assert counts, [c.value for c in app.caption]
    shown, total = (int(n.replace(",", "")) for n in re.findall(r"[\d,]+", counts[0]))
    assert shown == total >= 3  # system, default, INFORMATION_SCHEMA at least


def test_query_detail_without_an_id_offers_recent_queries(app: AppTest, conn: Connection) -> None:
    conn.command("SYSTEM FLUSH LOGS")  # the session's own statements (SET, FLUSH) are logged without the app's tag
    clear_results()
    apptest.open_page(app, "pages/query_detail.py")
    app.run()
    assert not app.exception
    picker = [s for s in app.selectbox if s.key == "pick_query_id"]
    assert picker and picker[0].options, "expected a pick list of recent queries"
    assert not any(c.value == "No rows in this window." for c in app.caption)
    picker[0].select_index(0).run()
    query_id = app.text_input(key="f_query_detail_query_id").value
    assert query_id and query_id == app.query_params.get("query_id", query_id)
    assert not any(s.key == "pick_query_id" for s in app.selectbox)
    assert any(m.value == "**Query**" for m in app.markdown)
    assert any(m.label == "Duration" for m in app.metric) or app.dataframe

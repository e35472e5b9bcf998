"""Secrets (ClickHouse passwords, LLM keys) never appear in pages, error messages, logs or exports."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chstore.__main__ import export_jsonl
from dashboard import context
from tests.fake_llm import FakeLLM, Reply

ROOT = Path(__file__).resolve().parent.parent
LLM_KEY = "sk-live-SECRET-7f3a9c1e55"
CH_PASSWORD = "pw-SECRET-41b7"


pytestmark = pytest.mark.usefixtures("fresh_caches")


def everything_shown(at: AppTest) -> str:
    """Every text the page put on screen, widgets' labels and values included."""
    parts: list[str] = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "code", "text", "title", "header",
                 "subheader", "exception", "json"):
        for element in getattr(at, kind, []):
            parts.append(str(getattr(element, "value", "")))
            parts.append(str(getattr(element, "message", "")))
    parts += [f"{e.label}" for e in at.expander]
    parts += [str(d.value) for d in at.dataframe]
    parts += [f"{w.label} {w.value}" for w in at.text_input]
    return "\n".join(parts)


def test_llm_key_never_shown_logged_or_exported(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    leaky = Reply(status=401, message=f"Incorrect API key provided: {LLM_KEY}")
    with FakeLLM([leaky, Reply(status=500, message=f"internal error for key {LLM_KEY}")]) as llm:
        monkeypatch.setenv("LLM_API_KEY", LLM_KEY)
        monkeypatch.setenv("LLM_API_BASE", llm.base_url)
        with caplog.at_level(logging.DEBUG):
            at = AppTest.from_file(str(ROOT / "pages" / "chat.py"), default_timeout=90).run()
            at.chat_input[0].set_value("what is running now?").run()
            at.chat_input[0].set_value("and now?").run()
        assert llm.headers and llm.headers[0]["authorization"] == f"Bearer {LLM_KEY}"  # it was really used
    shown = everything_shown(at)
    assert "LLM_API_KEY" in shown  # the 401 is explained by naming the variable
    assert LLM_KEY not in shown
    assert LLM_KEY not in caplog.text
    store = context.get_store()
    assert store is not None
    out = io.StringIO()
    assert export_jsonl(store, ["local"], out) >= 1
    assert "what is running now?" in out.getvalue()
    assert LLM_KEY not in out.getvalue()


def test_clickhouse_password_never_shown_or_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, ch_http  # noqa: ANN001
) -> None:
    monkeypatch.setenv("CLICKHOUSE_HOST", ch_http.url)
    monkeypatch.setenv("CLICKHOUSE_PASSWORD", CH_PASSWORD)  # wrong for this server: every page shows an error
    with caplog.at_level(logging.DEBUG):
        for script in ("app.py", "pages/overview.py", "pages/health.py", "pages/chat.py"):
            at = AppTest.from_file(str(ROOT / script), default_timeout=90).run()
            assert not at.exception, script
            shown = everything_shown(at)
            assert CH_PASSWORD not in shown, script
    assert "CLICKHOUSE_PASSWORD" in shown
    assert CH_PASSWORD not in caplog.text
    settings = context.get_settings()
    assert CH_PASSWORD not in repr(settings) and CH_PASSWORD not in str(settings.model_dump())

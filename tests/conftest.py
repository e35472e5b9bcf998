"""Shared fixtures: one real embedded ClickHouse engine per test session (chdb allows one path per process)."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator

import pytest

# Configure the process before anything imports the app: a private engine directory, test mode, no outside hosts.
ENGINE_DIR = tempfile.mkdtemp(prefix="chm-test-engine-")
for _name in list(os.environ):
    if _name.startswith(("CLICKHOUSE_", "AGENT_CONVERSATION", "CHM_", "LLM_", "AGENTSTATE_", "CONVERSATIONS_D1")) or _name in (
        "DATABASE_URL", "POSTGRES_URL", "POSTGRES_PRISMA_URL", "OPENAI_API_KEY", "NEXT_PUBLIC_FEATURE_CONVERSATION_DB",
    ):
        del os.environ[_name]
os.environ["CHM_DATA_DIR"] = ENGINE_DIR
os.environ["CHM_ENV"] = "test"

from config import Settings, load_settings  # noqa: E402
from core.connection import Connection, connect  # noqa: E402


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings of the test process (embedded engine in a temporary directory)."""
    return load_settings()


@pytest.fixture(scope="session")
def conn(settings: Settings) -> Connection:
    """A connection to the session's embedded engine."""
    return connect(settings)


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Streamlit's process-wide caches (settings, store, connections, results) cleared around a test, so a changed
    environment takes effect."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def table_name() -> str:
    """A fresh conversation table name, so tests sharing the engine do not see each other's rows."""
    return f"chm_test.conv_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def ch_http(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """A ClickHouse HTTP endpoint (tests/ch_http.py over its own real engine) for the CLICKHOUSE_HOST code path."""
    from tests.chserver import ServerProcess

    server = ServerProcess(tmp_path_factory.mktemp("ch-http-engine"), password="s3cret-pw").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def http_conn(ch_http) -> Connection:  # noqa: ANN001
    """A Connection to the HTTP endpoint, exactly as the app makes it from CLICKHOUSE_HOST."""
    return connect(load_settings(clickhouse_host=ch_http.url, clickhouse_password="s3cret-pw"))


@pytest.fixture(scope="session", autouse=True)
def _test_database(conn: Connection) -> None:
    conn.command("CREATE DATABASE IF NOT EXISTS chm_test")

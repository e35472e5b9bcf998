"""The assistant's settings: the LLM endpoint it may call, and the limits of one question."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from core.settings import Area


class LLMSettings(Area, env_prefix="LLM_"):
    """An OpenAI-compatible chat-completions endpoint; without a key the built-in assistant answers."""

    api_key: SecretStr | None = Field(
        None, validation_alias=AliasChoices("LLM_API_KEY", "OPENAI_API_KEY"),
        description="API key of an OpenAI-compatible chat-completions endpoint (fallback `OPENAI_API_KEY`). "
        "Empty: the built-in assistant.")
    api_base: str = Field("", description="Base URL of the OpenAI-compatible API (e.g. `http://localhost:11434/v1`); "
                          "empty: OpenAI's.")
    model: str = Field("gpt-4o-mini", description="Model name sent to the LLM endpoint.")


class AssistantSettings(Area, env_prefix="CHM_"):
    """How far one question may go: model calls, waiting, and its length."""

    assistant_max_steps: int = Field(6, ge=1, le=50, description="Most model calls the LLM assistant makes for one "
                                     "question (its tool loop's step cap).")
    llm_timeout: float = Field(60.0, gt=0, le=600, description="Seconds to wait for the LLM endpoint before "
                               "reporting a timeout.")
    max_chat_input: int = Field(4000, ge=100, le=100_000, description="Longest question (in characters) the chat "
                                "accepts.")

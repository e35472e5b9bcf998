"""One turn of a conversation: the new assistant and tool messages an answerer produces, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from assistant.tools import ToolRun, new_id
from chstore.model import Message, utcnow


@dataclass
class Turn:
    """Collects the messages of one answer; each gets an explicit id so a retried save never duplicates it."""

    messages: list[Message] = field(default_factory=list)

    def _stamp(self) -> Any:
        now = utcnow()
        if self.messages and now <= self.messages[-1].created_at:
            now = self.messages[-1].created_at + timedelta(milliseconds=1)
        return now

    def tool(self, run: ToolRun) -> Message:
        """Record a tool call and its result."""
        message = run.to_message()
        message.created_at = self._stamp()
        self.messages.append(message)
        return message

    def say(self, text: str, metadata: dict[str, Any] | None = None) -> Message:
        """Record an assistant message."""
        message = Message(role="assistant", content=text, id=new_id(), created_at=self._stamp(),
                          metadata=metadata or {})
        self.messages.append(message)
        return message

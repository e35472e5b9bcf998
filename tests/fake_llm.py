"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1 (real HTTP; SSE streaming or plain JSON).

Each request consumes the next scripted reply: text, tool calls, an HTTP error status, or a delay (for timeouts).
Requests are recorded so tests can check what the client sent.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer."""

    text: str = ""
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    usage: tuple[int, int] = (11, 7)
    message: str = ""


class FakeLLM:
    """Start with `with FakeLLM([...]) as llm:`; `llm.base_url` is the API base, `llm.requests` what arrived."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = list(replies)
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (`…/v1`)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeLLM:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            return self.replies.pop(0) if self.replies else Reply(text="(script exhausted)")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def _json(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "unknown path", "type": "not_found"}})
                    return
                reply = fake._next(body, {k.lower(): v for k, v in self.headers.items()})
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    kind = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(reply.status, "server_error")
                    self._json(reply.status, {"error": {"message": reply.message or f"scripted {reply.status}", "type": kind,
                                                        "code": kind}})
                    return
                calls = [{"id": f"call_{i}", "type": "function",
                          "function": {"name": name, "arguments": json.dumps(args)}}
                         for i, (name, args) in enumerate(reply.tool_calls)]
                usage = {"prompt_tokens": reply.usage[0], "completion_tokens": reply.usage[1],
                         "total_tokens": sum(reply.usage)}
                base = {"id": "chatcmpl-fake", "created": int(time.time()), "model": body.get("model", "")}
                if not body.get("stream"):
                    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
                    if calls:
                        message["tool_calls"] = calls
                    self._json(200, {**base, "object": "chat.completion", "usage": usage, "choices": [
                        {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}]})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()

                def send(payload: dict[str, Any]) -> None:
                    self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
                    self.wfile.flush()

                chunk = {**base, "object": "chat.completion.chunk"}
                words = reply.text.split(" ") if reply.text else []
                for i, word in enumerate(words):
                    piece = word if i == 0 else " " + word
                    send({**chunk, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
                for i, call in enumerate(calls):
                    arguments = call["function"]["arguments"]
                    half = len(arguments) // 2
                    send({**chunk, "choices": [{"index": 0, "delta": {"tool_calls": [
                        {"index": i, "id": call["id"], "type": "function",
                         "function": {"name": call["function"]["name"], "arguments": arguments[:half]}}]},
                        "finish_reason": None}]})
                    send({**chunk, "choices": [{"index": 0, "delta": {"tool_calls": [
                        {"index": i, "function": {"arguments": arguments[half:]}}]}, "finish_reason": None}]})
                send({**chunk, "choices": [{"index": 0, "delta": {},
                                            "finish_reason": "tool_calls" if calls else "stop"}]})
                send({**chunk, "choices": [], "usage": usage})
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        return Handler

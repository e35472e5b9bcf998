"""Assistant: ask monitoring questions; answers come from real read-only queries and are kept per user."""

from assistant.ui import render_chat

render_chat()

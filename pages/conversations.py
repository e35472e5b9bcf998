"""Conversations: browse, search, filter, open, rename, delete and export the assistant's conversations."""

from history.ui import render_conversations

render_conversations()

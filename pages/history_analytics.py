"""History analytics: charts over the conversation tables and a read-only SQL console scoped to the user."""

from history.ui import render_analytics

render_analytics()

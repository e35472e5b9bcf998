"""Home: engine, server version, uptime, databases, conversation store."""

from dashboard.home import render_home

render_home()

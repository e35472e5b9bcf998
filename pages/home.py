"""Home: the landing page (server and connection, health summary, key figures, links into each area)."""

from dashboard.home import render_home

render_home()

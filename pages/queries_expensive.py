"""Expensive queries: drawn from the page declaration in the catalog."""

from dashboard.render import render_page

render_page("queries_expensive")

"""Detached parts: drawn from the page declaration in the catalog."""

from dashboard.render import render_page

render_page("detached_parts")

"""The monitoring dashboard: panel declarations, the generic renderer, health checks and shared page context."""

"""Alerts: the health checks and custom rules evaluated on every host, their state kept in ClickHouse, notified."""

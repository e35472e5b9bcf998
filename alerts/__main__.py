"""`python -m alerts watch` runs the watcher; `python -m alerts check` evaluates once (Nagios exit codes)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from alerts.check import EXIT_CODES, overall, pick_hosts, pick_targets, render, run_check
from alerts.watcher import all_targets, start_thread
from config import Settings, load_settings
from core.errors import ChmError


def _watch(settings: Settings) -> int:
    thread, stop = start_thread(settings)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    hosts = len(settings.clickhouse.host_labels)
    print(f"watching every {settings.alerts.interval:g} s {hosts} host(s); notifications "
          f"{'on' if settings.alerts.notify else 'off (CHM_ALERT_NOTIFY empty)'}", file=sys.stderr)
    while thread.is_alive():
        thread.join(timeout=1.0)
    return 0


def _check(settings: Settings, host: str | None, fmt: str, names: list[str] | None) -> int:
    readings = run_check(settings, pick_targets(all_targets(settings), names), pick_hosts(settings, host))
    print(render(readings, fmt))
    return EXIT_CODES[overall(readings)]


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    """Run the command line; returns the exit code (`check`: 3, unknown, when the configuration is unusable)."""
    parser = argparse.ArgumentParser(prog="python -m alerts", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("watch", help="evaluate every check every CHM_ALERT_INTERVAL seconds, record and notify")
    check = sub.add_parser("check", help="evaluate once and exit 0 ok, 1 warning, 2 critical, 3 unknown")
    check.add_argument("--host", help="one configured host (label, URL or number); default every host")
    check.add_argument("--format", choices=("text", "json", "nagios"), default="text")
    check.add_argument("--check", action="append", dest="checks", metavar="NAME",
                       help="only this check or rule (`uptime`, `rule_<name>`); repeat for several")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = settings or load_settings()
        if args.command == "watch":
            return _watch(settings)
        return _check(settings, args.host, args.format, args.checks)
    except ChmError as exc:
        if args.command == "check":
            print(f"CHMONITOR UNKNOWN - {exc}")
            return EXIT_CODES["unknown"]
        print(f"chmonitor alerts: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

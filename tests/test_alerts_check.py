"""The one-shot check (`python -m alerts check`): Nagios exit codes and output, and rules files refused at start."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from alerts.__main__ import main
from alerts.rules import load_rules
from config import load_settings
from core.errors import ConfigError
from tests.chserver import free_port
from tests.test_alerts import calm

TABLE_COUNT = ("chm_health_table_count_warning", "chm_health_table_count_critical")
"""The check the tests make bad: `table_count` is 0 % or more on any server, so a threshold of 0 is reached."""


@pytest.mark.parametrize(
    ("overrides", "code", "word"),
    [
        ({}, 0, "OK"),
        ({TABLE_COUNT[0]: 0.0}, 1, "WARNING"),
        ({TABLE_COUNT[0]: 0.0, TABLE_COUNT[1]: 0.0}, 2, "CRITICAL"),
        ({"clickhouse_host": "http://127.0.0.1:{port}"}, 3, "UNKNOWN"),
    ],
)
def test_nagios_exit_codes(overrides: dict, code: int, word: str, capsys: pytest.CaptureFixture[str]) -> None:
    overrides = {k: v.format(port=free_port()) if isinstance(v, str) else v for k, v in overrides.items()}
    settings = load_settings(**{**calm(), **overrides})
    assert main(["check", "--format", "nagios"], settings) == code
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"CHMONITOR {word} - ")
    assert len(out.splitlines()) == 1
    if code in (1, 2):
        assert "Table count: " + word.lower() in out
        assert re.search(r"'embedded/table_count'=[0-9.]+;0;" + ("0" if code == 2 else "1e\\+18") + " ", out)
    if code == 3:
        assert "24 unknown" in out


def test_text_and_json_formats(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(**{**calm(), TABLE_COUNT[0]: 0.0})
    assert main(["check", "--format", "json", "--host", "embedded"], settings) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "warning" and report["exit_code"] == 1 and len(report["checks"]) == 24
    bad = [c for c in report["checks"] if c["status"] == "warning"]
    assert [c["check"] for c in bad] == ["table_count"] and bad[0]["warning"] == 0.0
    assert main(["check"], settings) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 25 and lines[-1] == "overall: warning"
    assert any(line.startswith("warning") and "Table count" in line for line in lines)


def test_unknown_host_is_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--host", "nowhere", "--format", "nagios"], load_settings()) == 3
    assert "CHMONITOR UNKNOWN - --host 'nowhere' is none of the configured hosts: embedded" in capsys.readouterr().out


def test_a_rule_joins_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[rules.databases]\nsql = "SELECT count() AS n FROM system.databases"\ncolumn = "n"\n'
                     'warning = 1\ncritical = 0\nhigher_is_worse = false\n')
    assert main(["check", "--format", "json"], load_settings(**calm(), chm_alert_rules=rules)) == 0
    report = json.loads(capsys.readouterr().out)
    rule = next(c for c in report["checks"] if c["check"] == "rule_databases")
    assert rule["status"] == "ok" and rule["value"] >= 2


BAD_RULES = [
    ('[rules.w]\nsql = "INSERT INTO t VALUES (1)"\nthreshold = 1\n', "w", "sql"),
    ('[rules.w]\nsql = "SELECT 1 AS value; DROP TABLE t"\nthreshold = 1\n', "w", "sql"),
    ('[rules.nothing]\nsql = "SELECT 1 AS value"\n', "nothing", "warning"),
    ('[rules.both]\nsql = "SELECT 1 AS value"\npanel = "health_uptime"\nthreshold = 1\n', "both", "panel"),
    ('[rules.p]\npanel = "no_such_panel"\nthreshold = 1\n', "p", "panel"),
    ('[rules.typo]\nsql = "SELECT 1 AS value"\nthreshold = 1\nseverty = "warning"\n', "typo", "severty"),
    ('[rules.f]\nsql = "SELECT 1 AS value"\nthreshold = 1\nfor = 0\n', "f", "for"),
    ('[rules.s]\nsql = "SELECT 1 AS value"\nthreshold = 1\nseverity = "page"\n', "s", "severity"),
    ('[rules.order]\nsql = "SELECT 1 AS value"\nwarning = 10\ncritical = 5\n', "order", "critical"),
    ('[rules."bad name"]\nsql = "SELECT 1 AS value"\nthreshold = 1\n', "bad name", "name"),
]


@pytest.mark.parametrize(("text", "rule", "field"), BAD_RULES)
def test_bad_rules_file_stops_start_naming_rule_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, rule: str, field: str,
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    expected = f"alert rules {path}: rule {rule!r}, field {field!r}: "
    with pytest.raises(ConfigError) as info:
        load_rules(path, 3)
    assert str(info.value).startswith(expected)
    settings = load_settings(chm_alert_rules=path)
    assert main(["watch"], settings) == 1
    assert expected in capsys.readouterr().err
    assert main(["check", "--format", "nagios"], settings) == 3
    assert capsys.readouterr().out.startswith(f"CHMONITOR UNKNOWN - {expected}")


def test_unreadable_or_invalid_toml_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    with pytest.raises(ConfigError, match=f"alert rules {missing}: cannot read the file"):
        load_rules(missing, 3)
    broken = tmp_path / "broken.toml"
    broken.write_text("[rules.x\n")
    with pytest.raises(ConfigError, match=f"alert rules {broken}: not valid TOML"):
        load_rules(broken, 3)


def test_readme_rules_example_is_valid_and_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "rules.toml"
    path.write_text("\n".join(line.removeprefix("  ") for line in example.splitlines()))
    names = [t.name for t in load_rules(path, 3)]
    assert names == ["rule_big_default_db", "rule_slow_queries"]
    main(["check", "--format", "json"], load_settings(**calm(), chm_alert_rules=path))
    report = json.loads(capsys.readouterr().out)
    statuses = {c["check"]: c["status"] for c in report["checks"]}
    assert statuses["rule_big_default_db"] == "ok" and statuses["rule_slow_queries"] in ("ok", "warning")


def test_check_names_select_what_a_probe_runs(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(**{**calm(), TABLE_COUNT[0]: 0.0})
    assert main(["check", "--check", "uptime", "--check", "disk_used", "--format", "json"], settings) == 0
    assert [c["check"] for c in json.loads(capsys.readouterr().out)["checks"]] == ["uptime", "disk_used"]
    assert main(["check", "--check", "table_count", "--format", "nagios"], settings) == 1
    assert capsys.readouterr().out.startswith("CHMONITOR WARNING - 0 critical, 1 warning, 0 unknown")
    assert main(["check", "--check", "nope"], settings) == 3
    assert "--check nope: no such check or rule; known: readonly_replicas" in capsys.readouterr().out

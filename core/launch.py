"""Start a command with the app's secrets handed over through a pipe instead of its environment.

    python -m core.launch streamlit run server.py …

The embedded engine runs inside the app's process, and chdb (ClickHouse's local mode) does not hold `file()` to
`user_files_path`, so a statement that got past the SQL guard could read `/proc/self/environ`. This launcher takes
every secret setting (each `SecretStr` field's variables, e.g. `LLM_API_KEY`, `CHM_EXPORT_SECRET`,
`CLICKHOUSE_PASSWORD`) out of the environment, writes them to a pipe, and replaces itself with the command, which
inherits only the pipe's read end (`CHM_SECRETS_FD`). `load_settings` reads the pipe once and closes it: the
process's environment, its command line and its open files then hold no secret.
"""

from __future__ import annotations

import json
import os
import sys

from core.settings import SECRETS_FD_VARIABLE


def split_environment(environ: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(the environment without secrets, the secrets): pure, for tests.

    The secret variables are those of the app's composed `config.Settings` (the assistant's and the alerts' areas
    hold secrets too); the launcher is the app's entry, so it reads that composition when it runs, while importing
    this module still imports no area.
    """
    from config import SECRET_VARIABLES

    secrets = {name: value for name, value in environ.items() if name in SECRET_VARIABLES}
    return {name: value for name, value in environ.items() if name not in SECRET_VARIABLES}, secrets


def main(argv: list[str]) -> None:
    """Exec `argv` with the secrets moved from the environment into an inherited pipe."""
    if not argv:
        raise SystemExit("usage: python -m core.launch COMMAND [ARG…]")
    clean, secrets = split_environment(dict(os.environ))
    payload = json.dumps(secrets).encode("utf-8")
    read_end, write_end = os.pipe()
    if len(payload) > 60_000:
        raise SystemExit("the secret settings are larger than a pipe's buffer (60 KB)")
    os.write(write_end, payload)
    os.close(write_end)
    os.set_inheritable(read_end, True)
    clean[SECRETS_FD_VARIABLE] = str(read_end)
    os.execvpe(argv[0], argv, clean)


if __name__ == "__main__":
    main(sys.argv[1:])

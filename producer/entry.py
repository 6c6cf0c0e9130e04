"""The ``photoreel`` entry point: the settings are checked before anything reads them.

Importing the command (``producer.cli``) builds the Celery app from the settings, so a bad
variable would surface as a traceback from deep inside an import; here it is one line per
variable, naming it and the accepted values, with exit code 2, and nothing is started.
``photoreel plan`` is run without importing the rest of the command (``producer.plan_table``).
A self-contained ``run`` or ``catalog`` starts its Redis and first worker before importing the
rest of itself (``producer.head_start``).
"""

from __future__ import annotations

import sys

from config.settings import SettingsError, load_settings
from producer import head_start
from producer.exits import EXIT_USAGE
from worker.backends import backend_names


def main() -> None:
    try:
        settings = load_settings()
    except SettingsError as problem:
        for line in str(problem).splitlines():
            print(f"error: {line}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    if settings.backend not in backend_names():
        accepted = " or ".join(backend_names())
        message = f"PHOTOREEL_BACKEND={settings.backend}: no such backend; accepted: {accepted}"
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)
    if sys.argv[1:2] == ["plan"]:
        from producer.plan_table import plan_app

        plan_app(prog_name="photoreel")
        return
    if head_start.wanted(sys.argv, settings.redis_url):
        from worker.files.scratch import scratch_root

        head_start.begin(settings.queue, scratch_root())
    from producer.cli import main as run_command

    run_command()

"""One pipeline: our lines and the standard library's (Celery, httpx …) as JSON, with the
job bound and secrets redacted at any depth."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from config.logging import (
    REDACTED,
    bind_job,
    configure_logging,
    get_logger,
    redact,
    say_as_json,
)

TOKEN = "nmv_usr_planted_0123456789"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    captured = io.StringIO()
    configure_logging("INFO", "json", secrets=[TOKEN], stream=captured)
    yield captured
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_redact_reaches_nested_keys_lists_and_known_values() -> None:
    event = {
        "request": {"headers": {"Authorization": f"Bearer {TOKEN}"}, "items": [{"token": "t"}]},
        "note": f"sent {TOKEN}",
        "count": 3,
    }
    assert redact(event, [TOKEN]) == {
        "request": {"headers": {"Authorization": REDACTED}, "items": [{"token": REDACTED}]},
        "note": f"sent {REDACTED}",
        "count": 3,
    }


def test_our_lines_and_the_standard_librarys_are_json_with_the_job(stream: io.StringIO) -> None:
    with bind_job("reel-1", stage="upload"):
        get_logger("worker.flow.pipeline").info("stage started", request={"token": TOKEN})
        logging.getLogger("celery.app.trace").info("Task %s succeeded", "photoreel.upload")
    logging.getLogger("kombu").warning("connection lost to %s", f"redis://:{TOKEN}@host")

    ours, celery, kombu = lines(stream)
    assert ours["event"] == "stage started" and ours["request"] == {"token": REDACTED}
    assert (ours["job_id"], ours["stage"], ours["level"]) == ("reel-1", "upload", "info")
    assert celery["event"] == "Task photoreel.upload succeeded"
    assert (celery["job_id"], celery["logger"]) == ("reel-1", "celery.app.trace")
    assert "job_id" not in kombu
    assert kombu["event"] == f"connection lost to redis://:{REDACTED}@host"
    assert all("timestamp" in line for line in (ours, celery, kombu))


def test_an_exception_is_one_json_line_without_the_token(stream: io.StringIO) -> None:
    try:
        raise RuntimeError(f"refused for Bearer {TOKEN}")
    except RuntimeError:
        logging.getLogger("worker.backends.nemo.client").exception("call failed")
    [line] = lines(stream)
    assert "RuntimeError: refused for Bearer ***" in str(line["exception"])
    assert TOKEN not in stream.getvalue()


def test_levels_below_the_setting_and_chatty_libraries_are_left_out(
    stream: io.StringIO,
) -> None:
    get_logger("worker").debug("detail")
    logging.getLogger("httpx").info("HTTP Request: GET https://api 200")
    logging.getLogger("httpx").warning("HTTP retry")
    assert [line["event"] for line in lines(stream)] == ["HTTP retry"]


def test_a_secret_key_inside_a_standard_library_argument_is_redacted(
    stream: io.StringIO,
) -> None:
    logging.getLogger("httpx").warning("retrying with %s", {"headers": {"token": "planted"}})
    [line] = lines(stream)
    assert line["event"] == "retrying with {'headers': {'token': '***'}}"


def test_a_line_printed_from_a_signal_handler_is_a_json_log_line(tmp_path: Path) -> None:
    """Celery's "worker: Warm shutdown (MainProcess)" in a service's JSON log."""
    with open(tmp_path / "log", "w") as log:
        say_as_json("worker: Warm shutdown (MainProcess)", log)
    [line] = (tmp_path / "log").read_text().splitlines()
    event = json.loads(line)
    assert event["event"] == "worker: Warm shutdown (MainProcess)"
    assert (event["level"], event["logger"]) == ("warning", "celery.worker")

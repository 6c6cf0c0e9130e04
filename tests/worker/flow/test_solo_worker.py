"""A single-process worker started without Celery's command line: it consumes its queue under
the node name it was given and runs stages in its own process."""

from __future__ import annotations

import pytest

from worker.flow import solo_worker


def test_its_options_are_those_run_gives_it() -> None:
    options = solo_worker.parse(
        ["--queues", "photoreel", "--hostname", "photoreel-2@%h", "--loglevel", "INFO"]
    )
    assert (options.queues, options.hostname, options.loglevel) == (
        "photoreel",
        "photoreel-2@%h",
        "INFO",
    )


def test_a_queue_is_required() -> None:
    with pytest.raises(SystemExit):
        solo_worker.parse([])


def test_it_starts_a_solo_celery_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    made: dict[str, object] = {}

    class RecordingWorker:
        exitcode = 0

        def __init__(self, **options: object) -> None:
            made.update(options)

        def start(self) -> None:
            made["started"] = True

    from worker.flow.service import app

    monkeypatch.setattr(app, "Worker", RecordingWorker)
    with pytest.raises(SystemExit) as exit_:
        solo_worker.main(["--queues", "photoreel", "--hostname", "photoreel-1@%h"])
    assert exit_.value.code == 0
    assert made["pool_cls"] == "solo" and made["concurrency"] == 1
    assert made["queues"] == ["photoreel"] and made["started"] is True
    assert str(made["hostname"]).startswith("photoreel-1@") and "%h" not in str(made["hostname"])

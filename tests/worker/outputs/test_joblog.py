import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from redis import Redis

from config.logging import bind_job, configure_logging, get_logger
from worker.files.bucket import open_bucket
from worker.job import keys
from worker.job.redis_outage import Outage
from worker.outputs.joblog import JobLogHandler, publish_job_log


@pytest.fixture
def job_log(fake_redis: Redis) -> Iterator[JobLogHandler]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO", "json", stream=io.StringIO())
    handler = JobLogHandler(lambda: fake_redis, 3600, secrets=["s3cr3t-token"])
    root.addHandler(handler)
    yield handler
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


def test_a_jobs_lines_go_to_its_list_and_then_to_the_bucket(
    job_log: JobLogHandler, fake_redis: Redis, tmp_path: Path
) -> None:
    log = get_logger("tests.joblog")
    log.info("not a job's line")
    with bind_job("j1", stage="export"):
        log.info("frames done", frames=12, token="s3cr3t-token")
        logging.getLogger("library").warning("retrying with %s", "s3cr3t-token")
    assert fake_redis.ttl(keys.job_log("j1")) == 3600

    publish_job_log(fake_redis, open_bucket(str(tmp_path)), "j1")

    lines = [json.loads(line) for line in (tmp_path / "j1" / "log.jsonl").read_text().splitlines()]
    assert [(line["event"], line["job_id"]) for line in lines] == [
        ("frames done", "j1"),
        ("retrying with ***", "j1"),
    ]
    assert lines[0]["frames"] == 12 and lines[0]["token"] == "***"
    assert not fake_redis.exists(keys.job_log("j1"))


def test_while_redis_is_unreachable_a_jobs_lines_do_not_wait_for_it(
    job_log: JobLogHandler, fake_redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stage logging during an outage must not wait the outage out in its log handler: the
    line is in the worker's own log."""
    outage = Outage()
    outage.tell = lambda _message: None
    monkeypatch.setattr("worker.outputs.joblog.OUTAGE", outage)
    log = get_logger("tests.joblog")
    outage.failed()
    with bind_job("j1", stage="export"):
        log.warning("during the outage")
    outage.answered()
    with bind_job("j1", stage="export"):
        log.info("after it")
    lines = [json.loads(line)["event"] for line in fake_redis.lrange(keys.job_log("j1"), 0, -1)]
    assert lines == ["after it"]

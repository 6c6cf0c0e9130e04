"""A task a test worker also loads (``--include``): it logs, while bound to a job, a token
inside a nested field, through our logger and through a standard library one."""

from __future__ import annotations

import logging

from config.logging import bind_job, get_logger
from worker.queue.app import app

PLANTED = "nmv_usr_planted_in_a_nested_field"


@app.task(name="photoreel.test.log_probe")
def log_probe(job_id: str) -> None:
    with bind_job(job_id):
        get_logger(__name__).warning(
            "probe", request={"headers": {"Authorization": f"Bearer {PLANTED}"}, "ok": [1]}
        )
        logging.getLogger("httpx").warning("retrying with %s", {"token": PLANTED})

"""A stage's hard time limit in a single-process (``solo``) worker, where Celery enforces none.

A prefork pool kills a pool process whose task outlives ``PHOTOREEL_STAGE_TIME_LIMIT``; a solo
worker runs its stage in its own process, so a timer does the same to it: past the limit the
process is killed (SIGKILL, as Celery does). Its supervisor starts it again (``run``'s, or the
deployment's restart policy), and the reconciler resumes the job once its lease runs out,
within the job's bounded attempts; the encoder it ran reads the end of its input and exits.
"""

from __future__ import annotations

import os
import signal
import threading

from config.logging import get_logger

log = get_logger(__name__)


class StageDeadline:
    """One timer at a time, armed when a stage starts and disarmed when it ends."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._timer: threading.Timer | None = None

    def arm(self) -> None:
        self.disarm()
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.name = "stage-deadline"
        self._timer.daemon = True
        self._timer.start()

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        log.error("stage over its hard time limit: this worker stops", seconds=self.seconds)
        os.kill(os.getpid(), signal.SIGKILL)

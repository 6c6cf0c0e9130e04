"""Waiting for a two-stage generation to finish.

Stage 1 leaves the plain clip (a video track); stage 2 adds BGM and a title by itself. The draft
is final when it has audio and title tracks (``stage2``), or when it has content and has not
changed for the settle period (``settled``). A draft that is not (yet) in the expected shape
counts as not ready. The wait is bounded; when the message may have started nothing, a draft
still without a track that has segments after ``start_within`` ends it early (``not_started``):
the protocol lets a session where nothing started hold no track or an empty one
(``t: [{tt: 0, sg: []}]``), so "started" is the same rule as "ready for export".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from worker.job.draft import Draft, TrackType


@dataclass(frozen=True)
class Completion:
    draft: dict[str, Any]
    how: str
    """``stage2`` (music and title arrived), ``settled`` (unchanged for the settle period) or
    ``not_started`` (no track with segments within ``start_within``)."""
    waited: float


def wait_for_draft(
    fetch_state: Callable[[], dict[str, Any]],
    *,
    poll: float,
    settle: float,
    timeout: float,
    start_within: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    on_poll: Callable[[float], None] = lambda _waited: None,
) -> Completion | None:
    """Poll the session state until the draft is final; None if the timeout came first.
    ``on_poll`` is told the seconds waited after each poll that did not end the wait."""
    start = clock()
    seen: str | None = None
    changed_at = start
    while True:
        raw = fetch_state().get("draft") or {}
        now = clock()
        fingerprint = json.dumps(raw, sort_keys=True)
        if fingerprint != seen:
            seen, changed_at = fingerprint, now
        try:
            draft = Draft.model_validate(raw)
        except ValidationError:
            draft = Draft()
        if draft.ready_for_export:
            if draft.has_content(TrackType.AUDIO) and draft.has_content(TrackType.TEXT):
                return Completion(raw, "stage2", now - start)
            if now - changed_at >= settle:
                return Completion(raw, "settled", now - start)
        elif start_within is not None and now - start >= start_within:
            return Completion(raw, "not_started", now - start)
        if now - start >= timeout:
            return None
        on_poll(now - start)
        sleep(poll)

"""The NemoVideo backend as the core sees it: network-bound (threads), paid, limited across
workers, with a token to keep out of every log line and report.

The report's ``credits`` section is read from the facts it records: the balance before its
paid request (``credits_before``), after it (``credits_after``) and whether the request went
out (``message_sent``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worker.backends.base import Backend, BackendPlugin, Pool, SessionLimits
from worker.backends.nemo.checkpoint import NemoCheckpoint
from worker.backends.nemo.settings import GENERATION_COST, NemoSettings
from worker.job.limits import SharedLimits

CREDIT_KEYS = ("credits_before", "credits_after", "message_sent")


def create() -> Backend:
    from worker.backends.nemo.backend import NemoBackend

    return NemoBackend()


def limits(settings: NemoSettings) -> SessionLimits:
    return SessionLimits(
        max_sessions=settings.nemo_max_sessions, calls_per_second=settings.nemo_calls_per_second
    )


def secrets(settings: NemoSettings) -> list[str]:
    token = settings.nemo_token
    return [token.get_secret_value()] if token else []


def credits_used(checkpoint: Mapping[str, Any]) -> dict[str, Any] | None:
    """Paid requests sent (``charges``) and the balance before and after; ``spent`` is how far
    the balance moved meanwhile (other jobs of the same account spending at the same time move
    it too). None when the job never came near a paid request."""
    if not any(key in checkpoint for key in CREDIT_KEYS):
        return None
    before, after = checkpoint.get("credits_before"), checkpoint.get("credits_after")
    spent = max(before - after, 0) if before is not None and after is not None else None
    return {
        "spent": spent,
        "charges": 1
        if checkpoint.get("message_sent") and not checkpoint.get("started_nothing")
        else 0,
        "balance_before": before,
        "balance_after": after,
    }


def credits_cover_a_job(
    backend: Backend, settings: NemoSettings, limits: SharedLimits | None
) -> bool:
    from worker.backends.nemo.backend import NemoBackend

    assert isinstance(backend, NemoBackend)
    return backend.available_credits(settings, limits) >= GENERATION_COST


PLUGIN = BackendPlugin(
    name="nemo",
    pool=Pool.IO,
    create=create,
    takes_urls=True,
    settings_class=NemoSettings,
    checkpoint=NemoCheckpoint,
    limits=limits,
    secrets=secrets,
    credits=credits_used,
    audit_facts=("session_id", *CREDIT_KEYS),
    credit_check=credits_cover_a_job,
)

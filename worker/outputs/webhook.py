"""The batch webhook: when a batch settles, its summary is POSTed as JSON to
``PHOTOREEL_WEBHOOK_URL``, signed with HMAC-SHA256.

The body is the batch's ``summary.json`` (``worker/outputs/summary.py``) with ``event`` set to
``batch.settled`` and ``summary_url`` (where the summary is in the bucket). The header
``X-Photoreel-Signature: sha256=<hex>`` is the HMAC-SHA256 of the raw body under
``PHOTOREEL_WEBHOOK_SECRET``; a receiver recomputes it over the bytes it got and compares in
constant time. ``X-Photoreel-Delivery`` names the batch, the same on every retry.

The worker that writes a batch's summary queues one delivery task (a Redis ``SET NX`` makes
it one per batch, whichever workers finish at once); the task retries a refused connection, a
timeout, a 429 or a 5xx with a doubling wait, and gives up at once on another 4xx (a wrong
URL or secret will not heal by itself).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
from redis import Redis

from config.logging import get_logger
from config.settings import Settings, get_settings
from worker.job import keys
from worker.queue.app import app, queue_for

log = get_logger(__name__)
EVENT = "batch.settled"
SIGNATURE_HEADER = "X-Photoreel-Signature"
DELIVERY_HEADER = "X-Photoreel-Delivery"
TASK_NAME = "photoreel.webhook"
TIMEOUT_SECONDS = 10.0


class DeliveryFailed(Exception):
    """The receiver did not take the delivery; ``retry`` says whether trying again may help."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(summary: dict[str, Any], summary_url: str) -> bytes:
    return json.dumps({"event": EVENT, "summary_url": summary_url, **summary}).encode()


def post(url: str, secret: str, batch: str, body: bytes) -> None:
    """One delivery; raises DeliveryFailed unless the receiver answered 2xx."""
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(secret, body),
        DELIVERY_HEADER: batch,
    }
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT_SECONDS)
    except httpx.TransportError as error:
        raise DeliveryFailed(f"{type(error).__name__}: {error}", retry=True) from None
    if response.is_success:
        return
    retry = response.status_code == 429 or response.status_code >= 500
    raise DeliveryFailed(f"HTTP {response.status_code}", retry=retry)


def backoff(settings: Settings, retries_so_far: int) -> float:
    return settings.webhook_backoff_seconds * 2**retries_so_far


def claim_delivery(redis: Redis, batch: str, retention_seconds: int) -> bool:
    """True for the one caller that should queue the batch's delivery."""
    return bool(redis.set(keys.batch_notified(batch), 1, nx=True, ex=retention_seconds))


def queue_delivery(
    redis: Redis, batch: str, summary: dict[str, Any], summary_url: str, *, backend: str
) -> None:
    """Queue the batch's webhook (on the queue of a backend that just ran), once per batch."""
    settings = get_settings()
    if not settings.webhook_url:
        return
    if not claim_delivery(redis, batch, settings.retention_seconds):
        return
    body = webhook_body(summary, summary_url).decode()
    app.send_task(TASK_NAME, args=[batch, body], queue=queue_for(backend))
    log.info("webhook queued", batch=batch)

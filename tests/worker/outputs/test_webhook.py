import hashlib
import hmac
import json

from redis import Redis

from config.settings import Settings
from worker.outputs.webhook import EVENT, backoff, claim_delivery, signature, webhook_body


def test_the_signature_is_the_hmac_sha256_of_the_body() -> None:
    body = b'{"event": "batch.settled"}'
    expected = hmac.new(b"key", body, hashlib.sha256).hexdigest()
    assert signature("key", body) == f"sha256={expected}"
    assert signature("other", body) != signature("key", body)


def test_the_body_is_the_summary_with_the_event_and_its_address() -> None:
    summary = {"schema": "photoreel.summary/1", "batch": "b1", "counts": {"succeeded": 2}}
    body = json.loads(webhook_body(summary, "s3://bucket/batches/b1/summary.json"))
    assert body == {**summary, "event": EVENT, "summary_url": "s3://bucket/batches/b1/summary.json"}


def test_the_wait_doubles_from_the_backoff() -> None:
    settings = Settings(webhook_backoff_seconds=1.5)
    assert [backoff(settings, retries) for retries in range(4)] == [1.5, 3.0, 6.0, 12.0]


def test_one_delivery_per_batch_whoever_asks(fake_redis: Redis) -> None:
    assert claim_delivery(fake_redis, "b1", 60)
    assert not claim_delivery(fake_redis, "b1", 60)
    assert claim_delivery(fake_redis, "b2", 60)

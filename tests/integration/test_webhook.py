"""The batch webhook against a real local HTTP server that checks the signature: a delivery
signed with another key is refused; a real batch on real workers is delivered once, after the
server's one 500."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from redis import Redis

from producer.enqueue import enqueue_specs
from producer.redis_server import EmbeddedRedis
from producer.worker_processes import WorkerProcesses
from tests.conftest import make_photo
from tests.integration.chaos import wait_until
from worker.job.spec import JobOptions, JobSpec
from worker.job.store import JobStore
from worker.outputs.webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    DeliveryFailed,
    post,
    signature,
)
from worker.queue.app import connect

pytestmark = pytest.mark.integration
SECRET = "webhook-signing-key"


@dataclass
class Receiver:
    """What the server saw: requests refused for their signature, answered 500, and taken."""

    url: str = ""
    refused: list[bytes] = field(default_factory=list)
    failed: list[bytes] = field(default_factory=list)
    taken: list[tuple[str, bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    seen = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get(SIGNATURE_HEADER) != signature(SECRET, body):
                seen.refused.append(body)
                code = 401
            elif not seen.failed:
                seen.failed.append(body)
                code = 500
            else:
                seen.taken.append((self.headers[DELIVERY_HEADER], body))
                code = 204
            self.send_response(code)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    seen.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/photoreel"
    yield seen
    server.shutdown()
    server.server_close()


def test_a_delivery_signed_with_another_key_is_refused_and_not_retried(
    receiver: Receiver,
) -> None:
    with pytest.raises(DeliveryFailed) as failure:
        post(receiver.url, "not-the-key", "b1", b'{"event": "batch.settled"}')
    assert failure.value.retry is False and str(failure.value) == "HTTP 401"
    assert receiver.refused == [b'{"event": "batch.settled"}'] and not receiver.taken


def test_a_settled_batch_is_posted_once_after_a_500(
    receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in (
        ("PHOTOREEL_WEBHOOK_URL", receiver.url),
        ("PHOTOREEL_WEBHOOK_SECRET", SECRET),
        ("PHOTOREEL_WEBHOOK_BACKOFF_SECONDS", "0.2"),
    ):
        monkeypatch.setenv(name, value)
    photos = [str(make_photo(tmp_path / "in" / f"{i}.jpg", seed=i)) for i in range(2)]
    dry = JobOptions(backend="dry")
    specs = [
        JobSpec(id="first", photos=photos, prompt="3 s", options=dry),
        JobSpec(id="second", photos=photos[:1], prompt="3 s", options=dry),
    ]
    with EmbeddedRedis() as redis_server:
        connect(redis_server.url)
        store = JobStore(Redis.from_url(redis_server.url))
        log = tmp_path / "worker.log"
        workers = WorkerProcesses(
            redis_server.url, queue="photoreel", pool="prefork", concurrency=2, log_file=log
        )
        workers.start()
        try:
            enqueue_specs(specs, store, out=str(tmp_path / "out"), batch="nightly")
            wait_until(lambda: bool(receiver.taken), timeout=180, what="the webhook")
        finally:
            workers.stop()

    assert not receiver.refused and len(receiver.failed) == 1, log.read_text()[-3000:]
    [(delivery, body)] = receiver.taken
    assert body == receiver.failed[0]  # the retry sends the same signed bytes
    payload = json.loads(body)
    assert delivery == "nightly"
    assert (payload["event"], payload["batch"]) == ("batch.settled", "nightly")
    assert payload["counts"] == {"succeeded": 2}
    assert {job["job_id"] for job in payload["jobs"]} == {"first", "second"}
    assert payload["summary_url"].endswith("batches/nightly/summary.json")
    assert SECRET not in log.read_text()

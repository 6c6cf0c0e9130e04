"""A 10,000-product catalog through the service, not the encoder (the ``dry`` backend).

Printed, each against its target:

1. enqueue: reading a 10,000-row CSV feed into job specs, the change detection against the
   output bucket, and enqueueing every job on an embedded Redis (records, Celery messages),
   from the first line read to the last message sent. Target <= 20 s.
2. ``status`` of that batch: reading the 10,000 job states back (as ``photoreel status
   --json`` does, in process) and rendering them. Target <= 1 s.
3. Redis memory per settled job after publish: a sample batch (``--sample`` jobs) run by a real
   worker with the dry backend on a second embedded Redis; once every job settled and was
   published, the ``MEMORY USAGE`` of every key Redis holds, less the same sum before the
   batch, over the jobs (the job's own keys and its share of the batch's and the state
   indexes). ``used_memory`` before and after is printed beside it: it also counts the
   allocator's slack and the clients' buffers. Target <= 2 KB.
4. a rerun of the sample's feed with nothing changed: the jobs it would make. Target 0.

Run with ``python bench/catalog.py``; ``--rows N`` and ``--sample N`` for a quicker run.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redis import Redis  # noqa: E402

from producer.catalog import catalog_specs, split_unchanged  # noqa: E402
from producer.enqueue import enqueue_specs  # noqa: E402
from producer.redis_server import EmbeddedRedis  # noqa: E402
from producer.status_json import batch_json  # noqa: E402
from producer.worker_processes import WorkerProcesses  # noqa: E402
from worker.job.store import JobStore  # noqa: E402
from worker.queue.app import connect  # noqa: E402

TARGET_ENQUEUE_SECONDS = 20.0
TARGET_STATUS_SECONDS = 1.0
TARGET_BYTES_PER_JOB = 2048
TEMPLATE = "6-second promo for {title}, 9:16"
DRY = {"backend": "dry"}


def write_feed(folder: Path, rows: int) -> Path:
    """``rows`` products sharing two small photos, each with its own title."""
    for name, colour in (("a.jpg", (200, 80, 40)), ("b.jpg", (40, 120, 200))):
        Image.new("RGB", (96, 64), colour).save(folder / name, quality=80)
    feed = folder / "feed.csv"
    with feed.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title", "photos", "price"])
        for index in range(rows):
            writer.writerow(
                [f"p{index:05d}", f"Product {index}", "a.jpg|b.jpg", f"${index % 90 + 9}"]
            )
    return feed


def key_bytes(client: Redis) -> int:
    """What every key Redis holds takes, by ``MEMORY USAGE`` (all its values sampled)."""
    return sum(client.memory_usage(key, samples=0) or 0 for key in client.scan_iter(count=1000))


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def feed_and_bucket(root: Path, name: str, rows: int) -> tuple[Path, str]:
    """A feed of ``rows`` products in a folder of its own, and an empty bucket beside it."""
    folder = root / f"feed-{name}"
    folder.mkdir()
    return write_feed(folder, rows), str(root / f"out-{name}")


def enqueue_and_status(rows: int, root: Path) -> None:
    feed, out = feed_and_bucket(root, "big", rows)
    with EmbeddedRedis() as redis_server:
        connect(redis_server.url)
        store = JobStore(Redis.from_url(redis_server.url))
        started = time.perf_counter()
        specs = catalog_specs(feed, TEMPLATE, DRY)
        loaded = time.perf_counter()
        todo, _unchanged = split_unchanged(specs, out)
        compared = time.perf_counter()
        result = enqueue_specs(todo, store, out=out, batch="big")
        done = time.perf_counter()
        assert len(result.enqueued) == rows, result
        total = done - started
        print(
            f"1. {rows} rows enqueued in {total:.2f} s (loading {loaded - started:.2f} s, "
            f"change detection {compared - loaded:.2f} s, enqueueing {done - compared:.2f} s) "
            f"(target <= {TARGET_ENQUEUE_SECONDS:g} s: {verdict(total <= TARGET_ENQUEUE_SECONDS)})"
        )
        before = time.perf_counter()
        document = json.dumps(batch_json("big", store.batch_jobs("big")))
        seconds = time.perf_counter() - before
        print(
            f"2. status of the {rows}-job batch: {seconds:.2f} s ({len(document) / 1e6:.1f} MB "
            f"of JSON) (target <= {TARGET_STATUS_SECONDS:g} s: "
            f"{verdict(seconds <= TARGET_STATUS_SECONDS)})"
        )


def settled_memory_and_rerun(sample: int, root: Path) -> None:
    feed, out = feed_and_bucket(root, "sample", sample)
    with EmbeddedRedis() as redis_server:
        connect(redis_server.url)
        client = Redis.from_url(redis_server.url)
        store = JobStore(client)
        workers = WorkerProcesses(
            redis_server.url,
            queue="photoreel",
            pool="prefork",
            concurrency=2,
            log_file=root / "worker.log",
        ).start()
        try:
            time.sleep(3)  # the worker's connections and scripts are there before measuring
            before = client.info("memory")["used_memory"]
            keys_before = key_bytes(client)
            specs = catalog_specs(feed, TEMPLATE, DRY)
            result = enqueue_specs(specs, store, out=out, batch="sample")
            deadline = time.monotonic() + 60 + sample
            summary = Path(out) / "batches" / "sample" / "summary.json"
            while not summary.exists():
                if time.monotonic() > deadline:
                    raise SystemExit("the sample batch did not settle in time")
                time.sleep(0.5)
            time.sleep(1)  # the last job's own writes after the summary
            after = client.info("memory")["used_memory"]
            keys_after = key_bytes(client)
        finally:
            workers.stop()
        statuses = {str(state.status) for state in store.batch_jobs("sample")}
        jobs = len(result.enqueued)
        per_job = (keys_after - keys_before) / jobs
        print(
            f"3. Redis memory per settled job after publish: {per_job:.0f} bytes of keys over "
            f"{jobs} jobs ({statuses}; used_memory {before} -> {after}: "
            f"{(after - before) / jobs:.0f} bytes per job) "
            f"(target <= {TARGET_BYTES_PER_JOB} bytes: {verdict(per_job <= TARGET_BYTES_PER_JOB)})"
        )
        again = catalog_specs(feed, TEMPLATE, DRY)
        todo, unchanged = split_unchanged(again, out)
        rerun = enqueue_specs(todo, store, out=out, batch="rerun")
        print(
            f"4. rerun with nothing changed: {len(unchanged)} unchanged, "
            f"{len(rerun.enqueued)} jobs made (target 0: {verdict(not rerun.enqueued)})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="products in the big feed")
    parser.add_argument("--sample", type=int, default=200, help="jobs run for the memory figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="photoreel-catalog-bench-") as scratch:
        root = Path(scratch)
        enqueue_and_status(args.rows, root)
        settled_memory_and_rerun(args.sample, root)


if __name__ == "__main__":
    main()

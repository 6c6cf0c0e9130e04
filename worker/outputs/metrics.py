"""Prometheus metrics: jobs by state, jobs finished, stage durations, retries, credits, charges.

Why they are read from Redis at each scrape: Celery's prefork pool runs the stages in child
processes that come and go (and a deployment runs several workers), so counters kept in a
process's memory would be split between processes and lost with them. So the scripts that
move a job (``worker/job/store.py``) keep the numbers in Redis as they move it: each status has a
sorted set of its jobs (the gauges), and one hash holds the counters (jobs finished, stage
seconds and runs, retries, credits), bumped in the same script as the transition, so they
only ever go up, even when a job is erased and made again. A scrape is one pipeline of a
fixed number of commands, whatever the number of jobs. Finished jobs count in the gauge
while their keys are retained (``PHOTOREEL_RETENTION_SECONDS``). The worker's main process
serves ``/metrics`` from an HTTP thread; every worker serves the same numbers (the whole
deployment's): scrape one, or aggregate with ``max``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.metrics_core import SummaryMetricFamily
from redis import Redis

from worker.job import keys
from worker.job.states import JobStatus, Stage
from worker.job.store import JobStore


class JobMetricsCollector:
    def __init__(self, store: JobStore) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        redis = self.store.redis
        kept_since = time.time() - self.store.retention_seconds
        pipe = redis.pipeline(transaction=False)
        for status in JobStatus:
            if status.finished:  # members older than the retention are trimmed lazily
                pipe.zcount(keys.jobs_in_state(status), f"({kept_since}", "+inf")
            else:
                pipe.zcard(keys.jobs_in_state(status))
        pipe.hgetall(keys.METRICS)
        *sizes, raw_counters = pipe.execute()
        counters = {name.decode(): float(value) for name, value in raw_counters.items()}

        jobs = GaugeMetricFamily("photoreel_jobs", "Jobs by state", labels=["state"])
        for status, size in zip(JobStatus, sizes, strict=True):
            jobs.add_metric([status.value], size)
        yield jobs
        finished = CounterMetricFamily(
            "photoreel_jobs_finished", "Jobs that finished, by outcome", labels=["state"]
        )
        for status in JobStatus:
            if status.finished:
                finished.add_metric([status.value], counters.get(f"finished:{status}", 0))
        yield finished
        durations = SummaryMetricFamily(
            "photoreel_stage_seconds", "Time spent in each stage", labels=["stage"]
        )
        retried = CounterMetricFamily(
            "photoreel_stage_retries", "Stage attempts beyond the first", labels=["stage"]
        )
        for stage in Stage:
            durations.add_metric(
                [stage.value],
                counters.get(f"runs:{stage}", 0),
                counters.get(f"seconds:{stage}", 0),
            )
            retried.add_metric([stage.value], counters.get(f"retries:{stage}", 0))
        yield durations
        yield retried
        yield CounterMetricFamily(
            "photoreel_credits_spent",
            "Credits spent by paid backends",
            value=counters.get("credits_spent", 0),
        )
        yield CounterMetricFamily(
            "photoreel_charges", "Paid requests charged", value=counters.get("charges", 0)
        )


def metrics_registry(redis: Redis) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(JobMetricsCollector(JobStore(redis)))
    return registry


def serve_metrics(port: int, redis_url: str) -> None:
    """Serve ``/metrics`` on ``port`` (all interfaces) from a daemon thread of this process."""
    start_http_server(port, registry=metrics_registry(Redis.from_url(redis_url)))

"""Prometheus metrics: jobs by state, stage durations, retries, credits spent and charges.

Why they are read from Redis at each scrape: Celery's prefork pool runs the stages in child
processes that come and go (and a deployment runs several workers), so counters kept in a
process's memory would be split between processes and lost with them. Everything a metric
needs is already in the job state in Redis (``worker/jobs.py``), so the worker's main process
serves ``/metrics`` from an HTTP thread started when the worker is ready, and the collector
below computes every value from Redis when scraped: nothing is counted twice or lost when a
pool process is replaced, and no multiprocess files need cleaning up. The numbers describe
the whole deployment (the jobs Redis holds), so every worker serves the same ones: scrape one,
or aggregate with ``max``. Credits spent add up each job's ``credits.spent``
(``worker.report.credits_used``, as the job's backend reads them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.metrics_core import SummaryMetricFamily
from redis import Redis

from worker.jobs import JobStatus, JobStore, Stage
from worker.report import credits_used


class JobMetricsCollector:
    def __init__(self, store: JobStore) -> None:
        self.store = store

    def collect(self) -> Iterator[Metric]:
        states: Counter[str] = Counter()
        stage_seconds: Counter[str] = Counter()
        stage_runs: Counter[str] = Counter()
        retries: Counter[str] = Counter()
        credits_spent = 0.0
        charges = 0
        for job_id in self.store.job_ids():
            state = self.store.get(job_id)
            if state is None:
                continue
            states[state.status] += 1
            for stage, seconds in state.timings.items():
                stage_seconds[stage] += seconds
                stage_runs[stage] += 1
            for stage, attempts in state.attempts.items():
                retries[stage] += max(attempts - 1, 0)
            checkpoint = self.store.checkpoint(job_id)
            credits = credits_used(state.spec.options.backend, checkpoint) or {}
            credits_spent += credits.get("spent") or 0
            charges += credits.get("charges", 0)

        jobs = GaugeMetricFamily("photoreel_jobs", "Jobs by state", labels=["state"])
        for status in JobStatus:
            jobs.add_metric([status.value], states[status])
        yield jobs
        durations = SummaryMetricFamily(
            "photoreel_stage_seconds", "Time spent in each stage", labels=["stage"]
        )
        retried = CounterMetricFamily(
            "photoreel_stage_retries", "Stage attempts beyond the first", labels=["stage"]
        )
        for stage in Stage:
            durations.add_metric([stage.value], stage_runs[stage], stage_seconds[stage])
            retried.add_metric([stage.value], retries[stage])
        yield durations
        yield retried
        yield CounterMetricFamily(
            "photoreel_credits_spent", "Credits spent by paid backends", value=credits_spent
        )
        yield CounterMetricFamily("photoreel_charges", "Paid requests charged", value=charges)


def metrics_registry(redis: Redis) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(JobMetricsCollector(JobStore(redis)))
    return registry


def serve_metrics(port: int, redis_url: str) -> None:
    """Serve ``/metrics`` on ``port`` (all interfaces) from a daemon thread of this process."""
    start_http_server(port, registry=metrics_registry(Redis.from_url(redis_url)))

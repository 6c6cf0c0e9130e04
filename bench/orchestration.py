"""Orchestration overhead of cloud jobs: a batch against the NemoVideo stub, 8 generations at once.

A batch of nemo jobs (100 by default, one tiny JPEG and a distinct prompt each) goes through the
real path: enqueued by this process on an embedded Redis, run stage by stage by a real
``celery worker`` process serving the I/O queue on a threads pool, against the stub server of
``worker/backends/nemo/stub`` whose generations take 2 s from message to finished draft
(stage 1 after 1 s, stage 2 one second later). At most 8 sessions generate at once
(``PHOTOREEL_NEMO_MAX_SESSIONS``, the Redis semaphore ``nemo-sessions``). Polling is every
50 ms and the call rate cap is out of the way, so what is left is the orchestration itself.

What is printed, all from one run:

1. wall time / ideal: from just before the first job is enqueued to the last job's
   "job succeeded" log line (report and outputs written), against N / 8 x 2 s. Target <= 1.15.
2. enqueue -> first stage started, p50 and p95 over the jobs. The enqueue instant is the job's
   ``created_at`` in Redis, stamped by this process right before its ``session`` task is
   published; the start is the worker's ``stage started`` JSON log line for the ``session``
   stage, logged once the worker has claimed the job, just before the stage does any work.
   Both clocks are this machine's wall clock, so the difference is what a job waits for a
   worker, Celery dispatch included. Target p50 <= 50 ms.
3. charges on the stub (one per job, every job) and protocol mistakes in its books (none).
4. peak concurrent sessions, two ways: the semaphore's live holders, sampled every 5 ms by
   this process, and the stub's own books (sessions whose message was accepted and whose
   stage 2 was not yet due, exact). Both must stay <= 8.

Where the time goes: the sampled semaphore gives each job's slot acquire and release (to
within the sampling period), the stub gives when its message was accepted and when stage 2
was due, so slot time splits into "held before the message was accepted" (credits check,
message call), "generating" (2 s each), "held after the draft was final" (the stream ends at
stage 1, the ``complete`` task is dispatched, the state poll sees stage 2, credits are read),
"free while a job waited" (the 50 ms acquire poll, a busy worker) and "free, no job waiting"
(jobs not there yet, or the last round, which has fewer than 8 jobs). Wall time splits into
the time before the first slot was taken, the span of slot use, and the time after the last
slot was released. CPU seconds of the worker processes, redis-server and this process (which
runs the stub) over the batch show how much of the 2 cores the run took (live processes only:
children that have exited, such as the worker's ffmpeg runs, are not counted).

The threads pool gets a thread for every job plus 8 (``--threads`` to choose): a ``generate``
stage that waits for a slot keeps its thread, and once every thread waits so, the ``complete``
stages that would release the slots find none. A batch that stops moving for 20 s is reported
as stalled instead of waited for.

Then the choice of pool, by measurement: batches of 8 and 24 jobs (``--compare-jobs``) run on
the threads pool and on a prefork pool of 2 processes serving the same I/O queue (what the CPU
queue uses). A prefork process is pinned for as long as a stream or a poll lasts.

Run with ``python bench/orchestration.py``; ``--jobs N`` for a quicker run, ``--compare-jobs 0``
to skip the pool comparison, ``--keep-logs DIR`` to keep the worker logs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redis import Redis  # noqa: E402

from producer.enqueue import enqueue_specs  # noqa: E402
from producer.redis_server import EmbeddedRedis  # noqa: E402
from producer.worker_processes import WorkerProcesses  # noqa: E402
from worker.backends.nemo.stub import FakeConfig, FakeNemo, running  # noqa: E402
from worker.backends.nemo.stub.world import World  # noqa: E402
from worker.job import keys  # noqa: E402
from worker.job.limits import Semaphore  # noqa: E402
from worker.job.spec import BackendName, JobOptions, JobSpec  # noqa: E402
from worker.job.states import JobStatus  # noqa: E402
from worker.job.store import JobStore  # noqa: E402
from worker.queue.app import connect  # noqa: E402

IO_QUEUE = "photoreel.io"
CAP = 8
STAGE1_SECONDS = 1.0
STAGE2_SECONDS = 1.0
GENERATION_SECONDS = STAGE1_SECONDS + STAGE2_SECONDS
POLL_SECONDS = 0.05
TARGET_WALL_RATIO = 1.15
TARGET_START_P50_MS = 50.0
SAMPLE_SECONDS = 0.005
READY_SECONDS = 60.0
STALL_SECONDS = 20.0
SETTLE_AFTER_READY = 1.0
"""After the worker says it is ready, let its pool finish starting before the clock runs."""


def stub_config(jobs: int) -> FakeConfig:
    """2 s per generation; credits for every job many times over."""
    return FakeConfig(
        stage1_seconds=STAGE1_SECONDS,
        stage2_seconds=STAGE2_SECONDS,
        heartbeat_seconds=0.1,
        retry_after_seconds=0,
        initial_credits=100 * (jobs + 1) * 10,
        renders_complete_after_polls=2,
    )


def worker_environment(fake: FakeNemo, home: Path, scratch: Path, threads: int) -> dict[str, str]:
    """What the worker process reads: the stub's address, a private HOME (its client id), the
    session cap, and polling and rate knobs that leave the orchestration as the only cost."""
    return {
        "NEMO_API_URL": fake.url,
        "NEMO_WEB_URL": "https://nemovideo.example",
        "SKILL_SOURCE": "bench",
        "HOME": str(home),
        "PHOTOREEL_SCRATCH_DIR": str(scratch),
        "PHOTOREEL_LOG_LEVEL": "INFO",
        "PHOTOREEL_IO_CONCURRENCY": str(threads),
        "PHOTOREEL_NEMO_MAX_SESSIONS": str(CAP),
        "PHOTOREEL_NEMO_POLL_SECONDS": str(POLL_SECONDS),
        "PHOTOREEL_NEMO_SETTLE_SECONDS": str(STAGE2_SECONDS * 5),
        "PHOTOREEL_NEMO_CALLS_PER_SECOND": "1000",
        "PHOTOREEL_NEMO_COMPLETION_TIMEOUT": "120",
        "PHOTOREEL_NEMO_STREAM_CAP_SECONDS": "60",
        "PHOTOREEL_NEMO_HEARTBEAT_TIMEOUT": "10",
        "PHOTOREEL_NEMO_RENDER_POLLS": "100",
        "PHOTOREEL_NEMO_RATE_LIMIT_WAIT": "0.05",
    }


@contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """Set variables for the worker processes started inside; restore them after."""
    dropped = ("NEMO_TOKEN", "NEMO_CLIENT_ID", "REDIS_URL", "PHOTOREEL_REDIS_URL")
    saved = {name: os.environ.get(name) for name in (*variables, *dropped)}
    os.environ.update(variables)
    for name in dropped:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def make_specs(jobs: int, folder: Path) -> list[JobSpec]:
    """One tiny JPEG per job and a distinct prompt: no two jobs share content."""
    specs = []
    for index in range(jobs):
        photo = folder / f"photo-{index:03d}.jpg"
        colour = ((index * 37) % 256, (index * 91) % 256, (index * 53) % 256)
        Image.new("RGB", (64, 48), colour).save(photo, quality=80)
        specs.append(
            JobSpec(
                id=f"bench-{index:03d}",
                photos=[str(photo)],
                prompt=f"Promo number {index}, 6 seconds",
                options=JobOptions(backend=BackendName.NEMO),
            )
        )
    return specs


class HolderSampler:
    """Samples the semaphore's live holders: peak count, and each holder's first and last
    sighting (its slot's acquire and release, to within the sampling period)."""

    def __init__(self, redis_url: str) -> None:
        self.semaphore = Semaphore(Redis.from_url(redis_url), "nemo-sessions", CAP)
        self.stop = threading.Event()
        self.samples: list[tuple[float, int]] = []
        self.first_seen: dict[str, float] = {}
        self.last_seen: dict[str, float] = {}
        self.thread = threading.Thread(target=self.run, name="holder-sampler", daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            holders = self.semaphore.holders()
            now = time.time()
            self.samples.append((now, len(holders)))
            for holder in holders:
                self.first_seen.setdefault(holder, now)
                self.last_seen[holder] = now
            time.sleep(SAMPLE_SECONDS)

    def __enter__(self) -> HolderSampler:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join()

    @property
    def peak(self) -> int:
        return max((count for _, count in self.samples), default=0)

    def idle_slot_seconds(
        self, start: float, end: float, waiting_since: dict[str, float]
    ) -> tuple[float, float]:
        """Slot-seconds nobody held between ``start`` and ``end``: (while a job's ``generate``
        stage was waiting for a slot, while no job was waiting)."""
        with_waiters = without = 0.0
        for (at, count), (following, _) in zip(self.samples, self.samples[1:], strict=False):
            if at < start or following > end:
                continue
            free = CAP - min(count, CAP)
            waiting = sum(
                1
                for job_id, since in waiting_since.items()
                if since <= at < self.first_seen.get(job_id, float("inf"))
            )
            with_waiters += min(free, waiting) * (following - at)
            without += (free - min(free, waiting)) * (following - at)
        return with_waiters, without


@dataclass
class StubTimes:
    """From the stub's books, on the wall clock: each job's message accepted, stage 2 due."""

    accepted: dict[str, float]
    stage2: dict[str, float]
    peak: int


def stub_times(world: World) -> StubTimes:
    offset = time.time() - time.monotonic()
    accepted: dict[str, float] = {}
    stage2: dict[str, float] = {}
    with world.lock:
        sessions = list(world.sessions.values())
    for session in sessions:
        due = world.stage2_at(session)
        if session.accepted_at is None or due is None:
            continue
        accepted[session.task_name] = session.accepted_at + offset
        stage2[session.task_name] = due + offset
    events = sorted(
        [(at, 1) for at in accepted.values()] + [(at, -1) for at in stage2.values()],
        key=lambda event: (event[0], event[1]),
    )
    peak = current = 0
    for _, change in events:
        current += change
        peak = max(peak, current)
    return StubTimes(accepted, stage2, peak)


@dataclass
class LogTimes:
    """From the worker's JSON log lines, on the wall clock."""

    started: dict[tuple[str, str], float] = field(default_factory=dict)
    """(job id, stage) → first ``stage started``."""
    succeeded: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def read_log(path: Path) -> LogTimes:
    times = LogTimes()
    for line in path.read_text(errors="replace").splitlines():
        # The threads pool's lines are bare JSON; a prefork child's come through Celery's
        # redirected output, behind a "[time: WARNING/ForkPoolWorker-1] " prefix.
        brace = line.find("{")
        if brace < 0:
            continue
        try:
            record = json.loads(line[brace:])
        except json.JSONDecodeError:
            continue
        if not isinstance(record, dict):
            continue
        job_id, event = record.get("job_id"), record.get("event")
        if record.get("level") in ("warning", "error", "critical"):
            times.errors.append(f"{job_id}: {event} {record.get('error', '')}".strip())
        if job_id is None or "timestamp" not in record:
            continue
        at = datetime.fromisoformat(record["timestamp"]).timestamp()
        if event == "stage started":
            times.started.setdefault((job_id, record.get("stage", "")), at)
        elif event == "job succeeded":
            times.succeeded[job_id] = at
    return times


def group_cpu_seconds(group: int) -> float:
    """CPU seconds used so far by the live processes of a process group (Linux ``/proc``; 0
    elsewhere). A worker runs in its own session, so its group is its pool."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:  # after the name: state, ppid, pgrp, …, utime, stime
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def wait_ready(log_file: Path, workers: WorkerProcesses) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while '"worker ready"' not in log_file.read_text(errors="replace"):
        if not workers.alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start; see {log_file}")
        time.sleep(0.05)
    time.sleep(SETTLE_AFTER_READY)


def wait_settled(
    store: JobStore, job_ids: list[str], fake: FakeNemo, *, timeout: float, stall: float
) -> str:
    """``finished``, ``timeout``, or ``stalled``: no job changed stage or status and no
    generation was charged for ``stall`` seconds (workers that all wait on each other)."""
    deadline = time.monotonic() + timeout
    progress: tuple[object, ...] = ()
    progressed_at = time.monotonic()
    while time.monotonic() < deadline:
        pipe = store.redis.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.hmget(keys.job(job_id), "status", "stage")
        rows = [tuple(value.decode() if value else "" for value in row) for row in pipe.execute()]
        if all(status and JobStatus(status).settled for status, _ in rows):
            return "finished"
        now_progress = (tuple(rows), fake.stats()["total_charges"])
        if now_progress != progress:
            progress, progressed_at = now_progress, time.monotonic()
        elif time.monotonic() - progressed_at > stall:
            return "stalled"
        time.sleep(0.2)
    return "timeout"


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(fraction * len(ordered))) - 1)]


@dataclass
class Run:
    pool: str
    concurrency: int
    jobs: int
    wall: float
    enqueue_seconds: float
    start_latencies_ms: list[float]
    session_span: float
    """Seconds from the first job's ``session`` stage start to the last one's."""
    statuses: dict[str, int]
    total_charges: int
    charged_once: bool
    mistakes: list[dict[str, str]]
    semaphore_peak: int
    stub_peak: int
    breakdown: dict[str, float]
    errors: list[str]
    cpu: dict[str, float]
    """CPU seconds during the batch, by process."""
    outcome: str
    """``finished``, ``timeout`` or ``stalled`` (see ``wait_settled``)."""

    @property
    def finished(self) -> bool:
        succeeded = self.statuses.get(str(JobStatus.SUCCEEDED), 0)
        return self.outcome == "finished" and succeeded == self.jobs

    @property
    def ideal(self) -> float:
        return self.jobs / CAP * GENERATION_SECONDS

    @property
    def ratio(self) -> float:
        return self.wall / self.ideal


def breakdown(
    specs: list[JobSpec],
    t0: float,
    end: float,
    sampler: HolderSampler,
    stub: StubTimes,
    times: LogTimes,
) -> dict[str, float]:
    """Wall seconds before, during and after slot use; slot-seconds by what the slot did."""
    ids = [spec.id for spec in specs if spec.id in sampler.first_seen and spec.id in stub.accepted]
    if not ids:
        return {}
    generate_started = {
        job_id: times.started[(job_id, "generate")]
        for job_id in ids
        if (job_id, "generate") in times.started
    }
    first_acquire = min(sampler.first_seen[job_id] for job_id in ids)
    last_release = max(sampler.last_seen[job_id] for job_id in ids)
    before = sum(stub.accepted[job_id] - sampler.first_seen[job_id] for job_id in ids)
    after = sum(sampler.last_seen[job_id] - stub.stage2[job_id] for job_id in ids)
    generating = sum(stub.stage2[job_id] - stub.accepted[job_id] for job_id in ids)
    idle_waited, idle_unwanted = sampler.idle_slot_seconds(
        first_acquire, last_release, generate_started
    )
    return {
        "wall: enqueue -> first generate stage started": min(
            generate_started.values(), default=float("nan")
        )
        - t0,
        "wall: enqueue -> first slot taken": first_acquire - t0,
        "wall: first slot taken -> last slot released": last_release - first_acquire,
        "wall: last slot released -> last job done": end - last_release,
        "slot-s: held before the message was accepted": before,
        "slot-s: generating on the stub": generating,
        "slot-s: held after the draft was final": after,
        "slot-s: free while a job waited for a slot": idle_waited,
        "slot-s: free, no job waiting for one": idle_unwanted,
        "thread-s: generate stages waiting for a slot": sum(
            max(0.0, sampler.first_seen[job_id] - since)
            for job_id, since in generate_started.items()
        ),
        "per job: held before the message (ms)": 1000 * before / len(ids),
        "per job: held after the draft (ms)": 1000 * after / len(ids),
    }


def run_batch(
    jobs: int,
    *,
    pool: str,
    concurrency: int,
    threads: int,
    timeout: float,
    keep_logs: Path | None = None,
) -> Run:
    """One batch from an empty Redis and a fresh stub to its last job done."""
    with tempfile.TemporaryDirectory(prefix="photoreel-bench-") as scratch_root:
        root = Path(scratch_root)
        (root / "photos").mkdir()
        specs = make_specs(jobs, root / "photos")
        log_file = root / "worker.log"
        with (
            running(stub_config(jobs)) as fake,
            EmbeddedRedis() as redis_server,
            environment(worker_environment(fake, root / "home", root / "scratch", threads)),
        ):
            connect(redis_server.url)
            store = JobStore(Redis.from_url(redis_server.url))
            workers = WorkerProcesses(
                redis_server.url,
                queue=IO_QUEUE,
                pool=pool,
                concurrency=concurrency,
                log_file=log_file,
            ).start()
            outcome = "error"
            try:
                wait_ready(log_file, workers)
                with HolderSampler(redis_server.url) as sampler:
                    cpu_before = time.process_time()
                    t0 = time.time()
                    result = enqueue_specs(specs, store, out=str(root / "out"), batch="bench")
                    enqueue_seconds = time.time() - t0
                    assert result.enqueued == [spec.id for spec in specs], result
                    outcome = wait_settled(
                        store, result.enqueued, fake, timeout=timeout, stall=STALL_SECONDS
                    )
                    given_up = time.time()
                    assert workers.process is not None and redis_server.process is not None
                    cpu = {
                        "worker processes": group_cpu_seconds(workers.process.pid),
                        "redis-server": group_cpu_seconds(redis_server.process.pid),
                        "this process (stub, sampler, enqueue)": time.process_time() - cpu_before,
                    }
            finally:
                if outcome != "finished" and workers.alive():
                    # Its stages wait on each other: a warm shutdown would wait for them too.
                    assert workers.process is not None
                    os.killpg(workers.process.pid, signal.SIGKILL)
                    workers.process.wait()
                workers.stop()
            stats = fake.stats()
            stub = stub_times(fake.world)
            states = {spec.id: store.get(spec.id) for spec in specs}
        times = read_log(log_file)
        if keep_logs is not None:
            keep_logs.mkdir(parents=True, exist_ok=True)
            (keep_logs / f"worker-{pool}-{jobs}.log").write_bytes(log_file.read_bytes())
            created = {job_id: state.created_at for job_id, state in states.items() if state}
            (keep_logs / f"created-{pool}-{jobs}.json").write_text(json.dumps(created))
    statuses: dict[str, int] = {}
    for state in states.values():
        name = str(state.status) if state else "missing"
        statuses[name] = statuses.get(name, 0) + 1
    latencies = [
        1000 * (times.started[(job_id, "session")] - state.created_at)
        for job_id, state in states.items()
        if state is not None and (job_id, "session") in times.started
    ]
    session_starts = [at for (_, stage), at in times.started.items() if stage == "session"]
    end = max(times.succeeded.values(), default=given_up)
    if outcome != "finished":
        end = given_up  # not finished: the wall time is at least this
    return Run(
        pool=pool,
        concurrency=concurrency,
        jobs=jobs,
        wall=end - t0,
        enqueue_seconds=enqueue_seconds,
        start_latencies_ms=latencies,
        session_span=max(session_starts, default=0.0) - min(session_starts, default=0.0),
        statuses=statuses,
        total_charges=int(stats["total_charges"]),
        charged_once=set(stats["charges"].values()) <= {1} and len(stats["charges"]) == jobs,
        mistakes=list(stats["mistakes"]),
        semaphore_peak=sampler.peak,
        stub_peak=stub.peak,
        breakdown=breakdown(specs, t0, end, sampler, stub, times),
        errors=times.errors,
        outcome=outcome,
        cpu=cpu,
    )


def pool_threads(jobs: int) -> int:
    """A thread for every job: a ``generate`` stage waiting for a session slot keeps its
    thread, and with fewer threads than waiting jobs the stages that would free the slots
    (``complete``) find no thread left (see the README)."""
    return min(256, jobs + CAP)


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report_main(run: Run) -> None:
    print(f"\n== {run.jobs} jobs, io queue on a {run.pool} pool of {run.concurrency} ==")
    done = run.statuses.get(str(JobStatus.SUCCEEDED), 0)
    print(f"jobs: {run.statuses} ({done}/{run.jobs} succeeded)")
    if run.finished:
        print(
            f"1. wall {run.wall:.2f} s / ideal {run.ideal:.2f} s "
            f"({run.jobs}/{CAP} x {GENERATION_SECONDS:g} s) = {run.ratio:.3f}x "
            f"(target <= {TARGET_WALL_RATIO}x: {verdict(run.ratio <= TARGET_WALL_RATIO)})"
        )
    else:
        print(
            f"1. the batch did NOT finish: {run.outcome} after {run.wall:.2f} s "
            f"(ideal {run.ideal:.2f} s; target <= {TARGET_WALL_RATIO}x: MISSED)"
        )
    if run.start_latencies_ms:
        p50 = statistics.median(run.start_latencies_ms)
        p95 = percentile(run.start_latencies_ms, 0.95)
        print(
            f"2. enqueue -> first stage started: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
            f"min {min(run.start_latencies_ms):.1f} ms, max {max(run.start_latencies_ms):.1f} ms "
            f"(target p50 <= {TARGET_START_P50_MS:g} ms: {verdict(p50 <= TARGET_START_P50_MS)})"
        )
        if run.session_span > 0:
            rate = (len(run.start_latencies_ms) - 1) / run.session_span
            print(f"   session stages started over {run.session_span:.2f} s: {rate:.0f} per second")
    print(f"   (enqueueing the {run.jobs} jobs took {run.enqueue_seconds * 1000:.0f} ms)")
    charges_ok = run.total_charges == run.jobs and run.charged_once
    print(
        f"3. charges on the stub {run.total_charges} (every job once: {run.charged_once}; "
        f"{verdict(charges_ok)}), protocol mistakes {len(run.mistakes)} "
        f"({verdict(not run.mistakes)})"
    )
    for mistake in run.mistakes[:5]:
        print(f"   {mistake}")
    peak_ok = max(run.semaphore_peak, run.stub_peak) <= CAP
    print(
        f"4. peak concurrent sessions: semaphore holders {run.semaphore_peak}, generating on "
        f"the stub {run.stub_peak} (cap {CAP}: {verdict(peak_ok)})"
    )
    if run.breakdown and run.finished:
        print("where the time goes:")
        for name, value in run.breakdown.items():
            unit = "" if "(ms)" in name else " s"
            print(f"   {name:<48} {value:8.2f}{unit}")
    cores = os.cpu_count() or 1
    spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run.cpu.items())
    print(f"CPU during the batch ({cores} cores x {run.wall:.1f} s wall): {spent}")
    if run.errors:
        print(f"worker warnings and errors: {len(run.errors)}, first: {run.errors[:3]}")


def report_pools(jobs: int, threads_run: Run, prefork_run: Run) -> None:
    print(f"\n== the io queue's pool, {jobs} jobs ==")
    for run in (threads_run, prefork_run):
        succeeded = run.statuses.get(str(JobStatus.SUCCEEDED), 0)
        if run.finished:
            wall = f"wall {run.wall:6.2f} s ({run.ratio:.2f}x ideal)"
        else:
            wall = f"{run.outcome} after {run.wall:6.2f} s, {succeeded}/{jobs} done"
        print(
            f"{run.pool:>8} pool of {run.concurrency:>3}: {wall}, peak sessions generating "
            f"{run.stub_peak}, charges {run.total_charges}, mistakes {len(run.mistakes)}, "
            f"worker CPU {run.cpu.get('worker processes', 0.0):.1f} s"
        )
    if threads_run.finished and prefork_run.finished:
        print(f"prefork / threads wall time: {prefork_run.wall / threads_run.wall:.2f}x")
    else:
        print(
            f"prefork / threads wall time: more than {prefork_run.wall / threads_run.wall:.2f}x "
            "(a run did not finish)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100, help="jobs in the main batch")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads of the io pool (PHOTOREEL_IO_CONCURRENCY); default: jobs + 8, at most 256",
    )
    parser.add_argument(
        "--compare-jobs",
        type=lambda text: [int(part) for part in text.split(",") if part.strip() and int(part)],
        default=[8, 24],
        help="batch sizes of the threads-vs-prefork comparison, comma-separated; 0 skips it",
    )
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per batch at most")
    parser.add_argument(
        "--keep-logs", type=Path, default=None, help="copy each run's worker log to this folder"
    )
    args = parser.parse_args()

    print(
        f"{os.cpu_count()} cores, load average before: "
        + " ".join(f"{load:.2f}" for load in os.getloadavg())
    )
    main_threads = args.threads or pool_threads(args.jobs)
    main_run = run_batch(
        args.jobs,
        pool="threads",
        concurrency=main_threads,
        threads=main_threads,
        timeout=args.timeout,
        keep_logs=args.keep_logs,
    )
    report_main(main_run)

    for small in args.compare_jobs:
        threads_run = main_run
        if small != args.jobs:
            small_threads = args.threads or pool_threads(small)
            threads_run = run_batch(
                small,
                pool="threads",
                concurrency=small_threads,
                threads=small_threads,
                timeout=args.timeout,
                keep_logs=args.keep_logs,
            )
        prefork_run = run_batch(
            small,
            pool="prefork",
            concurrency=2,
            threads=CAP,
            timeout=args.timeout,
            keep_logs=args.keep_logs,
        )
        report_pools(small, threads_run, prefork_run)
    print(
        "\nload average after: " + " ".join(f"{load:.2f}" for load in os.getloadavg()),
    )


if __name__ == "__main__":
    main()

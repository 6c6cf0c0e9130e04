"""A worker process warms every registered backend up before its first job, starts the
reconciler, holds a solo worker's stages to their time limit, and says in Redis when it shuts
down."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from redis import Redis

from worker.backends import backend_names
from worker.flow import hooks
from worker.job import keys
from worker.job.store import JobStore


def test_every_registered_backend_is_built_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    monkeypatch.setattr(hooks, "get_backend", built.append)
    hooks._warm_up_backends()
    assert built == backend_names() and {"local", "nemo", "dry"} <= set(built)


def test_main_process_warms_up_only_where_it_runs_stages(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []

    class RecordingThread:
        def __init__(self, *, name: str, **_: object) -> None:
            self.name = name

        def start(self) -> None:
            started.append(self.name)

    monkeypatch.setattr(hooks.threading, "Thread", RecordingThread)
    prefork = object.__new__(hooks.PreforkPool)  # its main process forks the pool, runs no stage
    hooks._warm_up_main_process(sender=SimpleNamespace(pool=prefork))
    assert started == []
    hooks._warm_up_main_process(sender=SimpleNamespace(pool=object()))  # a threads pool
    assert started == ["warm-up"]


def test_the_reconciler_is_told_the_queues_its_worker_consumes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    told: list[object] = []

    class RecordingThread:
        def __init__(self, *, args: tuple[object, ...], **_: object) -> None:
            told.append(args[1])

        def start(self) -> None:
            pass

    queues = SimpleNamespace(consume_from={"photoreel.io": object()})
    monkeypatch.setattr(hooks.threading, "Thread", RecordingThread)
    sender = SimpleNamespace(app=SimpleNamespace(amqp=SimpleNamespace(queues=queues)))
    hooks._start_reconciler(sender=sender)
    assert told == [{"photoreel.io"}]


def test_a_worker_says_in_redis_while_it_shuts_down(
    fake_redis: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "job_store", lambda: JobStore(fake_redis))
    hooks._say_stopping(sender="photoreel@machine-a", sig="SIGTERM", how="Warm", exitcode=0)
    for thread in threading.enumerate():  # written from a thread: never in the signal handler
        if thread.name == "stopping-mark":
            thread.join()
    assert fake_redis.exists(keys.worker_stopping("photoreel@machine-a"))
    assert 0 < fake_redis.ttl(keys.worker_stopping("photoreel@machine-a")) <= 1800
    hooks._clear_stopping(sender=SimpleNamespace(hostname="photoreel@machine-a"))
    assert not fake_redis.exists(keys.worker_stopping("photoreel@machine-a"))


def test_only_a_solo_worker_sets_its_own_stage_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    connected: list[object] = []
    monkeypatch.setattr(hooks.task_prerun, "connect", lambda *a, **_: connected.append(a))
    monkeypatch.setattr(hooks.task_postrun, "connect", lambda *a, **_: connected.append(a))
    prefork = object.__new__(hooks.PreforkPool)  # Celery kills its pool processes itself
    hooks._hold_solo_stages_to_their_limit(sender=SimpleNamespace(pool=prefork))
    assert connected == []
    solo = object.__new__(hooks.SoloPool)
    hooks._hold_solo_stages_to_their_limit(sender=SimpleNamespace(pool=solo))
    assert len(connected) == 2

"""One account for a deployment whose machines share no disk: its client id and token in Redis."""

from __future__ import annotations

import threading
from pathlib import Path

import fakeredis
import pytest
from pydantic import SecretStr
from redis import Redis

from worker.backends.nemo.account import RedisTokenStore, shared_client_id
from worker.backends.nemo.auth import Credentials, IssuedToken, TokenStore, client_id_path

NOW = 1_000_000.0


def on_machine(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("HOME", str(home))


def test_every_machine_takes_the_client_id_the_first_published(
    fake_redis: Redis, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_machine(monkeypatch, tmp_path / "a")
    first = shared_client_id(fake_redis, None)
    assert client_id_path().read_text().strip() == first  # machine a's own id, published
    on_machine(monkeypatch, tmp_path / "b")
    assert shared_client_id(fake_redis, None) == first
    assert not client_id_path().exists() or client_id_path().read_text().strip() != first
    assert shared_client_id(fake_redis, " pinned ") == "pinned"


def machine_store(redis: Redis, home: Path) -> RedisTokenStore:
    local = TokenStore(home / "token.json", clock=lambda: NOW)
    return RedisTokenStore(redis, local, clock=lambda: NOW)


def test_machines_ask_for_one_token_and_replace_a_rejected_one_once(
    fake_redis: Redis, tmp_path: Path
) -> None:
    asked: list[str] = []

    def fetch(client_id: str) -> IssuedToken:
        asked.append(client_id)
        return IssuedToken(SecretStr(f"nmv_usr_{len(asked)}"), NOW + 86400)

    machines = [
        Credentials(None, lambda: "client", fetch, machine_store(fake_redis, tmp_path / name))
        for name in ("a", "b", "c")
    ]
    seen: list[str] = []
    threads = [
        threading.Thread(target=lambda m=m: seen.append(m.token().get_secret_value()))
        for m in machines
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert asked == ["client"] and set(seen) == {"nmv_usr_1"}
    rejected = machines[0].token()
    for machine in machines:
        machine.renew(rejected)
    assert {machine.token().get_secret_value() for machine in machines} == {"nmv_usr_2"}
    assert len(asked) == 2


def test_a_new_redis_takes_the_token_this_machine_kept(tmp_path: Path) -> None:
    """A self-contained run's Redis goes with the run: the next run's finds the kept token."""
    first_run = machine_store(fakeredis.FakeRedis(), tmp_path)
    first_run.save("client", IssuedToken(SecretStr("kept"), NOW + 86400))
    second_redis = fakeredis.FakeRedis()
    assert machine_store(second_redis, tmp_path).load("client") == SecretStr("kept")
    other_machine = machine_store(second_redis, tmp_path / "other")  # published for the fleet
    assert other_machine.load("client") == SecretStr("kept")


def test_an_expired_or_foreign_token_is_not_used(fake_redis: Redis, tmp_path: Path) -> None:
    store = machine_store(fake_redis, tmp_path)
    assert store.load("client") is None
    store.save("client", IssuedToken(SecretStr("old"), NOW + 60))
    assert store.load("client") is None
    store.save("client", IssuedToken(SecretStr("kept"), NOW + 86400))
    assert store.load("other-client") is None
    assert store.load("client") == SecretStr("kept")

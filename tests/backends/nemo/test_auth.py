"""One anonymous token for the deployment: kept private, shared, asked once."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

from pydantic import SecretStr

from tests.backends.nemo.harness import NewJob
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.auth import Credentials, IssuedToken, TokenStore, expiry_of
from worker.backends.nemo.stub.server import FakeNemo

NOW = 1_000_000.0


def counting_fetch(asked: list[str]) -> object:
    def fetch(client_id: str) -> IssuedToken:
        asked.append(client_id)
        return IssuedToken(SecretStr(f"nmv_usr_{len(asked)}"), NOW + 86400)

    return fetch


def test_ten_threads_ask_once_and_another_process_reuses_the_kept_token(tmp_path: Path) -> None:
    asked: list[str] = []
    store = TokenStore(tmp_path / "token.json", clock=lambda: NOW)
    credentials = Credentials(None, lambda: "client", counting_fetch(asked), store)
    seen: list[str] = []
    threads = [
        threading.Thread(target=lambda: seen.append(credentials.token().get_secret_value()))
        for _ in range(10)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    again = Credentials(None, lambda: "client", counting_fetch(asked), store)
    assert again.token().get_secret_value() == "nmv_usr_1"
    assert asked == ["client"] and set(seen) == {"nmv_usr_1"}
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_a_rejected_token_is_replaced_once_unless_another_process_did(tmp_path: Path) -> None:
    asked: list[str] = []
    store = TokenStore(tmp_path / "token.json", clock=lambda: NOW)
    first = Credentials(None, lambda: "client", counting_fetch(asked), store)
    second = Credentials(None, lambda: "client", counting_fetch(asked), store)
    rejected = first.token()
    assert second.token().get_secret_value() == rejected.get_secret_value()
    first.renew(rejected)
    second.renew(rejected)
    assert first.token().get_secret_value() == second.token().get_secret_value() == "nmv_usr_2"
    assert len(asked) == 2


def test_an_expired_or_foreign_kept_token_is_not_used(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "token.json", clock=lambda: NOW)
    store.save("client", IssuedToken(SecretStr("old"), NOW + 60))
    assert store.load("client") is None
    store.save("client", IssuedToken(SecretStr("kept"), NOW + 86400))
    assert store.load("other-client") is None
    assert store.load("client") == SecretStr("kept")
    store.path.write_text("not json")
    assert store.load("client") is None


def test_expiry_is_read_from_the_answer_or_seven_days() -> None:
    assert expiry_of("1970-01-02T00:00:00Z", NOW) == 86400.0
    assert expiry_of(None, NOW) == NOW + 7 * 86400


def test_two_runs_of_jobs_make_one_token_request(
    fake_nemo: FakeNemo, new_job: NewJob, home: Path
) -> None:
    for run in range(2):
        backend = NemoBackend()
        for index in range(2):
            new_job(f"run{run}-job{index}").run(backend, "open_session")
        backend.close()
    stats = fake_nemo.stats()
    assert stats["token_requests"] == 1 and stats["mistakes"] == []
    kept = json.loads((home / ".config" / "nemovideo" / "token.json").read_text())
    assert kept["client_id"] in fake_nemo.world.client_tokens

"""One test per row of the protocol's error table, through the backend, over HTTP."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.backends.nemo.harness import NewJob, fast_settings, make_photos, run_job
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.stub.server import FakeNemo, running
from worker.backends.nemo.stub.world import FakeConfig
from worker.files.bucket import open_bucket
from worker.files.inputs import stage_file
from worker.job.errors import JobFailed, JobParked, TransientError


def test_1001_mid_job_gets_a_new_anonymous_token_and_repeats(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("expiring-nemofault-expire-token")
    run_job(backend, job)
    stats = fake_nemo.stats()
    assert stats["tokens_issued"] == 2
    assert len(fake_nemo.world.client_tokens) == 1
    assert stats["total_charges"] == 1
    assert fake_nemo.mistakes == []


def test_1001_between_jobs_of_a_batch(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    fake_nemo.world.config.initial_credits = 300
    run_job(backend, new_job("first"))
    fake_nemo.world.expire_all_tokens()
    run_job(backend, new_job("second"))
    assert fake_nemo.stats()["tokens_issued"] == 2
    assert fake_nemo.stats()["total_charges"] == 2


def test_1001_on_a_configured_token_fails_clearly(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    token = "nmv_usr_configured_secret"
    fake_nemo.world.add_token(token, credits=500)
    settings = fast_settings(fake_nemo.url, nemo={"nemo_token": token})
    job = new_job("fixed-token", settings=settings)
    job.run(backend, "open_session")
    assert fake_nemo.stats()["tokens_issued"] == 0
    fake_nemo.world.expire_token(token)
    with pytest.raises(JobFailed, match="NEMO_TOKEN") as failure:
        job.run(backend, "upload")
    assert token not in str(failure.value)


def test_1002_before_the_message_opens_a_new_session(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("lost-nemofault-lose-session-on-upload")
    job.run(backend, "open_session")
    first_session = job.book["session_id"]
    run_job(backend, job)
    assert job.book["session_id"] != first_session
    assert fake_nemo.charges(job.book["session_id"]) == 1
    assert fake_nemo.stats()["total_charges"] == 1
    assert fake_nemo.mistakes == []


def test_1002_answering_the_message_opens_a_new_session_and_sends_there(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("gone-nemofault-lose-session-on-message")
    job.run(backend, "open_session", "upload")
    first_session = job.book["session_id"]
    run_job(backend, job)
    second_session = job.book["session_id"]
    assert second_session != first_session
    assert job.book["message_sent"]["session_id"] == second_session
    assert job.book["uploads"]["session_id"] == second_session
    assert len(job.book["uploads"]["files"]) == 3
    assert fake_nemo.stats()["charges"] == {second_session: 1}
    assert fake_nemo.mistakes == []


def test_1002_after_the_message_fails_without_a_new_generation(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("vanished-nemofault-lose-session-after-send")
    job.run(backend, "open_session", "upload", "generate")
    with pytest.raises(JobFailed, match="not sent again"):
        job.run(backend, "await_completion")
    job.run(backend, "generate")
    assert fake_nemo.stats()["total_charges"] == 1
    assert fake_nemo.stats()["sessions"] == 1
    assert fake_nemo.mistakes == []


def test_2001_parks_the_job_with_the_bind_hint(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("broke-nemofault-no-credits")
    job.run(backend, "open_session", "upload")
    with pytest.raises(JobParked, match=r"2001.*\?bind=anon_") as parked:
        job.run(backend, "generate")
    assert job.book["user_id"] in str(parked.value)
    assert job.book["message_sent"] is None
    assert fake_nemo.stats()["total_charges"] == 0


def test_2001_on_a_registered_token_asks_for_a_top_up_not_a_bind(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    fake_nemo.world.add_token("nmv_usr_registered", credits=500)
    settings = fast_settings(fake_nemo.url, nemo={"nemo_token": "nmv_usr_registered"})
    job = new_job("paying-nemofault-no-credits", settings=settings)
    job.run(backend, "open_session", "upload")
    with pytest.raises(JobParked, match=r"2001.*Top up") as parked:
        job.run(backend, "generate")
    assert "bind=" not in str(parked.value)


def test_too_few_credits_park_before_anything_is_sent(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    fake_nemo.world.config.initial_credits = 60
    job = new_job("poor")
    job.run(backend, "open_session", "upload")
    with pytest.raises(JobParked, match=r"60 credits left.*\?bind="):
        job.run(backend, "generate")
    assert "message_sent" not in job.book
    assert fake_nemo.stats()["messages"] == {job.book["session_id"]: 0}


def test_4001_names_the_file(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, tmp_path: Path
) -> None:
    odd = tmp_path / "odd" / "photo0.psd"
    odd.parent.mkdir()
    odd.write_bytes(b"8BPS not a photo the service or Pillow reads")
    job = new_job("psd", photos=[odd])
    job.run(backend, "open_session")
    with pytest.raises(JobFailed, match="does not accept") as failure:
        job.run(backend, "upload")
    assert failure.value.file == "photo0.psd"


def test_a_tiff_goes_up_as_jpeg(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, tmp_path: Path
) -> None:
    job = new_job("tiff", photos=make_photos(tmp_path / "tiff", 1, suffix=".tiff"))
    job.run(backend, "open_session", "upload")
    files = fake_nemo.world.sessions[job.book["session_id"]].files
    assert [item["filename"] for item in files] == ["photo0.jpg"]


def test_4001_names_a_url(fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob) -> None:
    url = "https://photos.test/scan.bmp"
    job = new_job("url-bmp", photos=[url])
    job.run(backend, "open_session")
    with pytest.raises(JobFailed) as failure:
        job.run(backend, "upload")
    assert failure.value.file == url


def test_4002_names_the_file_and_its_size(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, photos: list[Path]
) -> None:
    fake_nemo.world.config.small_upload_limit_bytes = 100
    job = new_job("big-nemofault-small-upload-limit")
    job.run(backend, "open_session")
    with pytest.raises(JobFailed, match=r"too large.*MB") as failure:
        job.run(backend, "upload")
    assert failure.value.file == photos[0].name


def test_over_200_mb_is_refused_before_upload(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, tmp_path: Path
) -> None:
    huge = tmp_path / "huge.mp4"
    with huge.open("wb") as handle:
        handle.truncate(201 * 1024 * 1024)
    job = new_job("huge", photos=[huge])
    job.run(backend, "open_session")
    with pytest.raises(JobFailed, match=r"201\.0 MB") as failure:
        job.run(backend, "upload")
    assert failure.value.file == "huge.mp4"


def test_400_never_happens_the_client_id_is_always_sent(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, home: Path
) -> None:
    settings = fast_settings(fake_nemo.url, nemo={"nemo_client_id": "   "})
    job = new_job("blank-client-id", settings=settings)
    job.run(backend, "open_session")
    persisted = (home / ".config" / "nemovideo" / "client_id").read_text().strip()
    assert list(fake_nemo.world.client_tokens) == [persisted]


def test_configured_client_id_is_honoured(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, home: Path
) -> None:
    settings = fast_settings(fake_nemo.url, nemo={"nemo_client_id": "team-client"})
    new_job("team", settings=settings).run(backend, "open_session")
    assert list(fake_nemo.world.client_tokens) == ["team-client"]
    assert not (home / ".config" / "nemovideo" / "client_id").exists()


def test_402_fails_the_export_clearly(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("free-plan-nemofault-export-blocked")
    job.run(backend, "open_session", "upload", "generate", "await_completion")
    with pytest.raises(JobFailed, match="register or upgrade to export") as failure:
        job.run(backend, "export")
    assert "credit" not in str(failure.value)
    assert fake_nemo.stats()["total_charges"] == 1


def test_429_on_the_message_waits_and_repeats_once_without_a_second_charge(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("busy-nemofault-rate-limit")
    run_job(backend, job)
    assert fake_nemo.charges(job.book["session_id"]) == 1
    assert fake_nemo.mistakes == []


@pytest.mark.parametrize(("retry_after", "slept"), [(0, [0.0]), (600, [])])
def test_429_again_or_a_long_retry_after_goes_back_to_the_queue(
    fake_config: FakeConfig,
    backend: NemoBackend,
    new_job: NewJob,
    monkeypatch: pytest.MonkeyPatch,
    retry_after: int,
    slept: list[float],
) -> None:
    fake_config.tokens_per_ip = 0
    fake_config.retry_after_seconds = retry_after
    waits: list[float] = []
    with running(fake_config) as fake:
        job = new_job("limited", settings=fast_settings(fake.url))
        monkeypatch.setattr(backend.client(job.settings), "_sleep", waits.append)
        with pytest.raises(TransientError) as failure:
            job.run(backend, "open_session")
    assert failure.value.retry_after == retry_after
    assert waits == slept


def test_photos_staged_in_a_bucket_go_up_as_files(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, s3_out: str, tmp_path: Path
) -> None:
    """Only the web URLs a user gave are passed to the service as URLs."""
    producer = make_photos(tmp_path / "producer", 2)
    staged = [stage_file(photo, open_bucket(s3_out)) for photo in producer]
    job = new_job("staged", photos=[*staged, "https://shop.example/c.jpg"])
    job.run(backend, "open_session", "upload")
    uploaded = job.book["uploads"]["files"]
    assert [uploaded[key]["name"] for key in ("0", "1", "2")] == [
        "photo0.jpg",
        "photo1.jpg",
        "https://shop.example/c.jpg",
    ]
    for key, photo in zip(("0", "1"), producer, strict=True):  # the stub hashes what it got
        assert uploaded[key]["hash"] == hashlib.sha256(photo.read_bytes()).hexdigest()[:16]
    assert fake_nemo.mistakes == []

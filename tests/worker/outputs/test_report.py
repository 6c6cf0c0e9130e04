import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from config.settings import get_settings
from tests.conftest import assert_valid_report, claim_stage, make_video, run_stages
from worker.files.bucket import open_bucket
from worker.job.spec import JobOptions, JobSource, JobSpec
from worker.job.states import Stage
from worker.job.store import JobStore
from worker.media.probe import probe_video
from worker.outputs.report import (
    REPORT_SCHEMA,
    build_report,
    credits_used,
    has_succeeded,
    job_warnings,
    read_report,
    render_report,
)

TOKEN = "nmv_usr_not-a-real-token-1234567890"
DRAFT = {
    "t": [
        {"tt": 0, "sg": [{"d": 2000, "m": {"start": 0, "src": "f1"}}]},
        {"tt": 7, "sg": [{"d": 1500, "m": {"start": 0, "text": "Hi"}}]},
    ],
    "m": {"width": 320, "height": 240, "fps": 25, "duration_ms": 2000},
}


@pytest.fixture(autouse=True)
def token_in_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NEMO_TOKEN", TOKEN)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def job_store(fake_redis: Redis, *, succeed: bool) -> JobStore:
    """A job with one retried upload and backend facts; succeeded, or failing at upload."""
    store = JobStore(fake_redis)
    spec = JobSpec(
        id="promo",
        photos=["/photos/1.jpg"],
        prompt="2 seconds, title 'Hi'",
        options=JobOptions(backend="nemo"),  # a paid backend: the facts of its credits
    )
    store.create(spec, out="/out", batch="b1")
    session = claim_stage(store, "promo", Stage.SESSION)
    session.record("session_id", "sess-1")
    session.record("token", TOKEN)
    session.finish_stage(0.25)
    claim_stage(store, "promo", Stage.UPLOAD).retry_later("timeout")
    upload = claim_stage(store, "promo", Stage.UPLOAD)
    if not succeed:
        upload.fail(f"upload refused for Bearer {TOKEN}", file="1.jpg")
        return store
    upload.record("draft", DRAFT)
    upload.record(
        "plan",
        {
            "duration_s": 2.0,
            "aspect": "16:9",
            "sources": {
                "duration_s": {"from": "prompt", "words": "2 seconds"},
                "aspect": {"from": "default"},
            },
            "not_understood": ["wedding"],
        },
    )
    upload.record("credits_before", 500)
    upload.record("message_sent", {"session_id": "sess-1", "at": "2026-01-01T00:00:00+00:00"})
    upload.record("credits_after", 400)
    upload.finish_stage(0.25)
    run_stages(store, "promo", list(Stage)[2:], seconds=0.25)
    return store


def test_succeeded_report_matches_the_schema(fake_redis: Redis, tmp_path: Path) -> None:
    store = job_store(fake_redis, succeed=True)
    state = store.get("promo")
    assert state is not None
    probe = probe_video(make_video(tmp_path / "video.mp4"))
    inputs = [
        {
            "role": "photo",
            "name": "1.jpg",
            "location": "/photos/1.jpg",
            "sha256": "a" * 64,
            "size": 10,
        }
    ]
    outputs = {"video": "promo/video.mp4", "poster": "promo/poster.jpg"}
    report = json.loads(
        render_report(
            build_report(
                state,
                store.checkpoint("promo"),
                inputs=inputs,
                bucket="/out",
                outputs=outputs,
                probe=probe,
            )
        )
    )
    assert_valid_report(report)
    assert report["schema"] == REPORT_SCHEMA
    assert report["backend"]["session_id"] == "sess-1"
    assert report["credits"] == {
        "spent": 100,
        "charges": 1,
        "balance_before": 500,
        "balance_after": 400,
    }
    assert report["plan"]["aspect"] == "16:9"
    assert report["plan"]["sources"]["duration_s"] == {"from": "prompt", "words": "2 seconds"}
    report["plan"]["sources"]["aspect"] = {"from": "a guess"}
    with pytest.raises(AssertionError, match="a guess"):
        assert_valid_report(report)
    assert report["timeline"]["summary"].startswith("Timeline (2 tracks): 1. Video")
    assert report["stages"]["attempts"]["upload"] == 2 and report["stages"]["retries"] == 1
    assert report["output"]["files"]["report"] == "promo/report.json"
    assert report["output"]["probe"]["audio_present"] is True
    assert report["output"]["probe"]["loudness_lufs"] < 0


def test_failed_report_names_the_file_and_never_holds_a_token(fake_redis: Redis) -> None:
    store = job_store(fake_redis, succeed=False)
    state = store.get("promo")
    assert state is not None
    rendered = render_report(
        build_report(state, store.checkpoint("promo"), inputs=[], bucket="/out")
    )
    assert TOKEN not in rendered.decode()
    report = json.loads(rendered)
    assert_valid_report(report)
    assert report["error"] == {
        "message": "upload refused for Bearer ***",
        "file": "1.jpg",
        "stage": "upload",
    }
    assert report["backend"]["token"] == "***"


def test_finished_means_a_succeeded_report(tmp_path: Path) -> None:
    bucket = open_bucket(str(tmp_path))
    assert not has_succeeded(bucket, "job") and read_report(bucket, "job") is None
    bucket.put_bytes("job/report.json", b"not json")
    assert read_report(bucket, "job") is None
    bucket.put_bytes("job/report.json", b'{"status": "failed"}')
    assert not has_succeeded(bucket, "job")
    bucket.put_bytes("job/report.json", b'{"status": "succeeded"}')
    assert has_succeeded(bucket, "job")


def test_a_backend_that_charges_nothing_has_no_credits() -> None:
    assert credits_used("local", {"session_id": "local-1", "plan": {}}) is None
    assert credits_used("nemo", {"session_id": "s-1", "plan": {}}) is None
    unsent = credits_used("nemo", {"credits_before": 300, "message_sent": None})
    assert unsent == {"spent": None, "charges": 0, "balance_before": 300, "balance_after": None}


def test_the_producers_notes_come_first_among_the_warnings() -> None:
    spec = JobSpec(
        id="j",
        photos=["/a.jpg"],
        source=JobSource(kind="folder", notes=["prompt.txt was read as UTF-16 (BOM)"]),
    )
    checkpoint = {"warnings": ["duration 900 s clamped to 600 s"]}
    assert job_warnings(spec, checkpoint) == [
        "prompt.txt was read as UTF-16 (BOM)",
        "duration 900 s clamped to 600 s",
    ]
    assert job_warnings(JobSpec(id="j", photos=["/a.jpg"]), {}) == []

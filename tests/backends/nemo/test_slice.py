"""The whole job against the stub: session, upload, generate, wait, export, download."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.backends.nemo.harness import NewJob, fast_settings, make_photos, run_job
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.messages import generation_message
from worker.backends.nemo.stub.server import FakeNemo
from worker.job.spec import JobOptions, JobSource


def test_job_ends_with_an_mp4_and_one_charge(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("holiday")
    video = run_job(backend, job)

    assert video.parent == job.workdir
    assert video.read_bytes()[4:8] == b"ftyp"
    book = job.book
    session_id = book["session_id"]
    assert book["task_link"].startswith("https://nemovideo.test/workspace/claim?task=task_")
    assert f"session={session_id}" in book["task_link"]
    assert "skill_name=photoreel" in book["task_link"]
    assert "skill_source=tests" in book["task_link"]
    assert book["credits_before"] == 100
    assert book["credits_after"] == 0
    assert book["completion"]["how"] == "stage2"
    assert book["render_id"].startswith("render_")
    assert book["timeline"].startswith("Timeline (3 tracks): 1. Video: 3 clips")
    assert book["title_track"] == [fake_nemo.world.sessions[session_id].task_name]
    assert book["stream_end"] == "closed"
    assert book["download"]["source"] == "output_url"
    prompt = fake_nemo.world.sessions[session_id].prompt
    assert prompt.startswith("A calm 10-second travel reel")
    assert "Use the 3 uploaded photos, in upload order." in prompt
    assert fake_nemo.charges(session_id) == 1
    assert fake_nemo.stats()["total_charges"] == 1
    assert fake_nemo.mistakes == []


def test_client_id_is_persisted_private(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, home: Path
) -> None:
    job = new_job("client-id")
    job.run(backend, "open_session")

    path = home / ".config" / "nemovideo" / "client_id"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() in fake_nemo.world.client_tokens


def test_heic_is_sent_as_jpeg_and_urls_by_url_mode_in_job_order(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, tmp_path: Path
) -> None:
    heic = make_photos(tmp_path / "heic", 1, suffix=".heic")[0]
    url = "https://photos.test/beach.webp"
    jpeg = make_photos(tmp_path / "jpeg", 1)[0]
    original = heic.read_bytes()
    job = new_job("mixed", photos=[heic, url, jpeg])
    run_job(backend, job)

    session = fake_nemo.world.sessions[job.book["session_id"]]
    assert [item["filename"] for item in session.files] == [
        "photo0.jpg",
        "beach.webp",
        "photo0.jpg",
    ]
    assert heic.read_bytes() == original
    assert sorted(job.book["uploads"]["files"]) == ["0", "1", "2"]
    assert fake_nemo.mistakes == []


def test_a_configured_token_is_used_without_an_anonymous_one(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, home: Path
) -> None:
    fake_nemo.world.add_token("nmv_usr_registered", credits=900)
    settings = fast_settings(fake_nemo.url, nemo={"nemo_token": "nmv_usr_registered"})
    job = new_job("registered", settings=settings)
    run_job(backend, job)
    assert (job.book["credits_before"], job.book["credits_after"]) == (900, 800)
    assert fake_nemo.stats()["tokens_issued"] == 0
    assert not (home / ".config").exists()


def test_an_upload_stage_run_again_sends_only_what_is_missing(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob
) -> None:
    job = new_job("reupload")
    job.run(backend, "open_session")
    job.run(backend, "upload")
    job.run(backend, "upload")
    assert len(fake_nemo.world.sessions[job.book["session_id"]].files) == 3


def test_the_message_carries_the_options(new_job: NewJob) -> None:
    job = new_job("options")
    options = JobOptions(duration=12, aspect="9:16", title="Lisbon", music="upbeat", backend="nemo")
    job.spec = job.spec.model_copy(update={"options": options, "prompt": ""})
    text = generation_message(job.context())
    assert text.startswith("Turn these photos into a short video.")
    for part in ("Length: 12 seconds.", "Aspect ratio: 9:16.", 'Title: "Lisbon".', "music: upbeat"):
        assert part in text


def test_the_message_states_what_the_prompt_was_understood_to_ask(new_job: NewJob) -> None:
    job = new_job("understood")
    prompt = "a 20 second reel for our cafe, hard cuts, romantic music"
    job.spec = job.spec.model_copy(update={"prompt": prompt})
    text = generation_message(job.context())
    assert text.startswith(prompt)
    for part in (
        "Length: 20 seconds.",
        "Aspect ratio: 9:16 (Instagram Reels).",
        "Transitions: hard cuts, no transition effects.",
        "Background music: romantic.",
    ):
        assert part in text


def test_the_message_carries_the_promo_words_and_brand(new_job: NewJob) -> None:
    job = new_job("promo")
    options = JobOptions(
        price="$12",
        cta="Shop now",
        template="bold",
        brand={"primary": "#112233"},
        backend="nemo",
    )
    source = JobSource(kind="catalog", fields={"title": "Blue Mug", "old_price": "$15"})
    job.spec = job.spec.model_copy(
        update={"options": options, "prompt": "6-second promo", "source": source}
    )
    text = generation_message(job.context())
    for part in (
        'product name "Blue Mug"',
        'price "$12" next to the old price "$15" struck through',
        'badge "-20%"',
        'end card with Blue Mug and $12 and the call to action "Shop now"',
        "Text style: bold.",
        "Brand colours: primary #112233.",
    ):
        assert part in text

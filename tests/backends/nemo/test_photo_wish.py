"""More photos than the asked length shows: what the agent is asked, and the warning."""

from __future__ import annotations

from pathlib import Path

from config.settings import Settings
from tests.backends.nemo.harness import NewJob, make_photos, run_job
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.photo_wish import photo_wish
from worker.backends.nemo.stub.server import FakeNemo
from worker.job.spec import JobOptions, JobSpec, PhotoChoice


def spec(count: int, prompt: str, **options: object) -> JobSpec:
    return JobSpec(
        id="j",
        photos=[f"/shoot/{index}.jpg" for index in range(count)],
        prompt=prompt,
        options=JobOptions(backend="nemo", **options),
    )


def test_photos_that_fit_are_all_asked_for_without_a_warning() -> None:
    wish = photo_wish(spec(3, "A calm 10-second travel reel"), Settings())
    assert wish.sentence == "Use the 3 uploaded photos, in upload order."
    assert wish.warning is None


def test_without_an_asked_length_the_agent_chooses_and_nothing_is_said() -> None:
    wish = photo_wish(spec(300, "Promo for our new shoes"), Settings())
    every = spec(300, "Promo for our new shoes", photos=PhotoChoice.ALL)
    assert wish == photo_wish(every, Settings())
    assert wish.warning is None


def test_300_photos_for_10_seconds_ask_for_at_most_20_and_say_so() -> None:
    wish = photo_wish(spec(300, "10-second promo, fast pace, 9:16"), Settings())
    assert "show at most 20" in wish.sentence and "near-duplicates" in wish.sentence
    assert wish.warning == (
        "300 photos for 10 s at a fast pace: NemoVideo was asked to show at most 20 of them"
        " (shots of at least 0.5 s) and chooses which (photos: all asks for every one)"
    )


def test_photos_all_asks_for_every_one_and_says_how_short_the_shots_are() -> None:
    wish = photo_wish(spec(300, "promo", duration=10, photos=PhotoChoice.ALL), Settings())
    assert wish.sentence.startswith("Use every one of the 300 uploaded photos")
    assert wish.warning is not None and "0.03 s each" in wish.warning


def test_the_message_asks_for_the_readable_few_and_the_report_warns(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, tmp_path: Path
) -> None:
    photos = make_photos(tmp_path / "many", 12)
    job = new_job("many-photos", photos=photos, prompt="A 3-second fast promo")
    run_job(backend, job)
    sent = fake_nemo.world.sessions[job.book["session_id"]].prompt
    assert "Of the 12 uploaded photos, show at most 6" in sent
    assert job.book["warnings"][0].startswith("12 photos for 3 s at a fast pace")
    assert fake_nemo.stats()["total_charges"] == 1

"""A music file goes up as an audio file of the session and is named by its uploaded name."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.backends.nemo.harness import NewJob, run_job
from worker.backends.nemo import NemoBackend
from worker.backends.nemo.music import music_wish
from worker.backends.nemo.stub.server import FakeNemo
from worker.job.spec import JobOptions
from worker.media.ffmpeg import run_ffmpeg


def tone(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(["-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", path])
    return path


@pytest.mark.parametrize(
    ("name", "uploaded"), [("theme.wav", "theme.wav"), ("theme.flac", "theme.m4a")]
)
def test_the_music_file_is_uploaded_and_named_not_its_path(
    fake_nemo: FakeNemo,
    backend: NemoBackend,
    new_job: NewJob,
    tmp_path: Path,
    name: str,
    uploaded: str,
) -> None:
    music = tone(tmp_path / "tracks" / name)
    job = new_job("with-music")
    job.spec = job.spec.model_copy(update={"options": JobOptions(backend="nemo", music=str(music))})
    run_job(backend, job)
    session = fake_nemo.world.sessions[job.book["session_id"]]
    audio = [item for item in session.files if item["file_type"] == "audio"]
    assert [item["filename"] for item in audio] == [uploaded]
    assert f'use the uploaded audio file "{uploaded}"' in session.prompt
    assert str(music.parent) not in session.prompt
    assert job.book["uploads"]["files"]["music"]["name"] == uploaded
    assert job.book["timeline"].count("clips") >= 1
    assert fake_nemo.mistakes == []


def test_a_music_file_the_prompt_names_is_uploaded_and_its_path_never_sent(
    fake_nemo: FakeNemo, backend: NemoBackend, new_job: NewJob, photos: list[Path]
) -> None:
    tone(photos[0].parent / "Summer Mix.wav")
    job = new_job("named-music", prompt="A 10-second reel, music: 'Summer Mix.wav'")
    run_job(backend, job)
    session = fake_nemo.world.sessions[job.book["session_id"]]
    audio = [item for item in session.files if item["file_type"] == "audio"]
    assert [item["filename"] for item in audio] == ["Summer Mix.wav"]
    assert 'use the uploaded audio file "Summer Mix.wav"' in session.prompt
    assert "Background music: Summer Mix.wav." not in session.prompt
    assert fake_nemo.mistakes == []


def test_a_mood_is_asked_in_words() -> None:
    assert music_wish("calm", None) == "Background music: calm."
    assert music_wish(None, None) is None
    assert music_wish("/srv/private/a.mp3", None) == 'Background music: the audio file "a.mp3".'


def test_the_stub_books_a_local_path_in_a_prompt(fake_nemo: FakeNemo) -> None:
    world = fake_nemo.world
    session = world.new_session("user", "t")
    world.apply_prompt(session, "Background music: /home/me/music/theme.mp3.")
    assert [mistake["kind"] for mistake in world.mistakes] == ["local_path_in_prompt"]

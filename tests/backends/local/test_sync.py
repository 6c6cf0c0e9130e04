"""Cuts on the beat, checked in the rendered video: flat-colour photos over a click track (or
the built-in music), each transition found in the decoded frames, its distance to the nearest
beat measured."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from config.settings import Settings
from tests.backends.local.beat_probe import (
    RATE,
    click_track,
    distance_to_beat,
    flat_photos,
    transitions,
    write_wav,
)
from tests.backends.local.probe import decode_frames
from tests.backends.local.test_backend import Job
from worker.backends.local.plan import make_plan
from worker.backends.local.sync import beat_plan
from worker.backends.local.synth import TEMPO_BPM
from worker.job.spec import JobOptions
from worker.prompt.vocabulary import Mood

FPS = 25
SECONDS = 10.0
PHOTOS = 5


def render(tmp_path: Path, prompt: str, **options: object) -> tuple[list[float], Job]:
    photos = flat_photos(tmp_path / "in", PHOTOS)
    job = Job(tmp_path / "work", photos, prompt, duration=SECONDS, fps=FPS, photos="all", **options)
    video = job.run()
    return transitions(decode_frames(video, (64, 36))), job


@pytest.mark.parametrize("transition", ["hard cuts", "dissolves"])
@pytest.mark.parametrize(("bpm", "phase_s"), [(97.0, 0.29), (131.0, 0.11)])
def test_every_transition_lands_within_a_frame_of_a_beat_of_the_users_track(
    tmp_path: Path, bpm: float, phase_s: float, transition: str
) -> None:
    even = [index * SECONDS * FPS / PHOTOS for index in range(1, PHOTOS)]
    assert max(distance_to_beat(frame, FPS, bpm, phase_s) for frame in even) > 1
    assert (60 / bpm * FPS) % 1, "a whole number of frames a beat: a fixed shot length hits"
    music = click_track(tmp_path / "clicks.wav", bpm, phase_s, SECONDS + 1)

    found, job = render(tmp_path, f"{transition}, medium pace", music=str(music))

    assert len(found) == PHOTOS - 1
    distances = [distance_to_beat(frame, FPS, bpm, phase_s) for frame in found]
    assert max(distances) <= 1, (found, distances)
    beats = job.records["beats"]
    assert beats["sync"] and beats["source"] == "tracked"
    assert beats["tempo_bpm"] == pytest.approx(bpm, abs=0.1)
    assert all(abs(cut["off_ms"]) <= 1000 / FPS for cut in beats["cuts"])


def test_the_built_in_music_is_cut_on_its_own_beat(tmp_path: Path) -> None:
    found, job = render(tmp_path, "dissolves, lofi music")

    assert len(found) == PHOTOS - 1
    bpm = TEMPO_BPM[Mood.LOFI]
    assert all(distance_to_beat(frame, FPS, bpm, 0.0) <= 1 for frame in found), found
    beats = job.records["beats"]
    assert (beats["sync"], beats["source"], beats["tempo_bpm"]) == (True, "built-in", bpm)


def test_ignore_the_beat_keeps_the_even_shots(tmp_path: Path) -> None:
    found, job = render(tmp_path, "hard cuts, lofi music, ignore the beat")

    assert found == pytest.approx([index * SECONDS * FPS / PHOTOS for index in range(1, 5)])
    assert job.records["beats"] == {"sync": False, "why": "turned off (ignore the beat)"}


def test_music_without_a_steady_beat_keeps_the_pace_and_says_so(tmp_path: Path) -> None:
    noise = np.random.default_rng(5).standard_normal(12 * RATE) * 0.1
    music = write_wav(tmp_path / "ambient.wav", noise)
    options = JobOptions(duration=SECONDS, fps=FPS, music=str(music))
    for prompt, warned in (("", False), ("cut on the beat", True)):
        plan = make_plan(prompt, options, Settings())
        made = beat_plan(plan, [], PHOTOS, tmp_path)
        assert made.cuts.beats_s is None
        assert made.facts["sync"] is False and "no steady beat" in made.facts["why"]
        assert bool(made.warnings) == warned

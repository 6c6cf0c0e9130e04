"""The beat grid: exact for the built-in music, tracked on click tracks, none for music
without a steady beat."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.backends.local.beat_probe import click_track
from worker.backends.local.beats import BeatGrid, grid_of, mood_grid, track_beats
from worker.backends.local.synth import SAMPLE_RATE, TEMPO_BPM, mood_loop
from worker.prompt.vocabulary import Mood


def test_the_built_in_grid_is_the_tempo_it_is_made_at() -> None:
    grid = mood_grid(Mood.LOFI)
    assert (grid.tempo_bpm, grid.offset_s, grid.first_downbeat_s) == (TEMPO_BPM[Mood.LOFI], 0, 0)
    assert grid.beats(3.0) == pytest.approx([0, 0.75, 1.5, 2.25, 3.0])
    assert grid.downbeats(7.0) == pytest.approx([0, 3.0, 6.0])


def test_a_grid_survives_its_record() -> None:
    grid = BeatGrid(97.0, 0.29, 1, "tracked", 0.9)
    assert BeatGrid.from_record(grid.to_record()) == grid
    assert grid.first_downbeat_s == pytest.approx(0.29 + 60 / 97)
    assert grid.last_bar_line(5.0) == pytest.approx(grid.first_downbeat_s + grid.bar_s)


@pytest.mark.parametrize(("bpm", "phase_s"), [(87.0, 0.23), (113.0, 0.41), (142.0, 0.07)])
def test_click_tracks_are_tracked_to_a_hundredth_of_a_beat_per_minute_and_a_millisecond(
    tmp_path: Path, bpm: float, phase_s: float
) -> None:
    path = click_track(tmp_path / "clicks.wav", bpm, phase_s, 16.0)
    tracked = track_beats(path, 15.0, tmp_path)
    assert tracked.grid is not None, tracked.reason
    assert tracked.grid.tempo_bpm == pytest.approx(bpm, abs=0.05)
    assert tracked.grid.offset_s == pytest.approx(phase_s, abs=0.002)
    assert tracked.grid.first_downbeat_s == pytest.approx(phase_s, abs=0.002), "accented first"
    assert list(tmp_path.glob("*.f32")) == []


def test_the_grid_of_the_first_half_minute_holds_for_a_longer_video(tmp_path: Path) -> None:
    path = click_track(tmp_path / "clicks.wav", 123.0, 0.17, 46.0)
    grid = track_beats(path, 45.0, tmp_path).grid
    assert grid is not None
    last_beat = 0.17 + 91 * 60 / 123.0  # at 44.56 s
    assert grid.nearest_beat(last_beat) == pytest.approx(last_beat, abs=0.005)


def test_a_track_shorter_than_the_video_has_no_grid(tmp_path: Path) -> None:
    path = click_track(tmp_path / "clicks.wav", 120.0, 0.0, 5.0)
    tracked = track_beats(path, 10.0, tmp_path)
    assert tracked.grid is None and "shorter than the video" in str(tracked.reason)


def speech_like(seconds: float, seed: int) -> np.ndarray:
    """Noise bursts of syllable length at irregular gaps."""
    rng = np.random.default_rng(seed)
    samples = np.zeros(round(seconds * SAMPLE_RATE), dtype=np.float32)
    at = 0.0
    while at < seconds - 0.5:
        length = round(rng.uniform(0.08, 0.35) * SAMPLE_RATE)
        start = round(at * SAMPLE_RATE)
        samples[start : start + length] += rng.standard_normal(length) * np.hanning(length) * 0.2
        at += length / SAMPLE_RATE + rng.uniform(0.05, 0.4)
    return samples


def ambient_pad(seconds: float) -> np.ndarray:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    swell = 0.5 + 0.5 * np.sin(2 * np.pi * 0.13 * t)
    return (np.sin(2 * np.pi * 220 * t) * swell * 0.3).astype(np.float32)


@pytest.mark.parametrize(
    "samples",
    [
        pytest.param(speech_like(15.0, 3), id="speech"),
        pytest.param(ambient_pad(15.0), id="ambient"),
        pytest.param(np.random.default_rng(1).standard_normal(15 * SAMPLE_RATE) * 0.1, id="noise"),
    ],
)
def test_music_without_a_steady_beat_has_no_grid(samples: np.ndarray) -> None:
    tracked = grid_of(samples.astype(np.float32), SAMPLE_RATE)
    assert tracked.grid is None and "no steady beat" in str(tracked.reason)


def test_a_steady_mix_has_a_grid() -> None:
    """The upbeat loop: drums, bass and chords on the offbeats, the tracker on its beat."""
    tracked = grid_of(mood_loop(Mood.UPBEAT).mean(axis=1)[: 15 * SAMPLE_RATE], SAMPLE_RATE)
    assert tracked.grid is not None
    assert tracked.grid.tempo_bpm == pytest.approx(120, abs=0.1)
    beat = tracked.grid.beat_s
    assert min(tracked.grid.offset_s % beat, -tracked.grid.offset_s % beat) < 0.005

"""Where shots meet: evenly, or on a beat grid in whole beats or bars."""

from __future__ import annotations

import itertools

import pytest

from worker.backends.local.beats import BeatGrid
from worker.backends.local.cuts import beat_cuts, even_cuts


def on_grid(seconds: float, unit_s: float, start_s: float) -> bool:
    return abs((seconds - start_s + unit_s / 2) % unit_s - unit_s / 2) < 1e-6


def test_even_cuts_spread_the_frames() -> None:
    assert even_cuts(100, 4).frames == [0, 25, 50, 75, 100]


@pytest.mark.parametrize(("bpm", "offset_s"), [(97.0, 0.29), (131.0, 0.11), (80.0, 0.0)])
@pytest.mark.parametrize(("seconds", "fps", "count"), [(10.0, 25, 5), (15.0, 30, 8), (30, 24, 6)])
def test_every_cut_is_on_a_beat_within_half_a_frame_and_the_length_stays(
    bpm: float, offset_s: float, seconds: float, fps: int, count: int
) -> None:
    grid = BeatGrid(bpm, offset_s, 0, "tracked")
    total = round(seconds * fps)
    cuts = beat_cuts(grid, total, fps, count)
    assert cuts is not None and cuts.beats_s is not None
    assert cuts.frames[0] == 0 and cuts.frames[-1] == total and len(cuts.frames) == count + 1
    assert all(a < b for a, b in itertools.pairwise(cuts.frames))
    unit_s = grid.bar_s if cuts.unit == "bar" else grid.beat_s
    assert all(on_grid(beat, unit_s, offset_s) for beat in cuts.beats_s)
    assert all(abs(off) <= 500 / fps + 0.05 for off in cuts.offsets_ms(fps)), "to 0.1 ms"
    shot_s = seconds / count
    first, last = cuts.frames[1] / fps, seconds - cuts.frames[-2] / fps
    assert first >= shot_s / 2 and last >= shot_s / 2


def test_whole_bars_when_the_pace_is_about_a_bar() -> None:
    grid = BeatGrid(120.0, 0.0, 0, "built-in")  # a bar is 2 s
    cuts = beat_cuts(grid, 15 * 30, 30, 8)  # 1.875 s a shot
    assert cuts is not None and cuts.unit == "bar"
    assert cuts.frames == [0, 60, 120, 180, 240, 300, 360, 420, 450]


def test_whole_beats_near_the_pace_when_a_bar_does_not_fit() -> None:
    grid = BeatGrid(120.0, 0.0, 0, "built-in")
    cuts = beat_cuts(grid, 15 * 30, 30, 5)  # 3 s a shot: a bar and a half
    assert cuts is not None and cuts.unit == "beat"
    assert cuts.frames == [0, 90, 180, 270, 360, 450]


def test_too_few_beats_for_the_cuts_is_none() -> None:
    grid = BeatGrid(60.0, 0.0, 0, "tracked")
    assert beat_cuts(grid, 5 * 30, 30, 12) is None

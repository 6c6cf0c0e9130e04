"""Where the shots meet: spread evenly over the video, or on the music's beats.

On the beat, each cut (a transition's midpoint) goes to the beat nearest to where an even
spread would put it, so the shots keep the pace's length on average and each one lasts a
whole number of beats: of bars when the pace's length is close to a whole number of bars.
The first shot runs from the start to the first cut and the last one from the last cut to
the end, so the video keeps its exact length (the last shot absorbs the difference).
"""

from __future__ import annotations

from dataclasses import dataclass

from worker.backends.local.beats import BeatGrid

BAR_FIT = 0.25
"""Shots go in whole bars when the pace's shot is within this share of a bar of a whole
number of bars (and at least most of a bar long)."""

MIN_END_SHOT = 0.5
"""The first and last shots last at least this share of the pace's shot: the music's first
bar line may come a moment after the start."""


@dataclass(frozen=True)
class Cuts:
    frames: list[int]
    """Shot boundaries in frames: 0, each cut, then the last frame."""
    beats_s: list[float] | None = None
    """The beat each cut is on, in seconds; None for cuts spread evenly."""
    unit: str | None = None
    """``bar`` or ``beat``: what the shots are whole numbers of."""

    def offsets_ms(self, fps: int) -> list[float]:
        """How far each cut landed from its beat (rendered frame time minus beat time)."""
        return [
            round((frame / fps - beat) * 1000, 1)
            for frame, beat in zip(self.frames[1:-1], self.beats_s or [], strict=True)
        ]


def even_cuts(total: int, count: int) -> Cuts:
    return Cuts([round(index * total / count) for index in range(count + 1)])


def beat_cuts(grid: BeatGrid, total: int, fps: int, count: int) -> Cuts | None:
    """``count`` shots over ``total`` frames with every cut on a beat of ``grid``; None when
    the music has fewer beats than the video has cuts."""
    seconds = total / fps
    shot_s = seconds / count
    bars = shot_s / grid.bar_s
    units = ["beat"]
    if bars >= 1 - BAR_FIT and abs(bars - round(bars)) <= BAR_FIT:
        units.insert(0, "bar")
    for unit in units:
        times = grid.downbeats(seconds) if unit == "bar" else grid.beats(seconds)
        # The first and the last shot at least half the pace's length (the last a beat).
        shortest = shot_s * MIN_END_SHOT
        last = seconds - max(shortest, grid.beat_s)
        usable = [t for t in times if shortest <= t <= last]
        picked = _nearest_in_order(usable, [index * shot_s for index in range(1, count)])
        if picked is not None:
            return Cuts([0, *(round(t * fps) for t in picked), total], picked, unit)
    return None


def _nearest_in_order(times: list[float], targets: list[float]) -> list[float] | None:
    """For each target, in order, the nearest of ``times`` after the one before it, leaving
    enough of them for the targets still to come."""
    if len(times) < len(targets):
        return None
    picked: list[float] = []
    last = -1
    for index, target in enumerate(targets):
        nearest = min(range(len(times)), key=lambda at: abs(times[at] - target))
        room = len(times) - (len(targets) - index)
        last = min(max(nearest, last + 1), room)
        picked.append(times[last])
    return picked

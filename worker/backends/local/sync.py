"""Whether a video's cuts follow its music's beat, and what the report says about it.

They do by default when the music has a steady beat: the built-in music always has (its grid
is how it is made), a user's track when the tracker finds one over the whole video. A track
shorter than the video loops, and its beat does not run on across the seam: its shots keep
the pace. So do a silent video, a job that turned it off, and one with more cuts than its
music has beats. The report's ``beats`` says which, with the tempo, the phase and, per cut,
how far from its beat the rendered cut landed; a job that asked for it and did not get it
also has a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from worker.backends.local import audio
from worker.backends.local.beats import BeatGrid, Tracked, mood_grid, track_beats
from worker.backends.local.cuts import Cuts
from worker.backends.local.plan import Plan
from worker.backends.local.timeline import shot_cuts
from worker.prompt.vocabulary import MOOD_OF_PACE, Mood, Pace

MUSIC_END_SHARE = 2 / 3


@dataclass(frozen=True)
class Music:
    """The music a plan names: a file (``path``) or a built-in mood."""

    path: Path | None
    mood: Mood | None


def music_of(music: str, pace: str, photos: Sequence[Path]) -> Music:
    if audio.is_audio_file(music):
        return Music(audio.find_music_file(music, photos), None)
    mood = Mood(music) if music in set(Mood) else MOOD_OF_PACE[Pace(pace)]
    return Music(None, mood)


@dataclass(frozen=True)
class BeatPlan:
    cuts: Cuts
    facts: dict[str, Any]
    """The checkpoint's ``beats`` (``checkpoint.Beats``)."""
    warnings: list[str] = field(default_factory=list)


def beat_plan(plan: Plan, photos: Sequence[Path], shots_of: int, scratch: Path) -> BeatPlan:
    """The cuts of a video showing ``shots_of`` photos, on the beat when it can be."""
    grid, why = _grid(plan, photos, scratch)
    cuts = shot_cuts(plan, shots_of, grid)
    if grid is not None and cuts.beats_s is None:
        why = (
            "one shot: no cuts"
            if len(cuts.frames) == 2
            else "the video has more cuts than its music has beats"
        )
    if cuts.beats_s is None:
        asked = plan.sources.get("beat_sync", {}).get("from", "default") != "default"
        warnings = [f"cuts on the beat not made: {why}"] if plan.beat_sync and asked else []
        return BeatPlan(cuts, {"sync": False, "why": why}, warnings)
    assert grid is not None
    offsets = cuts.offsets_ms(plan.fps)
    facts = {
        "sync": True,
        "why": why,
        **grid.to_record(),
        "unit": cuts.unit,
        "music_end_s": _music_end(grid, plan.frame_count / plan.fps),
        "cuts": [
            {"frame": frame, "beat_s": round(beat, 4), "off_ms": off}
            for frame, beat, off in zip(cuts.frames[1:-1], cuts.beats_s, offsets, strict=True)
        ],
        "max_off_ms": max((abs(off) for off in offsets), default=0.0),
    }
    return BeatPlan(cuts, facts)


def _grid(plan: Plan, photos: Sequence[Path], scratch: Path) -> tuple[BeatGrid | None, str]:
    """The music's beat grid, or None and why the shots follow the pace."""
    if plan.music is None:
        return None, "no music"
    if not plan.beat_sync:
        source = plan.sources.get("beat_sync", {})
        return None, f"turned off ({source.get('words') or source.get('from', 'option')})"
    music = music_of(plan.music, plan.pace, photos)
    if music.mood is not None:
        return mood_grid(music.mood), f"on the beat of the built-in {music.mood} music"
    assert music.path is not None
    tracked: Tracked = track_beats(music.path, plan.frame_count / plan.fps, scratch)
    if tracked.grid is None:
        return None, tracked.reason or "no steady beat"
    return tracked.grid, f"on the tracked beat of {music.path.name}"


def _music_end(grid: BeatGrid, seconds: float) -> float:
    """The last bar line of the video, or its last beat when a long bar would leave a third of
    it without music."""
    bar_line = grid.last_bar_line(seconds)
    if bar_line is not None and bar_line >= seconds * MUSIC_END_SHARE:
        return round(bar_line, 4)
    return round(grid.beats(seconds)[-1], 4)

"""The music's beat grid: when its beats and bars fall, so the planner can cut on them.

The built-in music is made on an exact grid (``synth``: every loop starts on a downbeat at
its tempo), so its grid is known, not measured. A user's track is measured with librosa: its
beat tracker gives the beats, a straight line through them the tempo and phase (promo music
keeps one tempo), and the onsets next to each beat (backtracked to where they start) correct
the phase the onset envelope's lag would otherwise put about 15 ms late. A track whose onsets
do not fall on that line (speech, ambient pads, rubato) has no steady beat: the planner then
keeps its pace-based shots and the report says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from worker.backends.local.audio import decode_track
from worker.backends.local.synth import BEATS_PER_BAR, SAMPLE_RATE, TEMPO_BPM
from worker.prompt.vocabulary import Mood

BEAT_HOP = 512
"""Samples per onset-envelope frame for the tracker (about 11 ms at 48 kHz)."""
ONSET_HOP = 128
"""Samples per frame for the onsets that set the phase (under 3 ms)."""
MIN_BEATS = 8
ANALYSIS_S = 30.0
"""Seconds of a track the tracker reads: the tempo found there holds for the rest."""
LOOP_SLACK_S = 0.05
"""A track this much shorter than the video still covers it (its last frame or so)."""
ATTACK_S = 0.05
"""How long after a beat its loudness is measured (for the bar's accent)."""
NEAR_SHARE = 0.15
"""Onsets this close to the tracker's beats (a share of the beat period) set the phase."""
ON_GRID_SHARE = 0.05
"""An onset within this share of a beat period from a beat or the half-beat between two beats
counts as on the grid (music plays on the offbeats too). By chance, a fifth of them are."""
MIN_PULSE = 0.5
"""The share of the track's onsets that must be on the grid for a steady beat."""


@dataclass(frozen=True)
class BeatGrid:
    """A constant-tempo grid: beat ``k`` at ``offset_s + k * beat_s``, for all ``k``."""

    tempo_bpm: float
    offset_s: float
    """The first beat at or after 0 s."""
    downbeat: int
    """Which beat (0 to ``BEATS_PER_BAR - 1``, counted from ``offset_s``) starts a bar."""
    source: str
    """``built-in`` (known from how it is made) or ``tracked`` (measured)."""
    pulse: float = 1.0
    """The share of the music's onsets on the grid (1 for the built-in music)."""

    @property
    def beat_s(self) -> float:
        return 60.0 / self.tempo_bpm

    @property
    def bar_s(self) -> float:
        return self.beat_s * BEATS_PER_BAR

    @property
    def first_downbeat_s(self) -> float:
        return self.offset_s + self.downbeat * self.beat_s

    def beats(self, until_s: float) -> list[float]:
        """Beat times from 0 s up to ``until_s`` (included)."""
        return _steps(self.offset_s, self.beat_s, until_s)

    def downbeats(self, until_s: float) -> list[float]:
        return _steps(self.first_downbeat_s, self.bar_s, until_s)

    def nearest_beat(self, seconds: float) -> float:
        return self.offset_s + round((seconds - self.offset_s) / self.beat_s) * self.beat_s

    def last_bar_line(self, until_s: float) -> float | None:
        """The last bar line at or before ``until_s``, None if there is none."""
        lines = self.downbeats(until_s)
        return lines[-1] if lines else None

    def to_record(self) -> dict[str, Any]:
        return {
            "tempo_bpm": round(self.tempo_bpm, 4),
            "offset_s": round(self.offset_s, 5),
            "downbeat": self.downbeat,
            "first_downbeat_s": round(self.first_downbeat_s, 4),
            "beats_per_bar": BEATS_PER_BAR,
            "source": self.source,
            "pulse": round(self.pulse, 3),
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> BeatGrid:
        return cls(
            record["tempo_bpm"],
            record["offset_s"],
            record["downbeat"],
            record["source"],
            record["pulse"],
        )


def _steps(start: float, step: float, until: float) -> list[float]:
    count = int(np.floor((until - start) / step + 1e-9)) + 1 if until >= start else 0
    return [start + index * step for index in range(count)]


def mood_grid(mood: Mood) -> BeatGrid:
    """The built-in music's grid: its loop starts on a downbeat at 0 s, at the mood's tempo."""
    return BeatGrid(tempo_bpm=float(TEMPO_BPM[mood]), offset_s=0.0, downbeat=0, source="built-in")


@dataclass(frozen=True)
class Tracked:
    """What the tracker made of a track: its grid if the beat is steady, and why not if not."""

    grid: BeatGrid | None
    reason: str | None = None


def track_beats(path: Path, seconds: float, scratch: Path) -> Tracked:
    """The beat grid of the audio file at ``path`` under a video of ``seconds``.

    Only its first ``ANALYSIS_S`` are analysed (the onsets' spectrogram of ten minutes would
    take gigabytes); the grid runs on at that tempo, which on click tracks is within 0.005 bpm:
    under 30 ms after ten minutes."""
    raw = scratch / f"{path.stem}.beats.f32"
    try:
        length = decode_track(path, seconds, raw)
        analysed = min(length, round(ANALYSIS_S * SAMPLE_RATE))
        samples = np.fromfile(raw, dtype=np.float32, count=analysed * 2).reshape(-1, 2).mean(axis=1)
    finally:
        raw.unlink(missing_ok=True)
    if length < (seconds - LOOP_SLACK_S) * SAMPLE_RATE:
        return Tracked(None, "the track is shorter than the video: its beat stops at the loop")
    return grid_of(samples, SAMPLE_RATE)


def grid_of(samples: np.ndarray, rate: int) -> Tracked:
    """The grid of mono ``samples``: beats by librosa, a line through them, then a line
    through the onsets near it; no grid when too few onsets fall on it."""
    import librosa  # numba compiles on import: paid only by jobs with a music file

    envelope = librosa.onset.onset_strength(y=samples, sr=rate, hop_length=BEAT_HOP)
    _, frames = librosa.beat.beat_track(onset_envelope=envelope, sr=rate, hop_length=BEAT_HOP)
    if len(frames) < MIN_BEATS:
        return Tracked(None, f"no steady beat: {len(frames)} beats found")
    line = _line(librosa.frames_to_time(frames, sr=rate, hop_length=BEAT_HOP))
    if line is None:
        return Tracked(None, "no steady beat: its beats do not keep one tempo")
    period, offset = line
    onsets = librosa.onset.onset_detect(
        y=samples, sr=rate, hop_length=ONSET_HOP, backtrack=True, units="time"
    )
    index = np.round((onsets - offset) / period)
    near = np.abs(onsets - (offset + index * period)) < period * NEAR_SHARE
    if near.sum() < MIN_BEATS:
        return Tracked(None, f"no steady beat: {near.sum()} onsets near its beats")
    period, offset = (float(value) for value in np.polyfit(index[near], onsets[near], 1))
    half = period / 2
    off_grid = onsets - (offset + np.round((onsets - offset) / half) * half)
    pulse = float((np.abs(off_grid) < period * ON_GRID_SHARE).mean())
    if pulse < MIN_PULSE:
        return Tracked(None, f"no steady beat: {pulse:.0%} of its onsets on a beat grid")
    first_downbeat = _first_downbeat(samples, rate, offset % period, period)
    offset = first_downbeat % period
    downbeat = round((first_downbeat - offset) / period) % BEATS_PER_BAR
    return Tracked(BeatGrid(60.0 / period, offset, downbeat, "tracked", pulse))


def _line(times: np.ndarray) -> tuple[float, float] | None:
    """(period, phase) of the straight line through beat times. The tracker may skip a beat or
    shift by half a beat for a while (it does at a fill): the median interval and the phase
    most beats share give a first line, the beats on it the second; None when too few are."""
    period = float(np.median(np.diff(times)))
    phases = times % period
    apart = np.abs((phases[:, None] - phases[None, :] + period / 2) % period - period / 2)
    offset = float(phases[np.argmax((apart < period * NEAR_SHARE).sum(axis=1))])
    index = np.round((times - offset) / period)
    kept = np.abs(times - (offset + index * period)) < period * NEAR_SHARE
    if kept.sum() < MIN_BEATS:
        return None
    slope, intercept = np.polyfit(index[kept], times[kept], 1)
    return float(slope), float(intercept)


def _first_downbeat(samples: np.ndarray, rate: int, offset: float, period: float) -> float:
    """The first bar line: of the eight half-beat positions in a bar, the loudest just after
    it, on average over the bars. A bar's first beat is its accent, and loudness (not the
    onset envelope, which is in decibels) tells it; the kick and bass carry most of it, so
    a tracker locked on hats and chords on the offbeats moves by half a beat."""
    window = round(ATTACK_S * rate)
    step = period / 2
    steps = 2 * BEATS_PER_BAR
    count = int((len(samples) / rate - offset - ATTACK_S) / step) // steps * steps
    if count == 0:
        return offset
    starts = np.round((offset + np.arange(count) * step) * rate).astype(int)
    energy = np.array([np.mean(samples[at : at + window] ** 2) for at in starts])
    strongest = int(np.argmax([energy[phase::steps].mean() for phase in range(steps)]))
    return offset + strongest * step

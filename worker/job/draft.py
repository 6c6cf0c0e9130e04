"""The timeline both backends share: the NemoVideo draft shape.

A draft is ``{"t": [track, ...], "m": {...}}``; a track is ``{"tt": type, "sg": [segment, ...]}``;
a segment is ``{"d": duration_ms, "m": {...}}``. Track types: 0 video, 1 audio (BGM), 7 text
(title). The cloud returns drafts in this shape; the local backend plans one and renders it.
The cloud's JSON is read as it comes: a duration in fractional milliseconds (3333.33 for a
third of 10 s) is rounded; ``null`` for a list or a mapping is an empty one, and for a start
or a length the default. Refused, such a draft would count as empty, and a generated video as
one that never started (or break the report).

Metadata keys the local renderer reads (the cloud may add others, which are kept):
- draft ``m``: ``width``, ``height``, ``fps``, ``duration_ms``.
- every segment ``m``: ``start`` (ms from the start of the timeline).
- video segment ``m``: ``src`` (file id), ``motion`` (dict), ``transition_in`` (dict or None).
- audio segment ``m``: ``src`` (file id or ``synth:<mood>``), ``volume`` (0..1), ``mood``.
- text segment ``m``: ``text``, ``style`` (dict); a promo's layers also ``role`` (name, price,
  old_price, badge, caption, cta, end_card, logo), ``position`` and, for a logo, ``image``.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _null_as(empty: Callable[[], object]) -> BeforeValidator:
    """``null`` read as the field's ``empty()`` value."""
    return BeforeValidator(lambda value: empty() if value is None else value)


Meta = Annotated[dict[str, Any], _null_as(dict)]
WholeMs = Annotated[
    int, BeforeValidator(lambda value: round(value) if isinstance(value, float) else value)
]


class TrackType(IntEnum):
    VIDEO = 0
    AUDIO = 1
    TEXT = 7


class Segment(BaseModel):
    model_config = ConfigDict(extra="allow")

    d: WholeMs = Field(ge=0, description="duration in milliseconds")
    m: Meta = Field(default_factory=dict)

    @property
    def start_ms(self) -> int:
        return round(self.m.get("start") or 0)

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.d


class Track(BaseModel):
    model_config = ConfigDict(extra="allow")

    tt: int
    sg: Annotated[list[Segment], _null_as(list)] = Field(default_factory=list)
    m: Meta = Field(default_factory=dict)


class Draft(BaseModel):
    model_config = ConfigDict(extra="allow")

    t: Annotated[list[Track], _null_as(list)] = Field(default_factory=list)
    m: Meta = Field(default_factory=dict)

    def tracks_of(self, track_type: TrackType) -> list[Track]:
        return [track for track in self.t if track.tt == track_type]

    def has_content(self, track_type: TrackType) -> bool:
        return any(track.sg for track in self.tracks_of(track_type))

    @property
    def ready_for_export(self) -> bool:
        return any(track.sg for track in self.t)

    @property
    def duration_ms(self) -> int:
        ends = [segment.end_ms for track in self.t for segment in track.sg]
        return round(self.m.get("duration_ms") or max(ends, default=0))


def _seconds(ms: int) -> str:
    value = ms / 1000
    return f"{value:g}s"


def _layer_words(meta: dict[str, Any]) -> str:
    """A text segment's words; a layer with a role other than a title says which it is."""
    text, role = str(meta.get("text", "")), meta.get("role")
    if role in (None, "title"):
        return text
    return f"{role}: {text}" if text else str(role)


def _describe(track: Track) -> str:
    if not track.sg:
        return "empty"
    start = min(segment.start_ms for segment in track.sg)
    end = max(segment.end_ms for segment in track.sg)
    span = f"{_seconds(start).rstrip('s')}-{_seconds(end)}"
    first = track.sg[0].m
    if track.tt == TrackType.VIDEO:
        kinds = "clip" if len(track.sg) == 1 else "clips"
        return f"Video: {len(track.sg)} {kinds} ({span})"
    if track.tt == TrackType.AUDIO:
        label = first.get("mood") or first.get("name") or "music"
        volume = first.get("volume")
        level = f", {round(float(volume) * 100)}%" if volume is not None else ""
        return f"BGM: {label} ({span}{level})"
    if track.tt == TrackType.TEXT:
        text = " / ".join(_layer_words(segment.m) for segment in track.sg)
        return f"Title: {text} ({span})"
    return f"Track type {track.tt}: {len(track.sg)} segments ({span})"


def timeline_summary(draft: Draft) -> str:
    """One line per track, like ``Timeline (3 tracks): 1. Video: … 2. BGM: … 3. Title: …``."""
    parts = [f"{index}. {_describe(track)}" for index, track in enumerate(draft.t, start=1)]
    noun = "track" if len(draft.t) == 1 else "tracks"
    return f"Timeline ({len(draft.t)} {noun}): " + " ".join(parts)

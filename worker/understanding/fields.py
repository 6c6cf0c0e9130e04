"""The prompt understood: every field of the plan, its value and where it came from.

Backend-neutral: the local renderer plans from it, and the nemo backend states it to the cloud
agent. Precedence, per field: an explicit job option (``option``), then the prompt
(``prompt``, with the words that asked), then a platform the prompt names (``platform``: "for
Reels" makes 9:16), then the default (``default``: the settings, or what the pace implies).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any, Generic, TypeVar

from config.settings import Settings
from worker.job.spec import Aspect, JobOptions, Resolution
from worker.prompt.platforms import Platform
from worker.prompt.vocabulary import (
    MOOD_OF_PACE,
    SILENCE,
    MotionStyle,
    Origin,
    Pace,
    TransitionStyle,
)
from worker.understanding.reading import Finding, Reading, read_prompt

MAX_DURATION_S = 600.0
MIN_FPS, MAX_FPS = 12, 60
SHAPE_ORIENTATION = {"portrait": "9:16", "16:9": "16:9", "1:1": "1:1"}
"""A shape word's own canvas, when no platform of its orientation is named."""

Value = TypeVar("Value")


@dataclass(frozen=True)
class Choice(Generic[Value]):
    value: Value
    origin: Origin
    words: str | None = None
    """The prompt's words that asked for it, or the platform that implied it."""

    def to_record(self) -> dict[str, str]:
        record = {"from": str(self.origin)}
        if self.words:
            record["words"] = self.words
        return record


def _from(finding: Finding | None, convert: Any = None) -> Choice[Any] | None:
    if finding is None:
        return None
    value = convert(finding.value) if convert else finding.value
    return Choice(value, Origin.PROMPT, finding.words)


def _first(*choices: Choice[Any] | None) -> Choice[Any]:
    return next(choice for choice in choices if choice is not None)


def _orientation(aspect: str) -> str:
    across, down = (int(part) for part in aspect.split(":"))
    return "portrait" if across < down else "16:9" if across > down else "1:1"


def _aspect(reading: Reading) -> Choice[Aspect] | None:
    """A written ratio; else a shape word, keeping a named platform's canvas when it is of
    that shape ("vertical for 小红书" is 3:4); else the platform's canvas."""
    ratio = reading.best("ratio")
    if ratio is not None:
        return Choice(Aspect(ratio.value), Origin.PROMPT, ratio.words)
    shape, named = reading.best("shape"), reading.best("platform")
    platform: Platform | None = named.value if named else None
    if shape is not None:
        if platform is not None and _orientation(platform.aspect) == shape.value:
            return Choice(Aspect(platform.aspect), Origin.PLATFORM, platform.name)
        return Choice(Aspect(SHAPE_ORIENTATION[shape.value]), Origin.PROMPT, shape.words)
    if platform is not None:
        return Choice(Aspect(platform.aspect), Origin.PLATFORM, platform.name)
    return None


@dataclass(frozen=True)
class Understanding:
    """The plan's fields as asked, each with where it came from."""

    duration_s: Choice[float]
    aspect: Choice[Aspect]
    resolution: Choice[Resolution]
    fps: Choice[int]
    pace: Choice[Pace]
    transition: Choice[TransitionStyle]
    motion: Choice[MotionStyle]
    fade_in: Choice[bool]
    fade_out: Choice[bool]
    title: Choice[str | None]
    music: Choice[str | None]
    """A mood (``Mood``), an audio file, or None for a silent video."""
    music_volume: Choice[float]
    beat_sync: Choice[bool]
    """Cuts on the music's beat: the default (when the music has a steady beat), asked ("cut on
    the beat", 卡点) or turned off ("ignore the beat", the option)."""
    text: Choice[bool]
    """False: no words from the prompt on screen ("no text"), a stated title excepted."""
    not_understood: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    """What was changed from what was asked, or asked and not made, in words."""

    def choices(self) -> dict[str, Choice[Any]]:
        return {
            item.name: getattr(self, item.name)
            for item in fields(self)
            if isinstance(getattr(self, item.name), Choice)
        }

    def sources(self) -> dict[str, dict[str, str]]:
        """Per field, where its value came from (and the words), for the report."""
        return {name: choice.to_record() for name, choice in self.choices().items()}

    def stated(self, name: str) -> Any:
        """The value of field ``name`` if the job asked for it (by an option, its prompt or a
        platform it names); None when it is a default."""
        choice: Choice[Any] = getattr(self, name)
        return None if choice.origin == Origin.DEFAULT else choice.value

    def to_record(self) -> dict[str, Any]:
        """The fields' values, where each came from, and the words that set nothing."""
        record: dict[str, Any] = {
            name: str(choice.value) if isinstance(choice.value, StrEnum) else choice.value
            for name, choice in self.choices().items()
        }
        record["sources"] = self.sources()
        record["not_understood"] = list(self.not_understood)
        return record

    def not_understood_warning(self) -> list[str]:
        if not self.not_understood:
            return []
        quoted = ", ".join(f"'{words}'" for words in self.not_understood)
        return [f"not understood (these words set nothing): {quoted}"]


def _clamped_duration(choice: Choice[float]) -> tuple[Choice[float], list[str]]:
    if choice.value <= MAX_DURATION_S:
        return choice, []
    asked = f"{choice.value:.2f}".rstrip("0").rstrip(".")
    warning = (
        f"duration {asked} s clamped to {MAX_DURATION_S:g} s, the longest video photoreel makes"
    )
    return Choice(MAX_DURATION_S, choice.origin, choice.words), [warning]


def _clamped_fps(choice: Choice[int]) -> tuple[Choice[int], list[str]]:
    kept = min(max(choice.value, MIN_FPS), MAX_FPS)
    if kept == choice.value:
        return choice, []
    warning = f"{choice.value} fps asked; made {kept} fps ({MIN_FPS} to {MAX_FPS})"
    return Choice(kept, choice.origin, choice.words), [warning]


def _default(value: Any) -> Choice[Any]:
    return Choice(value, Origin.DEFAULT)


def _option(value: Any) -> Choice[Any] | None:
    return Choice(value, Origin.OPTION) if value is not None else None


def understand(prompt: str, options: JobOptions, settings: Settings) -> Understanding:
    """The plan's fields for ``prompt`` under ``options``, the defaults from ``settings``."""
    reading = read_prompt(prompt)
    pace = _first(_from(reading.best("pace"), Pace), _default(Pace.MEDIUM))
    slow = pace.value == Pace.SLOW
    fade_in = reading.best("fade_in")
    fade_out = reading.best("fade_out")
    duration, duration_warnings = _clamped_duration(
        _first(
            _option(options.duration), _from(reading.best("duration")), _default(settings.duration)
        )
    )
    fps, fps_warnings = _clamped_fps(
        _first(_option(options.fps), _from(reading.best("fps"), int), _default(settings.fps))
    )
    music_finding = reading.best("music_file") or reading.best("music")
    if options.music is not None:
        music: Choice[str | None] = Choice(options.music, Origin.OPTION)
    elif music_finding is not None:
        silent = music_finding.value == SILENCE
        music = Choice(
            None if silent else str(music_finding.value), Origin.PROMPT, music_finding.words
        )
    else:
        music = _default(str(MOOD_OF_PACE[pace.value]))
    beat = _first(_option(options.beat_sync), _from(reading.best("beat_sync")), _default(True))
    return Understanding(
        duration_s=duration,
        aspect=_first(_option(options.aspect), _aspect(reading), _default(Aspect.LANDSCAPE)),
        resolution=_first(
            _option(options.resolution),
            _from(reading.best("resolution"), Resolution),
            _default(Resolution.FULL_HD),
        ),
        fps=fps,
        pace=pace,
        transition=_first(
            _from(reading.best("transition"), TransitionStyle),
            _default(TransitionStyle.ZOOM if pace.value == Pace.FAST else TransitionStyle.DISSOLVE),
        ),
        motion=_first(_from(reading.best("motion"), MotionStyle), _default(MotionStyle.KEN_BURNS)),
        fade_in=_first(_from(fade_in), _default(slow)),
        fade_out=_first(_from(fade_out), _default(slow)),
        title=_first(_option(options.title), _from(reading.best("title")), _default(None)),
        music=music,
        music_volume=_first(_from(reading.best("music_volume"), float), _default(1.0)),
        beat_sync=beat,
        text=_first(_from(reading.best("text")), _default(True)),
        not_understood=reading.not_understood,
        warnings=(
            *duration_warnings,
            *fps_warnings,
            *(f"not made: {words}" for words in reading.unsupported),
        ),
    )

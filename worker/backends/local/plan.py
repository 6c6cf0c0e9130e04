"""Prompt to plan: what the video should look like, as ``worker.prompt`` understood it.

Explicit ``JobOptions`` win over the prompt; the prompt wins over ``Settings``. Words the
planner does not know are listed (``not_understood``) and a warning says so: a prompt never
makes a job fail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from config.settings import Settings
from worker.backends.local.text import EMOJI_PATTERN
from worker.backends.local.titles import find_emoji_font
from worker.job.spec import TITLE_MAX_CHARS, Aspect, JobOptions, Resolution
from worker.job.styles import Brand, LayerSpec, StyleName
from worker.prompt.vocabulary import MotionStyle, Pace, TransitionStyle
from worker.understanding.fields import understand
from worker.understanding.promo import PromoWords, read_words
from worker.understanding.reading import read_prompt


@dataclass(frozen=True)
class PaceTiming:
    shot_s: float
    """Preferred time on screen per shot, transitions included."""
    transition_s: float


PACE_TIMING = {
    Pace.FAST: PaceTiming(shot_s=1.8, transition_s=0.35),
    Pace.MEDIUM: PaceTiming(shot_s=3.0, transition_s=0.7),
    Pace.SLOW: PaceTiming(shot_s=4.5, transition_s=1.2),
}


@dataclass(frozen=True)
class Plan:
    duration_s: float
    aspect: Aspect
    resolution: Resolution
    fps: int
    pace: Pace
    transition: TransitionStyle
    motion: MotionStyle
    fade_in: bool
    fade_out: bool
    title: str | None
    music: str | None
    """A mood word (see ``Mood``), an audio file path, or None for a silent video."""
    music_volume: float
    beat_sync: bool = True
    """Cuts on the music's beat when it has a steady one; False: shots follow the pace alone."""
    text: bool = True
    """False: the prompt asked for no words on screen; only a title it states is shown."""
    words: PromoWords = field(default_factory=PromoWords)
    style: StyleName = StyleName.CLEAN
    layers: tuple[LayerSpec, ...] | None = None
    """A template's own layers; None: the layers the words call for."""
    brand: Brand | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    """The catalog row, for a template's merge fields."""
    warnings: tuple[str, ...] = ()
    """What the plan changed from what was asked (a duration clamped, a title cut), in words."""
    sources: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Per field, where its value came from: ``{"from": "prompt", "words": "fast pace"}``."""
    not_understood: tuple[str, ...] = ()

    @property
    def frame_count(self) -> int:
        return round(self.duration_s * self.fps)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the output; the short side is the resolution's."""
        short = self.resolution.short_side
        ratio_w, ratio_h = self.aspect.ratio
        if ratio_w >= ratio_h:
            return _even(short * ratio_w / ratio_h), short
        return short, _even(short * ratio_h / ratio_w)

    def to_record(self) -> dict[str, Any]:
        record = {
            key: value
            for key, value in asdict(self).items()
            if key not in ("words", "layers", "brand", "fields")
        }
        record.update(
            width=self.size[0],
            height=self.size[1],
            frames=self.frame_count,
            warnings=list(self.warnings),
            sources={name: dict(source) for name, source in self.sources.items()},
            not_understood=list(self.not_understood),
        )
        record["words"] = self.words.to_record()
        return {
            key: str(value) if isinstance(value, StrEnum) else value
            for key, value in record.items()
        }


def _even(value: float) -> int:
    return round(value / 2) * 2


def fit_title(title: str | None) -> tuple[str | None, list[str]]:
    """The title the renderer can draw, and a warning for each change: emoji are dropped when
    no colour emoji font is installed, and a title over ``TITLE_MAX_CHARS`` is cut at a word
    boundary."""
    if title is None:
        return None, []
    warnings: list[str] = []
    if EMOJI_PATTERN.search(title) and find_emoji_font() is None:
        title = re.sub(r"\s{2,}", " ", EMOJI_PATTERN.sub("", title)).strip()
        warnings.append(
            "emoji dropped from the title: no colour emoji font is installed "
            "(fonts-noto-color-emoji)"
        )
    if len(title) > TITLE_MAX_CHARS:
        cut = title[: TITLE_MAX_CHARS + 1].rsplit(maxsplit=1)[0]
        kept = cut if len(cut) <= TITLE_MAX_CHARS else title[:TITLE_MAX_CHARS]
        warnings.append(
            f"title cut from {len(title)} to {len(kept.rstrip())} characters "
            f"(the limit is {TITLE_MAX_CHARS}): now ends '…{kept.rstrip()[-20:].lstrip()}'"
        )
        title = kept.rstrip()
    return title or None, warnings


def make_plan(
    prompt: str,
    options: JobOptions,
    settings: Settings,
    fields: Mapping[str, Any] | None = None,
) -> Plan:
    """Options that are set win; what they leave unset (None) comes from the prompt, then
    from ``settings`` (``worker.understanding.fields``). Every change to what was asked is a
    warning of the plan, and so are the prompt's words that set nothing.

    ``fields``: the catalog row of the job, if it has one (its words come before the
    prompt's, after the options')."""
    asked = understand(prompt, options, settings)
    template = options.template
    title, title_warnings = fit_title(asked.title.value)
    stated = read_prompt(prompt).best("title")
    prompt_title = str(stated.value) if stated else None
    words_prompt = prompt if asked.text.value else ""
    return Plan(
        duration_s=asked.duration_s.value,
        aspect=asked.aspect.value,
        resolution=asked.resolution.value,
        fps=asked.fps.value,
        pace=asked.pace.value,
        transition=asked.transition.value,
        motion=asked.motion.value,
        fade_in=asked.fade_in.value,
        fade_out=asked.fade_out.value,
        title=title,
        music=asked.music.value,
        music_volume=asked.music_volume.value,
        beat_sync=asked.beat_sync.value,
        text=asked.text.value,
        warnings=(*asked.warnings, *title_warnings, *asked.not_understood_warning()),
        words=read_words(words_prompt, options, fields, prompt_title),
        style=template.style if template else StyleName.CLEAN,
        layers=tuple(template.layers) if template and template.layers else None,
        brand=options.brand,
        fields=dict(fields or {}),
        sources=asked.sources(),
        not_understood=asked.not_understood,
    )

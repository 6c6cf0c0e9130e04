"""Prompt to plan: what the video should look like, read from plain English or Chinese.

Explicit ``JobOptions`` win over the prompt; the prompt wins over ``Settings``. Words the
planner does not know are ignored: a prompt never makes a job fail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from config.settings import Settings
from worker.backends.local.text import EMOJI_PATTERN
from worker.backends.local.titles import find_emoji_font
from worker.numerals import CN_NUMBER, cn_to_number
from worker.promo import PromoWords, read_words, without_cta
from worker.spec import TITLE_MAX_CHARS, Aspect, JobOptions, Resolution
from worker.styles import Brand, LayerSpec, StyleName

MAX_DURATION_S = 600.0


class Pace(StrEnum):
    FAST = "fast"
    MEDIUM = "medium"
    SLOW = "slow"


class TransitionStyle(StrEnum):
    DISSOLVE = "dissolve"
    BLACK = "black"
    ZOOM = "zoom"
    SLIDE = "slide"
    WIPE = "wipe"


class MotionStyle(StrEnum):
    KEN_BURNS = "kenburns"
    ZOOM_IN = "zoom_in"
    ZOOM_OUT = "zoom_out"
    PAN = "pan"
    STATIC = "static"


class Mood(StrEnum):
    CALM = "calm"
    UPBEAT = "upbeat"
    LOFI = "lo-fi"
    CINEMATIC = "cinematic"


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

DEFAULT_MOOD_FOR_PACE = {Pace.FAST: Mood.UPBEAT, Pace.MEDIUM: Mood.LOFI, Pace.SLOW: Mood.CALM}


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
    words: PromoWords = field(default_factory=PromoWords)
    style: StyleName = StyleName.CLEAN
    layers: tuple[LayerSpec, ...] | None = None
    """A template's own layers; None: the layers the words call for."""
    brand: Brand | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)
    """The catalog row, for a template's merge fields."""
    warnings: tuple[str, ...] = ()
    """What the plan changed from what was asked (a duration clamped, a title cut), in words."""

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
        )
        record["words"] = self.words.to_record()
        return {
            key: str(value) if isinstance(value, StrEnum) else value
            for key, value in record.items()
        }


def _even(value: float) -> int:
    return round(value / 2) * 2


def _number(text: str) -> float:
    return float(text) if re.fullmatch(r"\d+(?:\.\d+)?", text) else float(cn_to_number(text))


_NUM = rf"(\d+(?:\.\d+)?|{CN_NUMBER})"


def parse_duration(prompt: str) -> float | None:
    """Seconds the prompt asks for, as asked (``make_plan`` clamps them to the limit)."""
    text = prompt.lower()
    if re.search(r"half\s+(?:a\s+)?minute|半分钟", text):
        return 30.0
    hours = re.search(rf"{_NUM}\s*(?:-\s*)?(?:hours?\b|hrs?\b|小时)", text)
    minutes = re.search(rf"{_NUM}\s*(?:-\s*)?(?:minutes?|mins?\b|分钟)", text)
    decade = r"s\b(?!\s*(?:music|songs?|style|vibes?|hits|retro|disco))"  # "80s music"
    seconds = re.search(rf"(?<![\d:.'’]){_NUM}\s*(?:-\s*)?(?:seconds?\b|secs?\b|{decade}|秒)", text)
    units = [(hours, 3600.0), (minutes, 60.0), (seconds, 1.0)]
    total = sum(_number(found.group(1)) * unit for found, unit in units if found)
    return total if total > 0 else None


_ASPECT_RATIOS: list[tuple[Aspect, str]] = [
    (Aspect.VERTICAL, r"9\s*[:x/]\s*16"),
    (Aspect.LANDSCAPE, r"16\s*[:x/]\s*9"),
    (Aspect.SQUARE, r"\b1\s*[:x/]\s*1\b"),
]
_ASPECT_WORDS: list[tuple[Aspect, str]] = [
    (
        Aspect.VERTICAL,
        r"reels\b|instagram reel|tiktok|shorts\b|stories\b|story\b|vertical|portrait"
        r"|竖屏|竖版|抖音",
    ),
    (
        Aspect.LANDSCAPE,
        r"landscape|youtube(?!\s*shorts)|presentation|widescreen|horizontal|横屏|横版",
    ),
    (Aspect.SQUARE, r"square|\bfeed\b|instagram post|方形|正方形"),
]


def _first_mentioned(text: str, patterns: list[tuple[Aspect, str]]) -> Aspect | None:
    hits = [
        (match.start(), aspect)
        for aspect, pattern in patterns
        if (match := re.search(pattern, text))
    ]
    return min(hits)[1] if hits else None


def parse_aspect(prompt: str) -> Aspect | None:
    """A ratio written out ("16:9") wins over a platform or shape word ("for Reels")."""
    text = prompt.lower()
    return _first_mentioned(text, _ASPECT_RATIOS) or _first_mentioned(text, _ASPECT_WORDS)


def parse_pace(prompt: str) -> Pace | None:
    text = prompt.lower()
    if re.search(
        r"\bfast|quick|rhythmic|energetic|dynamic|snappy|punchy|快节奏|快速|节奏感|动感|快", text
    ):
        return Pace.FAST
    if re.search(
        r"slow|calm|cinematic|relax|gentle|leisurely|dreamy|舒缓|慢|电影感|平静|悠闲", text
    ):
        return Pace.SLOW
    if re.search(r"medium|moderate|steady|normal pace|中速|适中", text):
        return Pace.MEDIUM
    return None


_TRANSITION_WORDS: list[tuple[TransitionStyle, str]] = [
    (TransitionStyle.BLACK, r"(?:fade|dip)s?\s+(?:through|to|via)\s+black|黑场"),
    (
        TransitionStyle.ZOOM,
        r"zoom\w*\s+(?:transitions?|cuts?)|transitions?\s*[:：]?\s*zoom|缩放转场|变焦转场",
    ),
    (TransitionStyle.SLIDE, r"slid\w*|push transitions?|滑动|推移|滑入"),
    (TransitionStyle.WIPE, r"wipes?\b|擦除|划像"),
    (
        TransitionStyle.DISSOLVE,
        r"dissolve|cross-?\s?fade|fade transitions?|叠化|溶解|交叉淡化|淡化转场",
    ),
]


Choice = TypeVar("Choice")


def _first_listed(prompt: str, table: list[tuple[Choice, str]]) -> Choice | None:
    """The first choice of ``table`` (listed by precedence) whose words the prompt uses."""
    text = prompt.lower()
    return next((choice for choice, words in table if re.search(words, text)), None)


def parse_transition(prompt: str) -> TransitionStyle | None:
    return _first_listed(prompt, _TRANSITION_WORDS)


def parse_motion(prompt: str) -> MotionStyle | None:
    text = prompt.lower()
    if re.search(r"static|no motion|no movement|still images|静止|静态|不动", text):
        return MotionStyle.STATIC
    if re.search(r"ken\s*-?\s*burns|肯伯恩斯", text):
        return MotionStyle.KEN_BURNS
    # "zoom transitions" name a transition, not the motion inside a shot.
    text = re.sub(r"zoom\w*\s+(?:transitions?|cuts?)", "", text)
    if re.search(r"zoom(?:ing)?\s*-?\s*out|pull(?:ing)?\s+(?:back|out)|拉远|缩小", text):
        return MotionStyle.ZOOM_OUT
    if re.search(r"zoom(?:ing)?\s*-?\s*in|push(?:ing)?\s+in|\bzoom\b|推近|放大|推进", text):
        return MotionStyle.ZOOM_IN
    if re.search(r"\bpan\w*|drift\w*|平移|摇镜", text):
        return MotionStyle.PAN
    return None


def parse_fades(prompt: str) -> tuple[bool | None, bool | None]:
    text = prompt.lower()
    both = re.search(r"fade\s*-?\s*in\s*(?:/|and|&|,)\s*(?:fade\s*-?\s*)?out|淡入淡出", text)
    fade_in = bool(both or re.search(r"fade\s*-?\s*in|fade up from black|淡入", text))
    fade_out = bool(both or re.search(r"fade\s*-?\s*out|fade to black at the end|淡出", text))
    return (True if fade_in else None), (True if fade_out else None)


_QUOTED = r"[\"“”「『《‘](.+?)[\"“”」』》’]|(?:^|(?<=[\s(:：,]))'(.+?)'(?=$|[\s,.!?;:)])"


def parse_title(prompt: str) -> str | None:
    labelled = re.search(
        rf"(?:title[d]?|heading|caption|标题|标题为|题为)\s*(?:is|of)?\s*[:：=]?\s*(?:{_QUOTED})",
        prompt,
        re.IGNORECASE,
    )
    if labelled:
        return _clean_title(labelled.group(1) or labelled.group(2))
    bare = re.search(r"(?:title[d]?|标题)\s*[:：]\s*([^,，。;；\n]+)", prompt, re.IGNORECASE)
    if bare:
        return _clean_title(bare.group(1))
    quoted = [match.group(1) or match.group(2) for match in re.finditer(_QUOTED, prompt)]
    return _clean_title(quoted[0]) if len(quoted) == 1 else None


def _clean_title(text: str) -> str | None:
    return text.strip().strip("\"'“”‘’") or None


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


def clamp_duration(seconds: float) -> tuple[float, list[str]]:
    """``seconds`` within ``MAX_DURATION_S``, and a warning when it had to be cut."""
    if seconds <= MAX_DURATION_S:
        return seconds, []
    asked = f"{seconds:.2f}".rstrip("0").rstrip(".")
    return MAX_DURATION_S, [
        f"duration {asked} s clamped to {MAX_DURATION_S:g} s, the longest video photoreel makes"
    ]


_MOOD_WORDS: list[tuple[Mood, str]] = [
    (Mood.LOFI, r"lo-?\s?fi|chill\s*hop|低保真"),
    (Mood.CINEMATIC, r"cinematic|epic|dramatic|orchestral|史诗|电影|大气"),
    (Mood.UPBEAT, r"upbeat|energetic|happy|cheerful|fun\b|party|pop\b|欢快|动感|活力|轻快"),
    (Mood.CALM, r"calm|relax|peaceful|soft|ambient|gentle|舒缓|安静|平静|轻柔"),
]


def parse_mood(prompt: str) -> Mood | None:
    return _first_listed(prompt, _MOOD_WORDS)


def wants_silence(prompt: str) -> bool:
    return bool(
        re.search(r"no music|without music|silent|no audio|无音乐|不要音乐|静音", prompt.lower())
    )


def parse_music_volume(prompt: str) -> float:
    """1.0 puts the music at the loudness target; "music at 40%" or quieter wishes lower it."""
    text = prompt.lower()
    percent = re.search(
        r"(?:music|bgm|音乐|配乐)\s*(?:volume|level|音量)?\s*(?:at|to|=|:|：)?\s*(\d{1,3})\s*%",
        text,
    )
    if percent:
        return min(max(int(percent.group(1)) / 100, 0.0), 1.0)
    quiet = r"(?:quiet|soft|low|subtle)\s+(?:background\s+)?music|music\s+(?:quiet|low|soft)|小声"
    return 0.5 if re.search(quiet, text) else 1.0


def parse_fps(prompt: str) -> int | None:
    match = re.search(r"(\d{2})\s*(?:fps|帧)", prompt.lower())
    return min(max(int(match.group(1)), 12), 60) if match else None


def parse_resolution(prompt: str) -> Resolution | None:
    text = prompt.lower()
    if re.search(r"1080p?|full\s*hd|fhd", text):
        return Resolution.FULL_HD
    if re.search(r"720p?|\bhd\b", text):
        return Resolution.HD
    return None


def make_plan(
    prompt: str,
    options: JobOptions,
    settings: Settings,
    fields: Mapping[str, Any] | None = None,
) -> Plan:
    """Options that are set win; what they leave unset (None) comes from the prompt, then
    from ``settings``. Every change to what was asked is a warning of the plan.

    ``fields``: the catalog row of the job, if it has one (its words come before the
    prompt's, after the options')."""
    prompt_title = parse_title(without_cta(prompt))
    template = options.template
    pace = parse_pace(prompt) or Pace.MEDIUM
    fade_in, fade_out = parse_fades(prompt)
    gentle = pace == Pace.SLOW
    if options.music is not None:
        music: str | None = options.music
    elif wants_silence(prompt):
        music = None
    else:
        music = str(parse_mood(prompt) or DEFAULT_MOOD_FOR_PACE[pace])
    duration, duration_warnings = clamp_duration(
        options.duration or parse_duration(prompt) or settings.duration
    )
    title, title_warnings = fit_title(options.title or prompt_title)
    return Plan(
        duration_s=duration,
        aspect=options.aspect or parse_aspect(prompt) or Aspect.LANDSCAPE,
        resolution=options.resolution or parse_resolution(prompt) or Resolution.FULL_HD,
        fps=options.fps or parse_fps(prompt) or settings.fps,
        pace=pace,
        transition=parse_transition(prompt)
        or (TransitionStyle.ZOOM if pace == Pace.FAST else TransitionStyle.DISSOLVE),
        motion=parse_motion(prompt) or MotionStyle.KEN_BURNS,
        fade_in=fade_in if fade_in is not None else gentle,
        fade_out=fade_out if fade_out is not None else gentle,
        title=title,
        music=music,
        music_volume=parse_music_volume(prompt),
        warnings=(*duration_warnings, *title_warnings),
        words=read_words(prompt, options, fields, prompt_title),
        style=template.style if template else StyleName.CLEAN,
        layers=tuple(template.layers) if template and template.layers else None,
        brand=options.brand,
        fields=dict(fields or {}),
    )

"""What a prompt can ask for, and how the lexicons say it.

The choices (pace, transition, motion, mood) are the planner's, shared by every backend. A
lexicon entry maps a phrase to one or more ``Sense`` (field and value), says what it means
when negated ("no music" → silence, "no transitions" → hard cuts, "not too fast" → medium), and
whether it is a noun, which lets a negation carry on over "or" and "and" ("no music or text").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any


class Pace(StrEnum):
    FAST = "fast"
    MEDIUM = "medium"
    SLOW = "slow"


class TransitionStyle(StrEnum):
    CUT = "cut"
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
    ROMANTIC = "romantic"


MOOD_OF_PACE = {Pace.FAST: Mood.UPBEAT, Pace.MEDIUM: Mood.LOFI, Pace.SLOW: Mood.CALM}
"""The music a pace goes with: a paced video's default mood, and what "slow music" asks."""


class Origin(StrEnum):
    """Where a planned value came from."""

    OPTION = "option"
    PROMPT = "prompt"
    PLATFORM = "platform"
    DEFAULT = "default"


class Strength(IntEnum):
    """How firmly a phrase asks: "fast pace" firmly, "fast" plainly, the "slow" of "slow zoom"
    as a hint. The firmest ask of a field wins; among equals, the first one said."""

    HINT = 1
    PLAIN = 2
    FIRM = 3


SILENCE = "none"
"""The ``music`` value of a prompt that asks for no music."""


@dataclass(frozen=True)
class Sense:
    field: str
    """A plan field (``pace``, ``transition``, ``music`` …), or one of the reading's own:
    ``shape`` (an aspect said in words), ``platform``, ``negator``, ``filler``."""
    value: Any = None
    strength: Strength = Strength.PLAIN


@dataclass(frozen=True)
class Entry:
    senses: tuple[Sense, ...]
    negated: tuple[Sense, ...] | None = None
    """What it means after "no"/"不要"; None: it cannot be negated (a negation ends at it);
    (): negated, it asks nothing."""
    noun: bool = False

    @property
    def is_filler(self) -> bool:
        return all(sense.field == "filler" for sense in self.senses)


FILLER = Entry((Sense("filler"),))
NEGATOR = Entry((Sense("negator"),))


def word_set(words: str) -> frozenset[str]:
    """The words of ``words``, separated by spaces."""
    return frozenset(words.split())


def entry(*senses: Sense, negated: tuple[Sense, ...] | None = (), noun: bool = False) -> Entry:
    return Entry(tuple(senses), negated, noun)


def table(phrases: str, value: Entry) -> dict[str, Entry]:
    """``value`` for each of ``phrases`` (separated by ``|``)."""
    return {phrase.strip(): value for phrase in phrases.split("|") if phrase.strip()}


def pace(value: Pace, strength: Strength = Strength.PLAIN) -> Sense:
    return Sense("pace", value, strength)


def mood(value: Mood, strength: Strength = Strength.PLAIN) -> Sense:
    return Sense("music", value, strength)


def transition(value: TransitionStyle, strength: Strength = Strength.PLAIN) -> Sense:
    return Sense("transition", value, strength)


def motion(value: MotionStyle, strength: Strength = Strength.PLAIN) -> Sense:
    return Sense("motion", value, strength)


FIRM, HINT = Strength.FIRM, Strength.HINT


def moods(phrases: str, value: Mood, *also: Sense) -> dict[str, Entry]:
    """``value`` as the music's mood (and ``also``) for each of ``phrases``."""
    return table(phrases, entry(mood(value), *also))


PACE_NEGATED = (pace(Pace.MEDIUM),)
""""not too fast", "not too slow": the middle."""
STATIC = (motion(MotionStyle.STATIC),)
""""no zoom", "no Ken Burns": the photos stay still."""
CUT = (transition(TransitionStyle.CUT, Strength.FIRM),)
""""no transitions": hard cuts."""
NO_FADES = (Sense("fade_in", False), Sense("fade_out", False))

# Entries both lexicons use: what a noun means once negated ("no music", 不要转场 …).
BOUNDARY = Entry((Sense("boundary"),))
"""Ends a negation: "but", "just", 但是."""
SILENT = entry(Sense("music", SILENCE, FIRM))
MUSIC_NOUN = Entry((Sense("filler"),), (Sense("music", SILENCE, FIRM),), noun=True)
TEXT_NOUN = Entry((Sense("filler"),), (Sense("text", False, FIRM),), noun=True)
TRANSITION_NOUN = Entry((Sense("filler"),), CUT, noun=True)
MOTION_NOUN = Entry((Sense("filler"),), STATIC, noun=True)
ZOOM_IN = entry(motion(MotionStyle.ZOOM_IN), negated=STATIC, noun=True)
ZOOM_OUT = entry(motion(MotionStyle.ZOOM_OUT), negated=STATIC, noun=True)
PAN = entry(motion(MotionStyle.PAN), negated=STATIC, noun=True)
SLOW_ZOOM_IN = entry(motion(MotionStyle.ZOOM_IN), pace(Pace.SLOW, HINT), negated=STATIC, noun=True)
SLOW_ZOOM_OUT = entry(
    motion(MotionStyle.ZOOM_OUT), pace(Pace.SLOW, HINT), negated=STATIC, noun=True
)
KEN_BURNS = entry(motion(MotionStyle.KEN_BURNS), negated=STATIC, noun=True)
DISSOLVES, BLACKS, ZOOMS, SLIDES, WIPES = (
    entry(transition(style), noun=True)
    for style in (
        TransitionStyle.DISSOLVE,
        TransitionStyle.BLACK,
        TransitionStyle.ZOOM,
        TransitionStyle.SLIDE,
        TransitionStyle.WIPE,
    )
)
FADE_IN = Entry((Sense("fade_in", True),), (Sense("fade_in", False),), noun=True)
FADE_OUT = Entry((Sense("fade_out", True),), (Sense("fade_out", False),), noun=True)
FADE_IN_AND_OUT = Entry((Sense("fade_in", True), Sense("fade_out", True)), NO_FADES, noun=True)

ASPECTS = ("9:16", "16:9", "1:1", "4:5", "3:4", "2:3")
"""The canvases photoreel makes (``worker.job.spec.Aspect``), as ratios are written."""

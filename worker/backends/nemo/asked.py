"""The plan as sentences for the cloud agent: what the job's options and its prompt were
understood to ask (``worker.prompt``), stated plainly beside the prompt itself.

Only what was asked is stated (by an option, the prompt, or a platform it names); defaults are
left to the agent. The music is stated by ``worker.backends.nemo.music`` when an option names
it (an uploaded file has its own sentence).
"""

from __future__ import annotations

from typing import Any

from worker.job.spec import has_audio_suffix
from worker.prompt.vocabulary import MotionStyle, Origin, TransitionStyle
from worker.understanding.fields import Understanding

TRANSITION_WORDS = {
    TransitionStyle.CUT: "hard cuts, no transition effects",
    TransitionStyle.DISSOLVE: "cross-dissolves",
    TransitionStyle.BLACK: "dips through black",
    TransitionStyle.ZOOM: "zoom transitions",
    TransitionStyle.SLIDE: "slides",
    TransitionStyle.WIPE: "wipes",
}
MOTION_WORDS = {
    MotionStyle.KEN_BURNS: "a slow Ken Burns pan and zoom on each photo",
    MotionStyle.ZOOM_IN: "a slow zoom in on each photo",
    MotionStyle.ZOOM_OUT: "a slow zoom out on each photo",
    MotionStyle.PAN: "a slow pan across each photo",
    MotionStyle.STATIC: "none, the photos stay still",
}


def _shape(asked: Understanding) -> list[str]:
    sentences = []
    if (duration := asked.stated("duration_s")) is not None:
        sentences.append(f"Length: {duration:g} seconds.")
    if (aspect := asked.stated("aspect")) is not None:
        platform = asked.aspect.words if asked.aspect.origin == Origin.PLATFORM else None
        sentences.append(f"Aspect ratio: {aspect.value}" + (f" ({platform})." if platform else "."))
    if (resolution := asked.stated("resolution")) is not None:
        sentences.append(f"Resolution: {resolution.value}.")
    if (fps := asked.stated("fps")) is not None:
        sentences.append(f"Frame rate: {fps} fps.")
    if (title := asked.stated("title")) is not None:
        sentences.append(f'Title: "{title}".')
    return sentences


def _fade(name: str, value: Any, where: str) -> str:
    edge = "in from black at the start" if name == "fade_in" else "out to black at the end"
    return f"Fade {edge}." if value else f"No fade {where}."


def _edit(asked: Understanding) -> list[str]:
    sentences = []
    if (pace := asked.stated("pace")) is not None:
        sentences.append(f"Pace: {pace}.")
    if (transition := asked.stated("transition")) is not None:
        sentences.append(f"Transitions: {TRANSITION_WORDS[transition]}.")
    if asked.stated("beat_sync"):
        sentences.append("Cut on the beat of the music.")
    if (motion := asked.stated("motion")) is not None:
        sentences.append(f"Camera motion: {MOTION_WORDS[motion]}.")
    for name, where in (("fade_in", "in"), ("fade_out", "out")):
        if (value := asked.stated(name)) is not None:
            sentences.append(_fade(name, value, where))
    if asked.stated("text") is False:
        sentences.append("No text on screen.")
    return sentences


def _music(asked: Understanding) -> list[str]:
    sentences = []
    music = asked.music.value
    # A music file the prompt names is uploaded and stated by ``music.music_wish``: its path is
    # never sent.
    if asked.music.origin == Origin.PROMPT and not (music and has_audio_suffix(music)):
        sentences.append(f"Background music: {music}." if music else "No music.")
    if (volume := asked.stated("music_volume")) is not None and asked.music.value:
        sentences.append(f"Music volume: {round(volume * 100)}%.")
    return sentences


def plan_sentences(asked: Understanding) -> list[str]:
    """What ``asked`` states, as sentences for the agent."""
    return [*_shape(asked), *_edit(asked), *_music(asked)]

"""Click tracks to render over, flat photos to render, and transitions found in decoded frames.

A flat-colour photo looks the same whatever the camera does, so between two frames of a video
of them only a transition changes the picture: each run of changing frames is one transition,
and the difference-weighted mean of where it changes is its midpoint (a cut's frame itself).
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
from PIL import Image

RATE = 48_000
COLOURS = ((220, 40, 40), (40, 200, 60), (40, 60, 220), (230, 210, 40), (200, 60, 210))
CHANGED = 2.0
"""Mean absolute difference (0..255) above which two frames differ: encoder noise is below."""


def click_track(path: Path, bpm: float, phase_s: float, seconds: float) -> Path:
    """A 16-bit WAV of clicks from ``phase_s`` every beat, the first of each bar louder."""
    samples = np.zeros(round(seconds * RATE), dtype=np.float32)
    t = np.arange(round(0.03 * RATE)) / RATE
    click = (np.sin(2 * np.pi * 1500 * t) * np.exp(-t / 0.008)).astype(np.float32)
    beat = 0
    while (at := phase_s + beat * 60 / bpm) < seconds:
        start = round(at * RATE)
        piece = click[: len(samples) - start] * (0.8 if beat % 4 == 0 else 0.45)
        samples[start : start + len(piece)] += piece
        beat += 1
    return write_wav(path, samples)


def write_wav(path: Path, samples: np.ndarray) -> Path:
    """Mono float samples (-1..1) as a 16-bit WAV at ``RATE``."""
    with wave.open(str(path), "wb") as output:
        output.setnchannels(1)
        output.setsampwidth(2)
        output.setframerate(RATE)
        output.writeframes((samples * 32767).astype("<i2").tobytes())
    return path


def flat_photos(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    photos = []
    for index in range(count):
        path = folder / f"{index:02d}.png"
        colour = COLOURS[index % len(COLOURS)]
        Image.fromarray(np.full((480, 640, 3), colour, dtype=np.uint8)).save(path)
        photos.append(path)
    return photos


def transitions(frames: np.ndarray) -> list[float]:
    """Each transition's midpoint in frames: ``f`` for a cut whose first new frame is ``f``."""
    change = np.abs(np.diff(frames.astype(np.int16), axis=0)).mean(axis=(1, 2, 3))
    changed = change > CHANGED
    found = []
    index = 0
    while index < len(change):
        if not changed[index]:
            index += 1
            continue
        end = index
        while end < len(change) and changed[end]:
            end += 1
        boundaries = np.arange(index, end) + 1.0  # change[i] is from frame i to frame i + 1
        found.append(float(np.average(boundaries, weights=change[index:end])))
        index = end
    return found


def distance_to_beat(frame: float, fps: int, bpm: float, phase_s: float) -> float:
    """How far (in frames) a frame position is from the nearest beat."""
    beat_frames = 60 / bpm * fps
    return abs((frame - phase_s * fps + beat_frames / 2) % beat_frames - beat_frames / 2)

"""Built-in mood tracks, synthesised offline: chord progressions, bass, rhythm.

Each mood is a loop of bars (a progression played twice, the second time with a melody)
rendered additively in numpy at 48 kHz stereo. The loop is tiled to the video's length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from worker.prompt.vocabulary import Mood

SAMPLE_RATE = 48_000
BEATS_PER_BAR = 4


@dataclass(frozen=True)
class Chord:
    root: int
    """MIDI note of the root, around the fourth octave."""
    intervals: tuple[int, ...]

    def notes(self, octave_shift: int = 0) -> list[int]:
        return [self.root + 12 * octave_shift + interval for interval in self.intervals]


MAJOR, MINOR, MAJ7, MIN7, DOM9, ADD6 = (
    (0, 4, 7),
    (0, 3, 7),
    (0, 4, 7, 11),
    (0, 3, 7, 10),
    (0, 4, 10, 14),
    (0, 4, 7, 9),
)

PROGRESSIONS = {
    Mood.CALM: [Chord(60, MAJ7), Chord(57, MIN7), Chord(53, MAJ7), Chord(55, ADD6)],
    Mood.UPBEAT: [Chord(55, MAJOR), Chord(62, MAJOR), Chord(52, MINOR), Chord(60, MAJOR)],
    Mood.LOFI: [Chord(55, MIN7), Chord(60, DOM9), Chord(53, MAJ7), Chord(62, MIN7)],
    Mood.CINEMATIC: [Chord(50, MINOR), Chord(58, MAJOR), Chord(53, MAJOR), Chord(60, MAJOR)],
    Mood.ROMANTIC: [Chord(53, MAJ7), Chord(57, MIN7), Chord(58, MAJ7), Chord(60, ADD6)],
}
TEMPO_BPM = {Mood.CALM: 72, Mood.UPBEAT: 120, Mood.LOFI: 80, Mood.CINEMATIC: 64, Mood.ROMANTIC: 66}


def frequency(midi: float) -> float:
    return 440.0 * 2.0 ** ((midi - 69.0) / 12.0)


def _time(seconds: float) -> np.ndarray:
    return np.arange(round(seconds * SAMPLE_RATE), dtype=np.float32) / SAMPLE_RATE


def _envelope(length: int, attack: float, decay: float) -> np.ndarray:
    """Linear attack (seconds), then exponential decay with time constant ``decay``."""
    t = np.arange(length, dtype=np.float32) / SAMPLE_RATE
    rise = np.clip(t / max(attack, 1e-4), 0.0, 1.0)
    return rise * np.exp(-np.maximum(t - attack, 0.0) / decay)


def _release(signal: np.ndarray, seconds: float = 0.05) -> np.ndarray:
    tail = min(len(signal), round(seconds * SAMPLE_RATE))
    if tail:
        signal[-tail:] *= np.linspace(1.0, 0.0, tail, dtype=np.float32)
    return signal


def pad(notes: list[int], seconds: float, detune_cents: float = 7.0) -> np.ndarray:
    """Soft sustained chord: a few harmonics, slightly detuned voices, slow swell."""
    t = _time(seconds)
    out = np.zeros_like(t)
    for note in notes:
        for cents in (-detune_cents, detune_cents):
            f = frequency(note + cents / 100.0)
            out += (
                np.sin(2 * np.pi * f * t)
                + 0.35 * np.sin(4 * np.pi * f * t)
                + 0.12 * np.sin(6 * np.pi * f * t)
            )
    swell = np.clip(t / (seconds * 0.3), 0.0, 1.0) * np.clip(
        (seconds - t) / (seconds * 0.25), 0.0, 1.0
    )
    return out * swell / (2.5 * len(notes))


def pluck(note: float, seconds: float, brightness: float = 1.0) -> np.ndarray:
    """Plucked string: harmonics decaying faster the higher they are."""
    t = _time(seconds)
    f = frequency(note)
    out = np.zeros_like(t)
    for harmonic in range(1, 7):
        if f * harmonic > SAMPLE_RATE / 2.5:
            break
        decay = 0.6 / (harmonic * (1.6 - brightness * 0.6))
        out += np.sin(2 * np.pi * f * harmonic * t) * np.exp(-t / decay) / harmonic
    return _release(out * np.clip(t / 0.004, 0.0, 1.0))


def electric_piano(note: float, seconds: float) -> np.ndarray:
    t = _time(seconds)
    f = frequency(note)
    body = np.sin(2 * np.pi * f * t + 0.6 * np.sin(2 * np.pi * f * t) * np.exp(-t / 0.3))
    bell = 0.25 * np.sin(2 * np.pi * 4 * f * t) * np.exp(-t / 0.15)
    tremolo = 1.0 + 0.15 * np.sin(2 * np.pi * 4.5 * t)
    return _release((body + bell) * tremolo * _envelope(len(t), 0.005, 0.9))


def bass(note: float, seconds: float) -> np.ndarray:
    t = _time(seconds)
    f = frequency(note)
    tone = np.sin(2 * np.pi * f * t) + 0.3 * np.sin(4 * np.pi * f * t)
    return _release(tone * _envelope(len(t), 0.006, max(seconds * 0.6, 0.08)))


def kick(seconds: float = 0.35) -> np.ndarray:
    t = _time(seconds)
    sweep = 45.0 + 90.0 * np.exp(-t / 0.04)
    phase = 2 * np.pi * np.cumsum(sweep) / SAMPLE_RATE
    return np.sin(phase) * _envelope(len(t), 0.002, 0.12)


def _noise(seconds: float, rng: np.random.Generator) -> np.ndarray:
    return rng.standard_normal(round(seconds * SAMPLE_RATE)).astype(np.float32)


def snare(rng: np.random.Generator, seconds: float = 0.25) -> np.ndarray:
    t = _time(seconds)
    noise = np.diff(_noise(seconds, rng), prepend=0.0)
    body = np.sin(2 * np.pi * 185.0 * t) * np.exp(-t / 0.05)
    return (0.45 * noise * np.exp(-t / 0.07) + 0.5 * body) * np.clip(t / 0.001, 0, 1)


def hat(rng: np.random.Generator, seconds: float = 0.06) -> np.ndarray:
    noise = np.diff(np.diff(_noise(seconds, rng), prepend=0.0), prepend=0.0)
    return 0.18 * noise * _envelope(len(noise), 0.001, 0.015)


def timpani(note: float, seconds: float = 1.6) -> np.ndarray:
    t = _time(seconds)
    f = frequency(note)
    tone = np.sin(2 * np.pi * f * t) + 0.5 * np.sin(2 * np.pi * f * 1.5 * t) * np.exp(-t / 0.3)
    return _release(tone * _envelope(len(t), 0.004, 0.45))


class _Mix:
    def __init__(self, seconds: float) -> None:
        self.left = np.zeros(round(seconds * SAMPLE_RATE) + SAMPLE_RATE * 4, dtype=np.float32)
        self.right = np.zeros_like(self.left)
        self.length = round(seconds * SAMPLE_RATE)

    def add(self, at_seconds: float, sound: np.ndarray, gain: float, pan: float = 0.0) -> None:
        """``pan`` from -1 (left) to 1 (right), equal power."""
        start = round(at_seconds * SAMPLE_RATE)
        end = min(start + len(sound), len(self.left))
        angle = (pan + 1.0) * np.pi / 4
        self.left[start:end] += sound[: end - start] * gain * np.cos(angle)
        self.right[start:end] += sound[: end - start] * gain * np.sin(angle)

    def loop(self) -> np.ndarray:
        """Stereo (n, 2), with the tail ringing past the loop end folded onto its start."""
        stereo = np.stack([self.left, self.right], axis=1)
        body = stereo[: self.length].copy()
        tail = stereo[self.length :]
        body[: len(tail)] += tail[: len(body)]
        return body


def _lowpass(signal: np.ndarray, cutoff_hz: float) -> np.ndarray:
    """Gentle low-pass by FFT (a whole-loop operation, wraps around cleanly)."""
    spectrum = np.fft.rfft(signal, axis=0)
    freqs = np.fft.rfftfreq(len(signal), 1.0 / SAMPLE_RATE)
    response = 1.0 / np.sqrt(1.0 + (freqs / cutoff_hz) ** 4)
    return np.fft.irfft(spectrum * response[:, None], n=len(signal), axis=0).astype(np.float32)


def mood_loop(mood: Mood, seed: int = 7) -> np.ndarray:
    """A loop of the mood's progression played twice: float32 stereo (samples, 2)."""
    rng = np.random.default_rng(seed)
    progression = PROGRESSIONS[mood]
    beat = 60.0 / TEMPO_BPM[mood]
    bar = beat * BEATS_PER_BAR
    bars = len(progression) * 2
    mix = _Mix(bars * bar)
    for index in range(bars):
        chord = progression[index % len(progression)]
        start = index * bar
        second_pass = index >= len(progression)
        _BAR_WRITERS[mood](mix, chord, start, beat, second_pass, rng)
    loop = mix.loop()
    if mood == Mood.LOFI:
        crackle = np.zeros(len(loop), dtype=np.float32)
        clicks = rng.integers(0, len(loop), size=len(loop) // 6000)
        crackle[clicks] = rng.uniform(-0.25, 0.25, size=len(clicks)).astype(np.float32)
        loop = _lowpass(loop, 3200.0) + crackle[:, None] * 0.3
    peak = float(np.max(np.abs(loop))) or 1.0
    return (loop / peak * 0.5).astype(np.float32)


def _calm_bar(
    mix: _Mix, chord: Chord, start: float, beat: float, melody: bool, rng: np.random.Generator
) -> None:
    mix.add(start, pad(chord.notes(), beat * 4.6), 0.55, pan=-0.15)
    mix.add(start, bass(chord.root - 24, beat * 3.5), 0.35)
    arpeggio = [*chord.notes(), chord.notes()[1] + 12]
    for step in range(8):
        note = arpeggio[step % len(arpeggio)] + (12 if melody and step % 4 == 3 else 0)
        mix.add(
            start + step * beat / 2,
            pluck(note, beat * 1.8, 0.5),
            0.22,
            pan=0.3 if step % 2 else -0.3,
        )


def _upbeat_bar(
    mix: _Mix, chord: Chord, start: float, beat: float, melody: bool, rng: np.random.Generator
) -> None:
    for step in range(8):
        at = start + step * beat / 2
        mix.add(at, bass(chord.root - 24 + (12 if step % 2 else 0), beat * 0.45), 0.5)
        mix.add(at, hat(rng), 0.9, pan=0.35)
        if step % 2:
            for note in chord.notes():
                mix.add(at, pluck(note, beat * 0.5, 1.0), 0.16, pan=-0.2)
    for count in range(4):
        mix.add(start + count * beat, kick(), 0.9)
        if count % 2:
            mix.add(start + count * beat, snare(rng), 0.55)
    if melody:
        top = chord.notes(1)
        for step, note in enumerate([top[0], top[1], top[2], top[1]]):
            mix.add(start + step * beat, pluck(note, beat * 0.9, 0.8), 0.2, pan=0.2)


def _lofi_bar(
    mix: _Mix, chord: Chord, start: float, beat: float, melody: bool, rng: np.random.Generator
) -> None:
    swing = beat * 0.58
    for at in (start, start + beat + swing):
        for note in chord.notes():
            mix.add(at + rng.uniform(0, 0.015), electric_piano(note, beat * 1.7), 0.13)
    mix.add(start, bass(chord.root - 24, beat * 1.6), 0.5)
    mix.add(start + beat * 2 + swing, bass(chord.root - 17, beat * 1.2), 0.45)
    mix.add(start, kick(), 0.85)
    mix.add(start + beat * 2 + swing, kick(), 0.7)
    for count in (1, 3):
        mix.add(start + count * beat, snare(rng), 0.4)
    for count in range(4):
        mix.add(start + count * beat, hat(rng), 0.7, pan=0.3)
        mix.add(start + count * beat + swing, hat(rng), 0.45, pan=0.3)
    if melody:
        mix.add(start + beat * 3, electric_piano(chord.notes(1)[-1], beat), 0.12, pan=-0.3)


def _cinematic_bar(
    mix: _Mix, chord: Chord, start: float, beat: float, melody: bool, rng: np.random.Generator
) -> None:
    mix.add(start, pad(chord.notes(), beat * 4.8, 12.0), 0.6, pan=-0.25)
    mix.add(start, pad(chord.notes(-1), beat * 4.8, 9.0), 0.45, pan=0.25)
    mix.add(start, bass(chord.root - 24, beat * 4), 0.45)
    mix.add(start, timpani(chord.root - 24), 0.6)
    mix.add(start + beat * 2.5, timpani(chord.root - 24, 1.0), 0.35)
    if melody:
        top = chord.notes(1)
        for step, note in enumerate((top[2], top[1], top[0])):
            mix.add(start + step * beat * 1.25, pluck(note, beat * 2.5, 0.4), 0.18, pan=0.1)


def _romantic_bar(
    mix: _Mix, chord: Chord, start: float, beat: float, melody: bool, rng: np.random.Generator
) -> None:
    """A warm pad under a broken chord in eighths, a slow melody on the second pass."""
    mix.add(start, pad(chord.notes(), beat * 4.4, 5.0), 0.45, pan=-0.1)
    mix.add(start, bass(chord.root - 24, beat * 3.8), 0.35)
    notes = chord.notes()
    broken = [notes[0], notes[2], notes[1] + 12, notes[2]] * 2
    for step, note in enumerate(broken):
        mix.add(
            start + step * beat / 2,
            pluck(note, beat * 2.2, 0.35),
            0.2,
            pan=0.25 if step % 2 else -0.25,
        )
    if melody:
        top = chord.notes(1)
        for step, note in enumerate((top[-1], top[-2], top[-1])):
            mix.add(start + step * beat * 1.33, pluck(note, beat * 2.5, 0.3), 0.16, pan=0.1)


_BAR_WRITERS = {
    Mood.CALM: _calm_bar,
    Mood.UPBEAT: _upbeat_bar,
    Mood.LOFI: _lofi_bar,
    Mood.CINEMATIC: _cinematic_bar,
    Mood.ROMANTIC: _romantic_bar,
}

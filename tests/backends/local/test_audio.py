from __future__ import annotations

import math
import subprocess
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest

from worker.backends.local.audio import (
    CEILING,
    TARGET_LUFS,
    file_source,
    integrated_loudness,
    mood_source,
    write_music,
)
from worker.backends.local.synth import SAMPLE_RATE, mood_loop
from worker.job.errors import JobFailed
from worker.prompt.vocabulary import Mood


def sine(
    seconds: float,
    amplitude: float,
    frequency: float = 1000.0,
    left_only: bool = False,
    rate: int = SAMPLE_RATE,
) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    tone = (amplitude * np.sin(2 * np.pi * frequency * t)).astype(np.float32)
    return np.stack([tone, np.zeros_like(tone) if left_only else tone], axis=1)


def read_wav(path: Path) -> np.ndarray:
    """A 16-bit stereo WAV as float32 (n, 2)."""
    with wave.open(str(path), "rb") as source:
        frames = source.readframes(source.getnframes())
    return np.frombuffer(frames, dtype="<i2").reshape(-1, 2).astype(np.float32) / 32767


def write_wav(path: Path, samples: np.ndarray, rate: int = SAMPLE_RATE) -> None:
    with wave.open(str(path), "wb") as output:
        output.setnchannels(2)
        output.setsampwidth(2)
        output.setframerate(rate)
        output.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


@pytest.mark.parametrize(("amplitude", "expected"), [(1.0, -3.01), (0.1, -23.01)])
def test_loudness_matches_the_bs1770_reference(amplitude: float, expected: float) -> None:
    """BS.1770: a 1 kHz sine at 0 dBFS in one channel reads -3.01 LUFS."""
    measured = integrated_loudness(iter([sine(5.0, amplitude, left_only=True)]))
    assert measured == pytest.approx(expected, abs=0.05)


def test_loudness_does_not_depend_on_chunking() -> None:
    signal = sine(4.0, 0.3, 440.0)
    whole = integrated_loudness(iter([signal]))
    chunked = integrated_loudness(iter(np.array_split(signal, 13)))
    assert chunked == pytest.approx(whole, abs=0.01)


def test_silence_is_minus_infinity() -> None:
    assert (
        integrated_loudness(iter([np.zeros((SAMPLE_RATE * 2, 2), dtype=np.float32)])) == -math.inf
    )


@pytest.mark.parametrize("mood", list(Mood))
def test_mood_tracks_are_fitted_normalised_and_faded(tmp_path: Path, mood: Mood) -> None:
    target = tmp_path / "music.wav"
    facts = write_music(mood_source(mood, 7.0), 7.0, 1.0, 2.0, target)
    samples = read_wav(target)
    assert len(samples) == 7 * SAMPLE_RATE
    assert integrated_loudness(iter([samples])) == pytest.approx(TARGET_LUFS, abs=1.0)
    assert np.max(np.abs(samples)) <= CEILING + 1e-3
    assert np.sqrt(np.mean(samples[-480:] ** 2)) < 0.01  # faded out
    assert facts["measured_lufs"] is not None and facts["measured_lufs"] < TARGET_LUFS + 20


def test_volume_lowers_the_level(tmp_path: Path) -> None:
    write_music(mood_source(Mood.CALM, 5.0), 5.0, 0.5, 1.0, tmp_path / "quiet.wav")
    quiet = integrated_loudness(iter([read_wav(tmp_path / "quiet.wav")]))
    assert quiet == pytest.approx(TARGET_LUFS - 6.0, abs=1.0)


def test_music_can_stop_on_a_bar_line_before_the_end(tmp_path: Path) -> None:
    target = tmp_path / "music.wav"
    write_music(mood_source(Mood.UPBEAT, 7.0), 7.0, 1.0, 0.5, target, end_s=6.0)
    samples = read_wav(target)
    assert len(samples) == 7 * SAMPLE_RATE
    assert np.max(np.abs(samples[6 * SAMPLE_RATE :])) == 0
    assert np.sqrt(np.mean(samples[5 * SAMPLE_RATE : round(5.4 * SAMPLE_RATE)] ** 2)) > 0.01


def spectrum_peaks(samples: np.ndarray) -> int:
    """Distinct strong frequencies (semitone bins) in the mono mix."""
    mono = samples.mean(axis=1)
    magnitude = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    freqs = np.fft.rfftfreq(len(mono), 1 / SAMPLE_RATE)
    strong = freqs[(magnitude > magnitude.max() * 0.05) & (freqs > 30)]
    return len(np.unique(np.round(12 * np.log2(strong / 440.0))))


@pytest.mark.parametrize("mood", list(Mood))
def test_mood_loops_are_music_not_a_beep(mood: Mood) -> None:
    loop = mood_loop(mood)
    assert spectrum_peaks(loop) >= 12  # chords, bass and melody: many pitches
    block = SAMPLE_RATE // 20
    mono = np.abs(loop.mean(axis=1))
    envelope = mono[: len(mono) // block * block].reshape(-1, block).max(axis=1)
    assert envelope.std() / envelope.mean() > 0.1  # notes start and stop: it moves


def test_upbeat_has_drums_and_calm_does_not() -> None:
    def high_share(samples: np.ndarray) -> float:
        magnitude = np.abs(np.fft.rfft(samples.mean(axis=1))) ** 2
        freqs = np.fft.rfftfreq(len(samples), 1 / SAMPLE_RATE)
        return float(magnitude[freqs > 5000].sum() / magnitude.sum())

    assert high_share(mood_loop(Mood.UPBEAT)) > 10 * high_share(mood_loop(Mood.CALM))


def test_a_short_track_is_looped_and_a_long_one_cut(tmp_path: Path) -> None:
    short = tmp_path / "jingle.wav"
    write_wav(short, sine(1.0, 0.2, 440.0, rate=44_100), rate=44_100)
    looped = np.concatenate(list(file_source(short, 2.5, tmp_path)()))
    assert len(looped) == pytest.approx(2.5 * SAMPLE_RATE, abs=SAMPLE_RATE * 0.01)
    period = SAMPLE_RATE
    assert np.allclose(looped[3000:4000], looped[period + 3000 : period + 4000], atol=0.01)
    assert np.max(np.abs(looped[period - 5 : period + 5])) < 0.01  # the seam is faded, no click
    cut = np.concatenate(list(file_source(short, 0.4, tmp_path)()))
    assert len(cut) == pytest.approx(0.4 * SAMPLE_RATE, abs=SAMPLE_RATE * 0.01)


@pytest.mark.parametrize("suffix", [".mp3", ".m4a", ".aac"])
def test_compressed_tracks_are_read(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / "source.wav"
    write_wav(source, sine(1.5, 0.3, 330.0))
    encoded = tmp_path / f"song{suffix}"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(source), str(encoded)],
        check=True,
    )
    target = tmp_path / "music.wav"
    write_music(file_source(encoded, 3.0, tmp_path), 3.0, 1.0, 1.0, target)
    samples = read_wav(target)
    assert len(samples) == 3 * SAMPLE_RATE
    assert integrated_loudness(iter([samples])) == pytest.approx(TARGET_LUFS, abs=1.0)


def test_a_silent_track_stays_silent(tmp_path: Path) -> None:
    quiet = tmp_path / "silence.wav"
    write_wav(quiet, np.zeros((SAMPLE_RATE, 2), dtype=np.float32))
    facts = write_music(file_source(quiet, 1.0, tmp_path), 1.0, 1.0, 0.5, tmp_path / "music.wav")
    assert facts == {"measured_lufs": None, "gain_db": None}
    assert not read_wav(tmp_path / "music.wav").any()


def test_unreadable_track_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "song.mp3"
    broken.write_bytes(b"not audio at all")
    with pytest.raises(JobFailed) as failure:
        write_music(file_source(broken, 2.0, tmp_path), 2.0, 1.0, 1.0, tmp_path / "music.wav")
    assert failure.value.file == "song.mp3"
    assert "cannot decode music" in failure.value.message

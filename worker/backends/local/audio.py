"""Music for a video: the user's track or a mood loop, fitted to length and loudness.

Audio is handled as 48 kHz float stereo in chunks, so a long track never sits in memory.
Loudness is measured the ITU-R BS.1770-4 way (K-weighting, 400 ms blocks, absolute and
relative gates) and the track is scaled to the target, softly limited below full scale and
faded out at the end. The result is a 16-bit WAV the encoder muxes.
"""

from __future__ import annotations

import math
import subprocess
import wave
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from worker.backends.local.synth import SAMPLE_RATE, mood_loop
from worker.job.errors import JobFailed
from worker.job.spec import has_audio_suffix
from worker.prompt.vocabulary import Mood

TARGET_LUFS = -14.0
CEILING = 0.89
"""About -1 dBFS: peaks above are softly limited."""
FADE_IN_S = 0.02
SEAM_FADE_S = 0.03
"""When a track loops, its end fades out and its start fades in over this long."""
CHUNK = SAMPLE_RATE

K_WEIGHTING_TAPS = 8192
# K-weighting at 48 kHz (BS.1770-4, table 1 and 2): a high shelf, then a high-pass.
SHELF = (
    np.array([1.53512485958697, -2.69169618940638, 1.19839281085285]),
    np.array([1.0, -1.69065929318241, 0.73248077421585]),
)
HIGH_PASS = (np.array([1.0, -2.0, 1.0]), np.array([1.0, -1.99004745483398, 0.99007225036621]))

ChunkSource = Callable[[], Iterator[np.ndarray]]
"""Yields float32 stereo chunks (n, 2) of the whole track, every time it is called."""


def find_music_file(music: str, photos: Sequence[Path]) -> Path:
    """The music file ``music`` names: as given, else beside the job's first photo."""
    path = Path(music).expanduser()
    candidates = (
        [path] if path.is_absolute() else [path, *(photo.parent / path for photo in photos[:1])]
    )
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise JobFailed("music file not found", file=path.name)


def is_audio_file(music: str) -> bool:
    """Whether ``music`` names a file (a known audio suffix, or an existing file) not a mood."""
    return has_audio_suffix(music) or Path(music).expanduser().is_file()


def _biquad(signal: np.ndarray, b: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Direct-form filtering, sample by sample: only ever run on the short impulse below."""
    out = np.zeros_like(signal)
    x1 = x2 = y1 = y2 = 0.0
    for index, x0 in enumerate(signal.tolist()):
        y0 = b[0] * x0 + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
        out[index] = y0
        x1, x2, y1, y2 = x0, x1, y0, y1
    return out


@lru_cache(maxsize=1)
def k_weighting_response() -> np.ndarray:
    """The K-weighting filter's impulse response, long enough that its tail is below 1e-15."""
    impulse = np.zeros(K_WEIGHTING_TAPS)
    impulse[0] = 1.0
    return _biquad(_biquad(impulse, *SHELF), *HIGH_PASS)


class _KWeighting:
    """K-weighting of a stream of stereo chunks, by FFT convolution with overlap-add."""

    def __init__(self) -> None:
        self.tail = np.zeros((K_WEIGHTING_TAPS - 1, 2))

    def __call__(self, chunk: np.ndarray) -> np.ndarray:
        length = len(chunk) + K_WEIGHTING_TAPS - 1
        size = 1 << (length - 1).bit_length()
        response = np.fft.rfft(k_weighting_response(), size)
        full = np.fft.irfft(np.fft.rfft(chunk, size, axis=0) * response[:, None], size, axis=0)
        full = full[:length]
        full[: len(self.tail)] += self.tail
        self.tail = full[len(chunk) :].copy()
        return full[: len(chunk)]


def integrated_loudness(chunks: Iterator[np.ndarray]) -> float:
    """Integrated loudness in LUFS of a stereo stream; -inf for silence."""
    weigh = _KWeighting()
    step = SAMPLE_RATE // 10
    pending = np.zeros((0, 2), dtype=np.float64)
    powers: list[float] = []
    for chunk in chunks:
        pending = np.concatenate([pending, weigh(chunk.astype(np.float64))])
        whole = len(pending) // step * step
        quarter_blocks = pending[:whole].reshape(-1, step, 2)
        powers.extend(np.mean(quarter_blocks**2, axis=1).sum(axis=1))
        pending = pending[whole:]
    quarters = np.asarray(powers)
    if len(quarters) < 4:
        return -math.inf
    blocks = np.convolve(quarters, np.ones(4) / 4, mode="valid")
    loud = blocks[-0.691 + 10 * np.log10(np.maximum(blocks, 1e-20)) > -70.0]
    if not len(loud):
        return -math.inf
    relative_gate = -0.691 + 10 * np.log10(loud.mean()) - 10.0
    gated = loud[-0.691 + 10 * np.log10(loud) > relative_gate]
    return float(-0.691 + 10 * np.log10(gated.mean()))


def mood_source(mood: Mood, seconds: float) -> ChunkSource:
    loop = mood_loop(mood)

    def chunks() -> Iterator[np.ndarray]:
        total = round(seconds * SAMPLE_RATE)
        for start in range(0, total, CHUNK):
            positions = np.arange(start, min(start + CHUNK, total)) % len(loop)
            yield loop[positions]

    return chunks


def decode_track(path: Path, seconds: float, target: Path) -> int:
    """Decode at most ``seconds`` of ``path`` to raw 48 kHz float stereo at ``target``.

    Returns the number of samples; a file without decodable audio fails the job, naming it.
    """
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-y", "-v", "error", "-i", str(path),
        "-t", f"{seconds:.6f}", "-vn", "-f", "f32le", "-ac", "2", "-ar", str(SAMPLE_RATE),
        str(target),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    samples = target.stat().st_size // 8 if target.exists() else 0
    if result.returncode != 0 or samples == 0:
        lines = result.stderr.strip().splitlines()
        reason = lines[-1] if lines else "no audio stream"
        raise JobFailed(f"cannot decode music: {reason}", file=path.name)
    return samples


def file_source(path: Path, seconds: float, scratch: Path) -> ChunkSource:
    """The track, cut to ``seconds`` or looped up to it (with a short fade at each seam)."""
    raw = scratch / f"{path.stem}.f32"
    length = decode_track(path, seconds, raw)
    track = np.memmap(raw, dtype=np.float32, mode="r", shape=(length, 2))
    total = round(seconds * SAMPLE_RATE)
    seam = min(round(SEAM_FADE_S * SAMPLE_RATE), length // 4) if length < total else 0
    seam_gain = np.ones(length, dtype=np.float32)
    if seam:
        ramp = np.linspace(0.0, 1.0, seam, dtype=np.float32)
        seam_gain[:seam], seam_gain[-seam:] = ramp, ramp[::-1]

    def chunks() -> Iterator[np.ndarray]:
        for start in range(0, total, CHUNK):
            positions = np.arange(start, min(start + CHUNK, total)) % length
            gain = seam_gain[positions]
            if start < length:
                gain = np.where(np.arange(start, start + len(positions)) < seam, 1.0, gain)
            yield track[positions] * gain[:, None].astype(np.float32)

    return chunks


def _soft_limit(samples: np.ndarray) -> np.ndarray:
    """Identity below the ceiling's knee, a smooth tanh knee above it, never past the ceiling."""
    knee = CEILING * 0.8
    magnitude = np.abs(samples)
    over = magnitude > knee
    squashed = knee + (CEILING - knee) * np.tanh((magnitude[over] - knee) / (CEILING - knee))
    samples[over] = np.sign(samples[over]) * squashed
    return samples


def write_music(
    source: ChunkSource,
    seconds: float,
    volume: float,
    fade_out_s: float,
    target: Path,
    end_s: float | None = None,
) -> dict[str, float | None]:
    """Normalise ``source`` to ``TARGET_LUFS`` (scaled by ``volume``) into a WAV at ``target``.

    ``end_s``: where the music stops (faded out up to it; silence after), else at the end."""
    measured = integrated_loudness(source())
    gain = 10 ** ((TARGET_LUFS - measured) / 20) * volume if math.isfinite(measured) else 0.0
    total = round(seconds * SAMPLE_RATE)
    stop = total if end_s is None else min(total, round(end_s * SAMPLE_RATE))
    fade_in = round(FADE_IN_S * SAMPLE_RATE)
    fade_out = round(min(fade_out_s, seconds / 3) * SAMPLE_RATE)
    written = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(target), "wb") as output:
        output.setnchannels(2)
        output.setsampwidth(2)
        output.setframerate(SAMPLE_RATE)
        for chunk in source():
            chunk = chunk[: total - written].astype(np.float32) * gain
            index = np.arange(written, written + len(chunk))
            envelope = np.minimum(
                np.minimum(1.0, (index + 1) / max(fade_in, 1)), (stop - index) / max(fade_out, 1)
            )
            chunk *= np.clip(envelope, 0.0, 1.0)[:, None].astype(np.float32)
            output.writeframes((_soft_limit(chunk) * 32767).astype("<i2").tobytes())
            written += len(chunk)
        if written < total:
            output.writeframes(bytes(4 * (total - written)))
    silent = not math.isfinite(measured)
    return {
        "measured_lufs": None if silent else round(measured, 2),
        "gain_db": None if silent else round(20 * math.log10(gain), 2),
    }

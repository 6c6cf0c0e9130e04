"""How well cuts land on the music's beat: the tracker on click tracks, then rendered videos.

1. tracker: for three click tracks (tempo and phase chosen so that no fixed shot length hits
   their beats: 87 bpm from 0.23 s, 113 bpm from 0.41 s, 142 bpm from 0.07 s; accented first
   beat of each bar), the tempo error, the phase error and the largest distance between a
   tracked and a true beat over the track, and the tracker's time. The built-in moods, as
   "real-ish mixes" of known tempo, are tracked too (the planner does not track them: their
   grid is known).
2. videos: for each click track, a 10 s 720p 25 fps video of five flat-colour photos with hard
   cuts and one with dissolves, on the beat (the default) and with ``beat_sync: false`` (shots
   from the pace alone); each transition found in the decoded frames from the frame-to-frame
   difference (``tests/backends/local/beat_probe.py``); the share within one frame of a beat.

Run with ``python bench/beats.py``; ``--keep DIR`` keeps the click tracks and videos.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.backends.local.beat_probe import (  # noqa: E402
    click_track,
    distance_to_beat,
    flat_photos,
    transitions,
)
from tests.backends.local.probe import decode_frames  # noqa: E402
from tests.backends.local.test_backend import Job  # noqa: E402
from worker.backends.local.beats import grid_of, track_beats  # noqa: E402
from worker.backends.local.synth import SAMPLE_RATE, TEMPO_BPM, mood_loop  # noqa: E402

CLICKS = ((87.0, 0.23), (113.0, 0.41), (142.0, 0.07))
TRACK_S = 20.0
VIDEO_S = 10.0
FPS = 25
PHOTOS = 5


def tracker_row(folder: Path, bpm: float, phase_s: float) -> str:
    path = click_track(folder / f"clicks-{bpm:g}.wav", bpm, phase_s, TRACK_S)
    started = time.perf_counter()
    tracked = track_beats(path, TRACK_S, folder)
    seconds = time.perf_counter() - started
    grid = tracked.grid
    if grid is None:
        return f"| {bpm:g} bpm from {phase_s} s | no grid: {tracked.reason} | | | {seconds:.2f} s |"
    truth = phase_s + np.arange(int((TRACK_S - phase_s) * bpm / 60)) * 60 / bpm
    worst = max(abs(grid.nearest_beat(t) - t) for t in truth)
    return (
        f"| {bpm:g} bpm from {phase_s} s | {grid.tempo_bpm - bpm:+.3f} bpm "
        f"| {(grid.offset_s - phase_s) * 1000:+.1f} ms | {worst * 1000:.1f} ms "
        f"| {seconds:.2f} s |"
    )


def mix_rows() -> list[str]:
    rows = []
    for mood, bpm in TEMPO_BPM.items():
        samples = mood_loop(mood).mean(axis=1)[: round(TRACK_S * SAMPLE_RATE)]
        tracked = grid_of(samples, SAMPLE_RATE)
        said = (
            f"{tracked.grid.tempo_bpm:.2f} bpm ({tracked.grid.tempo_bpm / bpm:.2f}x), "
            f"pulse {tracked.grid.pulse:.2f}"
            if tracked.grid
            else str(tracked.reason)
        )
        rows.append(f"| built-in {mood} ({bpm} bpm) | {said} |")
    return rows


def video_share(folder: Path, bpm: float, phase_s: float, transition: str, sync: bool) -> str:
    music = click_track(folder / f"video-{bpm:g}.wav", bpm, phase_s, VIDEO_S + 1)
    work = folder / f"{bpm:g}-{transition.replace(' ', '-')}-{'beat' if sync else 'pace'}"
    photos = flat_photos(work / "in", PHOTOS)
    job = Job(
        work / "job", photos, f"{transition}, medium pace",
        duration=VIDEO_S, fps=FPS, photos="all", music=str(music), beat_sync=sync,
    )  # fmt: skip
    found = transitions(decode_frames(job.run(), (64, 36)))
    on_beat = [distance_to_beat(frame, FPS, bpm, phase_s) <= 1 for frame in found]
    return f"{sum(on_beat)}/{len(found)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="keep click tracks and videos here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="beats-"))
    folder.mkdir(parents=True, exist_ok=True)
    print("| click track | tempo error | phase error | worst beat | tracker time |")
    print("| --- | --- | --- | --- | --- |")
    for bpm, phase_s in CLICKS:
        print(tracker_row(folder, bpm, phase_s), flush=True)
    print("\n| mix | tracked |\n| --- | --- |")
    print("\n".join(mix_rows()), flush=True)
    print("\n| click track | cuts on the beat | dissolves on the beat | cuts, pace only "
          "| dissolves, pace only |")  # fmt: skip
    print("| --- | --- | --- | --- | --- |")
    for bpm, phase_s in CLICKS:
        shares = [
            video_share(folder, bpm, phase_s, transition, sync)
            for sync in (True, False)
            for transition in ("hard cuts", "dissolves")
        ]
        print(f"| {bpm:g} bpm from {phase_s} s | " + " | ".join(shares) + " |", flush=True)


if __name__ == "__main__":
    main()

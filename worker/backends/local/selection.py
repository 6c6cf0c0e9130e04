"""Which photos a video shows when it has more of them than its length can show.

A shot shorter than about half a second is a flash, not a photo: 300 photos in a 10-second
video are 300 shots of one frame each, a strobe. So each pace has a shortest readable shot
(``MIN_SHOT_S``), and a video shows at most ``duration / shortest shot`` photos. When a job
has more, the ones shown are chosen:

1. near-duplicates go first (a burst, the same shot twice): photos whose perceptual hashes
   (pHash, by the ImageHash library) are within ``NEAR_DUPLICATE_BITS`` of each other, the
   most alike pairs first, the better photo of a pair kept;
2. then the set, in its order, is cut into as many stretches as there are shots and the best
   photo of each stretch is kept: the sharpest (scikit-image's blur metric, Crété-Roffet et
   al. 2007), then the best framed (the share of the photo the output's frame keeps). The
   video still runs from the first photos to the last, in their order.

``photos: all`` keeps every photo (one frame each at most) and says how short the shots are.
Each choice is a warning ("showed 20 of 300 photos …") for the report and the run's summary.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

import cv2
import imagehash
import numpy as np
from PIL import Image

from worker.backends.local.framing import FitMode, Framing
from worker.backends.local.media import load_working_image
from worker.backends.local.plan import Pace, Plan
from worker.backends.local.timeline import PhotoForDraft
from worker.job.spec import PhotoChoice

MIN_SHOT_S = {Pace.FAST: 0.5, Pace.MEDIUM: 0.75, Pace.SLOW: 1.0}
"""The shortest shot a viewer can take in, per pace, in seconds."""
NEAR_DUPLICATE_BITS = 10
"""Photos whose 64-bit pHashes differ in at most this many bits are near-duplicates."""
ANALYSIS_LONG_SIDE = 256
"""Photos are compared at this size: the same scale for all, and quick."""
ANALYSIS_THREADS = 2
"""Photos weighed at once (OpenCV and NumPy let go of the GIL), as many as the decoding uses."""
SHARPNESS_WEIGHT = 0.7
"""A photo's merit: this much its sharpness (its rank in the set), the rest its framing."""


@dataclass(frozen=True)
class Merit:
    """What the choice weighs of one photo."""

    phash: imagehash.ImageHash
    blur: float
    """0 sharp … 1 blurred."""
    framing_fit: float
    """The share of the photo a cover crop keeps, or of the frame a contained photo fills."""


@dataclass(frozen=True)
class Selection:
    photos: list[PhotoForDraft]
    """The photos shown, in their order."""
    warnings: list[str] = field(default_factory=list)
    record: dict[str, Any] | None = None
    """For the checkpoint (``photos_shown``): how many of how many, and which were left out."""


def readable_shots(duration_s: float, pace: Pace) -> int:
    """How many shots of at least the pace's shortest readable length ``duration_s`` holds."""
    return max(1, math.floor(duration_s / MIN_SHOT_S[pace] + 1e-9))


def choose_photos(
    plan: Plan,
    photos: Sequence[PhotoForDraft],
    working_copies: Mapping[str, Path],
    choice: PhotoChoice | None,
) -> Selection:
    """The photos the video shows (all of them when they fit) and what to say about it.
    ``working_copies``: file id → the decoded photo, read only when a choice is needed."""
    count, pace = len(photos), plan.pace
    fits = readable_shots(plan.duration_s, pace)
    if choice == PhotoChoice.ALL:
        fits = plan.frame_count  # one frame each, at most
        if count <= fits:
            return Selection(list(photos), _all_shown_warnings(plan, count))
    if count <= fits:
        return Selection(list(photos))
    width, height = plan.size

    def weigh(photo: PhotoForDraft) -> Merit:
        rgb = load_working_image(working_copies[photo.file_id])
        return merit_of(rgb, photo.framing, width / height)

    each_file = {photo.file_id: photo for photo in photos}  # a photo given twice: weighed once
    with ThreadPoolExecutor(max_workers=ANALYSIS_THREADS) as pool:
        merits = dict(zip(each_file, pool.map(weigh, each_file.values()), strict=True))
    scores = _scores(photos, merits)
    kept, duplicates = _without_near_duplicates(photos, merits, scores, fits)
    if len(kept) > fits:
        kept = _best_of_each_stretch(kept, scores, fits)
    shown = [photos[index] for index in kept]
    chosen = set(kept)
    left_out = [photo.name for index, photo in enumerate(photos) if index not in chosen]
    record = {
        "shown": len(shown),
        "of": count,
        "shortest_shot_s": MIN_SHOT_S[pace] if choice != PhotoChoice.ALL else None,
        "near_duplicates_left_out": duplicates,
        "left_out": left_out,
    }
    warning = _chosen_warning(plan, len(shown), count, duplicates, choice)
    return Selection(shown, [warning], record)


def merit_of(rgb: np.ndarray, framing: Framing, output_aspect: float) -> Merit:
    """``rgb`` weighed: its pHash, how blurred it is, how well ``framing`` fits it into an
    output of ``output_aspect`` (width / height).

    scikit-image (and SciPy, which pHash uses too) is imported here, when photos are to be
    chosen, as ``worker.backends.local.faces`` does: a process that never chooses (a worker
    serving cloud stages) does not hold it."""
    from skimage.measure import blur_effect

    height, width = rgb.shape[:2]
    scale = min(1.0, ANALYSIS_LONG_SIDE / max(height, width))
    small = cv2.resize(
        rgb,
        (max(8, round(width * scale)), max(8, round(height * scale))),
        interpolation=cv2.INTER_AREA,
    )
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    return Merit(
        phash=imagehash.phash(Image.fromarray(grey)),
        blur=float(blur_effect(grey)),
        framing_fit=_framing_fit(framing, width / height, output_aspect),
    )


def _framing_fit(framing: Framing, photo_aspect: float, output_aspect: float) -> float:
    if framing.mode == FitMode.COVER:
        _x, _y, window_w, window_h = framing.window
        return window_w * window_h
    return min(photo_aspect / output_aspect, output_aspect / photo_aspect)


def _scores(photos: Sequence[PhotoForDraft], merits: Mapping[str, Merit]) -> list[float]:
    """Each photo's merit in 0..1: its sharpness rank in the set, and its framing."""
    blurs = [merits[photo.file_id].blur for photo in photos]
    order = np.argsort(np.argsort(blurs, kind="stable"), kind="stable")  # 0: the sharpest
    ranks = 1.0 - order / max(1, len(photos) - 1)
    return [
        SHARPNESS_WEIGHT * float(rank) + (1 - SHARPNESS_WEIGHT) * merits[photo.file_id].framing_fit
        for rank, photo in zip(ranks, photos, strict=True)
    ]


def _without_near_duplicates(
    photos: Sequence[PhotoForDraft], merits: Mapping[str, Merit], scores: list[float], fits: int
) -> tuple[list[int], list[str]]:
    """Indexes of the photos kept once near-duplicates are left out (the most alike pairs
    first, the lesser of each pair, until ``fits`` remain), and the names left out."""
    pairs = sorted(
        (distance, first, second)
        for first, second in combinations(range(len(photos)), 2)
        if (distance := merits[photos[first].file_id].phash - merits[photos[second].file_id].phash)
        <= NEAR_DUPLICATE_BITS
    )
    dropped: set[int] = set()
    for _distance, first, second in pairs:
        if len(photos) - len(dropped) <= fits:
            break
        if first in dropped or second in dropped:
            continue
        dropped.add(first if scores[first] < scores[second] else second)
    kept = [index for index in range(len(photos)) if index not in dropped]
    return kept, [photos[index].name for index in sorted(dropped)]


def _best_of_each_stretch(kept: list[int], scores: list[float], fits: int) -> list[int]:
    """The best-scoring photo of each of ``fits`` equal stretches of ``kept``, in order."""
    bounds = [round(part * len(kept) / fits) for part in range(fits + 1)]
    return [
        max(kept[start:end], key=lambda index: scores[index])
        for start, end in pairwise(bounds)
        if end > start
    ]


def _chosen_warning(
    plan: Plan, shown: int, count: int, duplicates: list[str], choice: PhotoChoice | None
) -> str:
    if choice == PhotoChoice.ALL:
        return (
            f"showed {shown} of {count} photos: a {plan.duration_s:g} s video at {plan.fps} fps"
            " has one frame for each of them at most (photos: all)"
        )
    shortest = MIN_SHOT_S[plan.pace]
    alike = f"; {len(duplicates)} near-duplicates left out first" if duplicates else ""
    if plan.duration_s < shortest:  # one shot all the same: say it is shorter, not "at least"
        room = (
            f"{plan.duration_s:g} s is shorter than one shot of {shortest:g} s at a"
            f" {plan.pace} pace"
        )
    else:
        shots = "shot" if shown == 1 else "shots"
        room = (
            f"{plan.duration_s:g} s at a {plan.pace} pace holds {shown} {shots} of at least"
            f" {shortest:g} s"
        )
    return f"showed {shown} of {count} photos: {room}{alike} (photos: all shows every one)"


def _all_shown_warnings(plan: Plan, count: int) -> list[str]:
    """``photos: all`` with more photos than readable shots: how short each shot is."""
    shortest = MIN_SHOT_S[plan.pace]
    shot = plan.duration_s / count
    if shot >= shortest:
        return []
    return [
        f"all {count} photos shown (photos: all), {shot:.2f} s each: shorter than the"
        f" {shortest:g} s a shot needs to be seen at a {plan.pace} pace"
    ]

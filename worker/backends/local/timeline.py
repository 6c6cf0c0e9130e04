"""Plan to draft: the stage-1 draft (video track) and the stage-2 additions (music, title).

Shots are laid out on frame boundaries so the rendered video has exactly
``round(duration * fps)`` frames: cut points are spread evenly or put on the music's beats
(``cuts``), and each transition overlaps the two shots around its cut, its midpoint on it.
Times in the draft are milliseconds, as the format wants; the renderer maps them back to the
same frames.

Besides the keys ``worker.job.draft`` documents, the local backend writes (and reads):
- draft ``m``: ``aspect``, ``fade_in_ms``, ``fade_out_ms``.
- video segment ``m``: ``name`` (photo file name), ``framing`` (see ``Framing.to_record``).
- audio segment ``m``: ``file`` (the prepared WAV, relative to the job's workdir).
- text segments: see ``worker.backends.local.layers``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from worker.backends.local.beats import BeatGrid
from worker.backends.local.cuts import Cuts, beat_cuts, even_cuts
from worker.backends.local.framing import Framing
from worker.backends.local.layers import Span
from worker.backends.local.motion import design_motion
from worker.backends.local.plan import PACE_TIMING, Plan
from worker.job.draft import Draft, Segment, Track, TrackType
from worker.prompt.vocabulary import TransitionStyle

MAX_TRANSITION_SHARE = 0.25
"""A transition takes at most this share of a shot: a short clip shows photos, not blends."""
FADE_MS = 600


@dataclass(frozen=True)
class PhotoForDraft:
    file_id: str
    name: str
    framing: Framing


def frames_to_ms(frame: int, fps: int) -> int:
    return round(frame * 1000 / fps)


def ms_to_frames(ms: float, fps: int) -> int:
    return round(ms * fps / 1000)


def shot_count(plan: Plan, photo_count: int) -> int:
    """Every photo once; more shots (photos again) when the pace wants shorter shots.

    A single photo is one long shot: cutting from a photo to itself only jolts the motion.
    """
    if photo_count == 1:
        return 1
    return max(photo_count, round(plan.duration_s / PACE_TIMING[plan.pace].shot_s))


def shot_spans(draft: Draft) -> list[Span]:
    """Where each shot of the draft's video track is, in ms."""
    return [Span(s.start_ms, s.end_ms) for t in draft.tracks_of(TrackType.VIDEO) for s in t.sg]


def shot_cuts(plan: Plan, photo_count: int, grid: BeatGrid | None = None) -> Cuts:
    """On the beats of ``grid`` when there is one and it has enough of them, else even."""
    total = plan.frame_count
    count = min(shot_count(plan, photo_count), total)
    on_beat = beat_cuts(grid, total, plan.fps, count) if grid and count > 1 else None
    return on_beat or even_cuts(total, count)


def video_draft(plan: Plan, photos: Sequence[PhotoForDraft], planned: Cuts | None = None) -> Draft:
    """``planned``: the shots' cuts (``shot_cuts``); spread evenly when not given."""
    fps = plan.fps
    total = plan.frame_count
    planned = planned or shot_cuts(plan, len(photos))
    cuts = planned.frames
    count = len(cuts) - 1
    shortest = min(end - start for start, end in itertools.pairwise(cuts))
    transition = min(
        round(PACE_TIMING[plan.pace].transition_s * fps), int(shortest * MAX_TRANSITION_SHARE)
    )
    if planned.beats_s is not None:
        transition -= transition % 2  # even: its midpoint is the cut's frame, on the beat
    if plan.transition == TransitionStyle.CUT:
        transition = 0  # a hard cut: the shots meet, no frame blends them
    before, after = transition // 2, transition - transition // 2
    shot_seconds = plan.duration_s / count
    segments = []
    for index in range(count):
        photo = photos[index % len(photos)]
        start = cuts[index] - before if index else 0
        end = cuts[index + 1] + after if index < count - 1 else total
        start_ms, end_ms = frames_to_ms(start, fps), frames_to_ms(end, fps)
        transition_in = (
            {"style": str(plan.transition), "d": frames_to_ms(start + transition, fps) - start_ms}
            if index and (transition or plan.transition == TransitionStyle.CUT)
            else None
        )
        meta = {
            "start": start_ms,
            "src": photo.file_id,
            "name": photo.name,
            "framing": photo.framing.to_record(),
            "motion": design_motion(plan.motion, index, photo.framing.subject, shot_seconds),
            "transition_in": transition_in,
        }
        segments.append(Segment(d=end_ms - start_ms, m=meta))
    width, height = plan.size
    return Draft(
        t=[Track(tt=TrackType.VIDEO, sg=segments)],
        m={
            "width": width,
            "height": height,
            "fps": fps,
            "duration_ms": round(plan.duration_s * 1000),
            "aspect": str(plan.aspect),
            "fade_in_ms": FADE_MS if plan.fade_in else 0,
            "fade_out_ms": FADE_MS if plan.fade_out else 0,
        },
    )


def audio_track(
    duration_ms: int, src: str, name: str, mood: str | None, volume: float, file: str
) -> Track:
    meta = {"start": 0, "src": src, "name": name, "mood": mood, "volume": volume, "file": file}
    return Track(tt=TrackType.AUDIO, sg=[Segment(d=duration_ms, m=meta)])


def with_stage2(draft: Draft, extra: Sequence[Track]) -> Draft:
    """The draft with ``extra`` tracks replacing any earlier audio or text tracks."""
    kept = [track for track in draft.t if track.tt == TrackType.VIDEO]
    return draft.model_copy(update={"t": [*kept, *extra]})

from __future__ import annotations

import itertools

import pytest

from config.settings import Settings
from worker.backends.local.beats import BeatGrid
from worker.backends.local.compose import layers_of, shots_of
from worker.backends.local.framing import FitMode, Framing
from worker.backends.local.layers import text_track
from worker.backends.local.plan import make_plan
from worker.backends.local.timeline import (
    PhotoForDraft,
    ms_to_frames,
    shot_cuts,
    shot_spans,
    video_draft,
    with_stage2,
)
from worker.job.draft import Draft, Track, TrackType
from worker.job.spec import JobOptions

FRAMING = Framing(FitMode.COVER, (0.0, 0.0, 1.0, 1.0), (0.5, 0.5))


def photos(count: int) -> list[PhotoForDraft]:
    return [PhotoForDraft(f"id{index}", f"p{index}.jpg", FRAMING) for index in range(count)]


@pytest.mark.parametrize(
    "prompt", ["fast pace", "calm", "", "fade through black", "slide transitions", "hard cuts"]
)
@pytest.mark.parametrize(
    ("seconds", "fps", "count"),
    [(15, 30, 8), (7.25, 30, 3), (10, 24, 1), (4.3, 60, 12), (30, 25, 40)],
)
def test_shots_cover_every_frame_exactly(prompt: str, seconds: float, fps: int, count: int) -> None:
    plan = make_plan(prompt, JobOptions(duration=seconds, fps=fps), Settings())
    draft = Draft.model_validate(video_draft(plan, photos(count)).model_dump())
    total = round(seconds * fps)
    assert ms_to_frames(draft.duration_ms, fps) == total
    shots = shots_of(draft, fps)
    assert shots[0].start == 0 and shots[-1].end == total
    assert len({shot.src for shot in shots}) == min(count, len(shots))
    assert all(a.src != b.src for a, b in itertools.pairwise(shots)), "no photo twice in a row"
    coverage = [0] * total
    for shot in shots:
        assert shot.end - shot.start >= 2
        for frame in range(shot.start, shot.end):
            coverage[frame] += 1
    assert all(1 <= covered <= 2 for covered in coverage)
    overlaps = [previous.end - shot.start for previous, shot in itertools.pairwise(shots)]
    assert len(set(overlaps)) <= 1, "every transition lasts the same"
    assert all(shot.transition is not None for shot in shots[1:])


def test_hard_cuts_meet_shot_to_shot() -> None:
    plan = make_plan("no transitions, just cuts", JobOptions(duration=9, fps=30), Settings())
    draft = video_draft(plan, photos(3))
    segments = draft.t[0].sg
    assert [s.m["transition_in"] for s in segments[1:]] == [{"style": "cut", "d": 0}] * 2
    assert all(a.end_ms == b.start_ms for a, b in itertools.pairwise(segments))


def test_fast_pace_cuts_more_often_than_calm() -> None:
    fast = video_draft(make_plan("fast pace", JobOptions(duration=15), Settings()), photos(4))
    calm = video_draft(make_plan("calm", JobOptions(duration=15), Settings()), photos(4))
    assert len(fast.t[0].sg) > len(calm.t[0].sg) >= 4
    fast_fade = fast.t[0].sg[1].m["transition_in"]["d"]
    calm_fade = calm.t[0].sg[1].m["transition_in"]["d"]
    assert fast_fade < calm_fade


def test_stage_two_adds_title_and_replaces_earlier_extras() -> None:
    draft = video_draft(make_plan("", JobOptions(duration=6), Settings()), photos(2))

    def titled(text: str) -> Track:
        plan = make_plan(f"title '{text}'", JobOptions(duration=6), Settings())
        track = text_track(plan, draft.duration_ms, shot_spans(draft))
        assert track is not None
        return track

    once = with_stage2(draft, [titled("One")])
    twice = with_stage2(once, [titled("Two")])
    assert [track.tt for track in twice.t] == [TrackType.VIDEO, TrackType.TEXT]
    (title,) = layers_of(twice, 30)
    assert title.layer.text == "Two"
    assert 0 < title.start < title.end <= 180


def test_a_single_photo_is_one_shot() -> None:
    draft = video_draft(make_plan("fast pace", JobOptions(duration=12), Settings()), photos(1))
    (segment,) = draft.t[0].sg
    assert segment.d == 12_000 and segment.m["transition_in"] is None


@pytest.mark.parametrize(
    "prompt", ["6-second promo", "6-second calm, slow promo", "fast 6-second promo, dissolves"]
)
def test_a_six_second_clip_of_three_photos_is_mostly_photos_not_blends(prompt: str) -> None:
    draft = video_draft(make_plan(prompt, JobOptions(), Settings()), photos(3))
    fps = int(draft.m["fps"])
    total = ms_to_frames(draft.duration_ms, fps)
    spans = [(ms_to_frames(s.start_ms, fps), ms_to_frames(s.end_ms, fps)) for s in draft.t[0].sg]
    blended = sum(
        1 for frame in range(total) if sum(start <= frame < end for start, end in spans) > 1
    )
    assert blended / total <= 0.25
    for segment, (start, end) in zip(draft.t[0].sg[1:], spans[1:], strict=True):
        transition = segment.m["transition_in"]
        assert transition is not None
        assert ms_to_frames(transition["d"], fps) <= 0.25 * (end - start) + 1


def test_on_the_beat_a_transition_is_even_so_its_midpoint_is_the_cut() -> None:
    plan = make_plan("dissolves", JobOptions(duration=10, fps=25), Settings())
    planned = shot_cuts(plan, 5, BeatGrid(97.0, 0.29, 0, "tracked"))
    assert planned.beats_s is not None
    shots = shots_of(video_draft(plan, photos(5), planned), 25)
    for cut, (previous, shot) in zip(planned.frames[1:-1], itertools.pairwise(shots), strict=True):
        overlap = previous.end - shot.start
        assert overlap % 2 == 0 and overlap > 0
        assert (shot.start + previous.end) / 2 == cut

"""Draft to frames: every frame of the video built in numpy/OpenCV, as YUV 4:2:0 buffers.

Shots are prepared (cropped, contained, prescaled) one ahead of time on a helper thread and
dropped once they end, so at most three shot sources are in memory whatever the photo count.

While frames are built the encoder runs beside them on the same cores, so OpenCV works on
the calling thread alone (``one_opencv_thread``): a warp costs the same CPU either way
(about 4 ms a frame), but split over OpenCV's worker threads it waits for whichever of them
the busy cores schedule last, about half again as long in wall time with x264 running.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from worker.backends.local.frame import Planes, new_frame, rgb_to_planes, towards_black
from worker.backends.local.framing import Framing, build_shot_source
from worker.backends.local.media import load_working_image
from worker.backends.local.motion import camera_at, warp_window, window_of
from worker.backends.local.text import Layer, layout_layers
from worker.backends.local.text_draw import render_layer
from worker.backends.local.timeline import ms_to_frames
from worker.backends.local.titles import TitlePatch, overlay_title, title_opacity
from worker.backends.local.transitions import ZOOM_PUSH, ShotRenderer, blend_transition
from worker.job.draft import Draft, Segment, TrackType
from worker.job.spec import Aspect
from worker.prompt.vocabulary import TransitionStyle


@dataclass(frozen=True)
class Shot:
    index: int
    start: int
    end: int
    """First frame after the shot."""
    src: str
    framing: Framing
    motion: dict[str, Any]
    transition: TransitionStyle | None

    def progress(self, frame: int) -> float:
        return (frame - self.start) / max(1, self.end - self.start - 1)


@dataclass(frozen=True)
class Shown:
    """A text layer and the frames it is on: ``start``..``end`` - 1, fading over ``fade``."""

    layer: Layer
    start: int
    end: int
    fade: int


def shots_of(draft: Draft, fps: int) -> list[Shot]:
    segments: list[Segment] = [s for t in draft.tracks_of(TrackType.VIDEO) for s in t.sg]
    shots = []
    for index, segment in enumerate(sorted(segments, key=lambda s: s.start_ms)):
        transition = segment.m.get("transition_in")
        shots.append(
            Shot(
                index=index,
                start=ms_to_frames(segment.start_ms, fps),
                end=ms_to_frames(segment.end_ms, fps),
                src=str(segment.m["src"]),
                framing=Framing.from_record(segment.m["framing"]),
                motion=segment.m["motion"],
                transition=TransitionStyle(transition["style"]) if transition else None,
            )
        )
    return shots


def layers_of(draft: Draft, fps: int) -> list[Shown]:
    default_aspect = str(draft.m.get("aspect", Aspect.LANDSCAPE))
    return [
        Shown(
            layer=Layer.from_meta(segment.m, default_aspect),
            start=ms_to_frames(segment.start_ms, fps),
            end=ms_to_frames(segment.end_ms, fps),
            fade=ms_to_frames((segment.m.get("style") or {}).get("fade_ms", 400), fps),
        )
        for track in draft.tracks_of(TrackType.TEXT)
        for segment in track.sg
    ]


def _headroom(shot: Shot, next_shot: Shot | None) -> float:
    zoom = max(shot.motion["from"]["zoom"], shot.motion["to"]["zoom"])
    zooms_out = next_shot is not None and next_shot.transition == TransitionStyle.ZOOM
    zooms_in = shot.transition == TransitionStyle.ZOOM
    return zoom * (1.0 + ZOOM_PUSH if zooms_in or zooms_out else 1.0)


class ShotSources:
    """Prepared shot images, built one shot ahead on a helper thread."""

    def __init__(
        self, shots: list[Shot], photo_files: dict[str, Path], size: tuple[int, int]
    ) -> None:
        self._shots = shots
        self._files = photo_files
        self._size = size
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shot-source")
        self._pending: dict[int, Future[Planes]] = {}

    def _build(self, shot: Shot) -> Planes:
        """The working copy and the picture built from it are handed on, never kept here, so
        each is freed as soon as the step after it no longer needs it."""
        following = self._shots[shot.index + 1] if shot.index + 1 < len(self._shots) else None
        headroom = _headroom(shot, following)
        return rgb_to_planes(
            build_shot_source(
                load_working_image(self._files[shot.src]), shot.framing, self._size, headroom
            )
        )

    def get(self, shot: Shot) -> Planes:
        for index in (shot.index, shot.index + 1):
            if index < len(self._shots) and index not in self._pending:
                self._pending[index] = self._pool.submit(self._build, self._shots[index])
        return self._pending[shot.index].result()

    def release_before(self, index: int) -> None:
        for old in [key for key in self._pending if key < index]:
            del self._pending[old]

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()


def _fade_factor(frame: int, total: int, fade_in: int, fade_out: int) -> float:
    factor = 1.0
    if fade_in:
        factor = min(factor, (frame + 0.5) / fade_in)
    if fade_out:
        factor = min(factor, (total - frame - 0.5) / fade_out)
    return min(max(factor, 0.0), 1.0)


@contextlib.contextmanager
def one_opencv_thread() -> Iterator[None]:
    """OpenCV without its worker threads for the duration (the setting is per process)."""
    before = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        cv2.setNumThreads(before)


def frames(draft: Draft, photo_files: dict[str, Path]) -> Iterator[np.ndarray]:
    """Every frame of ``draft`` in order, as YUV 4:2:0 buffers (see ``frame``)."""
    width, height, fps = int(draft.m["width"]), int(draft.m["height"]), int(draft.m["fps"])
    total = ms_to_frames(draft.duration_ms, fps)
    shots = shots_of(draft, fps)
    shown = layers_of(draft, fps)
    places = layout_layers([item.layer for item in shown], (width, height))
    patches: dict[int, TitlePatch] = {}
    fade_in = ms_to_frames(draft.m.get("fade_in_ms", 0), fps)
    fade_out = ms_to_frames(draft.m.get("fade_out_ms", 0), fps)
    sources = ShotSources(shots, photo_files, (width, height))

    def renderer(shot: Shot, frame: int) -> ShotRenderer:
        source = sources.get(shot)
        camera = camera_at(shot.motion, shot.progress(frame))

        def render(extra_zoom: float, shift_x: float, shift_y: float) -> np.ndarray:
            window = window_of(camera, source.size, extra_zoom)
            return warp_window(source, window, new_frame(width, height), (shift_x, shift_y))

        return render

    with one_opencv_thread(), contextlib.closing(sources):
        first = 0
        for frame in range(total):
            while first < len(shots) - 1 and shots[first].end <= frame:
                first += 1
                sources.release_before(first)
            active = [shot for shot in shots[first : first + 2] if shot.start <= frame < shot.end]
            if len(active) == 2:
                outgoing, incoming = active
                progress = (frame - incoming.start + 0.5) / (outgoing.end - incoming.start)
                image = blend_transition(
                    incoming.transition or TransitionStyle.DISSOLVE,
                    renderer(outgoing, frame),
                    renderer(incoming, frame),
                    progress,
                    (width, height),
                )
            elif active:
                image = renderer(active[0], frame)(1.0, 0.0, 0.0)
            else:
                image = towards_black(new_frame(width, height), 0.0)
            for number, item in enumerate(shown):
                if item.start <= frame < item.end:
                    if number not in patches:
                        patches[number] = render_layer(item.layer, places[number], image)
                    opacity = title_opacity(frame, item.start, item.end, item.fade)
                    overlay_title(image, patches[number], opacity)
            factor = _fade_factor(frame, total, fade_in, fade_out)
            if factor < 1.0:
                image = towards_black(image, factor)
            yield image

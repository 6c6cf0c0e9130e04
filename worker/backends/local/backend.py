"""The embedded renderer behind the ``Backend`` protocol: no network, one ffmpeg per video.

Stages mirror the cloud's: a workspace id, decoded photos, a stage-1 draft (the clip), a
stage-2 draft (music and title added), one render pass, the file. Each stage skips work its
records show as done, so a stage run again after a crash resumes.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from worker.backends.base import StageContext
from worker.backends.local import audio
from worker.backends.local.beats import BeatGrid
from worker.backends.local.checkpoint import PlanRecord
from worker.backends.local.compose import frames
from worker.backends.local.encode import EncodeSettings, FrameEncoder, encoder_threads
from worker.backends.local.framing import Framing, choose_framing
from worker.backends.local.layers import text_track
from worker.backends.local.media import (
    DecodedPhoto,
    file_sha256,
    load_working_image,
    prepare_photo,
)
from worker.backends.local.memory import map_big_buffers_apart
from worker.backends.local.plan import make_plan
from worker.backends.local.selection import choose_photos
from worker.backends.local.sync import beat_plan, music_of
from worker.backends.local.timeline import (
    PhotoForDraft,
    audio_track,
    ms_to_frames,
    shot_spans,
    video_draft,
    with_stage2,
)
from worker.job.draft import Draft, Track, TrackType, timeline_summary
from worker.job.errors import JobFailed
from worker.job.spec import Container

PHOTO_FOLDER = "photos"
DECODE_THREADS = 2
MUSIC_FILE = "music.wav"
MUSIC_FADE_OUT_S = 2.0
BAR_END_FADE_S = 0.5


class LocalBackend:
    name = "local"

    def __init__(self) -> None:
        map_big_buffers_apart()

    def open_session(self, ctx: StageContext) -> None:
        if "session_id" not in ctx.checkpoint:
            ctx.record("session_id", f"local-{uuid.uuid4()}")

    def upload(self, ctx: StageContext) -> None:
        recorded = ctx.checkpoint.get("files")
        if recorded and all((ctx.workdir / item["file"]).is_file() for item in recorded):
            return
        if not ctx.photos:
            raise JobFailed("no photos to render")
        decoded = self._decode(ctx, ctx.photos)
        ctx.record("files", [photo.to_record(ctx.workdir) for photo in decoded])

    @staticmethod
    def _decode(ctx: StageContext, paths: list[Path]) -> list[DecodedPhoto]:
        """Working copies sized for the planned output (the plan is cheap and deterministic)."""
        size = make_plan(ctx.spec.prompt, ctx.spec.options, ctx.settings).size
        folder = ctx.workdir / PHOTO_FOLDER
        with ThreadPoolExecutor(max_workers=DECODE_THREADS) as pool:
            return list(pool.map(lambda path: prepare_photo(path, folder, size), paths))

    def _photo_files(self, ctx: StageContext) -> dict[str, Path]:
        """File id to working copy, decoding again the copies this workdir has lost."""
        files = ctx.checkpoint["files"]
        pairs = zip(files, ctx.photos, strict=True)
        lost = [path for item, path in pairs if not (ctx.workdir / item["file"]).is_file()]
        if lost:
            self._decode(ctx, lost)
        return {item["id"]: ctx.workdir / item["file"] for item in files}

    def generate(self, ctx: StageContext) -> None:
        if "stage1" in ctx.checkpoint:
            return
        plan = make_plan(ctx.spec.prompt, ctx.spec.options, ctx.settings, ctx.spec.source.fields)
        width, height = plan.size
        photo_files = self._photo_files(ctx)

        def framing_of(file_id: str) -> Framing:
            return choose_framing(load_working_image(photo_files[file_id]), width / height)

        with ThreadPoolExecutor(max_workers=DECODE_THREADS) as pool:
            framings = dict(zip(photo_files, pool.map(framing_of, photo_files), strict=True))
        photos = [
            PhotoForDraft(item["id"], item["name"], framings[item["id"]])
            for item in ctx.checkpoint["files"]
        ]
        shown = choose_photos(plan, photos, photo_files, ctx.spec.options.photos)
        beats = beat_plan(plan, ctx.photos, len(shown.photos), ctx.workdir)
        draft = video_draft(plan, shown.photos, beats.cuts)
        warnings = [*plan.warnings, *shown.warnings, *beats.warnings]
        if warnings:
            ctx.record("warnings", warnings)
        ctx.record("beats", beats.facts)
        if shown.record:
            ctx.record("photos_shown", shown.record)
        bar_lines = self._bar_lines_ms(beats.facts, draft.duration_ms)
        texts = text_track(plan, draft.duration_ms, shot_spans(draft), bar_lines)
        ctx.record("plan", plan.to_record())
        ctx.record("draft", draft.model_dump())
        ctx.record(
            "stage1",
            {
                "shots": len(draft.t[0].sg),
                "frames": plan.frame_count,
                "summary": timeline_summary(draft),
                "texts": texts.model_dump() if texts else None,
            },
        )

    def await_completion(self, ctx: StageContext) -> None:
        if "stage2" in ctx.checkpoint:
            return
        plan = PlanRecord.model_validate(ctx.checkpoint["plan"])
        draft = Draft.model_validate(ctx.checkpoint["draft"])
        tracks = []
        music_facts: dict[str, Any] = {}
        if plan.music is not None:
            track, music_facts = self._music_track(ctx, draft, plan)
            tracks.append(track)
        texts = ctx.checkpoint["stage1"].get("texts")
        if texts is not None:
            tracks.append(Track.model_validate(texts))
        final = with_stage2(draft, tracks)
        ctx.record("draft", final.model_dump())
        ctx.record(
            "stage2",
            {"music": music_facts, "title": plan.title, "summary": timeline_summary(final)},
        )

    def _music_track(
        self, ctx: StageContext, draft: Draft, plan: PlanRecord
    ) -> tuple[Track, dict[str, Any]]:
        src, name, mood, facts = self._write_music(ctx, draft, plan)
        volume = plan.music_volume
        track = audio_track(draft.duration_ms, src, name, mood, volume, MUSIC_FILE)
        return track, {**facts, "src": src, "name": name}

    def _write_music(
        self, ctx: StageContext, draft: Draft, plan: PlanRecord
    ) -> tuple[str, str, str | None, dict[str, float | None]]:
        """Prepare the music into the workdir: (source id, name, mood, loudness facts)."""
        fps = int(draft.m["fps"])
        seconds = ms_to_frames(draft.duration_ms, fps) / fps
        music = music_of(str(plan.music), plan.pace, ctx.photos)
        if music.path is not None:
            source = audio.file_source(music.path, seconds, ctx.workdir)
            src, name = file_sha256(music.path), music.path.name
        else:
            source = audio.mood_source(music.mood, seconds)
            src, name = f"synth:{music.mood}", f"{music.mood} (built-in)"
        target = ctx.workdir / MUSIC_FILE
        # On the beat, the music stops on the video's last bar line, faded over its last beats.
        end_s = ctx.checkpoint.get("beats", {}).get("music_end_s")
        fade_s = MUSIC_FADE_OUT_S if end_s is None else BAR_END_FADE_S
        facts = audio.write_music(source, seconds, plan.music_volume, fade_s, target, end_s)
        return src, name, str(music.mood) if music.mood else None, facts

    @staticmethod
    def _bar_lines_ms(beats: dict[str, Any], duration_ms: int) -> list[int] | None:
        """The music's bar lines when the cuts follow its beat, for the titles to start on."""
        if not beats.get("sync"):
            return None
        return [round(t * 1000) for t in BeatGrid.from_record(beats).downbeats(duration_ms / 1000)]

    def export(self, ctx: StageContext) -> None:
        if ctx.checkpoint.get("render"):  # recorded once kept: done, on whichever machine
            return
        draft = Draft.model_validate(ctx.checkpoint["draft"])
        container = ctx.spec.options.container
        output = ctx.workdir / f"video.{container}"
        # Per attempt: a presumed-dead attempt still encoding never writes into this one's file.
        partial = ctx.workdir / f"video.partial-{uuid.uuid4().hex[:8]}.{container}"
        photo_files = self._photo_files(ctx)
        plan = PlanRecord.model_validate(ctx.checkpoint["plan"])
        music = [s.m["file"] for t in draft.tracks_of(TrackType.AUDIO) for s in t.sg]
        if music and not (ctx.workdir / music[0]).is_file():
            self._write_music(ctx, draft, plan)
        settings = EncodeSettings(
            width=int(draft.m["width"]),
            height=int(draft.m["height"]),
            fps=int(draft.m["fps"]),
            container=Container(container),
            x264_preset=ctx.settings.x264_preset,
            crf=ctx.settings.crf,
            threads=encoder_threads(ctx.pool_processes),
        )
        started = time.monotonic()
        total = plan.frames
        with FrameEncoder(settings, partial, ctx.workdir / music[0] if music else None) as encoder:
            for frame in frames(draft, photo_files):
                encoder.write(frame)
                ctx.progress(encoder.frames_written, max(total, encoder.frames_written))
        partial.replace(output)
        elapsed = time.monotonic() - started
        ctx.record(
            "render",
            {
                "file": ctx.work.keep(output),
                "bytes": output.stat().st_size,
                "frames": encoder.frames_written,
                "width": settings.width,
                "height": settings.height,
                "fps": settings.fps,
                "seconds": round(elapsed, 2),
            },
        )

    def download(self, ctx: StageContext) -> Path:
        rendered = ctx.checkpoint.get("render")
        if not rendered:
            raise JobFailed("nothing was rendered")
        path = ctx.work.local(rendered["file"])
        if path.stat().st_size == 0:
            raise JobFailed("rendered video is empty", file=path.name)
        return path

"""The local backend end to end: stages, records, and the encoded file they produce."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from config.settings import Settings
from tests.backends.local.probe import decode_audio, decode_frames, video_info
from worker.backends.base import StageContext
from worker.backends.local import LocalBackend
from worker.backends.local.audio import integrated_loudness
from worker.backends.local.checkpoint import LocalCheckpoint
from worker.job.checkpoint import checked_record
from worker.job.draft import Draft, TrackType
from worker.job.errors import JobFailed
from worker.job.spec import JobSpec

STAGES = ("open_session", "upload", "generate", "await_completion", "export")


def scene(width: int, height: int, seed: int) -> np.ndarray:
    """A sky-over-ground picture with a bright disc as its subject."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width]
    image = np.empty((height, width, 3), dtype=np.float32)
    image[:] = (40, 90, 60)
    image[: height // 2] = (120, 160, 220)
    cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    disc = (xs - cx) ** 2 + (ys - cy) ** 2 < (min(width, height) * 0.15) ** 2
    image[disc] = (240, 200, 40)
    image += rng.normal(0, 6, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    landscape = folder / "01-landscape.jpg"
    Image.fromarray(scene(900, 600, 1)).save(landscape, quality=90)
    portrait = folder / "02-portrait.png"
    Image.fromarray(scene(400, 600, 2)).save(portrait)
    rotated = folder / "03-rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 8
    Image.fromarray(scene(600, 450, 3)).save(rotated, exif=exif, quality=90)
    return [landscape, portrait, rotated]


class Job:
    def __init__(self, workdir: Path, photos: list[Path], prompt: str, /, **options: Any) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        self.records: dict[str, Any] = {}
        self.progress: list[tuple[int, int]] = []
        spec = JobSpec(id="test", photos=[str(p) for p in photos], prompt=prompt, options=options)
        self.ctx = StageContext(
            spec=spec,
            workdir=workdir,
            photos=photos,
            checkpoint=self.records,
            record=checked_record(LocalCheckpoint, self.records.__setitem__),
            settings=Settings(x264_preset="ultrafast"),
            progress=lambda done, total: self.progress.append((done, total)),
        )
        self.backend = LocalBackend()

    def run(self) -> Path:
        for stage in STAGES:
            getattr(self.backend, stage)(self.ctx)
        return self.backend.download(self.ctx)


def test_renders_exact_frames_size_and_streams(tmp_path: Path, photos: list[Path]) -> None:
    job = Job(
        tmp_path / "job",
        photos,
        "2 second teaser for Reels, title 'Hello 你好', calm music",
        resolution="720p",
    )
    video = job.run()
    assert video == tmp_path / "job" / "video.mp4"
    info = video_info(video)
    assert (info.video_codec, info.pixel_format, info.audio_codec) == ("h264", "yuv420p", "aac")
    assert "tv" in info.colour and "bt709" in info.colour
    assert (info.width, info.height) == (720, 1280)
    decoded = decode_frames(video, (36, 64))
    assert len(decoded) == 60
    assert info.duration_s == pytest.approx(2.0, abs=0.05)
    assert job.records["render"]["frames"] == 60
    assert job.progress == [(done, 60) for done in range(1, 61)]  # every frame, of the plan's
    audio = decode_audio(video)
    assert len(audio) / 48000 == pytest.approx(2.0, abs=0.05)
    assert integrated_loudness(iter([audio])) == pytest.approx(-14.0, abs=1.5)


def test_records_every_stage(tmp_path: Path, photos: list[Path]) -> None:
    job = Job(
        tmp_path / "job",
        photos,
        "fast pace, title: Sale",
        duration=1.5,
        aspect="1:1",
        resolution="720p",
    )
    job.run()
    records = job.records
    assert records["session_id"].startswith("local-")
    assert [item["name"] for item in records["files"]] == [p.name for p in photos]
    assert all(len(item["id"]) == 64 and item["bytes"] > 0 for item in records["files"])
    assert records["plan"]["frames"] == 45
    assert records["stage1"]["summary"].startswith("Timeline (1 track): 1. Video:")
    final = Draft.model_validate(records["draft"])
    assert final.has_content(TrackType.VIDEO)
    assert final.has_content(TrackType.AUDIO)
    assert [s.m["text"] for t in final.tracks_of(TrackType.TEXT) for s in t.sg] == ["Sale"]
    assert "Title: Sale" in records["stage2"]["summary"]


def test_stage2_lays_the_words_planned_with_the_shots_without_reading_the_prompt_again(
    tmp_path: Path, photos: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    job = Job(tmp_path / "job", photos, "title: Sale, no music", duration=1.5, resolution="720p")
    for stage in STAGES[:3]:
        getattr(job.backend, stage)(job.ctx)

    def no_planning(*args: object, **kwargs: object) -> None:
        raise AssertionError("the prompt was read again in stage 2")

    monkeypatch.setattr("worker.backends.local.backend.make_plan", no_planning)
    job.backend.await_completion(job.ctx)

    final = Draft.model_validate(job.records["draft"])
    assert [s.m["text"] for t in final.tracks_of(TrackType.TEXT) for s in t.sg] == ["Sale"]
    assert job.records["stage1"]["texts"]["sg"][0]["m"]["text"] == "Sale"


@pytest.mark.parametrize(
    ("container", "aspect", "fps", "seconds", "codecs", "size", "frames"),
    [
        ("webm", "1:1", 24, 1.3, ("vp9", "opus"), (720, 720), 31),
        ("mkv", "16:9", 25, 1.0, ("h264", "aac"), (1280, 720), 25),
        ("mov", "9:16", 30, 0.9, ("h264", "aac"), (720, 1280), 27),
    ],
)
def test_containers_sizes_and_frame_counts(
    tmp_path: Path,
    photos: list[Path],
    container: str,
    aspect: str,
    fps: int,
    seconds: float,
    codecs: tuple[str, str],
    size: tuple[int, int],
    frames: int,
) -> None:
    job = Job(
        tmp_path / "job",
        photos[:2],
        "",
        container=container,
        aspect=aspect,
        fps=fps,
        duration=seconds,
        resolution="720p",
    )
    video = job.run()
    assert video.suffix == f".{container}"
    info = video_info(video)
    assert (info.video_codec, info.audio_codec) == codecs
    assert (info.width, info.height) == size
    assert len(decode_frames(video, (32, 32))) == frames


def test_photos_come_out_upright(tmp_path: Path) -> None:
    """A photo stored sideways with an EXIF tag must show sky on top in the video."""
    folder = tmp_path / "in"
    folder.mkdir()
    sideways = folder / "sideways.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.rot90(scene(640, 360, 4), k=1)).save(sideways, exif=exif, quality=90)
    job = Job(
        tmp_path / "job", [sideways], "static, 16:9, no music", duration=0.5, resolution="720p"
    )
    frame = decode_frames(job.run(), (160, 90))[5].astype(int)
    top, bottom = frame[:20].mean(axis=(0, 1)), frame[-20:].mean(axis=(0, 1))
    assert top[2] > top[1] > top[0]  # blue sky above
    assert bottom[1] > bottom[2]  # green ground below


def test_stages_run_again_resume_instead_of_repeating(tmp_path: Path, photos: list[Path]) -> None:
    job = Job(tmp_path / "job", photos[:1], "", duration=0.5, resolution="720p")
    video = job.run()
    first = (dict(job.records), video.stat().st_mtime_ns)
    job.run()
    assert (job.records, video.stat().st_mtime_ns) == first


def test_corrupt_photo_fails_the_job_naming_the_file(tmp_path: Path, photos: list[Path]) -> None:
    broken = photos[0].with_name("broken.jpg")
    broken.write_bytes(photos[0].read_bytes()[:300])
    job = Job(tmp_path / "job", [photos[1], broken], "")
    job.backend.open_session(job.ctx)
    with pytest.raises(JobFailed) as failure:
        job.backend.upload(job.ctx)
    assert failure.value.file == "broken.jpg"
    assert "cannot decode image" in str(failure.value)


def test_missing_music_file_fails_naming_it(tmp_path: Path, photos: list[Path]) -> None:
    job = Job(tmp_path / "job", photos[:1], "", music=str(tmp_path / "nowhere.mp3"), duration=0.5)
    with pytest.raises(JobFailed) as failure:
        job.run()
    assert failure.value.file == "nowhere.mp3"


def test_download_refuses_a_missing_render(tmp_path: Path, photos: list[Path]) -> None:
    job = Job(tmp_path / "job", photos[:1], "", duration=0.5, resolution="720p")
    video = job.run()
    video.unlink()
    with pytest.raises(JobFailed):
        job.backend.download(job.ctx)


def test_colours_survive_and_the_index_comes_first(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    photo = folder / "brick.png"
    Image.fromarray(np.full((360, 640, 3), (200, 60, 30), dtype=np.uint8)).save(photo)
    video = Job(
        tmp_path / "job", [photo], "static, no music", duration=0.5, resolution="720p"
    ).run()
    pixel = decode_frames(video, (64, 36))[5, 18, 32].astype(int)
    assert np.abs(pixel - (200, 60, 30)).max() <= 6  # BT.709 in, BT.709 tagged, BT.709 out
    data = video.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat")  # +faststart: playable while downloading


def test_export_rebuilds_working_files_a_fresh_workdir_lacks(
    tmp_path: Path, photos: list[Path]
) -> None:
    """A job resumed where its scratch files are gone still renders from its records."""
    job = Job(
        tmp_path / "job", photos[:2], "title 'Again', upbeat", duration=1.0, resolution="720p"
    )
    first = job.run()
    frames_before = decode_frames(first, (32, 18))
    for leftover in (tmp_path / "job").rglob("*"):
        if leftover.is_file():
            leftover.unlink()
    del job.records["render"]
    job.backend.export(job.ctx)  # the earlier stages are done and are not run again
    again = job.backend.download(job.ctx)
    assert again.is_file()
    assert len(decode_frames(again, (32, 18))) == len(frames_before) == 30
    assert (tmp_path / "job" / "music.wav").is_file()


def test_no_photos_fails_the_job(tmp_path: Path, photos: list[Path]) -> None:
    job = Job(tmp_path / "job", photos[:1], "")
    job.ctx.photos = []
    with pytest.raises(JobFailed, match="no photos"):
        job.backend.upload(job.ctx)


FLAT_COLOURS = ((200, 40, 40), (40, 200, 40), (40, 40, 200))


def nearest_colour_distance(frame: np.ndarray) -> float:
    mean = frame.reshape(-1, 3).mean(axis=0)
    return min(float(np.abs(mean - colour).max()) for colour in FLAT_COLOURS)


@pytest.mark.parametrize(("prompt", "blends"), [("hard cuts", False), ("dissolves", True)])
def test_a_cut_has_no_blended_frame(tmp_path: Path, prompt: str, blends: bool) -> None:
    folder = tmp_path / "flat"
    folder.mkdir()
    photos = []
    for index, colour in enumerate(FLAT_COLOURS):
        photos.append(folder / f"{index}.png")
        Image.new("RGB", (480, 360), colour).save(photos[-1])
    job = Job(tmp_path / "job", photos, f"3 seconds, {prompt}, static, no music", resolution="720p")
    frames = decode_frames(job.run(), (32, 32))
    assert len(frames) == 90
    distances = [nearest_colour_distance(frame) for frame in frames]
    if blends:
        assert max(distances) > 40  # a dissolve's middle frames are mixes of two colours
    else:
        assert max(distances) < 8, distances  # every frame is one photo's colour, whole
    shots = Draft.model_validate(job.records["draft"]).tracks_of(TrackType.VIDEO)[0].sg
    overlaps = [a.end_ms - b.start_ms for a, b in itertools.pairwise(shots)]
    assert (max(overlaps) > 0) is blends

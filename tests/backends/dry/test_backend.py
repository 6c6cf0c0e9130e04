"""The dry backend: the plan, the timeline and a contact sheet of the shots; no video."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from config.settings import Settings
from tests.conftest import make_photo
from worker.backends import get_plugin
from worker.backends.base import Pool, StageContext
from worker.backends.dry.backend import DryBackend
from worker.backends.dry.checkpoint import DryCheckpoint
from worker.backends.dry.sheet import COLUMNS, thumb_size
from worker.job.checkpoint import checked_record
from worker.job.errors import JobFailed
from worker.job.spec import JobSpec, PhotoChoice

STAGES = ("open_session", "upload", "generate", "await_completion", "export")


def context(tmp_path: Path, photos: list[Path], prompt: str) -> StageContext:
    records: dict[str, Any] = {}
    spec = JobSpec(id="dry", photos=[str(p) for p in photos], prompt=prompt)
    spec.options.backend = "dry"
    return StageContext(
        spec=spec,
        workdir=tmp_path / "work",
        photos=photos,
        checkpoint=records,
        record=checked_record(DryCheckpoint, records.__setitem__),
        settings=Settings(),
    )


def run_every_stage(backend: DryBackend, ctx: StageContext) -> Path:
    ctx.workdir.mkdir(exist_ok=True)
    for stage in STAGES:
        getattr(backend, stage)(ctx)
    return backend.download(ctx)


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    return [make_photo(tmp_path / "in" / f"{index}.jpg", seed=index) for index in range(3)]


def test_a_dry_job_plans_and_draws_a_contact_sheet_without_a_video(
    tmp_path: Path, photos: list[Path]
) -> None:
    ctx = context(tmp_path, photos, "6-second promo, 16:9, fast pace, title 'Sale'")
    sheet = run_every_stage(DryBackend(), ctx)

    assert sheet.name == "contact-sheet.jpg"
    shots = len(ctx.checkpoint["draft"]["t"][0]["sg"])
    assert shots == ctx.checkpoint["stage1"]["shots"] >= 3
    with Image.open(sheet) as image:
        assert image.format == "JPEG"
        width, height = thumb_size(1920, 1080)
        assert image.width > COLUMNS * width
        assert image.height > -(-shots // COLUMNS) * height
    assert ctx.checkpoint["plan"]["title"] == "Sale"
    assert [track["tt"] for track in ctx.checkpoint["draft"]["t"]] == [0, 1, 7]
    assert not [path for path in ctx.workdir.iterdir() if path.suffix in {".mp4", ".mov"}]


def test_a_dry_plan_of_a_xiaohongshu_prompt_is_3_4_with_hard_cuts(
    tmp_path: Path, photos: list[Path]
) -> None:
    ctx = context(tmp_path, photos, "小红书探店，6秒，硬切，标题：周末去哪儿")
    run_every_stage(DryBackend(), ctx)
    plan = ctx.checkpoint["plan"]
    assert (plan["aspect"], plan["width"], plan["height"]) == ("3:4", 1080, 1440)
    assert plan["sources"]["aspect"] == {"from": "platform", "words": "小红书"}
    assert plan["transition"] == "cut" and plan["title"] == "周末去哪儿"
    assert plan["not_understood"] == ["探店"]
    shots = ctx.checkpoint["draft"]["t"][0]["sg"]
    assert all(shot["m"]["transition_in"]["d"] == 0 for shot in shots[1:])


def test_a_contact_sheet_already_drawn_is_not_drawn_again(
    tmp_path: Path, photos: list[Path]
) -> None:
    ctx = context(tmp_path, photos, "3 seconds")
    backend = DryBackend()
    drawn = run_every_stage(backend, ctx).stat().st_mtime_ns
    backend.export(ctx)
    assert backend.download(ctx).stat().st_mtime_ns == drawn


def test_download_before_export_fails_the_job(tmp_path: Path, photos: list[Path]) -> None:
    ctx = context(tmp_path, photos, "")
    with pytest.raises(JobFailed, match="no contact sheet"):
        DryBackend().download(ctx)


def test_the_plugin_runs_on_the_cpu_pool_and_makes_no_video() -> None:
    plugin = get_plugin("dry")
    assert (plugin.name, plugin.pool, plugin.makes_video) == ("dry", Pool.CPU, False)
    assert plugin.credits({"session_id": "x"}) is None
    assert plugin.limits(Settings()) is None


def test_300_photos_for_10_seconds_are_20_readable_shots_and_a_warning(tmp_path: Path) -> None:
    photos = [
        make_photo(tmp_path / "in" / f"{index:03d}.jpg", size=(96, 54), seed=index)
        for index in range(300)
    ]
    ctx = context(tmp_path, photos, "10-second promo, fast pace, 720p, no music")
    run_every_stage(DryBackend(), ctx)

    [video] = [track for track in ctx.checkpoint["draft"]["t"] if track["tt"] == 0]
    assert ctx.checkpoint["stage1"]["shots"] == len(video["sg"]) == 20
    assert min(segment["d"] for segment in video["sg"]) >= 500
    names = [segment["m"]["name"] for segment in video["sg"]]
    assert names == sorted(names) and len(set(names)) == 20
    [warning] = ctx.checkpoint["warnings"]
    assert warning.startswith("showed 20 of 300 photos")
    shown = ctx.checkpoint["photos_shown"]
    assert (shown["shown"], shown["of"], len(shown["left_out"])) == (20, 300, 280)


def test_photos_all_shows_every_photo_and_warns_of_the_shot_length(tmp_path: Path) -> None:
    photos = [
        make_photo(tmp_path / "in" / f"{index:02d}.jpg", size=(96, 54), seed=index)
        for index in range(40)
    ]
    ctx = context(tmp_path, photos, "4-second promo, fast pace, 720p, no music")
    ctx.spec.options.photos = PhotoChoice.ALL
    run_every_stage(DryBackend(), ctx)

    assert ctx.checkpoint["stage1"]["shots"] == 40
    assert ctx.checkpoint["warnings"] == [
        "all 40 photos shown (photos: all), 0.10 s each: shorter than the 0.5 s a shot needs"
        " to be seen at a fast pace"
    ]

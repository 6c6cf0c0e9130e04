"""The local backend's checkpoint: its decoded photos, the plan, both stages and the render."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from worker.job.checkpoint import Checkpoint


class PhotoFile(BaseModel):
    """One decoded photo: its working copy in the job's scratch folder."""

    name: str
    id: str
    bytes: int
    file: str
    width: int
    height: int


class PlanRecord(BaseModel):
    """The plan (``worker.backends.local.plan.Plan``) as recorded, read back by attribute."""

    # Written only by ``Plan.to_record``: a field the planner adds is kept, not refused.
    model_config = ConfigDict(extra="allow")

    duration_s: float
    aspect: str
    resolution: str
    fps: int
    pace: str
    transition: str
    motion: str
    fade_in: bool
    fade_out: bool
    title: str | None
    music: str | None
    music_volume: float
    width: int
    height: int
    frames: int


class PhotosShown(BaseModel):
    """More photos than the video could show: which it shows (``selection.choose_photos``)."""

    shown: int
    of: int
    shortest_shot_s: float | None
    near_duplicates_left_out: list[str]
    left_out: list[str]


class Stage1(BaseModel):
    shots: int
    frames: int
    summary: str
    texts: dict[str, Any] | None = None
    """The words' layers (a text ``Track``), timed with the shots when the plan is made; stage 2
    lays them over the clip without reading the prompt again."""


class Stage2(BaseModel):
    music: dict[str, Any]
    title: str | None
    summary: str


class Render(BaseModel):
    file: str
    bytes: int
    frames: int
    width: int
    height: int
    fps: int
    seconds: float


class LocalCheckpoint(Checkpoint):
    files: list[PhotoFile] | None = None
    plan: PlanRecord | None = None  # type: ignore[assignment]
    photos_shown: PhotosShown | None = None
    stage1: Stage1 | None = None
    stage2: Stage2 | None = None
    render: Render | None = None

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


class BeatCut(BaseModel):
    frame: int
    """The cut's frame (a transition's midpoint)."""
    beat_s: float
    off_ms: float
    """The cut's frame time minus its beat's time."""


class Beats(BaseModel):
    """Whether the cuts follow the music's beat (``sync.beat_plan``), the grid, each cut."""

    sync: bool
    why: str
    """On which music's beat, or why the shots follow the pace (no steady beat, turned off)."""
    tempo_bpm: float | None = None
    offset_s: float | None = None
    """The first beat at or after 0 s."""
    downbeat: int | None = None
    first_downbeat_s: float | None = None
    beats_per_bar: int | None = None
    source: str | None = None
    """``built-in`` (known from how the music is made) or ``tracked``."""
    pulse: float | None = None
    unit: str | None = None
    """``bar`` or ``beat``: what each shot lasts a whole number of."""
    music_end_s: float | None = None
    """The bar line the music fades out to."""
    cuts: list[BeatCut] = []
    max_off_ms: float | None = None


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
    beats: Beats | None = None
    stage1: Stage1 | None = None
    stage2: Stage2 | None = None
    render: Render | None = None

"""What one job asks for: the photo set, the prompt and the options that override it."""

from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from config.backends import DEFAULT_BACKEND, backend_names
from worker.job.styles import Brand, LogoPlacement, Template, template_named
from worker.prompt.durations import duration_in_words

JOB_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
TITLE_MAX_CHARS = 200
AUDIO_SUFFIXES = (".mp3", ".wav", ".m4a", ".aac", ".flac", ".ogg", ".opus")
"""Music files a job may name (``JobOptions.music``), find in its folder or name in its prompt."""


def has_audio_suffix(name: str | Path) -> bool:
    """Whether ``name`` is named like a music file (any case), whether or not it exists."""
    return Path(name).suffix.lower() in AUDIO_SUFFIXES


class Aspect(StrEnum):
    VERTICAL = "9:16"
    LANDSCAPE = "16:9"
    SQUARE = "1:1"
    PORTRAIT = "4:5"
    """Instagram's and Facebook's feed portrait."""
    PORTRAIT_3_4 = "3:4"
    """小红书's feed."""
    PORTRAIT_2_3 = "2:3"
    """Pinterest's standard pin."""

    @property
    def ratio(self) -> tuple[int, int]:
        width, height = self.value.split(":")
        return int(width), int(height)

    @classmethod
    def _missing_(cls, value: object) -> Aspect | None:
        """As people write a ratio: "9x16", "9/16", "4 : 5"."""
        if isinstance(value, str):
            written = re.sub(r"\s*[x×X/]\s*|\s*[:：]\s*", ":", value.strip())
            return next((aspect for aspect in cls if aspect.value == written), None)
        return None


class WrittenEnum(StrEnum):
    """Values as people type them in YAML and on the command line: ``MP4``, ``All``, ``all ``
    are ``mp4`` and ``all`` (a typo is still refused with the accepted values)."""

    @classmethod
    def _missing_(cls, value: object) -> WrittenEnum | None:
        written = str(value).strip().lower()
        return next((member for member in cls if member.value == written), None)


class Container(WrittenEnum):
    MP4 = "mp4"
    MOV = "mov"
    WEBM = "webm"
    MKV = "mkv"


class Resolution(StrEnum):
    HD = "720p"
    FULL_HD = "1080p"
    UHD = "2160p"
    """4K: 3840x2160 in 16:9."""

    @property
    def short_side(self) -> int:
        return int(self.value.removesuffix("p"))

    @classmethod
    def _missing_(cls, value: object) -> Resolution | None:
        """As people write it: 720, "1080P", "4K", "4k"."""
        written = str(value).strip().lower()
        written = "2160p" if written in ("4k", "uhd") else written.removesuffix("p") + "p"
        return next((resolution for resolution in cls if resolution.value == written), None)


class PhotoChoice(WrittenEnum):
    BEST = "best"
    """As many photos as the video's length shows readably, chosen (the default)."""
    ALL = "all"
    """Every photo, however short its shot."""


BackendName = StrEnum("BackendName", {name.upper(): name for name in backend_names()})  # type: ignore[misc]
"""The registered backends (``config.backends.REGISTRY``)."""


class JobOptions(BaseModel):
    """Explicit options. ``None`` means: take it from the prompt, else the default."""

    model_config = ConfigDict(extra="forbid")

    duration: float | None = Field(default=None, gt=0, le=600, description="seconds")
    aspect: Aspect | None = None
    container: Container = Container.MP4
    resolution: Resolution | None = None
    fps: int | None = Field(default=None, ge=12, le=60)
    title: str | None = Field(default=None, max_length=TITLE_MAX_CHARS)
    music: str | None = Field(default=None, description="audio file, or a mood: calm, upbeat, …")
    beat_sync: bool | None = Field(
        default=None,
        description="false: shot lengths follow the pace alone; true or unset: cuts on the"
        " music's beat when it has a steady one",
    )
    backend: BackendName = BackendName(DEFAULT_BACKEND)
    price: str | None = Field(default=None, max_length=40, description="as shown: '$12.50'")
    old_price: str | None = Field(default=None, max_length=40, description="shown struck")
    cta: str | None = Field(default=None, max_length=80, description="call to action")
    captions: list[str] | None = Field(default=None, description="one per photo, in order")
    logo: str | None = Field(default=None, description="PNG file (alpha kept)")
    logo_placement: LogoPlacement | None = None
    brand: Brand | None = Field(default=None, description="colours and font (brand.yaml)")
    template: Template | None = Field(default=None, description="clean, bold, minimal, a file")
    photos: PhotoChoice | None = Field(
        default=None,
        description="all: every photo, however short its shot; best (default): when there are"
        " more than the length shows readably, the best of them",
    )

    @field_validator("duration", mode="before")
    @classmethod
    def _written_duration(cls, value: object) -> object:
        """A length as people write it in YAML or on the command line: "0:30", "1:30", "90s",
        "1 min", "一分半"."""
        if isinstance(value, str) and (seconds := duration_in_words(value)) is not None:
            return seconds
        return value

    @field_validator("template", mode="before")
    @classmethod
    def _template_name(cls, value: object) -> object:
        if isinstance(value, str) and template_named(value) is value:
            raise ValueError(f"unknown template {value!r}: clean, bold, minimal or a .yaml file")
        return template_named(value)


class JobSource(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="folder, manifest, inbox, catalog or cli")
    path: str = ""
    batch: str | None = None
    digest: str | None = Field(
        default=None,
        description="the inputs' contents as the producer saw them (catalog: photo bytes and"
        " prompt; inbox: the folder's file names, sizes, mtimes); part of the content hash",
    )
    fields: dict[str, Any] | None = Field(
        default=None, description="catalog: the product's row, for its words and templates"
    )
    notes: list[str] | None = Field(
        default=None,
        description="what the producer had to say about reading the job's files (one read as"
        " UTF-16 or cp1252); shown with the job's warnings",
    )


class JobSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=JOB_ID_PATTERN)
    photos: list[str] = Field(min_length=1)
    prompt: str = Field(default="", max_length=4000)
    options: JobOptions = Field(default_factory=JobOptions)
    source: JobSource = Field(default_factory=lambda: JobSource(kind="cli"))

    @field_validator("photos")
    @classmethod
    def _no_blank_photo(cls, photos: list[str]) -> list[str]:
        for index, photo in enumerate(photos):
            if not photo.strip():
                raise ValueError(f"photo {index} is blank")
        return photos

    def content_hash(self) -> str:
        """Hash of what makes the video: photo names, prompt and options (not the id), and
        the digest of the inputs' contents when the producer took one (``source.digest``)."""
        options = self.options.model_dump(mode="json")
        payload = {"photos": self.photos, "prompt": self.prompt, "options": options}
        if self.source.digest is not None:
            payload["digest"] = self.source.digest
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def with_notes(spec: JobSpec, notes: list[str]) -> JobSpec:
    """``spec`` with ``notes`` added to its source's (each once, in order)."""
    if not notes:
        return spec
    kept = list(dict.fromkeys([*(spec.source.notes or []), *notes]))
    return spec.model_copy(update={"source": spec.source.model_copy(update={"notes": kept})})


class SpecError(ValueError):
    """An invalid job spec; the message names every bad field."""


def describe_validation_error(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "(spec)"
        problems.append(f"{field}: {item['msg']}")
    return "; ".join(problems)


def parse_spec(data: dict[str, Any]) -> JobSpec:
    try:
        return JobSpec.model_validate(data)
    except ValidationError as error:
        raise SpecError(describe_validation_error(error)) from None

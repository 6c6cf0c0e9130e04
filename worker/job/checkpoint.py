"""The checkpoint, typed: what a job's stages record (in Redis, possibly on another machine)
for later stages and later attempts to read.

``Checkpoint`` is the part the core reads (``session_id``, ``plan``, ``draft`` and ``warnings``
for the report, ``output_file`` for publishing); each backend extends it with its own facts
(``BackendPlugin.checkpoint``). Unknown facts are refused: a fact recorded under a misspelt
name, or with the wrong shape, fails where it is recorded, not one stage (or one machine)
later. What is read back is validated the same way before a stage runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from worker.job.draft import Draft
from worker.job.spec import describe_validation_error


class Checkpoint(BaseModel):
    """The facts every backend records and the core reads."""

    model_config = ConfigDict(extra="forbid")

    session_id: str | None = None
    """The backend's session (a cloud session, a local workspace)."""
    plan: dict[str, Any] | None = None
    """What the prompt and options were read as (a backend narrows it to its own model)."""
    draft: Draft | None = None
    """The timeline, once generated."""
    output_file: str | None = None
    """The finished output (the video, or a contact sheet): its name in the job's work area
    (``worker.files.work_area``), from which the publishing machine takes it."""
    warnings: list[str] | None = None
    """What the backend changed from what the job asked (a duration clamped, a title cut), in
    words: the report and the run's summary say them."""


class CheckpointError(ValueError):
    """A fact that the backend's checkpoint does not declare, or of the wrong shape."""


def read_checkpoint(model: type[Checkpoint], facts: Mapping[str, Any]) -> Checkpoint:
    """``facts`` (as read from Redis) validated as ``model``."""
    try:
        return model.model_validate(dict(facts))
    except ValidationError as error:
        raise CheckpointError(f"checkpoint: {describe_validation_error(error)}") from None


def checked_record(
    model: type[Checkpoint], record: Callable[[str, Any], None]
) -> Callable[[str, Any], None]:
    """``record``, refusing a fact ``model`` does not declare or whose value does not fit."""

    def record_fact(key: str, value: Any) -> None:
        if key not in model.model_fields:
            raise CheckpointError(f"checkpoint: {model.__name__} has no fact {key!r}")
        read_checkpoint(model, {key: value})
        record(key, value)

    return record_fact

"""The dry backend's checkpoint: the local one's, and the contact sheet instead of a render."""

from __future__ import annotations

from pydantic import BaseModel

from worker.backends.local.checkpoint import LocalCheckpoint


class Sheet(BaseModel):
    file: str
    bytes: int


class DryCheckpoint(LocalCheckpoint):
    sheet: Sheet | None = None

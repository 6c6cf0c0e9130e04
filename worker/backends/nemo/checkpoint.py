"""The NemoVideo backend's checkpoint: its task, uploads, the one paid message, the balance
around it, and its renders."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from worker.job.checkpoint import Checkpoint


class Uploads(BaseModel):
    session_id: str
    files: dict[str, dict[str, Any]]
    """Photo key (or ``music``) → its uploaded name and the hash the cloud answered."""


class MessageSent(BaseModel):
    session_id: str
    at: str


class Completion(BaseModel):
    how: str
    waited_s: float


class Download(BaseModel):
    source: str
    bytes: int


class Delivered(BaseModel):
    container: str
    how: str
    """``as_rendered``, ``stream_copy`` or ``transcoded``."""
    width: int
    height: int
    fps: float
    duration: float


class NemoCheckpoint(Checkpoint):
    task_id: str | None = None
    user_id: str | int | None = None
    task_link: str | None = None
    uploads: Uploads | None = None
    message_sent: MessageSent | None = None
    """Recorded before the paid message goes out; cleared only when it certainly started
    nothing."""
    words: dict[str, Any] | None = None
    """The promo words read from the prompt, options and feed columns, as sent."""
    stream_end: str | None = None
    tool_calls: int | None = None
    """Tool calls announced in the last message's stream."""
    agent_said: list[str] | None = None
    """Every text the agent sent, in order, trimmed and token-free."""
    started_nothing: bool | None = None
    """True when the messages sent started no generation (nothing was charged)."""
    answer_sent: MessageSent | None = None
    """Recorded before the one answer to an agent's question goes out."""
    credits_before: int | None = None
    credits_after: int | None = None
    completion: Completion | None = None
    timeline: str | None = None
    title_track: list[str] | None = None
    """What the returned draft shows on its text tracks."""
    renders: list[str] | None = None
    render_id: str | None = None
    download: Download | None = None
    delivered: Delivered | None = None
    """The delivered file: its container, how it was made, and its probed shape."""

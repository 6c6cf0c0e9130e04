"""Reading a NemoVideo message stream.

Events are ``data: <json>`` lines: text, tool_call, tool_result, heartbeat, or empty. There is no
"done" event: the stream closing is the end, often with no text at all. Whatever way a stream
ends, the outcome of the work is read from the session state afterwards, never from the stream.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx
from httpx_sse import EventSource

TEMPORARY_ISSUE = "i encountered a temporary issue"


class StreamEnd(StrEnum):
    CLOSED = "closed"
    """Closed by the server after some text."""
    SILENT = "silent"
    """Closed by the server without any text."""
    HEARTBEAT_TIMEOUT = "heartbeat_timeout"
    """Nothing but heartbeats (or nothing at all) for too long."""
    CAP = "cap"
    """Read for the longest allowed time."""
    DROPPED = "dropped"
    """The connection broke."""


@dataclass(frozen=True)
class StreamLimits:
    cap_seconds: float = 900.0
    heartbeat_only_seconds: float = 600.0


@dataclass
class StreamOutcome:
    end: StreamEnd
    texts: list[str] = field(default_factory=list)
    """What the agent said, trimmed, without trailing "temporary issue" noise."""
    events: int = 0
    tool_calls: int = 0
    """Tool calls the agent announced: none means the message may have started nothing."""


def parse_event(data: str) -> dict[str, Any] | None:
    """The event of one ``data:`` line; None for an empty line or anything not a JSON object."""
    if not data.strip():
        return None
    try:
        event = json.loads(data)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) else None


def without_noise(texts: list[str]) -> list[str]:
    """Drop trailing "I encountered a temporary issue" texts that follow normal output."""
    kept = list(texts)
    while len(kept) > 1 and kept[-1].strip().lower().startswith(TEMPORARY_ISSUE):
        kept.pop()
    return kept


def read_stream(
    response: httpx.Response,
    limits: StreamLimits,
    clock: Callable[[], float] = time.monotonic,
    on_text: Callable[[str], None] = lambda _text: None,
) -> StreamOutcome:
    """Read an open event stream to its end, or until a limit is hit; ``on_text`` is told each
    text the agent sends as it comes."""
    start = last_activity = clock()
    texts: list[str] = []
    events = tool_calls = 0

    def outcome(end: StreamEnd) -> StreamOutcome:
        kept = without_noise(texts)
        if end == StreamEnd.CLOSED and not kept:
            end = StreamEnd.SILENT
        return StreamOutcome(end=end, texts=kept, events=events, tool_calls=tool_calls)

    try:
        for message in EventSource(response).iter_sse():
            events += 1
            event = parse_event(message.data)
            now = clock()
            if event is not None and event.get("type") != "heartbeat":
                last_activity = now
                content = event.get("content")
                if event.get("type") == "text" and isinstance(content, str) and content.strip():
                    texts.append(content.strip())
                    on_text(content.strip())
                if event.get("type") == "tool_call":
                    tool_calls += 1
            if now - start >= limits.cap_seconds:
                return outcome(StreamEnd.CAP)
            if now - last_activity >= limits.heartbeat_only_seconds:
                return outcome(StreamEnd.HEARTBEAT_TIMEOUT)
    except httpx.TimeoutException:
        return outcome(StreamEnd.HEARTBEAT_TIMEOUT)
    except httpx.TransportError:
        return outcome(StreamEnd.DROPPED)
    return outcome(StreamEnd.CLOSED)

"""The stream reader on canned streams: event kinds, noise, and both time limits."""

from __future__ import annotations

import itertools
import json

import httpx

from worker.backends.nemo.sse import StreamEnd, StreamLimits, read_stream


def stream(*events: dict[str, object] | str | None) -> httpx.Response:
    lines = []
    for event in events:
        data = "" if event is None else event if isinstance(event, str) else json.dumps(event)
        lines.append(f"data: {data}\n\n")
    headers = {"content-type": "text/event-stream"}
    return httpx.Response(200, headers=headers, content="".join(lines).encode())


def ticking(step: float) -> itertools.count:
    return itertools.count(0.0, step)


def test_text_tool_events_heartbeats_empty_lines_and_junk() -> None:
    response = stream(
        {"type": "text", "content": "Working on it."},
        {"type": "tool_call", "name": "generate"},
        {"type": "heartbeat"},
        None,
        "not json",
        {"type": "tool_result", "result": {}},
        {"type": "text", "content": "Done."},
        {"type": "text", "content": "I encountered a temporary issue."},
    )
    outcome = read_stream(response, StreamLimits())
    assert outcome.end == StreamEnd.CLOSED
    assert outcome.texts == ["Working on it.", "Done."]
    assert outcome.events == 8


def test_no_text_at_all_is_silent() -> None:
    outcome = read_stream(stream({"type": "tool_call"}, {"type": "heartbeat"}), StreamLimits())
    assert (outcome.end, outcome.texts) == (StreamEnd.SILENT, [])


def test_only_heartbeats_for_the_limit_is_a_timeout() -> None:
    beats = stream({"type": "text", "content": "Hi"}, *[{"type": "heartbeat"}] * 20)
    limits = StreamLimits(cap_seconds=900, heartbeat_only_seconds=600)
    outcome = read_stream(beats, limits, clock=ticking(60.0).__next__)
    assert outcome.end == StreamEnd.HEARTBEAT_TIMEOUT
    assert outcome.events == 11


def test_the_cap_ends_a_busy_stream() -> None:
    busy = stream(*[{"type": "tool_call"}] * 30)
    limits = StreamLimits(cap_seconds=900, heartbeat_only_seconds=600)
    outcome = read_stream(busy, limits, clock=ticking(60.0).__next__)
    assert outcome.end == StreamEnd.CAP
    assert outcome.events == 15


def test_each_text_is_told_as_it_comes() -> None:
    told: list[str] = []
    response = stream(
        {"type": "text", "content": " Planning the shots. "},
        {"type": "tool_call", "name": "generate"},
        {"type": "text", "content": "Adding music."},
    )
    read_stream(response, StreamLimits(), on_text=told.append)
    assert told == ["Planning the shots.", "Adding music."]

from __future__ import annotations

import pytest

from worker.prompt.measures import measures
from worker.prompt.tokens import tokenize


def measured(text: str) -> list[tuple[str | None, object]]:
    tokens = tokenize(text, frozenset(("帧", "帧率", "比", "音量", "时长")), 2)
    return [(m.field, m.value) for m in measures(tokens, [False] * len(tokens))]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("60fps", [("fps", 60)]),
        ("24 frames per second", [("fps", 24)]),
        ("60帧", [("fps", 60)]),
        ("60 frames/sec", [("fps", 60)]),
        ("24p", [("fps", 24)]),
        ("duration: 30", [("duration", 30.0)]),
        ("时长30", [("duration", 30.0)]),
        ("fps: 30", [("fps", 30)]),
        ("frame rate 25", [("fps", 25)]),
        ("帧率：60", [("fps", 60)]),
        ("background music at 20 percent", [("music_volume", 0.2)]),
        ("30 photos", []),
        ("1080p", [("resolution", "1080p")]),
        ("1080p60", [("resolution", "1080p"), ("fps", 60)]),
        ("4k30", [("resolution", "2160p"), ("fps", 30)]),
        ("4K", [("resolution", "2160p")]),
        ("9:16", [("ratio", "9:16")]),
        ("4x5", [("ratio", "4:5")]),
        ("16 by 9", [("ratio", "16:9")]),
        ("9比16", [("ratio", "9:16")]),
        ("1080x1920", [("ratio", "9:16"), ("resolution", "1080p")]),
        ("3840x2160", [("ratio", "16:9"), ("resolution", "2160p")]),
        ("music at 30%", [("music_volume", 0.3)]),
        ("背景音乐音量30%", [("music_volume", 0.3)]),
        ("20% off", []),
        ("4:3", [(None, None)]),
        ("2K", [(None, None)]),
    ],
)
def test_measures(text: str, found: list[tuple[str | None, object]]) -> None:
    assert measured(text) == found

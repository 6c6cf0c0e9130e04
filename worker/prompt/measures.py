"""Numbers with a unit that are not lengths: frame rates (60fps, 24 frames per second, 24p,
60帧), resolutions (720p, 1080p, 4K, a size 1080x1920), aspect ratios (9:16, 4x5, 16 by 9,
9比16) and the music's volume (music at 30%, 音量30%); and a length or a frame rate written as
a bare number after its label ("duration: 30", "fps: 30").

A measure photoreel cannot make (4:3, 1440p) is still understood: it comes back without a
field, with the reason, for the plan's warnings.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from worker.prompt.tokens import Kind, Token
from worker.prompt.vocabulary import ASPECTS, word_set

RESOLUTIONS = {720: "720p", 1080: "1080p", 2160: "2160p"}
FRAME_RATES_P = frozenset((24, 25, 30, 48, 50, 60))
"""Written with a "p" these are frame rates (24p, 60p), not heights."""
LABELS = {
    **dict.fromkeys(word_set("duration length runtime 时长 长度 总时长"), "duration"),
    **dict.fromkeys(word_set("fps framerate 帧率 帧数"), "fps"),
}
"""A bare number after one of these is a length in seconds ("duration: 30") or a frame rate
("fps: 30", "frame rate 25")."""
BETWEEN_LABEL_AND_NUMBER = word_set(": ： = of is at 为")
PERCENT = word_set("% percent pct")
SMALLEST_SIZE = 200
"""A ratio whose sides are both at least this is a size in pixels (1080x1920)."""
LARGEST_RATIO_SIDE = 40
MUSIC_WORDS = word_set(
    "music bgm song track audio soundtrack volume 音乐 配乐 背景音乐 音量 歌曲 声音"
)
BETWEEN_MUSIC_AND_PERCENT = word_set("at to of level volume = : ： is 为 调到 在")
RATIO_WORDS = frozenset(("by", "比"))
ASPECTS_WORDS = "photoreel makes " + ", ".join(ASPECTS)


@dataclass(frozen=True)
class Measure:
    field: str | None
    """``fps``, ``resolution``, ``ratio``, ``music_volume`` or ``duration``; None: understood,
    not made."""
    value: Any
    first: int
    last: int
    why: str = ""


def _text(tokens: Sequence[Token], index: int) -> str:
    return tokens[index].text if 0 <= index < len(tokens) else ""


def _number(token: Token) -> float:
    return float(token.text.replace(",", ""))


def ratio_measures(across: float, down: float, first: int, last: int) -> Iterator[Measure]:
    """An aspect ratio, or a size in pixels (which also gives a resolution)."""
    if min(across, down) >= SMALLEST_SIZE and across.is_integer() and down.is_integer():
        divisor = math.gcd(int(across), int(down))
        ratio = f"{int(across) // divisor}:{int(down) // divisor}"
        if ratio in ASPECTS:
            yield Measure("ratio", ratio, first, last)
        else:
            yield Measure(None, None, first, last, ASPECTS_WORDS)
        short = int(min(across, down))
        if short in RESOLUTIONS:
            yield Measure("resolution", RESOLUTIONS[short], first, last)
        return
    ratio = f"{across:g}:{down:g}"
    if max(across, down) <= LARGEST_RATIO_SIDE and ratio in ASPECTS:
        yield Measure("ratio", ratio, first, last)
    else:
        yield Measure(None, None, first, last, ASPECTS_WORDS)


def _resolution(value: float, unit: str, first: int) -> Measure:
    if unit == "p" and value in FRAME_RATES_P:
        return Measure("fps", int(value), first, first + 2)  # "24p": a frame rate
    if unit == "k":
        if value == 4:
            return Measure("resolution", "2160p", first, first + 2)
        return Measure(None, None, first, first + 2, "photoreel renders 720p, 1080p or 4K")
    if value in RESOLUTIONS:
        return Measure("resolution", RESOLUTIONS[int(value)], first, first + 2)
    return Measure(None, None, first, first + 2, "photoreel renders 720p, 1080p or 2160p")


def _fps_words(tokens: Sequence[Token], index: int) -> int:
    """How many tokens after a number say "frames per second" (0: none): "fps", "frames per
    second", "frames a second", "frames/sec", 帧."""
    words = [_text(tokens, index + offset) for offset in range(3)]
    if words[0] in ("fps", "帧", "帧每秒"):
        return 1
    if words[0] == "frames" and words[1] in ("per", "a", "each", "and"):
        return 3 if words[2] in ("second", "sec", "s") else 0
    return 0


def _label(tokens: Sequence[Token], index: int) -> str | None:
    """The field of a number with no unit after its label: "duration: 30", "length 45",
    时长30, "fps: 30", "frame rate 25"; None when it has no label."""
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    if after is not None and after.kind in (Kind.WORD, Kind.HAN) and after.attached:
        return None  # "30s", "30秒": the length readers take it
    back = index - 1
    while back >= 0 and tokens[back].text in BETWEEN_LABEL_AND_NUMBER:
        back -= 1
    if back >= 1 and tokens[back].text == "rate" and tokens[back - 1].text == "frame":
        return "fps"
    return LABELS.get(tokens[back].text) if back >= 0 else None


def _music_before(tokens: Sequence[Token], index: int) -> bool:
    for back in range(index - 1, max(-1, index - 4), -1):
        if tokens[back].text in MUSIC_WORDS:
            return True
        if tokens[back].text not in BETWEEN_MUSIC_AND_PERCENT:
            return False
    return False


def _at(tokens: Sequence[Token], index: int) -> Iterator[Measure]:
    token = tokens[index]
    if token.kind == Kind.RATIO:
        across, down = re.split(r"\s*[:：x×X*/]\s*", token.text)
        yield from ratio_measures(float(across), float(down), index, index + 1)
        return
    if token.kind != Kind.NUMBER:
        return
    value = _number(token)
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    if after is not None and after.attached and after.text in ("p", "k"):
        resolution = _resolution(value, after.text, index)
        yield resolution
        rate = tokens[index + 2] if index + 2 < len(tokens) else None
        if (
            resolution.field == "resolution"
            and rate is not None
            and rate.attached
            and rate.kind == Kind.NUMBER
            and _number(rate) in FRAME_RATES_P
        ):
            yield Measure("fps", int(_number(rate)), index + 2, index + 3)  # "1080p60", "4k30"
        return
    if (count := _fps_words(tokens, index + 1)) and value.is_integer():
        yield Measure("fps", int(value), index, index + 1 + count)
        return
    label = _label(tokens, index)
    if label == "duration" or (label == "fps" and value.is_integer()):
        yield Measure(label, int(value) if label == "fps" else value, index, index + 1)
        return
    if _text(tokens, index + 1) in PERCENT and _music_before(tokens, index):
        yield Measure("music_volume", min(max(value / 100, 0.0), 1.0), index, index + 2)
        return
    if _text(tokens, index + 1) in RATIO_WORDS and index + 2 < len(tokens):
        other = tokens[index + 2]
        if other.kind == Kind.NUMBER:
            yield from ratio_measures(value, _number(other), index, index + 3)


def measures(tokens: Sequence[Token], used: Sequence[bool]) -> Iterator[Measure]:
    """Every measure among the tokens not ``used`` yet, in order."""
    index = 0
    while index < len(tokens):
        found = [] if used[index] else list(_at(tokens, index))
        if found and not any(used[found[0].first : found[0].last]):
            yield from found
            index = found[0].last
        else:
            index += 1

"""How long the video should be, as people write it.

English: "15s", "15-second", "fifteen seconds", "half a minute", "a half-minute", "a minute and
a half", "one and a half minutes", "1.5 min", "2m30s", "1 min 15 sec", "1:30", "20-30 seconds"
(the longer end), "a couple of minutes". Chinese: 15秒, 十五秒, 半分钟, 一分半(钟), 1分30秒, 两分钟.
Not durations: decades ("80s music", "'90s style") and shot lengths ("3 seconds per photo"),
which are left for the reader to report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from worker.prompt.numbers import CHINESE_NUMBER, chinese_number, leading_number
from worker.prompt.tokens import Kind, Token, tokenize
from worker.prompt.vocabulary import ASPECTS, word_set

UNIT_SECONDS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds", "seconde", "sek"), 1.0),
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60.0),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600.0),
}
DECADE_WORDS = word_set(
    "style styled music songs song vibe vibes retro throwback aesthetic look theme hits disco"
    " pop rock fashion era nostalgia party tunes sound kids movie movies film films tv cartoon"
    " cartoons hip hop"
)
SHOT_WORDS = word_set("each per apiece every a")
"""After a length, these make it a shot's ("3 seconds each", "2 s per photo")."""
SHOTS = word_set("photo picture image slide shot pic frame clip")
MEASURE_UNITS = word_set("fps p k hz")
CLOCK = re.compile(r"(\d{1,2}):([0-5]\d)")


@dataclass(frozen=True)
class Duration:
    seconds: float
    first: int
    """Index of its first token."""
    last: int
    """Index after its last token."""
    kind: str = "length"
    """``length`` of the video; ``decade`` ("80s music") or ``shot`` ("3 seconds each"): not
    one, and not something the planner can do."""


def _text(tokens: Sequence[Token], index: int) -> str:
    return tokens[index].text if index < len(tokens) else ""


def _half_after(tokens: Sequence[Token], index: int) -> int:
    """How many tokens an "and a half" at ``index`` takes (0 when there is none)."""
    words = [_text(tokens, index + offset) for offset in range(3)]
    if words[0] == "and" and words[1] in ("a", "an") and words[2] == "half":
        return 3
    return 2 if words[:2] == ["and", "half"] else 0


def _amount(tokens: Sequence[Token], index: int) -> tuple[float, int, bool] | None:
    """(value, index after it, whether it was "a"/"an") of a number starting at ``index``."""
    token = tokens[index]
    if token.kind == Kind.NUMBER:
        return float(token.text.replace(",", "")), index + 1, False
    if token.kind != Kind.WORD:
        return None
    if token.text == "half":
        after = index + 1 + (_text(tokens, index + 1) in ("a", "an"))
        return 0.5, after, False
    if token.text in ("a", "an"):
        if _text(tokens, index + 1) == "half":
            return 0.5, index + 2, False
        if _text(tokens, index + 1) == "couple":
            return 2.0, index + 2 + (_text(tokens, index + 2) == "of"), False
        return 1.0, index + 1, True
    words = [t.text for t in tokens[index : index + 6] if t.kind == Kind.WORD]
    found = leading_number(words)
    return (float(found[0]), index + found[1], False) if found else None


def _about(tokens: Sequence[Token], index: int) -> int:
    """How many tokens at ``index`` say "about" between a number and its unit: "15ish
    seconds", "15 or so seconds" (0: none)."""
    if _text(tokens, index) == "ish":
        return 1
    return 2 if (_text(tokens, index), _text(tokens, index + 1)) == ("or", "so") else 0


def _component(tokens: Sequence[Token], index: int) -> tuple[float, int, float] | None:
    """(seconds, index after it, seconds of its unit) of "<number> <unit>" at ``index``."""
    amount = _amount(tokens, index)
    if amount is None:
        return None
    value, at, article = amount
    if half := _half_after(tokens, at):
        value, at = value + 0.5, at + half
    at += _about(tokens, at)
    if at < len(tokens) and (tokens[at].joined or _text(tokens, at) in ("to", "–", "-")):
        step = at if tokens[at].joined else at + 1
        upper = _amount(tokens, step) if step < len(tokens) else None
        if upper is not None and not upper[2]:
            value, at = upper[0], upper[1]  # a range: the longer end
    unit = UNIT_SECONDS.get(_text(tokens, at))
    if unit is None or tokens[at].kind != Kind.WORD or (article and unit == 1.0):
        return None
    if unit == 60.0 and _text(tokens, at) == "m" and not tokens[at].attached:
        return None
    at += 1
    if half := _half_after(tokens, at):
        value, at = value + 0.5, at + half
    return value * unit, at, unit


def _is_decade(tokens: Sequence[Token], index: int, end: int) -> bool:
    """ "80s music", "'90s style": a decade, not eighty seconds."""
    number = tokens[index]
    unit = tokens[end - 1]
    if number.kind != Kind.NUMBER or unit.text != "s" or not unit.attached:
        return False
    value = float(number.text.replace(",", ""))
    if not (value % 10 == 0 and (10 <= value <= 90 or 1900 <= value <= 2090)):
        return False
    before = tokens[index - 1].raw if index else ""
    return before in ("'", "’") or _text(tokens, end) in DECADE_WORDS


def _shot_words(tokens: Sequence[Token], end: int) -> int:
    """How many tokens after a length make it a shot's ("each", "per photo"); 0: none."""
    word = _text(tokens, end)
    if word in ("each", "apiece"):
        return 1
    following = _text(tokens, end + 1)
    return 2 if word in SHOT_WORDS and following.removesuffix("s") in SHOTS else 0


def _counts(word: str) -> bool:
    """Whether a number before ``word`` counts something ("10 photos", "12 photo slideshow")
    or has a unit other than time ("30 fps", "4k")."""
    plural = len(word) > 3 and word.endswith("s") and not word.endswith("ss")
    return plural or word in SHOTS or word in MEASURE_UNITS


def _bare_seconds(tokens: Sequence[Token], index: int) -> tuple[float, int] | None:
    """(seconds, index after them) of "1 minute 30", "1min30 upbeat", "1 min 15 product tour",
    "a minute thirty": a whole number under 60 (in words, 10 or more: "2 minutes, one for
    reels" is no 2:01) that ends the clause or is followed by a word it does not count."""
    if index >= len(tokens):
        return None
    if tokens[index].kind == Kind.NUMBER:
        value, after_index = float(tokens[index].text.replace(",", "")), index + 1
    else:
        words = [t.text for t in tokens[index : index + 3] if t.kind == Kind.WORD]
        found = leading_number(words) if tokens[index].kind == Kind.WORD else None
        if found is None or found[0] < 10:
            return None
        value, after_index = float(found[0]), index + found[1]
    after = tokens[after_index] if after_index < len(tokens) else None
    ends = (
        after is None
        or after.kind == Kind.BREAK
        or (after.kind == Kind.WORD and not _counts(after.text))
    )
    return (value, after_index) if ends and value.is_integer() and 0 < value < 60 else None


def clock_seconds(text: str) -> float | None:
    """ "1:30" → 90, "0:45" → 45; None for a ratio people write the same way (9:16)."""
    match = CLOCK.fullmatch(text.replace(" ", ""))
    if match is None or text.replace(" ", "") in ASPECTS:
        return None
    return int(match.group(1)) * 60.0 + int(match.group(2))


def english_durations(tokens: Sequence[Token]) -> list[Duration]:
    """Every length the English of ``tokens`` states, in order, with the decades and shot
    lengths that look like one."""
    found: list[Duration] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind == Kind.RATIO and (seconds := clock_seconds(token.text)) is not None:
            found.append(Duration(seconds, index, index + 1))
            index += 1
            continue
        component = _component(tokens, index)
        if component is None:
            index += 1
            continue
        seconds, end, unit = component
        if _is_decade(tokens, index, end):
            found.append(Duration(seconds, index, end, "decade"))
            index = end
            continue
        if shot := _shot_words(tokens, end):
            found.append(Duration(seconds, index, end + shot, "shot"))
            index = end + shot
            continue
        while True:
            step = end + (_text(tokens, end) == "and")
            following = _component(tokens, step) if step < len(tokens) else None
            if following is None and unit == 60.0 and (extra := _bare_seconds(tokens, step)):
                seconds, end = seconds + extra[0], extra[1]  # "1 minute 30"
                break
            if following is None or following[2] >= unit:
                break
            seconds, end, unit = seconds + following[0], following[1], following[2]
        found.append(Duration(seconds, index, end))
        index = end
    return found


_N = CHINESE_NUMBER
_ABOUT = "多|来|余"
"""三十来秒, 一分多钟: about the number said, read as it."""
CHINESE_RANGE = re.compile(r"\s*(?:到|至|~|～|-|–|—|或)\s*")
"""Between two lengths, a range: 30秒到1分钟 is read at its longer end, as "20-30 seconds"."""
CHINESE_DURATION = re.compile(
    rf"(?P<h>{_N})个?(?P<hh>半)?(?:小时|钟头)(?:(?P<hm>{_N})分钟?)?"
    rf"|(?P<mh>{_N})分钟?半钟?"
    rf"|(?P<m>{_N})(?:{_ABOUT})?分(?:(?:{_ABOUT})?钟(?:(?P<ms>{_N})秒钟?)?|(?P<ms2>{_N})秒钟?)"
    rf"|(?P<s>{_N})(?:{_ABOUT})?秒钟?"
    r"|(?P<half_minute>半分钟)|(?P<half_hour>半个?小时)"
)


@dataclass(frozen=True)
class Span:
    seconds: float
    start: int
    end: int


_NUMERALS = ("h", "hm", "mh", "m", "ms", "ms2", "s")


def _chinese_seconds(match: re.Match[str]) -> float | None:
    """The seconds ``match`` states; None when one of its numerals is no number ("十十秒")."""
    group = match.groupdict()
    if group["half_minute"]:
        return 30.0
    if group["half_hour"]:
        return 1800.0
    numbers: defaultdict[str, float] = defaultdict(float)
    for name in _NUMERALS:
        if group[name]:
            value = chinese_number(group[name])
            if value is None:
                return None
            numbers[name] = value
    if group["h"]:
        return (numbers["h"] + 0.5 * bool(group["hh"])) * 3600 + numbers["hm"] * 60
    if group["mh"]:
        return (numbers["mh"] + 0.5) * 60
    if group["m"]:
        return numbers["m"] * 60 + numbers["ms"] + numbers["ms2"]
    return numbers["s"]


def chinese_durations(text: str) -> list[Span]:
    """Every length the Chinese of ``text`` states, with where it is written; a range of two
    as one, its longer end."""
    spans: list[Span] = []
    for match in CHINESE_DURATION.finditer(text):
        seconds = _chinese_seconds(match)
        if seconds is None:
            continue
        if spans and CHINESE_RANGE.fullmatch(text[spans[-1].end : match.start()]):
            spans[-1] = Span(max(spans[-1].seconds, seconds), spans[-1].start, match.end())
            continue
        spans.append(Span(seconds, match.start(), match.end()))
    return spans


def duration_in_words(text: str) -> float | None:
    """The one length ``text`` states ("0:30", "90s", "1 min 30 s", "一分半"); None when it
    states none, or several."""
    found = [span.seconds for span in chinese_durations(text)]
    if not found:
        tokens = tokenize(text, frozenset(), 1)
        lengths = [d for d in english_durations(tokens) if d.kind == "length"]
        if len(lengths) == 1 and lengths[0].first == 0 and lengths[0].last == len(tokens):
            found = [lengths[0].seconds]
    return found[0] if len(found) == 1 else None

"""The title a prompt asks for, and where it is written.

In order: a label and a quoted title (title 'Summer Sale', titled "Grand Opening", called
"Golden Hour", 标题是“新品首发”, 叫《我们的夏天》); a label and a bare title up to the end of its
clause (title: Weekend Trip, heading: Open Day 2025, text: Grand Opening, a video called
Forever Starts Today, a reel named Sunday Brunch, 标题：夏日促销, 标题叫豆豆的一天); a title in
《》; else the one quoted text of the prompt, if it has exactly one. An English bare title
needs a colon, a verb ("a title that says Thank You Teachers") or a capital after its label,
so "no title" and "a title card at the end" name none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

QUOTED = (
    r"\"(?P<q1>.+?)\"|“(?P<q2>.+?)”|「(?P<q3>.+?)」|『(?P<q4>.+?)』|《(?P<q5>.+?)》|‘(?P<q6>.+?)’"
    r"|(?:^|(?<=[\s(:：,，]))'(?P<q7>.+?)'(?=$|[\s,.!?;:)，。])|«(?P<q8>.+?)»"
)
_EN_LABEL = (
    r"\b(?i:title\s+it|call\s+it|name\s+it|title\s+card|titled|title|heading|headline|called"
    r"|named|with\s+the\s+(?:title|name)|(?:call|name|title)\s+the\s+(?:video|reel|clip|slideshow))"
)
_LOWER_LABEL = (
    r"(?<!so-)\b(?i:titled|called|named)\s+"
    r"(?!(?i:after|for|by|in|on|at|with|to|from|a|an|the|it|this|that|them|me|us|you)\b)"
)
"""Labels a bare title may follow in lower case ("a vid called summer vibes"); "named after
the dog" and "so-called" name none."""
_SAYING = (
    r"(?i:that\s+says|that\s+reads|which\s+says|which\s+reads|saying|reading|should\s+say"
    r"|should\s+read|to\s+say)"
)
"""What comes between a label and its bare title: "a title that says Thank You Teachers"."""
_COLON_LABEL = (
    r"\b(?i:text|on-screen\s+text|caption|overlay|intro\s+text)"
    rf"(?:\s*[:：]\s*|\s+{_SAYING}\s*[:：]?\s*)"
    r"|(?:封面)?(?:文字|字幕|文案)(?:\s*[:：]\s*|写着|写的是)"
)
"""Labels that name a title only with a colon or a verb: "text: Grand Opening", "text saying
Grand Opening", 字幕写着欢迎光临 (无字幕 is no text, not a title)."""
_ZH_LABEL = (
    r"(?:标题|题目|片名|名字|名称|主题)(?:是|为|叫|叫做|写着|写|显示|用)?|名为|取名为?|题为|命名为"
)
_SAYS = (
    r"(?:\s*(?i:is|of|reads|reading|that\s+says|saying|should\s+be|should\s+say|will\s+be"
    r"|would\s+be|[:：=]))?\s*"
)
LABELLED_QUOTED = re.compile(
    rf"(?:{_EN_LABEL}{_SAYS}|(?:{_ZH_LABEL}|叫|叫做)\s*[:：]?\s*)(?:{QUOTED})"
)
_CLAUSE_END = r"(?=\s*(?:[,，。;；!！?？\n]|\.(?:\s|$)|$))"
"""Where a bare title ends; at a dash only if what follows asks for something (``trim``)."""
LABELLED_BARE = re.compile(
    rf"(?:{_EN_LABEL}(?:\s*[:：=]\s*|\s+(?i:is|should\s+be|will\s+be)\s+"
    rf"|\s+{_SAYING}\s*[:：]?\s*|\s+[-–—]\s+(?=[A-Z0-9])|\s+(?=[A-Z0-9]))"
    rf"|{_COLON_LABEL}|{_LOWER_LABEL}"
    rf"|(?:{_ZH_LABEL})\s*[:：]?\s*)"
    rf"(?P<bare>[^,，。;；!！?？\n]+?){_CLAUSE_END}"
)
BOOK_TITLE = re.compile(r"《(?P<q5>.+?)》")
ANY_QUOTED = re.compile(QUOTED)


@dataclass(frozen=True)
class Title:
    text: str
    start: int
    """Where its phrase (label included) begins in the prompt."""
    end: int


def _quoted(match: re.Match[str]) -> str:
    return next(value for key, value in match.groupdict().items() if key[0] == "q" and value)


NO_TITLE = frozenset(("none", "no", "n/a", "nothing", "无", "没有", "不要"))
"""What "title: none" says: no title."""


def _clean(text: str) -> str:
    cleaned = text.strip().strip("\"'“”‘’「」『』《》").strip()
    return "" if cleaned.lower() in NO_TITLE else cleaned


def _outside(match: re.Match[str], skip: tuple[int, int] | None) -> bool:
    return skip is None or match.end() <= skip[0] or match.start() >= skip[1]


def find_title(
    prompt: str, skip: tuple[int, int] | None, trim: Callable[[str], str]
) -> Title | None:
    """The title ``prompt`` asks for, outside the span ``skip`` (its call to action); ``trim``
    cuts what a bare title runs into ("Summer Vibes for TikTok" → "Summer Vibes")."""
    for match in LABELLED_QUOTED.finditer(prompt):
        if _outside(match, skip) and (text := _clean(_quoted(match))):
            return Title(text, match.start(), match.end())
    for match in LABELLED_BARE.finditer(prompt):
        text = _clean(trim(match.group("bare")))
        if _outside(match, skip) and text:
            return Title(text, match.start(), match.start("bare") + len(trim(match.group("bare"))))
    for match in BOOK_TITLE.finditer(prompt):
        if _outside(match, skip) and (text := _clean(match.group("q5"))):
            return Title(text, match.start(), match.end())
    quoted = [match for match in ANY_QUOTED.finditer(prompt) if _outside(match, skip)]
    if len(quoted) == 1 and (text := _clean(_quoted(quoted[0]))):
        return Title(text, quoted[0].start(), quoted[0].end())
    return None

"""A prompt cut into tokens: words with their boundaries, numbers, ratios, clock times, and
Chinese cut by the longest phrase of the lexicon.

English words are matched whole ("slideshow" is not "slide", "pia-no" is not "no"); a hyphen
joins two words without a space, which the reader may take as one ("pia-no" is "piano") or as
two ("fast-paced"). "/", "&" and "+" between words read as "and"; "w/" as "with" and "w/o" as
"without". Chinese has no spaces: each run of Han characters is cut, left to right, at the
longest phrase the lexicon knows there, else one character at a time (B站, Bilibili, is
one run).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum


class Kind(StrEnum):
    WORD = "word"
    NUMBER = "number"
    HAN = "han"
    RATIO = "ratio"
    """Two numbers with ``:``, ``x`` or ``/`` between them: 9:16, 1080x1920."""
    BREAK = "break"
    """Punctuation, bullets and emoji that end a clause: a negation does not reach past it."""
    SYMBOL = "symbol"


@dataclass(frozen=True)
class Token:
    text: str
    """As the lexicon spells it: lower case, without apostrophes."""
    raw: str
    """As written."""
    start: int
    end: int
    kind: Kind
    joined: bool = False
    """Written against the token before with a hyphen and no space ("pia-no")."""
    attached: bool = False
    """Written against the token before with nothing between ("30sec", "1080p")."""

    def with_text(self, text: str) -> Token:
        return replace(self, text=text)


HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SCANNER = re.compile(
    r"(?P<ratio>\d+(?:\.\d+)?\s*(?:[:：]|[x×X*/](?=\s*\d))\s*\d+(?:\.\d+)?(?![\d:]))"
    r"|(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+,\d{1,2}(?![\d,])|\d+(?:\.\d+)?)"
    rf"|(?P<han>(?:[bB](?=站))?[{HAN}]+)"
    r"|(?P<word>[A-Za-zÀ-ÖØ-öø-ÿ]+(?:['’][A-Za-z]+)*)"
    r"|(?P<break>[,.;!?，。；！？、:：\n()（）\[\]【】…~～|]|\s[-–—]+\s|[–—])"
    r"|(?P<symbol>\S)"
)
AND_SYMBOLS = {"/", "&", "+"}
DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
PICTOGRAPHS = frozenset(("So", "Sk", "Mn", "Cf"))
"""Unicode categories of emoji and their joiners: like bullets ("•"), they separate what they
stand between ("15s ✨ soft piano ✨ slow fades")."""


def _phrases(run: str, start: int, phrases: frozenset[str], longest: int) -> list[Token]:
    """A run of Han characters cut at the longest known phrase from the left."""
    tokens = []
    at = 0
    while at < len(run):
        size = next(
            (n for n in range(min(longest, len(run) - at), 1, -1) if run[at : at + n] in phrases),
            1,
        )
        piece = run[at : at + size]
        tokens.append(Token(piece, piece, start + at, start + at + size, Kind.HAN))
        at += size
    return tokens


def _scan(text: str, phrases: frozenset[str], longest: int) -> list[Token]:
    tokens: list[Token] = []
    for match in _SCANNER.finditer(text):
        kind = Kind(match.lastgroup or "symbol")
        raw = match.group()
        if kind == Kind.HAN:
            tokens.extend(_phrases(raw, match.start(), phrases, longest))
            continue
        start, end = match.start(), match.end()
        if kind == Kind.SYMBOL and (unicodedata.category(raw) in PICTOGRAPHS or raw in "•·"):
            kind = Kind.BREAK
        if kind == Kind.BREAK:
            # " - " is where it is written, spaces aside: a separator, not a hyphen
            start += len(raw) - len(raw.lstrip())
            raw = raw.strip()
            end = start + len(raw)
        lowered = raw.lower().replace("'", "").replace("’", "")
        if kind == Kind.NUMBER and DECIMAL_COMMA.fullmatch(raw):
            lowered = raw.replace(",", ".")  # "1,5 min": a decimal comma
        attached = bool(tokens) and tokens[-1].end == start
        tokens.append(Token(lowered, raw, start, end, kind, attached=attached))
    return tokens


def _connect(tokens: list[Token]) -> list[Token]:
    """Hyphens between words become joins; "/", "&", "+" between words become "and"; "w/"
    becomes "with" and "w/o" "without"."""
    result: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        after = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.kind == Kind.WORD and token.text == "w" and after and after.raw == "/":
            following = tokens[index + 2] if index + 2 < len(tokens) else None
            if following is not None and following.text == "o" and following.attached:
                result.append(replace(token, text="without", raw="w/o", end=following.end))
                index += 3
            else:
                result.append(replace(token, text="with", raw="w/", end=after.end))
                index += 2
            continue
        if token.raw == "-" and result and after and token.attached and after.attached:
            tokens[index + 1] = replace(after, joined=True, attached=False)
            index += 1
            continue
        if token.raw in AND_SYMBOLS and result and result[-1].kind == Kind.WORD:
            token = replace(token, text="and", kind=Kind.WORD)
        result.append(token)
        index += 1
    return result


def tokenize(text: str, phrases: frozenset[str], longest: int) -> list[Token]:
    """``text`` as tokens; ``phrases``: the Chinese phrases to cut Han runs at, none longer
    than ``longest`` characters."""
    return _connect(_scan(text, phrases, longest))

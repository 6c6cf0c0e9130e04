from __future__ import annotations

from worker.prompt.lexicon_zh import LEXICON
from worker.prompt.platforms import CHINESE
from worker.prompt.tokens import Kind, tokenize

PHRASES = frozenset({**LEXICON, **CHINESE})
LONGEST = max(map(len, PHRASES))


def texts(text: str) -> list[str]:
    return [token.text for token in tokenize(text, PHRASES, LONGEST)]


def test_english_words_numbers_ratios_and_breaks() -> None:
    tokens = tokenize("Slow pace,calm music,16:9,1080p,30fps", PHRASES, LONGEST)
    assert [t.text for t in tokens] == [
        "slow", "pace", ",", "calm", "music", ",", "16:9", ",", "1080", "p", ",", "30", "fps",
    ]  # fmt: skip
    assert [t.kind for t in tokens[6:10]] == [Kind.RATIO, Kind.BREAK, Kind.NUMBER, Kind.WORD]
    assert tokens[9].attached and not tokens[4].attached


def test_hyphens_join_and_symbols_read_as_and() -> None:
    tokens = tokenize("pia-no music, fade-in/fade-out, Anna & Ben", PHRASES, LONGEST)
    assert [t.text for t in tokens] == [
        "pia", "no", "music", ",", "fade", "in", "and", "fade", "out", ",", "anna", "and", "ben",
    ]  # fmt: skip
    assert tokens[1].joined and tokens[5].joined and not tokens[2].joined
    assert (tokens[0].start, tokens[1].end) == (0, 6)


def test_a_dash_between_spaces_separates() -> None:
    tokens = tokenize("recap - fifty seconds – piano", PHRASES, LONGEST)
    assert [t.kind for t in tokens] == [
        Kind.WORD, Kind.BREAK, Kind.WORD, Kind.WORD, Kind.BREAK, Kind.WORD,
    ]  # fmt: skip
    assert not any(t.joined or t.attached for t in tokens)


def test_emoji_and_bullets_separate() -> None:
    tokens = tokenize("15s ✨ soft piano • slow fades 🎬", PHRASES, LONGEST)
    assert [t.kind for t in tokens if t.text in ("✨", "•", "🎬")] == [Kind.BREAK] * 3


def test_apostrophes_and_w_slash() -> None:
    assert texts("don't add it w/ music, w/o text") == [
        "dont", "add", "it", "with", "music", ",", "without", "text",
    ]  # fmt: skip


def test_chinese_is_cut_at_the_longest_known_phrase() -> None:
    assert texts("不要太快，愉快的音乐") == ["不要", "太快", "，", "愉快", "的", "音乐"]
    assert texts("做一个15秒的视频") == ["做一个", "15", "秒", "的", "视频"]
    assert texts("B站视频") == ["B站", "视频"]

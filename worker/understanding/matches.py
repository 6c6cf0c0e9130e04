"""Matches of the prompt's phrases against the vocabulary, and the rules that read a match by
its neighbours: "music: none" negates the noun, a calm word beside a mood qualifies it, a
word before "music" is about the music, a word before a transition or a camera move is about
that and not the pace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from worker.prompt.tokens import Kind, Token
from worker.prompt.vocabulary import MOOD_OF_PACE, SILENCE, Entry, Mood, Sense, Strength, word_set

NONE_WORDS = word_set("none no off nothing 无 没有 不要 关")


@dataclass(frozen=True)
class Match:
    entry: Entry
    first: int
    last: int
    """Index after its last token."""


def none_after_colon(tokens: Sequence[Token], matches: list[Match]) -> list[Match]:
    """ "music: none", "transitions: none", 音乐：无: the noun negated, as "no music" is."""
    result: list[Match] = []
    for match in matches:
        previous = result[-1] if result else None
        if (
            previous is not None
            and previous.entry.negated
            and previous.entry.noun
            and match.first == previous.last + 1
            and tokens[previous.last].text in (":", "：")
            and " ".join(t.text for t in tokens[match.first : match.last]) in NONE_WORDS
            and (match.last == len(tokens) or tokens[match.last].kind == Kind.BREAK)
        ):
            negated = Entry(previous.entry.negated, None, noun=True)
            result[-1] = Match(negated, previous.first, match.last)
            continue
        result.append(match)
    return result


def next_to(tokens: Sequence[Token], first: Match, second: Match) -> bool:
    between = tokens[first.last : second.first]
    return len(between) <= 1 and not any(token.kind == Kind.BREAK for token in between)


def moods_of(match: Match) -> set[Any]:
    return {s.value for s in match.entry.senses if s.field == "music" and s.value != SILENCE}


def calm_beside(tokens: Sequence[Token], matches: list[Match]) -> list[Match]:
    """A calm word beside another mood qualifies it ("soft romantic music", 温暖治愈的音乐):
    the other mood is the one asked."""
    result = list(matches)
    for position, match in enumerate(matches):
        if moods_of(match) != {Mood.CALM}:
            continue
        neighbours = matches[max(0, position - 1) : position] + matches[position + 1 : position + 2]
        if any(
            moods_of(other) - {Mood.CALM}
            and next_to(tokens, *((other, match) if other.first < match.first else (match, other)))
            for other in neighbours
        ):
            senses = tuple(
                Sense(s.field, s.value, Strength.HINT) if s.field == "music" else s
                for s in match.entry.senses
            )
            result[position] = Match(
                Entry(senses, match.entry.negated, match.entry.noun), match.first, match.last
            )
    return result


def adjacent(tokens: Sequence[Token], matches: list[Match]) -> list[Match]:
    """Moods beside music nouns ("calm music", "music: calm") ask no pace, and are the firmest
    ask of the music, as a pace word there asks the mood of that pace ("slow music, fast
    cuts"); words before a transition or camera move describe it (no calm mood; their pace
    only a hint)."""
    result = list(matches)
    for position, match in enumerate(matches):
        following = next(
            (m for m in matches[position + 1 :] if not m.entry.is_filler or music_noun(m)), None
        )
        fields = {sense.field for sense in match.entry.senses}
        if "music" in fields and position and labels_music(tokens, matches[position - 1], match):
            kept = tuple(firm(s) for s in match.entry.senses if s.field != "pace")
            result[position] = Match(
                Entry(kept, match.entry.negated, match.entry.noun), match.first, match.last
            )
            continue
        if following is None or not fields & {"music", "pace"}:
            continue
        if not next_to(tokens, match, following):
            continue
        last = match.last
        if music_noun(following) and "music" in fields:
            kept = tuple(firm(s) for s in match.entry.senses if s.field != "pace")
            last = following.last  # its words: "romantic music"
        elif music_noun(following) and fields == {"pace"}:
            kept = tuple(paced_music(s) for s in match.entry.senses)
            last = following.last  # "slow music, fast cuts": the music is slow, the cuts fast
        elif {s.field for s in following.entry.senses} & {"transition", "motion"}:
            kept = tuple(hint(s) for s in match.entry.senses if not calm_mood(s))
        else:
            continue
        result[position] = Match(
            Entry(kept, match.entry.negated, match.entry.noun), match.first, last
        )
    return result


def labels_music(tokens: Sequence[Token], before: Match, match: Match) -> bool:
    """ "music: calm", "背景音乐轻柔": a music noun right before a mood, a colon between at most."""
    between = [token.text for token in tokens[before.last : match.first]]
    return music_noun(before) and between in ([], [":"], ["："], ["要"], ["用"])


def asks(entry: Entry) -> bool:
    """Whether ``entry`` asks for something (itself or negated): a typo is read only as such
    a word, never as a filler or a negation."""
    return any(s.field not in ("filler", "negator", "boundary") for s in entry.senses) or bool(
        entry.negated
    )


def music_noun(match: Match) -> bool:
    negated = match.entry.negated or ()
    return match.entry.noun and any(s.field == "music" and s.value == SILENCE for s in negated)


def firm(sense: Sense) -> Sense:
    """A mood said of the music itself ("romantic music", 浪漫的音乐) is its firmest."""
    return (
        Sense(sense.field, sense.value, Strength.FIRM)
        if sense.strength == Strength.PLAIN
        else sense
    )


def calm_mood(sense: Sense) -> bool:
    """A calm word says how a transition or camera move goes ("soft dissolves", "gentle zoom
    in"); another mood before one is still the music's ("upbeat hard cuts", 欢快 zoom in)."""
    return sense.field == "music" and sense.value == Mood.CALM


def paced_music(sense: Sense) -> Sense:
    """A pace said of the music ("slow music") as the mood of that pace, firmly."""
    return Sense("music", MOOD_OF_PACE[sense.value], Strength.FIRM)


def hint(sense: Sense) -> Sense:
    return Sense(sense.field, sense.value, Strength.HINT) if sense.field == "pace" else sense

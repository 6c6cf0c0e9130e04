"""Reading a prompt: what each phrase of it asks for, where it is written, and the words that
ask for nothing.

The prompt is read in passes, each claiming what it understood so that no word counts twice:
the title, the prices and the call to action, lengths in Chinese, then the tokens: typos
corrected, numbers with units (lengths, frame rates, resolutions, ratios, music volume), then
the lexicons' phrases, longest first (after the transitions' label, a style is that style's
transitions: "transitions: zoom" is no camera zoom). A negation ("no", "without", "不要")
reaches to the end of its clause and turns the first phrase after it into its negated sense;
more nouns may follow ("no music or text"), anything else ends it.

Two phrases next to each other may read differently than apart: a mood before a music noun
("calm music", 舒缓的音乐) says nothing about the pace, and a calm or slow word before a
transition or a camera move ("soft dissolves", "slow pans") describes that, not the music
(another mood there is still the music's: "upbeat hard cuts"). The product's name
(``worker.understanding.promo`` guesses it: "promo for …") claims nothing, since a guess may
hold a platform ("a video for our cafe's Instagram Reels"); its words are only not reported as
not understood.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from worker.prompt import lexicon_en, lexicon_zh, platforms
from worker.prompt.durations import (
    MEASURE_UNITS,
    UNIT_SECONDS,
    chinese_durations,
    english_durations,
)
from worker.prompt.measures import Measure, measures
from worker.prompt.titles import find_title
from worker.prompt.tokens import Kind, Token, tokenize
from worker.prompt.typos import Corrector
from worker.prompt.vocabulary import Entry, Strength, word_set
from worker.understanding.matches import (
    Match,
    adjacent,
    asks,
    calm_beside,
    none_after_colon,
)
from worker.understanding.music_files import MusicFile, music_files
from worker.understanding.promo import cta_span, name_span, word_spans

PREPOSITIONS = word_set("for in on at with as")
FORMAT_FIELDS = frozenset(("platform", "ratio", "shape", "resolution"))
"""What a bare title never runs into: "called Summer Vibes for TikTok" is "Summer Vibes"."""
TRANSITION_LABELS = word_set("transition transitions")
DASHES = word_set("- – —")
PLACES = word_set(
    "start beginning end top bottom intro outro opening front corner first last final"
)
"""Nor where it goes: "the title Aloha 2025 at the beginning" is "Aloha 2025"."""
STORY_OWNERS = word_set("my our the your his her their a an")


@dataclass(frozen=True)
class Finding:
    field: str
    value: Any
    strength: Strength
    start: int
    end: int
    words: str
    """The words of the prompt that ask for it."""


@dataclass(frozen=True)
class Reading:
    findings: tuple[Finding, ...] = ()
    not_understood: tuple[str, ...] = ()
    """Words of the prompt that ask for nothing the planner knows, in order."""
    unsupported: tuple[str, ...] = ()
    """Asks understood but not made, with why: "4:3 (photoreel makes 9:16, …)", "80s (a
    decade)"."""

    def best(self, name: str) -> Finding | None:
        """The firmest finding of ``name``; among equals, the first said."""
        found = [finding for finding in self.findings if finding.field == name]
        return min(found, key=lambda f: (-f.strength, f.start)) if found else None


@dataclass
class _Pass:
    prompt: str
    tokens: list[Token] = field(default_factory=list)
    used: list[bool] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    def find(self, name: str, value: Any, strength: Strength, start: int, end: int) -> None:
        self.findings.append(
            Finding(name, value, strength, start, end, self.prompt[start:end].strip())
        )

    def claim(self, first: int, last: int) -> None:
        for index in range(first, last):
            self.used[index] = True

    def claim_between(self, start: int, end: int) -> None:
        """The tokens written between ``start`` and ``end`` count as understood."""
        for index, token in enumerate(self.tokens):
            if start <= token.start and token.end <= end:
                self.used[index] = True

    def span(self, first: int, last: int) -> tuple[int, int]:
        return self.tokens[first].start, self.tokens[last - 1].end


class Reader:
    """The lexicons, ready to read prompts with (built once per process)."""

    def __init__(self) -> None:
        self.english: dict[str, Entry] = {**lexicon_en.LEXICON, **platforms.ENGLISH}
        self.chinese: dict[str, Entry] = {**lexicon_zh.LEXICON, **platforms.CHINESE}
        self.han_phrases = frozenset(self.chinese)
        self.longest_han = max(map(len, self.han_phrases))
        self.longest_english = max(key.count(" ") + 1 for key in self.english)
        vocabulary: dict[str, Hashable] = {
            key: entry for key, entry in self.english.items() if " " not in key and asks(entry)
        }
        vocabulary.update({unit: ("unit", seconds) for unit, seconds in UNIT_SECONDS.items()})
        vocabulary["story"] = platforms.STORY
        self.corrector = Corrector(vocabulary)

    # -- passes --------------------------------------------------------------------------------

    def read(self, prompt: str) -> Reading:
        state = _Pass(prompt)
        claimed: list[tuple[int, int]] = []
        files = music_files(prompt)
        title = find_title(_blanked(prompt, files), cta_span(prompt), self._trim_title)
        if title is not None:
            state.findings.append(
                Finding("title", title.text, Strength.FIRM, title.start, title.end, title.text)
            )
            claimed.append((title.start, title.end))
        claimed.extend(word_spans(prompt))
        named = name_span(prompt)
        for music in files:
            state.find("music_file", music.name, Strength.FIRM, music.start, music.end)
            claimed.append((music.start, music.end))
        for span in chinese_durations(prompt):
            state.find("duration", span.seconds, Strength.PLAIN, span.start, span.end)
            claimed.append((span.start, span.end))
        state.tokens = [self._corrected(token) for token in tokenize(prompt, *self._han())]
        state.used = [
            any(start < token.end and token.start < end for start, end in claimed)
            for token in state.tokens
        ]
        self._lengths(state)
        for measure in measures(state.tokens, state.used):
            self._measure(state, measure)
        matches = adjacent(state.tokens, calm_beside(state.tokens, self._matches(state)))
        matches = none_after_colon(state.tokens, matches)
        self._apply(state, matches, claimed)
        if named is not None:
            state.claim_between(*named)
        return Reading(tuple(state.findings), self._not_understood(state), tuple(state.unsupported))

    def _han(self) -> tuple[frozenset[str], int]:
        return self.han_phrases, self.longest_han

    def _corrected(self, token: Token) -> Token:
        if token.kind != Kind.WORD or token.text in self.english:
            return token
        corrected = self.corrector.correct(
            token.text, acronym=len(token.raw) > 1 and token.raw.isupper()
        )
        return token.with_text(corrected) if corrected else token

    def _lengths(self, state: _Pass) -> None:
        free = [
            replace(t, kind=Kind.BREAK, text="") if used else t
            for t, used in zip(state.tokens, state.used, strict=True)
        ]
        for duration in english_durations(free):
            start, end = state.span(duration.first, duration.last)
            state.claim(duration.first, duration.last)
            if duration.kind == "length":
                state.find("duration", duration.seconds, Strength.PLAIN, start, end)
            elif duration.kind == "decade":
                state.unsupported.append(f"{prompt_words(state, start, end)} (a decade)")
            else:
                state.unsupported.append(
                    f"{prompt_words(state, start, end)} (shot lengths follow the pace)"
                )

    @staticmethod
    def _measure(state: _Pass, measure: Measure) -> None:
        start, end = state.span(measure.first, measure.last)
        state.claim(measure.first, measure.last)
        if measure.field is None:
            state.unsupported.append(f"{prompt_words(state, start, end)} ({measure.why})")
        else:
            state.find(measure.field, measure.value, Strength.FIRM, start, end)

    # -- phrases -------------------------------------------------------------------------------

    def _matches(self, state: _Pass) -> list[Match]:
        matches = []
        index = 0
        tokens = state.tokens
        while index < len(tokens):
            if state.used[index] or tokens[index].kind not in (Kind.WORD, Kind.HAN):
                index += 1
                continue
            found = (
                self._labelled_transition(state, index)
                or self._longest(state, index)
                or self._story(tokens, index)
            )
            if found is None:
                index += 1
                continue
            matches.append(found)
            state.claim(found.first, found.last)
            index = found.last
        return matches

    def _words(self, state: _Pass, index: int) -> list[str]:
        """The words from ``index`` on that no pass took, as many as a phrase may have."""
        words: list[str] = []
        for token, used in zip(state.tokens[index:], state.used[index:], strict=True):
            if used or token.kind != Kind.WORD or len(words) == self.longest_english:
                break
            words.append(token.text)
        return words

    def _labelled_transition(self, state: _Pass, index: int) -> Match | None:
        """ "transitions: zoom", "transition - cut": a style after the transitions' label is
        that style's transitions ("zoom transitions"), not the camera's zoom."""
        before = [token.text for token in state.tokens[max(0, index - 2) : index]]
        if len(before) < 2 or before[0] not in TRANSITION_LABELS or before[1] not in (":", "-"):
            return None
        words = self._words(state, index)
        for size in range(len(words), 0, -1):
            for phrase in ([*words[:size], "transitions"], words[:size]):
                entry = self._phrase(phrase)
                if entry and any(sense.field == "transition" for sense in entry.senses):
                    return Match(entry, index, index + size)
        return None

    def _longest(self, state: _Pass, index: int) -> Match | None:
        tokens = state.tokens
        if tokens[index].kind == Kind.HAN:
            entry = self.chinese.get(tokens[index].text)
            return Match(entry, index, index + 1) if entry else None
        words = self._words(state, index)
        joined = 1
        while joined < len(words) and tokens[index + joined].joined:
            joined += 1
        if joined > 1 and (entry := self.english.get("".join(words[:joined]))):
            return Match(entry, index, index + joined)
        for size in range(len(words), 0, -1):
            if entry := self._phrase(words[:size]):
                return Match(entry, index, index + size)
        return None

    def _phrase(self, words: list[str]) -> Entry | None:
        """The entry of ``words``, or of their singular when several words end in a plural
        ("slow zoom outs", "gentle push ins"): a lone word keeps its own meaning ("portraits"
        of the family are not a portrait canvas)."""
        phrase = " ".join(words)
        found = self.english.get(phrase)
        if found is None and len(words) > 1 and phrase.endswith("s"):
            found = self.english.get(phrase[:-1])
        return found

    @staticmethod
    def _story(tokens: Sequence[Token], index: int) -> Match | None:
        """ "story" is Stories when whose is said: "for my story", "story for IG"."""
        if tokens[index].text != "story":
            return None
        before = [t.text for t in tokens[max(0, index - 2) : index]]
        owned = bool(before) and (
            before[-1] in ("for", "in", "on")
            or (len(before) == 2 and before[0] in ("for", "in", "on") and before[1] in STORY_OWNERS)
        )
        after = [t.text for t in tokens[index + 1 : index + 3]]
        social = len(after) == 2 and after[0] == "for" and after[1] in platforms.ENGLISH
        return Match(platforms.STORY, index, index + 1) if owned or social else None

    def _apply(self, state: _Pass, matches: list[Match], claimed: list[tuple[int, int]]) -> None:
        """The senses of ``matches``, with negations and their scopes (a negated phrase's
        words start at its negation: "no music")."""
        scope: int | None = None
        """Where the open negation was written; None: no negation is open."""
        used = False
        previous_end = 0
        for match in matches:
            start, end = state.span(match.first, match.last)
            if _breaks(state, previous_end, start, claimed):
                scope = None
            previous_end = end
            fields = {sense.field for sense in match.entry.senses}
            if "negator" in fields or "boundary" in fields:
                scope, used = (start if "negator" in fields else None), False
                continue
            entry = match.entry
            negated = (
                scope is not None
                and (not used or entry.noun)
                and not (entry.is_filler and not entry.negated)
            )
            senses = entry.senses
            if negated and entry.negated is not None:
                used, senses, start = True, entry.negated, scope or 0
            elif scope is not None and not entry.is_filler:
                scope = None
            for sense in senses:
                if sense.field != "filler":
                    state.find(sense.field, sense.value, sense.strength, start, end)

    # -- what is left ----------------------------------------------------------------------------

    def _not_understood(self, state: _Pass) -> tuple[str, ...]:
        """The words no pass took, run by run; a one-character Chinese filler that touches such
        a run is part of it (成 of 成长), unless it is a particle (的)."""
        unknown = [
            not used and token.kind in (Kind.WORD, Kind.HAN)
            for token, used in zip(state.tokens, state.used, strict=True)
        ]
        for index, token in enumerate(state.tokens):
            if self._word_part(token) and (
                (index > 0 and unknown[index - 1] and state.tokens[index - 1].kind == Kind.HAN)
                or (
                    index + 1 < len(unknown)
                    and unknown[index + 1]
                    and state.tokens[index + 1].kind == Kind.HAN
                )
            ):
                unknown[index] = True
        words: list[str] = []
        run: list[Token] = []
        for token, asks_nothing in [*zip(state.tokens, unknown, strict=True), (None, False)]:
            if token is not None and asks_nothing:
                run.append(token)
                continue
            if run:
                text = state.prompt[run[0].start : run[-1].end]
                if text not in words:
                    words.append(text)
                run = []
        return tuple(words)

    def _word_part(self, token: Token) -> bool:
        entry = self.chinese.get(token.text)
        return (
            token.kind == Kind.HAN
            and len(token.text) == 1
            and token.text not in lexicon_zh.PARTICLES
            and entry is not None
            and entry.is_filler
            and not entry.negated
        )

    def _trim_title(self, text: str) -> str:
        tokens = tokenize(text, *self._han())
        for index, token in enumerate(tokens[:-1]):
            if (
                token.text in PREPOSITIONS
                and (self._is_format(tokens, index + 1) or _is_place(tokens, index + 1))
            ) or (token.text in DASHES and self._asks_something(tokens[index + 1 :])):
                return text[: token.start].rstrip(" ,-–—")
            if token.kind == Kind.NUMBER and _measured(tokens, index):
                return text[: token.start].rstrip(" ,-–—") or text
        return text

    def _asks_something(self, tokens: Sequence[Token]) -> bool:
        """Whether the words up to the next dash ask for something: "title: Summer Sale - 15
        seconds" ends at its dash, "title: Mis XV Años - Sofía" does not."""
        words = list(tokens)
        for index, token in enumerate(tokens):
            if token.text in DASHES:
                words = words[:index]
                break
        state = _Pass("", words, [False] * len(words))
        return any(
            token.kind == Kind.RATIO
            or token.text in UNIT_SECONDS
            or ((match := self._longest(state, index)) is not None and asks(match.entry))
            for index, token in enumerate(words)
        )

    def _is_format(self, tokens: Sequence[Token], index: int) -> bool:
        if tokens[index].kind == Kind.RATIO:
            return True
        state = _Pass("", list(tokens), [False] * len(tokens))
        match = self._longest(state, index)
        return match is not None and any(s.field in FORMAT_FIELDS for s in match.entry.senses)


def _measured(tokens: Sequence[Token], index: int) -> bool:
    """ "20s", "30 fps", "4k" at ``index``: a number with a unit ends a bare title ("called
    Summer Vibes 20s"); "Top 10 Tips" keeps its number."""
    unit = tokens[index + 1].text if index + 1 < len(tokens) else ""
    return unit in UNIT_SECONDS or unit in MEASURE_UNITS


def _is_place(tokens: Sequence[Token], index: int) -> bool:
    """ "the beginning", "the end of the video": where a title goes, not part of it."""
    if tokens[index].text == "the":
        index += 1
    return index < len(tokens) and tokens[index].text in PLACES


def _breaks(state: _Pass, start: int, end: int, claimed: list[tuple[int, int]]) -> bool:
    """Whether a clause ends between ``start`` and ``end``: punctuation, or a claimed phrase."""
    between = [t for t in state.tokens if start <= t.start and t.end <= end]
    return any(t.kind == Kind.BREAK for t in between) or any(
        start <= first and last <= end for first, last in claimed
    )


def prompt_words(state: _Pass, start: int, end: int) -> str:
    return state.prompt[start:end].strip()


@lru_cache(maxsize=1)
def reader() -> Reader:
    return Reader()


def _blanked(prompt: str, files: Sequence[MusicFile]) -> str:
    """``prompt`` with the music files it names blanked out: "'Summer Mix.wav'" is no title."""
    for music in files:
        width = music.end - music.start
        prompt = prompt[: music.start] + " " * width + prompt[music.end :]
    return prompt


@lru_cache(maxsize=256)
def read_prompt(prompt: str) -> Reading:
    """What ``prompt`` asks for, phrase by phrase (a job's stages read its prompt again)."""
    return reader().read(prompt)

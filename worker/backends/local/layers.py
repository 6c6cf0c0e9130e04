"""Plan to text layers: which words go on screen, where and when.

A product video shows its name with its price (the old one struck, a discount badge) over the
photos, then closes on an end card with the call to action, name and price. Every text stays
at least its reading time (``READ_MS_PER_WORD`` a word plus ``READ_MS_BASE``) when the video is
long enough. A template's own layers replace these, with their merge fields filled in; a layer
whose field is empty is left out (no sale price: no struck price).

Each layer is one segment of the text track; its ``m`` holds ``start``, ``text``, ``role``,
``position`` and ``style`` (``aspect``, ``fade_ms``, ``preset``, ``brand``), and a logo its
``image`` (a file path).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from worker.backends.local.plan import Plan
from worker.job.draft import Segment, Track, TrackType
from worker.job.styles import LayerSpec, LogoPlacement, Position, Role

READ_MS_PER_WORD = 300
READ_MS_BASE = 1000
LEAD_IN_MS = 250
BAR_WAIT_MS = 2000
"""How far a title or end card may move to start on a bar line."""
FADE_MS = 300
END_CARD_MIN_MS = 2000
END_CARD_MAX_SHARE = 0.4
TITLE_MAX_MS = 3500
CJK_CHARS_PER_WORD = 2

DEFAULT_POSITION = {
    Role.TITLE: Position.LOWER,
    Role.NAME: Position.LOWER,
    Role.PRICE: Position.LOWER,
    Role.OLD_PRICE: Position.LOWER,
    Role.BADGE: Position.BADGE,
    Role.CAPTION: Position.TOP,
    Role.CTA: Position.END,
    Role.END_CARD: Position.END,
    Role.LOGO: Position.CORNER,
}


def reading_ms(text: str) -> int:
    """About 0.3 s a word plus 1 s; CJK text counts two characters a word."""
    cjk = len(re.findall(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", text))
    words = len(re.findall(r"[^\s\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+", text))
    return READ_MS_BASE + READ_MS_PER_WORD * (words + -(-cjk // CJK_CHARS_PER_WORD))


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def _spans(
    plan: Plan, duration_ms: int, bar_lines: Sequence[int] | None = None
) -> tuple[Span, Span | None]:
    """(the body's span, the end card's span or None). With the music's ``bar_lines`` (cuts on
    the beat), the title and the end card start on one: the first within ``BAR_WAIT_MS``, and
    the last one before the card's reading time that is at most ``BAR_WAIT_MS`` earlier."""
    lines = list(bar_lines or [])
    words = plan.words
    wants_card = words.cta is not None or words.logo_placement == LogoPlacement.END
    if plan.layers is not None:
        wants_card = any(layer.role in (Role.CTA, Role.END_CARD) for layer in plan.layers)
    lead_in = next((line for line in lines if 0 <= line <= BAR_WAIT_MS), LEAD_IN_MS)
    if not wants_card:
        return Span(lead_in, duration_ms), None
    card_text = " ".join(w.text for w in (words.cta, words.name, words.price) if w is not None)
    length = max(END_CARD_MIN_MS, reading_ms(card_text))
    length = min(length, round(duration_ms * END_CARD_MAX_SHARE))
    start = duration_ms - length
    start = max((line for line in lines if start - BAR_WAIT_MS <= line <= start), default=start)
    return Span(min(lead_in, start), start), Span(start, duration_ms)


def _segment(plan: Plan, role: Role, text: str, span: Span, **extra: Any) -> Segment:
    position = extra.pop("position", None) or DEFAULT_POSITION[role]
    style = {
        "aspect": str(plan.aspect),
        "fade_ms": FADE_MS,
        "preset": str(plan.style),
        "brand": plan.brand.model_dump(exclude_none=True) if plan.brand else None,
    }
    meta = {"start": span.start, "text": text, "role": str(role), "position": str(position)}
    return Segment(d=max(0, span.end - span.start), m={**meta, "style": style, **extra})


def _word_layers(plan: Plan, body: Span, card: Span | None, shots: Sequence[Span]) -> list[Segment]:
    words = plan.words
    layers: list[Segment] = []
    title_span = body
    if words.title is not None:
        shown = max(reading_ms(words.title.text), min(TITLE_MAX_MS, round(body.end * 0.45)))
        title_span = Span(body.start, min(body.end, body.start + shown))
        position = Position.TOP if words.is_product else Position.LOWER
        layers.append(_segment(plan, Role.TITLE, words.title.text, title_span, position=position))
    for role, word in ((Role.NAME, words.name), (Role.OLD_PRICE, words.old_price)):
        if word is not None:
            layers.append(_segment(plan, role, word.text, body))
    if words.price is not None:
        layers.append(_segment(plan, Role.PRICE, words.price.text, body))
    if words.discount is not None and (words.price is not None or words.name is not None):
        layers.append(_segment(plan, Role.BADGE, words.discount.text, body))
    for index, shot in enumerate(shots):
        if not words.captions:
            break
        caption = words.captions[index % len(words.captions)]
        start = max(shot.start, title_span.end if words.title else shot.start)
        span = Span(start, min(shot.end, body.end))
        if span.end - span.start >= READ_MS_BASE:
            layers.append(_segment(plan, Role.CAPTION, caption.text, span))
    if card is not None:
        card_name = words.name or words.title
        layers.append(_segment(plan, Role.END_CARD, card_name.text if card_name else "", card))
        if words.price is not None:
            layers.append(_segment(plan, Role.PRICE, words.price.text, card, position=Position.END))
        if words.cta is not None:
            layers.append(_segment(plan, Role.CTA, words.cta.text, card))
    if words.logo is not None:
        placement = words.logo_placement or LogoPlacement.CORNER
        duration = card.end if card else body.end
        span = {
            LogoPlacement.CORNER: Span(0, duration),
            LogoPlacement.START: Span(0, min(duration, max(body.start, 0) + 2000)),
            LogoPlacement.END: card or Span(max(0, duration - END_CARD_MIN_MS), duration),
        }[placement]
        position = Position.CORNER if placement == LogoPlacement.CORNER else Position.MIDDLE
        if placement == LogoPlacement.END:
            position = Position.END
        layers.append(_segment(plan, Role.LOGO, "", span, position=position, image=words.logo.text))
    return layers


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _template_layers(
    plan: Plan, layers: Sequence[LayerSpec], body: Span, card: Span | None, duration_ms: int
) -> list[Segment]:
    merge = {**{k: str(v) for k, v in plan.fields.items()}, **plan.words.merge_fields()}
    segments = []
    for layer in layers:
        if any(not str(merge.get(name, "")).strip() for name in layer.fields()):
            continue
        text = layer.text.format_map(_Blank(merge))
        in_card = layer.role in (Role.CTA, Role.END_CARD) or layer.position == Position.END
        default = card if in_card and card else body
        start = _at(layer.start, duration_ms, default.start)
        end = _at(layer.end, duration_ms, default.end)
        if end <= start or (not text.strip() and layer.role not in (Role.END_CARD, Role.LOGO)):
            continue
        extra: dict[str, Any] = {"position": layer.position}
        if layer.role == Role.LOGO:
            if plan.words.logo is None:
                continue
            extra["image"] = plan.words.logo.text
        segments.append(_segment(plan, layer.role, text, Span(start, end), **extra))
    return segments


def _at(seconds: float | None, duration_ms: int, default: int) -> int:
    if seconds is None:
        return default
    ms = round(seconds * 1000)
    return min(max(duration_ms + ms if ms < 0 else ms, 0), duration_ms)


def text_track(
    plan: Plan, duration_ms: int, shots: Sequence[Span], bar_lines: Sequence[int] | None = None
) -> Track | None:
    """The text layers of ``plan`` for a video of ``duration_ms`` whose shots span ``shots``;
    ``bar_lines`` (ms): the music's, when the cuts are on its beat."""
    body, card = _spans(plan, duration_ms, bar_lines)
    if plan.layers is not None:
        segments = _template_layers(plan, plan.layers, body, card, duration_ms)
    else:
        segments = _word_layers(plan, body, card, shots)
    return Track(tt=TrackType.TEXT, sg=segments) if segments else None

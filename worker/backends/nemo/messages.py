"""What photoreel says to the NemoVideo agent, and reads from what it says: the one generation
message (the prompt, the job's options and the plan as understood, the on-screen words and
brand), the one answer to a question, and the agent's words in a bounded line."""

from __future__ import annotations

from pathlib import Path

from worker.backends.base import StageContext
from worker.backends.nemo.asked import plan_sentences
from worker.backends.nemo.music import MUSIC_KEY, music_wish, named_music
from worker.backends.nemo.photo_wish import photo_wish
from worker.job.draft import Draft, TrackType
from worker.job.spec import JobOptions
from worker.understanding.fields import understand
from worker.understanding.promo import PromoWords, read_words

MAX_WORDS_SHOWN = 500


def option_details(ctx: StageContext) -> list[str]:
    """The job's options and what its prompt was understood to ask (``worker.prompt``), as
    sentences for the agent."""
    spec, options = ctx.spec, ctx.spec.options
    details = [photo_wish(spec, ctx.settings).sentence]
    asked = understand(spec.prompt, options, ctx.settings)
    details += plan_sentences(asked)
    uploads = ctx.checkpoint.get("uploads") or {}
    uploaded_music = (uploads.get("files") or {}).get(MUSIC_KEY) or {}
    if wish := music_wish(named_music(options, asked), uploaded_music.get("name")):
        details.append(wish)
    return details


def generation_message(ctx: StageContext) -> str:
    spec, options = ctx.spec, ctx.spec.options
    lines = [
        spec.prompt.strip() or "Turn these photos into a short video.",
        " ".join(option_details(ctx)),
    ]
    promo = promo_wishes(read_words(spec.prompt, options, spec.source.fields), options)
    if promo:
        lines.append(" ".join(promo))
    return "\n\n".join(lines)


def answer_message(ctx: StageContext) -> str:
    """The one answer to an agent's question: the job's own options, and a request to start."""
    return (
        "Please decide the rest yourself and generate the video now, without further questions. "
        + " ".join(option_details(ctx))
    )


def asked_something(said: list[str]) -> bool:
    return any("?" in text for text in said)


def in_words(said: list[str]) -> str:
    """What the agent said, as one quoted line of bounded length."""
    joined = " ".join(said)
    shown = joined if len(joined) <= MAX_WORDS_SHOWN else joined[: MAX_WORDS_SHOWN - 1] + "…"
    return f'"{shown}"' if shown else "nothing"


def promo_wishes(words: PromoWords, options: JobOptions) -> list[str]:
    """The on-screen texts, end card and brand as sentences for the one generation message."""
    wishes = []
    if words.name:
        wishes.append(f'Show the product name "{words.name.text}" on screen.')
    if words.price and words.old_price:
        wishes.append(
            f'Show the price "{words.price.text}" next to the old price'
            f' "{words.old_price.text}" struck through.'
        )
    elif words.price:
        wishes.append(f'Show the price "{words.price.text}".')
    if words.discount:
        wishes.append(f'Add a discount badge "{words.discount.text}".')
    if words.captions:
        captions = "; ".join(f'"{word.text}"' for word in words.captions)
        wishes.append(f"Captions, one per photo in order: {captions}.")
    if words.cta:
        known = [word.text for word in (words.name, words.price) if word]
        also = f" with {' and '.join(known)}" if known else ""
        wishes.append(f'End on an end card{also} and the call to action "{words.cta.text}".')
    if options.template:
        wishes.append(f"Text style: {options.template.style}.")
    brand = options.brand
    if brand:
        colours = [
            f"{key} {value}"
            for key in ("primary", "text", "accent")
            if (value := getattr(brand, key))
        ]
        if colours:
            wishes.append(f"Brand colours: {', '.join(colours)}.")
        if brand.font:
            wishes.append(f"Brand font: {Path(brand.font).stem}.")
    return wishes


def title_track_texts(draft: Draft) -> list[str]:
    """What the returned draft shows on its text tracks."""
    return [
        str(segment.m.get("text", ""))
        for track in draft.tracks_of(TrackType.TEXT)
        for segment in track.sg
    ]

"""``photoreel catalog``'s feed flags (``--format``, ``--map``, ``--locale``, ``--currency``)
checked and turned into ``FeedOptions``."""

from __future__ import annotations

from producer.feeds.model import FeedFormat, FeedOptions
from producer.feeds.prices import PriceError, check_currency, check_locale


class FeedOptionError(ValueError):
    """A bad flag, named with what it accepts."""


def parse_mapping(text: str | None) -> dict[str, str]:
    """``title=Name,price=Cost`` → ``{"title": "Name", "price": "Cost"}``."""
    pairs: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        target, equals, source = part.partition("=")
        if not equals or not target.strip() or not source.strip():
            shown = part.strip()
            raise FeedOptionError(f"--map {shown!r}: write attribute=Column, e.g. title=Name")
        pairs[target.strip()] = source.strip()
    return pairs


def feed_options(
    feed_format: FeedFormat | None, mapping: str | None, locale: str | None, currency: str | None
) -> FeedOptions:
    try:
        checked_locale = check_locale(locale) if locale else None
    except PriceError as problem:
        raise FeedOptionError(f"--locale: {problem}") from None
    try:
        checked_currency = check_currency(currency) if currency else None
    except PriceError as problem:
        raise FeedOptionError(f"--currency: {problem}") from None
    return FeedOptions(feed_format, parse_mapping(mapping), checked_locale, checked_currency)

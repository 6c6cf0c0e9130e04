from __future__ import annotations

import pytest

from producer.feeds.flags import FeedOptionError, feed_options, parse_mapping
from producer.feeds.model import FeedFormat


def test_map_pairs_attributes_with_columns() -> None:
    assert parse_mapping("title=Product Name, price=Cost,") == {
        "title": "Product Name",
        "price": "Cost",
    }
    with pytest.raises(FeedOptionError, match=r"--map 'title': write attribute=Column"):
        parse_mapping("title")


def test_locale_and_currency_are_checked() -> None:
    options = feed_options(FeedFormat.SHOPIFY, "id=SKU", "fr-FR", "eur")
    assert (options.format, options.mapping, options.locale, options.currency) == (
        FeedFormat.SHOPIFY, {"id": "SKU"}, "fr_FR", "EUR"
    )  # fmt: skip
    with pytest.raises(FeedOptionError, match="--locale: unknown locale"):
        feed_options(None, None, "klingon", None)
    with pytest.raises(FeedOptionError, match="--currency: unknown currency 'EURO'"):
        feed_options(None, None, None, "EURO")

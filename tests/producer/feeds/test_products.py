from __future__ import annotations

from datetime import UTC, datetime

from producer.feeds.model import FeedOptions, ProductRows, Variant
from producer.feeds.products import build_product, group_title, sale_applies

NOW = datetime(2025, 6, 15, tzinfo=UTC)


def variant(title: str, **more: str) -> Variant:
    return Variant(2, {"title": title, **more})


def test_a_group_is_named_by_what_its_variants_share() -> None:
    tees = [variant("Tee - Red - M", color="Red", size="M"), variant("Tee - Red - L", size="L")]
    assert group_title(tees) == "Tee"
    assert group_title([variant("Tee - Red - M")]) == "Tee - Red - M"
    assert group_title([variant("Lamp A"), variant("Vase B")]) == "Lamp A"


def test_a_sale_counts_only_inside_its_window() -> None:
    assert sale_applies("2025-06-01T00:00-0800/2025-06-30T23:59-0800", NOW)
    assert not sale_applies("2025-01-01T00:00Z/2025-01-31T00:00Z", NOW)
    assert sale_applies("2025-06-01/", NOW) and not sale_applies("/2025-06-01", NOW)
    assert sale_applies("not a date/either", NOW)


def test_a_sale_not_below_the_price_strikes_nothing() -> None:
    rows = ProductRows("x", "row 2", [variant("X", price="10 USD", sale_price="12 USD")], ["a"])
    product = build_product(rows, FeedOptions(), [], NOW)
    assert product is not None
    assert product.fields["price"] == "$10.00" and "old_price" not in product.fields


def test_a_price_that_is_no_price_is_a_problem_with_its_row() -> None:
    problems: list[str] = []
    rows = ProductRows("x", "row 4", [variant("X", price="ask us")], ["a"])
    assert build_product(rows, FeedOptions(), problems, NOW) is None
    assert problems == ["row 4 (x): price: 'ask us' is not a price"]


def test_a_currency_column_is_the_currency_of_bare_prices() -> None:
    """TikTok's layout: ``price`` ``64.00``, ``currency`` ``eur`` (any case)."""
    rows = ProductRows(
        "x", "row 2", [variant("X", price="64.00", sale_price="48.00", currency="eur")], ["a"]
    )
    product = build_product(rows, FeedOptions(currency="USD"), [], NOW)
    assert product is not None
    assert (product.fields["price"], product.fields["old_price"]) == ("48,00\xa0€", "64,00\xa0€")


def test_a_currency_column_that_names_no_currency_is_a_problem_with_its_row() -> None:
    problems: list[str] = []
    rows = ProductRows("x", "row 3", [variant("X", price="64.00", currency="Euro")], ["a"])
    assert build_product(rows, FeedOptions(), problems, NOW) is None
    assert problems == [
        "row 3 (x): currency: unknown currency 'Euro' (an ISO 4217 code: USD, EUR, GBP …)"
    ]

from __future__ import annotations

from decimal import Decimal

import pytest

from producer.feeds.prices import (
    Money,
    PriceError,
    check_currency,
    check_locale,
    parse_money,
    show_money,
)


@pytest.mark.parametrize(
    ("written", "amount", "currency"),
    [
        ("39.00 USD", "39.00", "USD"),
        ("USD 39", "39", "USD"),
        ("1.299,00 EUR", "1299.00", "EUR"),
        ("$12.50", "12.50", "USD"),
        ("29.99", "29.99", None),
    ],
)
def test_prices_as_feeds_write_them(written: str, amount: str, currency: str | None) -> None:
    money = parse_money(written)
    assert (money.amount, money.currency) == (Decimal(amount), currency)


def test_money_as_the_locale_writes_it() -> None:
    euros = parse_money("39.00 EUR")
    assert show_money(euros, "de_DE") == "39,00\xa0€"
    assert show_money(euros, "en_IE") == "€39.00"
    assert show_money(euros, None) == "39,00\xa0€"  # the euro's usual locale
    assert show_money(parse_money("39.00 USD"), None) == "$39.00"
    assert show_money(Money(Decimal("1299.5"), None), "de_DE") == "1.299,50"
    assert show_money(parse_money("¥3000"), None) == "¥3000"  # yen or yuan: as written


def test_unknown_words_are_refused() -> None:
    assert parse_money("12 GBP", "EUR").currency == "GBP"
    assert parse_money("12", "EUR").currency == "EUR"
    with pytest.raises(PriceError, match="not a price"):
        parse_money("call us")
    with pytest.raises(PriceError, match="unknown currency 'XYZ'"):
        check_currency("XYZ")
    with pytest.raises(PriceError, match="unknown locale"):
        check_locale("xx_QQ")
    assert check_locale("de-DE") == "de_DE"

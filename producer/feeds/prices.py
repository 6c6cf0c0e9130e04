"""Prices as feeds write them (``39.00 USD``, ``USD 39``, ``1.299,00 EUR``, ``29.99``,
``$12``) read with price-parser, and shown in their currency the way a locale writes money,
with Babel (``39.00 EUR`` → ``39,00 €`` in de_DE, ``€39.00`` in en_IE).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, format_decimal, get_currency_name
from price_parser import Price

SYMBOL_CURRENCIES = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW"}
"""Symbols that price-parser returns instead of a code, where one currency is meant."""
USUAL_LOCALES = {
    "USD": "en_US", "EUR": "de_DE", "GBP": "en_GB", "JPY": "ja_JP", "CNY": "zh_CN",
    "CAD": "en_CA", "AUD": "en_AU", "NZD": "en_NZ", "CHF": "de_CH", "SEK": "sv_SE",
    "NOK": "nb_NO", "DKK": "da_DK", "PLN": "pl_PL", "CZK": "cs_CZ", "HUF": "hu_HU",
    "INR": "en_IN", "BRL": "pt_BR", "MXN": "es_MX", "KRW": "ko_KR", "HKD": "zh_HK",
    "SGD": "en_SG", "TRY": "tr_TR", "ZAR": "en_ZA", "AED": "ar_AE", "ILS": "he_IL",
}  # fmt: skip
"""The locale a currency's prices are written in when ``--locale`` says none: where it is
the national currency (the euro: German)."""
DEFAULT_LOCALE = "en_US"


class PriceError(ValueError):
    """A price that is not a number, or a currency or locale nobody knows."""


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str | None
    """ISO 4217 code; None when the feed wrote a bare number or an ambiguous symbol."""
    written: str = ""
    """The price as the feed wrote it: shown as it is when its currency is unknown but it
    carries a symbol (``¥3000``: yen or yuan)."""


def check_locale(name: str) -> str:
    """``de_DE`` or ``de-DE`` as Babel knows it; a PriceError for an unknown locale."""
    try:
        return str(Locale.parse(name.replace("-", "_")))
    except (UnknownLocaleError, ValueError):
        raise PriceError(f"unknown locale {name!r} (e.g. en_US, de_DE, fr_FR)") from None


def check_currency(code: str) -> str:
    """An ISO 4217 code Babel knows, upper-cased; a PriceError otherwise."""
    upper = code.strip().upper()
    if len(upper) != 3 or get_currency_name(upper, locale="en") == upper:
        raise PriceError(f"unknown currency {code!r} (an ISO 4217 code: USD, EUR, GBP …)")
    return upper


def parse_money(text: str, currency: str | None = None) -> Money:
    """The amount and currency of a price as written; ``currency`` is used when the text
    names none. A PriceError when it holds no number or names an unknown currency."""
    parsed = Price.fromstring(text)
    if parsed.amount is None:
        raise PriceError(f"{text!r} is not a price")
    found = parsed.currency
    if found is not None:
        found = SYMBOL_CURRENCIES.get(found, found)
        found = check_currency(found) if found.isalpha() else None
    return Money(parsed.amount, found or currency, text.strip())


def show_money(money: Money, locale: str | None) -> str:
    """The price as the locale writes it, in its currency (``39,00 €``); a bare number in
    the locale's digits when the currency is unknown (as written, if it has a symbol)."""
    if money.currency is None:
        if any(not (char.isdigit() or char in " .,") for char in money.written):
            return money.written
        return format_decimal(money.amount, format="#,##0.00", locale=locale or DEFAULT_LOCALE)
    where = locale or USUAL_LOCALES.get(money.currency, DEFAULT_LOCALE)
    return format_currency(money.amount, money.currency, locale=where)

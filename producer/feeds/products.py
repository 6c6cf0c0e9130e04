"""A product's rows → the words its video shows: name, price, struck old price, brand.

The variant that speaks for a product is its first one in stock (else its first). Its
``sale_price``, while ``sale_price_effective_date`` holds and when below ``price``, is the
price and ``price`` the struck old one. Prices are shown in their currency as the locale
writes money (``prices``); the feed's own price columns are left out of the merge fields, so
that only the shown prices reach the screen.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from producer.feeds.model import FeedOptions, FeedProduct, ProductRows, Variant
from producer.feeds.prices import Money, PriceError, check_currency, parse_money, show_money

RAW_PRICE_COLUMNS = {"price", "sale_price", "regular_price", "was_price", "list_price", "sale"}
"""Columns the promo would read as prices (``worker.understanding.promo``): replaced by the
shown ones."""
OUT_OF_STOCK = "out of stock"


def speaking_variant(variants: list[Variant]) -> Variant:
    return next((variant for variant in variants if variant.available), variants[0])


VARIANT_ATTRIBUTES = ("color", "size", "material", "pattern", "age_group", "gender")
SEPARATORS = set("-–—/|,:;()")


def group_title(variants: list[Variant]) -> str:
    """The name of a product whose variants' titles name their colour or size ("Trail
    Runner - Slate - 42", "… - 43" → "Trail Runner"): the words they share, less trailing
    separators and variant values. One variant keeps its title."""
    titles = [v.attributes.get("title", "").split() for v in variants if v.attributes.get("title")]
    if len(titles) < 2:
        return " ".join(titles[0]) if titles else ""
    shared: list[str] = []
    for words in zip(*titles, strict=False):
        if len(set(words)) > 1:
            break
        shared.append(words[0])
    values = {
        v.attributes.get(name, "").lower() for v in variants for name in VARIANT_ATTRIBUTES
    } - {""}
    while shared and (set(shared[-1]) <= SEPARATORS or shared[-1].lower() in values):
        shared.pop()
    return " ".join(shared) or " ".join(titles[0])


def sale_applies(window: str, now: datetime) -> bool:
    """Whether ``now`` is inside a ``sale_price_effective_date`` (``start/end`` in ISO 8601;
    either side may be empty). A window that cannot be read does not cancel the sale."""
    if "/" not in window:
        return True
    start, _slash, end = window.partition("/")
    try:
        bounds = [_moment(part) if part.strip() else None for part in (start, end)]
    except ValueError:
        return True
    begins, ends = bounds
    return (begins is None or begins <= now) and (ends is None or now <= ends)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def build_product(
    rows: ProductRows,
    options: FeedOptions,
    problems: list[str],
    now: datetime | None = None,
) -> FeedProduct | None:
    """The product's merge fields and photos; None (with a problem) when it has no title or
    a price that is not one."""
    variant = speaking_variant(rows.variants)
    attributes = {**rows.base, **{k: v for k, v in variant.attributes.items() if v}}
    where = f"{rows.where} ({rows.id})"
    title = rows.base.get("title") or group_title(rows.variants)
    if not title:
        problems.append(f"{where}: title: empty")
        return None
    try:
        price, old_price = shown_prices(attributes, options, now or datetime.now(UTC))
    except PriceError as error:
        problems.append(f"{where}: {error}")
        return None
    fields: dict[str, Any] = {
        name: value for name, value in attributes.items() if name not in RAW_PRICE_COLUMNS
    }
    fields.update(id=rows.id, title=title, name=title)
    if price:
        fields["price"] = price
    if old_price:
        fields["old_price"] = old_price
    available, reason = True, ""
    if rows.hidden:
        available, reason = False, rows.hidden
    elif not any(candidate.available for candidate in rows.variants):
        available, reason = False, OUT_OF_STOCK
    return FeedProduct(
        id=rows.id,
        where=rows.where,
        fields=fields,
        photos=rows.photos,
        rows=rows.rows,
        available=available,
        unavailable_reason=reason,
    )


def shown_prices(
    attributes: dict[str, str], options: FeedOptions, now: datetime
) -> tuple[str | None, str | None]:
    """(price, struck old price) as shown; an old price only when a sale is on and lower.
    A ``currency`` column (TikTok's layout: ``price`` a bare number) is the prices' currency."""
    currency = options.currency
    if attributes.get("currency", "").strip():
        try:
            currency = check_currency(attributes["currency"])
        except PriceError as error:
            raise PriceError(f"currency: {error}") from None
    price = _money(attributes, "price", currency)
    sale = _money(attributes, "sale_price", currency)
    window = attributes.get("sale_price_effective_date", "")
    if sale is not None and not sale_applies(window, now):
        sale = None
    if sale is not None and (price is None or sale.amount < price.amount):
        old = show_money(price, options.locale) if price is not None else None
        return show_money(sale, options.locale), old
    return (show_money(price, options.locale) if price is not None else None), None


def _money(attributes: dict[str, str], name: str, currency: str | None) -> Money | None:
    text = attributes.get(name, "").strip()
    if not text:
        return None
    try:
        return parse_money(text, currency)
    except PriceError as error:
        raise PriceError(f"{name}: {error}") from None

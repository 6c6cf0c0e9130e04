"""One entry point for every feed: decode, tell the format, read, build the products."""

from __future__ import annotations

from babel import Locale
from babel.numbers import get_territory_currencies

from producer.feeds.merchant import META_IMAGE, merchant_products
from producer.feeds.merchant_xml import xml_items
from producer.feeds.model import Feed, FeedFormat, FeedOptions, FeedProduct, ProductRows
from producer.feeds.own import own_csv_products, own_jsonl_products
from producer.feeds.products import build_product
from producer.feeds.shopify import shopify_products
from producer.feeds.tabular import Table, apply_mapping, attribute_name, read_table
from producer.feeds.woocommerce import woocommerce_products
from producer.text_files import TextDecodeError, decode_text

JSONL_SUFFIXES = (".jsonl", ".ndjson")
META_ONLY = {
    "fb_product_category",
    "quantity_to_sell_on_facebook",
    "rich_text_description",
    "commerce_tax_category",
    "video[0].url",
    "image[0].url",
}
"""Columns only a Meta catalog has (the rest are Merchant Center's attributes)."""
XML_FORMATS = {FeedFormat.MERCHANT, FeedFormat.META, FeedFormat.TIKTOK}
CURRENCYLESS = {FeedFormat.SHOPIFY, FeedFormat.WOOCOMMERCE}
UNKNOWN_LAYOUT = (
    "row 1: columns of no known feed ({columns}); expected a Merchant Center, Meta or TikTok "
    "catalog (id, title, price, image_link), a Shopify or WooCommerce product export, or "
    "id, title, photos: --format names the format, --map title=Name,… names the columns"
)


def detect_table(names: set[str]) -> FeedFormat | None:
    """The format a header's attribute names say, or None."""
    if "handle" in names and names & {"variant_price", "image_src"}:
        return FeedFormat.SHOPIFY
    if "name" in names and names & {"regular_price", "images"} and names & {"type", "sku"}:
        return FeedFormat.WOOCOMMERCE
    if {"id", "photos"} <= names:
        return FeedFormat.PHOTOREEL
    if "sku_id" in names:
        return FeedFormat.TIKTOK
    has_image = "image_link" in names or any(META_IMAGE.match(name) for name in names)
    if "id" in names and has_image:
        return FeedFormat.META if names & META_ONLY else FeedFormat.MERCHANT
    return None


def locale_currency(locale: str | None) -> str | None:
    """The currency of a locale's country (``de_DE`` → EUR), if it names a country."""
    territory = Locale.parse(locale).territory if locale else None
    currencies = get_territory_currencies(territory) if territory else []
    return currencies[0] if currencies else None


def read_feed(data: bytes, name: str, options: FeedOptions | None = None) -> Feed:
    """The feed in ``data`` (``name``: its file name or URL, for its suffix)."""
    options = options or FeedOptions()
    problems: list[str] = []
    try:
        decoded = decode_text(data)
    except TextDecodeError as error:
        return Feed(options.format or FeedFormat.PHOTOREEL, "unknown", [], [f"unreadable: {error}"])
    feed = Feed(FeedFormat.PHOTOREEL, decoded.described, [], problems, text=decoded.text, raw=data)
    start = decoded.text.lstrip()[:1]
    forced = options.format
    if start == "<":
        if forced is not None and forced not in XML_FORMATS:
            problems.append(f"an XML feed cannot be read as a {forced.described}")
            return feed
        feed.format = forced or FeedFormat.MERCHANT
        feed.layout, items = xml_items(data, problems)
        for _number, attributes in items:
            _map_attributes(attributes, options.mapping)
        feed.products = _built(merchant_products(items, problems, "item"), options, problems)
        return feed
    if start == "{" or name.lower().endswith(JSONL_SUFFIXES):
        if forced not in (None, FeedFormat.PHOTOREEL):
            problems.append(f"a JSON Lines feed cannot be read as a {forced.described}")
            return feed
        feed.products = own_jsonl_products(decoded.text, problems)
        for product in feed.products:
            _map_attributes(product.fields, options.mapping)
        return feed
    table = read_table(decoded.text, problems)
    if table is None:
        return feed
    feed.layout = table.layout
    apply_mapping(table, options.mapping, problems)
    detected = forced or detect_table(set(table.names))
    if detected is None:
        problems.insert(0, UNKNOWN_LAYOUT.format(columns=", ".join(table.layout.header)))
        return feed
    feed.format = detected
    if detected in CURRENCYLESS and not (options.currency or locale_currency(options.locale)):
        feed.notes.append(
            f"a {detected.described} holds no currency: prices are shown as numbers "
            "(--currency EUR or --locale de_DE shows them as money)"
        )
    feed.products = _table_products(detected, table, options, problems)
    return feed


def _table_products(
    detected: FeedFormat, table: Table, options: FeedOptions, problems: list[str]
) -> list[FeedProduct]:
    if detected == FeedFormat.PHOTOREEL:
        return own_csv_products(table, problems)
    if detected == FeedFormat.SHOPIFY:
        rows = shopify_products(table, problems)
    elif detected == FeedFormat.WOOCOMMERCE:
        rows = woocommerce_products(table, problems)
    else:
        rows = merchant_products(table.rows, problems)
    return _built(rows, options, problems)


def _built(rows: list[ProductRows], options: FeedOptions, problems: list[str]) -> list[FeedProduct]:
    currency = options.currency or locale_currency(options.locale)
    settled = FeedOptions(options.format, options.mapping, options.locale, currency)
    built = (build_product(product, settled, problems) for product in rows)
    return [product for product in built if product is not None]


def _map_attributes(attributes: dict[str, object], mapping: dict[str, str]) -> None:
    for target, source in mapping.items():
        found = attributes.get(source, attributes.get(attribute_name(source)))
        if found is not None:
            attributes[attribute_name(target)] = found

"""What a feed reader makes of a merchant's file: products in one vocabulary, whatever the
platform, and what it needs to write the same file back later.

Every platform's rows are read into Merchant Center's attribute names (``id``, ``title``,
``price``, ``sale_price``, ``image_link``, ``availability``, ``item_group_id`` …): Meta's and
TikTok's catalogs use the same names, and Shopify's and WooCommerce's exports map onto them
(a Shopify compare-at price is the ``price`` a ``sale_price`` is struck against). A product is
one or more such rows (variants, image rows) folded together; it remembers which rows, so that
a writer can add a column to exactly those rows of the original file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FeedFormat(StrEnum):
    MERCHANT = "merchant"
    """Google Merchant Center: CSV/TSV with the spec's attribute names, RSS 2.0 or Atom XML."""
    META = "meta"
    """A Meta (Facebook, Instagram) catalog: Merchant's attributes plus Meta's own."""
    TIKTOK = "tiktok"
    """A TikTok catalog: ``sku_id`` for ``id``, otherwise Merchant's attributes."""
    SHOPIFY = "shopify"
    """Shopify's product export CSV: one row per variant or image, grouped by ``Handle``."""
    WOOCOMMERCE = "woocommerce"
    """WooCommerce's product export CSV: ``Name``, ``Regular price``, ``Images`` …"""
    PHOTOREEL = "photoreel"
    """Our own CSV or JSON Lines: ``id``, ``title``, ``photos`` (paths or URLs)."""

    @property
    def described(self) -> str:
        return FORMAT_NAMES[self]


FORMAT_NAMES = {
    FeedFormat.MERCHANT: "Google Merchant Center feed",
    FeedFormat.META: "Meta catalog",
    FeedFormat.TIKTOK: "TikTok catalog",
    FeedFormat.SHOPIFY: "Shopify product export",
    FeedFormat.WOOCOMMERCE: "WooCommerce product export",
    FeedFormat.PHOTOREEL: "photoreel feed",
}


@dataclass(frozen=True)
class TextLayout:
    """How a delimited text feed is written, for writing it back byte for byte."""

    delimiter: str
    newline: str
    """``\\r\\n`` (Excel, Shopify) or ``\\n``."""
    header: list[str]
    """The header row as written, in order."""


@dataclass(frozen=True)
class XmlLayout:
    """An XML feed: RSS 2.0 ``channel/item`` or Atom ``feed/entry`` elements, in order."""

    root: str
    """``rss`` or ``atom``."""
    item_tag: str


@dataclass
class Variant:
    """One row (or XML item) of a product, in Merchant attribute names."""

    row: int
    """Its row number in the file (the header is row 1) or its item number (from 1)."""
    attributes: dict[str, str]
    available: bool = True
    unavailable_reason: str = ""


@dataclass
class ProductRows:
    """The rows of one product as read, before its words are chosen."""

    id: str
    where: str
    """``row 3``, ``rows 3-7`` or ``item 2``: for error messages."""
    variants: list[Variant]
    photos: list[str]
    base: dict[str, str] = field(default_factory=dict)
    """Product-level attributes the variants share (a Shopify product's first row)."""
    rows: list[int] = field(default_factory=list)
    """Every row folded in, image rows included."""
    hidden: str = ""
    """Why the platform itself does not show it (``status: draft``), if it does not."""


@dataclass
class FeedProduct:
    """A product ready for a job: its merge fields (``title``, ``price`` as shown,
    ``old_price`` struck, ``brand`` …), photos in order, and the rows it came from."""

    id: str
    where: str
    fields: dict[str, Any]
    photos: list[str]
    rows: list[int]
    available: bool = True
    unavailable_reason: str = ""


@dataclass
class Feed:
    format: FeedFormat
    encoding: str
    """The encoding in words: ``UTF-8 with BOM``, ``cp1252 (not UTF-8)``."""
    products: list[FeedProduct]
    problems: list[str]
    layout: TextLayout | XmlLayout | None = None
    text: str = ""
    """The decoded file, kept to write it back with a column added."""
    raw: bytes = b""
    """The file as read: its encoding and byte order mark, and an XML feed's bytes, for
    writing it back."""
    notes: list[str] = field(default_factory=list)
    """Things worth saying once in the summary (prices without a currency …)."""

    @property
    def available(self) -> list[FeedProduct]:
        return [product for product in self.products if product.available]

    @property
    def unavailable(self) -> list[FeedProduct]:
        return [product for product in self.products if not product.available]


@dataclass(frozen=True)
class FeedOptions:
    """How to read a feed, from the command line."""

    format: FeedFormat | None = None
    """Forced format; None: detected from the file."""
    mapping: dict[str, str] = field(default_factory=dict)
    """Attribute name → the feed's column that holds it (``--map title=Name``)."""
    locale: str | None = None
    """How prices are written on screen (``de_DE``); None: the currency's usual locale."""
    currency: str | None = None
    """The currency of prices written without one (Shopify and WooCommerce exports)."""

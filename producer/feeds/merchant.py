"""Google Merchant Center's product attributes, as Merchant Center, Meta and TikTok catalogs
write them: one row (or XML item) per product or variant, ``item_group_id`` tying the
variants of one product together.

The photos of a row are ``image_link`` then each ``additional_image_link`` (comma-separated in
a text feed, repeated in XML), and Meta's ``image[0].url``, ``image[1].url`` … columns.
"""

from __future__ import annotations

import re

from producer.feeds.model import ProductRows, Variant

ALIASES = {"sku_id": "id"}
"""TikTok's names for Merchant attributes."""
OUT_OF_STOCK = {"out_of_stock", "out of stock", "discontinued", "sold_out", "sold out"}
"""``availability`` values of a product that cannot be bought (Merchant Center: ``out_of_stock``;
Meta and TikTok: ``out of stock``, ``discontinued``). ``preorder``, ``backorder`` and
``available for order`` can be bought."""
META_IMAGE = re.compile(r"^image\[(\d+)\]\.url$")
URL_LIST = re.compile(r"\s*,\s*(?=[a-z][a-z0-9+.-]*://)", re.IGNORECASE)


def split_photos(value: str) -> list[str]:
    """A comma-separated list of photo URLs (a comma inside a URL is kept) or paths."""
    value = value.strip()
    if not value:
        return []
    parts = URL_LIST.split(value) if "://" in value else value.split(",")
    return [part.strip() for part in parts if part.strip()]


def row_photos(attributes: dict[str, str]) -> list[str]:
    """The row's photos in order: ``image_link``, ``additional_image_link``, Meta's
    ``image[N].url``."""
    photos = split_photos(attributes.get("image_link", ""))
    photos += split_photos(attributes.get("additional_image_link", ""))
    numbered = sorted(
        (int(match.group(1)), value)
        for name, value in attributes.items()
        if (match := META_IMAGE.match(name)) and value.strip()
    )
    photos += [value.strip() for _index, value in numbered]
    return unique(photos)


def unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def describe_rows(word: str, numbers: list[int]) -> str:
    """``row 3`` or ``rows 3, 5, 9`` (``item`` for XML)."""
    if len(numbers) == 1:
        return f"{word} {numbers[0]}"
    return f"{word}s {', '.join(str(number) for number in numbers)}"


def complete_products(
    products: list[ProductRows], problems: list[str], *, no_variants: str, no_photos: str
) -> list[ProductRows]:
    """The products that have a variant and a photo, each named by its rows; a problem for
    each other one (``no_variants``/``no_photos``: what its platform calls the missing part)."""
    found = []
    for product in products:
        product.rows.sort()
        product.where = describe_rows("row", product.rows)
        if not product.variants:
            problems.append(f"{product.where} ({product.id}): {no_variants}")
        elif not product.photos:
            problems.append(f"{product.where} ({product.id}): {no_photos}")
        else:
            found.append(product)
    return found


def merchant_variant(number: int, raw: dict[str, str]) -> Variant:
    attributes = {ALIASES.get(name, name): value for name, value in raw.items()}
    availability = attributes.get("availability", "").strip().lower()
    out = availability in OUT_OF_STOCK
    return Variant(number, attributes, available=not out, unavailable_reason=availability)


def merchant_products(
    rows: list[tuple[int, dict[str, str]]], problems: list[str], word: str = "row"
) -> list[ProductRows]:
    """Rows of Merchant attributes → products, the variants of an ``item_group_id`` folded
    into one (in the order the group first appears)."""
    groups: dict[str, ProductRows] = {}
    for number, raw in rows:
        variant = merchant_variant(number, raw)
        attributes = variant.attributes
        product_id = attributes.get("id", "")
        if not product_id:
            problems.append(f"{word} {number}: id: empty")
            continue
        photos = row_photos(attributes)
        if not photos:
            problems.append(f"{word} {number} ({product_id}): image_link: empty")
            continue
        key = attributes.get("item_group_id") or product_id
        group = groups.get(key)
        if group is None:
            group = groups[key] = ProductRows(key, "", [], [])
        group.variants.append(variant)
        group.rows.append(number)
        group.photos = unique(group.photos + photos)
    for group in groups.values():
        group.where = describe_rows(word, group.rows)
    return list(groups.values())

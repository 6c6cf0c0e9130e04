"""Shopify's product export CSV (Products → Export): a product is every row sharing its
``Handle``. The first row holds the product (``Title``, ``Body (HTML)``, ``Vendor``, its
``Status``); each variant has a row (``Option1 Value``, ``Variant Price``, ``Variant Compare
At Price``, ``Variant Inventory Qty``), and each further image a row of its own with only
``Image Src`` and ``Image Position`` filled. Prices carry no currency (the shop's).

A product's photos are its images by ``Image Position``, then its variants' images.
"""

from __future__ import annotations

from decimal import Decimal

from producer.feeds.merchant import complete_products, unique
from producer.feeds.model import ProductRows, Variant
from producer.feeds.prices import PriceError, parse_money
from producer.feeds.tabular import Table, attribute_name

PRODUCT_COLUMNS = {
    "title": "title",
    "body_(html)": "description",
    "vendor": "brand",
    "type": "product_type",
    "tags": "tags",
    "product_category": "google_product_category",
}
VARIANT_COLUMNS = {"variant_sku": "mpn", "variant_barcode": "gtin", "variant_grams": "weight"}
HIDDEN_STATUSES = {"draft", "archived"}
LAST = 1 << 30


def _is_variant(row: dict[str, str]) -> bool:
    return bool(row.get("variant_price") or row.get("option1_value"))


def _in_stock(row: dict[str, str]) -> bool:
    """Out of stock only when Shopify tracks it, sells none beyond the stock (policy
    ``deny``) and the quantity is 0 or less."""
    quantity = row.get("variant_inventory_qty", "")
    tracked = row.get("variant_inventory_tracker", "")
    if not tracked or row.get("variant_inventory_policy", "deny").lower() == "continue":
        return True
    try:
        return not quantity or Decimal(quantity) > 0
    except ArithmeticError:
        return True


def _prices(row: dict[str, str]) -> dict[str, str]:
    """Merchant's terms: a compare-at price above the price is the ``price`` a sale is struck
    against, the variant's price its ``sale_price``."""
    price, compare_at = row.get("variant_price", ""), row.get("variant_compare_at_price", "")
    try:
        higher = bool(compare_at) and parse_money(compare_at).amount > parse_money(price).amount
    except PriceError:
        higher = False
    return {"price": compare_at, "sale_price": price} if higher else {"price": price}


def _variant(number: int, row: dict[str, str], option_names: list[str]) -> Variant:
    """A variant's row; ``option_names`` are its product's (only its first row names them)."""
    attributes = {target: row[name] for name, target in VARIANT_COLUMNS.items() if row.get(name)}
    for index, name in enumerate(option_names, start=1):
        value = row.get(f"option{index}_value", "")
        if name and value and value != "Default Title":
            attributes[attribute_name(name)] = value
    attributes.update(_prices(row))
    available = _in_stock(row)
    return Variant(number, attributes, available, "" if available else "out of stock")


def shopify_products(table: Table, problems: list[str]) -> list[ProductRows]:
    products: dict[str, ProductRows] = {}
    images: dict[str, list[tuple[int, int, str]]] = {}
    options: dict[str, list[str]] = {}
    for number, row in table.rows:
        handle = row.get("handle", "")
        if not handle:
            problems.append(f"row {number}: Handle: empty")
            continue
        product = products.get(handle)
        if product is None:
            product = products[handle] = ProductRows(handle, "", [], [])
            images[handle] = []
            options[handle] = [row.get(f"option{index}_name", "") for index in (1, 2, 3)]
        product.rows.append(number)
        if row.get("title") and not product.base:
            product.base = {
                target: row[name] for name, target in PRODUCT_COLUMNS.items() if row.get(name)
            }
            status = row.get("status", "").lower()
            published = row.get("published", "").lower()
            if status in HIDDEN_STATUSES:
                product.hidden = f"status: {status}"
            elif not status and published == "false":
                product.hidden = "not published"
        if row.get("image_src"):
            position = row.get("image_position", "")
            order = int(position) if position.isdigit() else LAST
            images[handle].append((order, number, row["image_src"]))
        if _is_variant(row):
            product.variants.append(_variant(number, row, options[handle]))
            if row.get("variant_image"):
                images[handle].append((LAST + 1, number, row["variant_image"]))
    for handle, product in products.items():
        product.photos = unique([src for _order, _row, src in sorted(images[handle])])
    return complete_products(
        list(products.values()),
        problems,
        no_variants="no variant row (Variant Price)",
        no_photos="Image Src: empty",
    )

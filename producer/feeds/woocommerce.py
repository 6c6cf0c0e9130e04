"""WooCommerce's product export CSV (Products → Export): one row per product (``Type``
``simple``, ``variable``, ``external`` …) and one per variation (``variation``, its ``Parent``
naming the product as ``id:123`` or by SKU). ``Name``, ``Regular price``, ``Sale price`` (no
currency: the shop's), ``In stock?`` (``1``, ``0`` or ``backorder``), ``Published`` (``1``;
``0`` private, ``-1`` draft) and ``Images``, a comma-separated list of URLs.

A variable product's variations fold into it: their prices and stock, their images after its.
"""

from __future__ import annotations

from decimal import Decimal

from producer.feeds.merchant import complete_products, split_photos, unique
from producer.feeds.model import ProductRows, Variant
from producer.feeds.tabular import Table

PRODUCT_COLUMNS = {
    "name": "title",
    "short_description": "description",
    "brands": "brand",
    "categories": "product_type",
    "tags": "tags",
}


def _kind(row: dict[str, str]) -> str:
    return row.get("type", "simple").split(",")[0].strip().lower() or "simple"


def _in_stock(row: dict[str, str]) -> bool:
    flag = row.get("in_stock?", "").strip().lower()
    if flag:
        return flag != "0"
    stock = row.get("stock", "")
    try:
        return not stock or Decimal(stock) > 0
    except ArithmeticError:
        return True


def _variant(number: int, row: dict[str, str]) -> Variant:
    attributes = {"price": row.get("regular_price", ""), "sale_price": row.get("sale_price", "")}
    if row.get("sku"):
        attributes["mpn"] = row["sku"]
    starts, ends = row.get("date_sale_price_starts", ""), row.get("date_sale_price_ends", "")
    if starts or ends:
        attributes["sale_price_effective_date"] = f"{starts}/{ends}"
    available = _in_stock(row)
    return Variant(number, attributes, available, "" if available else "out of stock")


def woocommerce_products(table: Table, problems: list[str]) -> list[ProductRows]:
    products: dict[str, ProductRows] = {}
    by_reference: dict[str, ProductRows] = {}
    variations: list[tuple[int, dict[str, str]]] = []
    for number, row in table.rows:
        if _kind(row) == "variation":
            variations.append((number, row))
            continue
        key = row.get("sku") or row.get("id", "")
        if not key or not row.get("name"):
            problems.append(f"row {number}: {'Name' if key else 'ID and SKU'}: empty")
            continue
        base = {target: row[name] for name, target in PRODUCT_COLUMNS.items() if row.get(name)}
        product = ProductRows(key, "", [], split_photos(row.get("images", "")), base, [number])
        if row.get("published", "1") != "1":
            product.hidden = "not published"
        if _kind(row) != "variable":
            product.variants.append(_variant(number, row))
        products[key] = product
        for reference in (f"id:{row.get('id', '')}", row.get("sku", "")):
            if reference not in ("id:", ""):
                by_reference[reference] = product
    for number, row in variations:
        parent = by_reference.get(row.get("parent", ""))
        if parent is None:
            problems.append(f"row {number}: Parent: {row.get('parent', '')!r} is no product here")
            continue
        parent.variants.append(_variant(number, row))
        parent.rows.append(number)
        parent.photos = unique(parent.photos + split_photos(row.get("images", "")))
    return complete_products(
        list(products.values()),
        problems,
        no_variants="a variable product, no variations",
        no_photos="Images: empty",
    )

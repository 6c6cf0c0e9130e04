"""photoreel's own feed: CSV (``photos`` separated by ``|`` or ``;``) or JSON Lines (one
object per line, ``photos`` a list). Each product has an ``id``, a ``title`` and ``photos``
(paths relative to the feed, or URLs); every other column is a merge field, as written."""

from __future__ import annotations

import json
import re

from producer.feeds.merchant import OUT_OF_STOCK
from producer.feeds.model import FeedProduct
from producer.feeds.tabular import Table, attribute_name

REQUIRED_FIELDS = ("id", "title", "photos")
PHOTO_SEPARATORS = re.compile(r"[|;]")


def _availability(fields: dict[str, object]) -> tuple[bool, str]:
    said = str(fields.get("availability", "")).strip().lower()
    return (False, "out of stock") if said in OUT_OF_STOCK else (True, "")


def own_csv_products(table: Table, problems: list[str]) -> list[FeedProduct]:
    missing = sorted(set(REQUIRED_FIELDS) - set(table.names))
    if missing:
        problems.append(f"row 1: missing column(s): {', '.join(missing)}")
        return []
    header = table.layout.header
    products = []
    for number, row in table.rows:
        fields: dict[str, object] = {
            name.strip(): row.get(attribute_name(name), "") for name in header
        }
        fields.update({name: row[name] for name in REQUIRED_FIELDS})
        photos = [part.strip() for part in PHOTO_SEPARATORS.split(row["photos"]) if part.strip()]
        available, reason = _availability(fields)
        where = f"row {number}"
        products.append(FeedProduct(row["id"], where, fields, photos, [number], available, reason))
    return products


def own_jsonl_products(text: str, problems: list[str]) -> list[FeedProduct]:
    products = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: not valid JSON: {error.msg}")
            continue
        if not isinstance(fields, dict):
            problems.append(f"line {number}: not a JSON object")
            continue
        missing = sorted(set(REQUIRED_FIELDS) - set(fields))
        if missing:
            problems.append(f"line {number}: missing field(s): {', '.join(missing)}")
            continue
        photos = fields["photos"]
        if not isinstance(photos, list) or not all(isinstance(p, str) for p in photos):
            problems.append(f"line {number}: photos: a list of paths or URLs")
            continue
        available, reason = _availability(fields)
        where = f"line {number}"
        products.append(
            FeedProduct(str(fields["id"]), where, fields, photos, [number], available, reason)
        )
    return products

"""Shopify export quirks: image rows, Image Position, variant rows without a title."""

from __future__ import annotations

from producer.feeds import read_feed

HEADER = (
    "Handle,Title,Option1 Name,Option1 Value,Variant Inventory Tracker,Variant Inventory Qty,"
    "Variant Inventory Policy,Variant Price,Variant Compare At Price,Image Src,Image Position,"
    "Variant Image,Status\r\n"
)


def test_images_follow_image_position_and_variants_fold_into_one_product() -> None:
    rows = [
        "tee,Tee,Size,S,shopify,0,deny,20.00,25.00,https://cdn.shopify.com/b.jpg,2,,active",
        "tee,,,M,shopify,3,deny,20.00,25.00,https://cdn.shopify.com/a.jpg,1,"
        "https://cdn.shopify.com/m.jpg,",
        "tee,,,,,,,,,https://cdn.shopify.com/c.jpg,3,,",
    ]
    [tee] = read_feed((HEADER + "\r\n".join(rows) + "\r\n").encode(), "p.csv").products
    assert tee.photos == [
        "https://cdn.shopify.com/a.jpg",
        "https://cdn.shopify.com/b.jpg",
        "https://cdn.shopify.com/c.jpg",
        "https://cdn.shopify.com/m.jpg",
    ]
    assert (tee.fields["title"], tee.fields["price"], tee.fields["old_price"]) == (
        "Tee", "20.00", "25.00"
    )  # fmt: skip
    assert tee.available and tee.fields["size"] == "M"  # the first variant in stock speaks


def test_a_compare_at_price_not_above_the_price_is_not_struck() -> None:
    row = "mug,Mug,Title,Default Title,,,deny,18.00,18.00,https://cdn.shopify.com/m.jpg,1,,active"
    [mug] = read_feed((HEADER + row + "\r\n").encode(), "p.csv").products
    assert mug.fields["price"] == "18.00" and "old_price" not in mug.fields


def test_selling_beyond_stock_or_untracked_inventory_is_in_stock() -> None:
    rows = [
        "a,A,Title,Default Title,shopify,0,continue,5.00,,https://cdn.shopify.com/a.jpg,1,,active",
        "b,B,Title,Default Title,,0,deny,5.00,,https://cdn.shopify.com/b.jpg,1,,active",
        "c,C,Title,Default Title,shopify,0,deny,5.00,,https://cdn.shopify.com/c.jpg,1,,archived",
    ]
    a, b, c = read_feed((HEADER + "\r\n".join(rows)).encode(), "p.csv").products
    assert a.available and b.available
    assert (c.available, c.unavailable_reason) == (False, "status: archived")

"""Each platform's feed, as written to its published layout (``tests/data/feeds``), read by
format detection alone into the products a merchant would expect."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from producer.feeds import FeedFormat, FeedOptions, read_feed
from producer.feeds.model import TextLayout

FEEDS = Path(__file__).resolve().parents[2] / "data" / "feeds"
AURORA = "https://images.auroraoutdoor.example/products/"

# file → (format, {product id: (title, price, old price, photos, available)})
EXPECTED = {
    "shopify_products_export.csv": (
        FeedFormat.SHOPIFY,
        {
            "classic-crew-tee": ("Classic Crew Tee", "25.00", "35.00", 3, True),
            "stoneware-mug": ("Stoneware Mug", "18.00", None, 2, True),
            "merino-beanie": ("Merino Beanie", "29.00", None, 1, False),
            "linen-apron": ("Linen Apron", "32.00", None, 1, False),
        },
    ),
    "merchant_center_products.tsv": (
        FeedFormat.MERCHANT,
        {
            "AUR-TRAIL": ("Ridgeline Trail Runner", "$99.00", "$129.00", 3, True),
            "AUR-BOTTLE-750": ("Summit Insulated Bottle 750 ml", "$39.00", None, 2, True),
            "AUR-LAMP-01": ("Basecamp Lantern", "$49.00", None, 1, False),
            "AUR-MUG-02": ("Enamel Camp Mug", "$24.50", None, 2, True),  # its sale ended
        },
    ),
    "merchant_center_products.atom.xml": (
        FeedFormat.MERCHANT,
        {
            "AUR-BOTTLE-750": ("Summit Insulated Bottle 750 ml", "39,00\xa0€", None, 2, True),
            "AUR-LAMP-01": ("Basecamp Lantern", "49,00\xa0€", None, 1, False),
        },
    ),
    "meta_catalog.csv": (
        FeedFormat.META,
        {
            "LL-DESK-01": ("Arc Desk Lamp", "69,00\xa0€", "89,00\xa0€", 1, True),
            "LL-PEND-02": ("Globe Pendant", "129,00\xa0€", None, 1, False),
        },
    ),
    "tiktok_catalog.csv": (
        FeedFormat.TIKTOK,
        {
            "PP-SCARF": ("Alpine Wool Scarf", "£44.90", "£59.90", 4, True),
            "PP-GLOVES": ("Knit Gloves", "£24.00", None, 1, False),
        },
    ),
    "tiktok_catalog_currency_column.csv": (  # TikTok's own: bare prices, a currency column
        FeedFormat.TIKTOK,
        {
            "SK-HOOD": ("Harbour Hoodie", "48,00\xa0€", "64,00\xa0€", 3, True),
            "SK-CAP-01": ("Dockside Cap", "22,00\xa0€", None, 2, True),
            "SK-TOTE-02": ("Quay Tote", "39,00\xa0€", None, 1, False),
        },
    ),
    "woocommerce_products_export.csv": (
        FeedFormat.WOOCOMMERCE,
        {
            "HH-CANDLE-3": ("Beeswax Candle Set", "19.50", "24.00", 2, True),
            "HH-TOTE": ("Canvas Market Tote", "28.00", None, 3, True),
            "HH-PLANTER": ("Ceramic Planter", "45.00", None, 1, False),
        },
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_platform_feed_is_detected_and_read(name: str) -> None:
    feed = read_feed((FEEDS / name).read_bytes(), name)
    expected_format, products = EXPECTED[name]
    assert feed.problems == []
    assert feed.format == expected_format
    found = {
        product.id: (
            product.fields["title"],
            product.fields.get("price"),
            product.fields.get("old_price"),
            len(product.photos),
            product.available,
        )
        for product in feed.products
    }
    assert found == products


def test_the_merchant_tsv_and_rss_feeds_give_the_same_products() -> None:
    tsv = read_feed((FEEDS / "merchant_center_products.tsv").read_bytes(), "feed.tsv")
    rss = read_feed((FEEDS / "merchant_center_products.xml").read_bytes(), "feed.xml")
    assert [(p.id, p.fields["title"], p.photos) for p in tsv.products] == [
        (p.id, p.fields["title"], p.photos) for p in rss.products
    ]
    trail = rss.products[0]
    assert trail.photos == [AURORA + "ridgeline-side.jpg", AURORA + "ridgeline-top.jpg",
                            AURORA + "ridgeline-sole.jpg"]  # fmt: skip
    assert trail.where == "items 1, 2" and trail.rows == [1, 2]
    assert trail.fields["brand"] == "Aurora Outdoor"


def test_the_layout_is_kept_to_write_the_feed_back() -> None:
    feed = read_feed((FEEDS / "shopify_products_export.csv").read_bytes(), "products.csv")
    assert feed.encoding == "UTF-8 with BOM"
    assert isinstance(feed.layout, TextLayout)
    assert (feed.layout.delimiter, feed.layout.newline) == (",", "\r\n")
    assert feed.layout.header[:3] == ["Handle", "Title", "Body (HTML)"]
    assert feed.products[0].rows == [2, 3, 4]


def test_a_feed_saved_as_utf16_or_cp1252_reads_the_same() -> None:
    text = (FEEDS / "meta_catalog.csv").read_text(encoding="utf-8").replace("Arc", "Arc Déco")
    for data, encoding in (
        (text.encode("utf-16"), "UTF-16 (BOM)"),
        (text.encode("cp1252"), "cp1252 (not UTF-8)"),
        (codecs.BOM_UTF8 + text.encode(), "UTF-8 with BOM"),
    ):
        feed = read_feed(data, "catalog.csv")
        assert feed.encoding == encoding
        assert feed.products[0].fields["title"] == "Arc Déco Desk Lamp"


def test_map_names_the_columns_of_any_other_layout() -> None:
    data = b"SKU;Name;Cost;Picture\nB-1;Oak Board;34,90 EUR;https://shop.example/b1.jpg\n"
    unknown = read_feed(data, "export.csv")
    assert "columns of no known feed (SKU, Name, Cost, Picture)" in unknown.problems[0]
    mapping = {"id": "SKU", "title": "Name", "price": "Cost", "image_link": "Picture"}
    feed = read_feed(data, "export.csv", FeedOptions(mapping=mapping))
    [board] = feed.products
    assert (board.id, board.fields["title"], board.fields["price"]) == (
        "B-1", "Oak Board", "34,90\xa0€"
    )  # fmt: skip
    assert board.photos == ["https://shop.example/b1.jpg"]


def test_locale_and_currency_decide_how_prices_are_written() -> None:
    data = (FEEDS / "woocommerce_products_export.csv").read_bytes()
    german = read_feed(data, "wc.csv", FeedOptions(locale="de_DE"))
    assert german.products[0].fields["price"] == "19,50\xa0€" and not german.notes
    american = read_feed(data, "wc.csv", FeedOptions(currency="USD", locale="en_US"))
    assert american.products[0].fields["old_price"] == "$24.00"
    bare = read_feed(data, "wc.csv")
    assert "holds no currency" in bare.notes[0]


def test_a_forced_format_that_cannot_fit_is_said() -> None:
    data = (FEEDS / "merchant_center_products.xml").read_bytes()
    feed = read_feed(data, "feed.xml", FeedOptions(format=FeedFormat.SHOPIFY))
    assert feed.problems == ["an XML feed cannot be read as a Shopify product export"]

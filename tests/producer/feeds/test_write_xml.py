"""XML feeds written back: an element inserted (or replaced) in some items, every other byte
as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from producer.feeds.merchant_xml import GOOGLE
from producer.feeds.model import XmlLayout
from producer.feeds.write_xml import WriteError, google_element, scan_items, set_elements

FEEDS = Path(__file__).resolve().parents[2] / "data" / "feeds"
RSS = XmlLayout("rss", "item")
VIDEO = {f"{GOOGLE}video_link"}

# A feed as WooCommerce's "Product Feed PRO" plugin writes it: the prefix spelled ``gs``,
# items with no whitespace between children, one with a video of its own already.
OTHER_PREFIX = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss xmlns:gs="http://base.google.com/ns/1.0" version="2.0"><channel><title>Shop</title>
<item><gs:id>A</gs:id><gs:link>https://shop.example/a?x=1&amp;y=2</gs:link></item>
<item><gs:id>B</gs:id><gs:video_link>https://youtu.be/b</gs:video_link><gs:video_link>https://youtu.be/c</gs:video_link></item>
</channel></rss>
"""


def test_a_video_element_goes_after_each_items_last_child_indented_like_its_children() -> None:
    raw = (FEEDS / "merchant_center_products.xml").read_bytes()
    scan = scan_items(raw, RSS, VIDEO)
    assert len(scan.items) == 5
    element = "<g:video_link>https://cdn.example/reels/AUR-MUG-02/video.mp4</g:video_link>"
    written = set_elements(raw, scan, {5: element})
    shipping_end = raw.rindex(b"</g:shipping>") + len(b"</g:shipping>")
    assert written == raw[:shipping_end] + b"\n      " + element.encode() + raw[shipping_end:]


def test_an_atom_entry_is_an_item() -> None:
    raw = (FEEDS / "merchant_center_products.atom.xml").read_bytes()
    scan = scan_items(raw, XmlLayout("atom", "entry"), VIDEO)
    written = set_elements(raw, scan, {1: "<g:video_link>v</g:video_link>"})
    brand = b"<g:brand>Aurora Outdoor</g:brand>"
    first = raw.index(brand) + len(brand)
    assert written == raw[:first] + b"\n    <g:video_link>v</g:video_link>" + raw[first:]


def test_the_documents_prefix_is_used_and_an_existing_video_replaced_first() -> None:
    scan = scan_items(OTHER_PREFIX, RSS, VIDEO)
    name = google_element(scan, "video_link")
    assert name == "gs:video_link"
    written = set_elements(
        OTHER_PREFIX, scan, {1: f"<{name}>v1</{name}>", 2: f"<{name}>v2</{name}>"}
    )
    assert written == OTHER_PREFIX.replace(
        b"2</gs:link></item>", b"2</gs:link><gs:video_link>v1</gs:video_link></item>"
    ).replace(b"https://youtu.be/b", b"v2")


def test_channel_elements_are_no_items_and_an_empty_last_child_is_read_whole() -> None:
    """An RSS ``<image>`` block under the channel, and an item ending with an empty element
    whose attribute holds a ``>``."""
    raw = (
        b'<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0"><channel>\n'
        b"  <image><url>https://shop.example/logo.png</url><title>Shop</title></image>\n"
        b"  <item>\n    <g:id>A</g:id>\n"
        b'    <g:product_detail name="size>10" value="x"/>\n  </item>\n</channel></rss>\n'
    )
    scan = scan_items(raw, RSS, VIDEO)
    assert len(scan.items) == 1
    written = set_elements(raw, scan, {1: "<g:video_link>v</g:video_link>"})
    assert written == raw.replace(
        b'value="x"/>', b'value="x"/>\n    <g:video_link>v</g:video_link>'
    )


def test_entity_declarations_are_refused() -> None:
    raw = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss><channel></channel></rss>'
    with pytest.raises(WriteError, match="entity declarations"):
        scan_items(raw, RSS, VIDEO)


def test_a_feed_in_utf16_is_not_written_back() -> None:
    raw = (FEEDS / "merchant_center_products.xml").read_text().encode("utf-16")
    with pytest.raises(WriteError, match="UTF-16"):
        scan_items(raw, RSS, VIDEO)


def test_a_feed_without_the_google_namespace_names_it() -> None:
    scan = scan_items(b"<rss><channel><item><id>A</id></item></channel></rss>", RSS, VIDEO)
    with pytest.raises(WriteError, match="no g: namespace"):
        google_element(scan, "video_link")

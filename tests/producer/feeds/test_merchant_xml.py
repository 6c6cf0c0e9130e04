"""Merchant XML: RSS and Atom read alike; entity tricks are refused unread."""

from __future__ import annotations

from producer.feeds import read_feed

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
<item><g:id>1</g:id><g:title>&lol2;</g:title></item></channel></rss>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
<item><g:id>1</g:id><g:title>&x;</g:title></item></channel></rss>"""


def test_entity_expansion_and_external_entities_are_refused() -> None:
    for data in (BOMB, EXTERNAL):
        feed = read_feed(data, "feed.xml")
        assert feed.products == []
        assert feed.problems[0].startswith("refused: ")


def test_an_item_without_image_is_reported_by_its_number() -> None:
    data = b"""<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
<item><g:id>A</g:id><title>No photo</title><g:price>5 USD</g:price></item>
<item><title>No id</title></item></channel></rss>"""
    assert read_feed(data, "feed.xml").problems == [
        "item 1 (A): image_link: empty",
        "item 2: id: empty",
    ]

"""Merchant Center XML feeds: RSS 2.0 (``rss/channel/item``) and Atom 1.0 (``feed/entry``),
the attributes in the ``g:`` namespace (``http://base.google.com/ns/1.0``). An item's plain
``title``, ``link`` and ``description`` (Atom: ``title``, ``link href``, ``summary``) stand
for ``g:title`` … when it has none. Parsed with defusedxml, which refuses entity expansion
(a "billion laughs" file) and external entities.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from producer.feeds.model import XmlLayout

GOOGLE = "{http://base.google.com/ns/1.0}"
ATOM = "{http://www.w3.org/2005/Atom}"
REPEATED = {"additional_image_link"}
"""Attributes an item may give more than once, joined with commas as a text feed writes them."""
PLAIN = {"title": "title", "link": "link", "description": "description", "summary": "description"}


def xml_items(
    data: bytes, problems: list[str]
) -> tuple[XmlLayout | None, list[tuple[int, dict[str, str]]]]:
    """The layout and each item's attributes (numbered from 1, in document order). The
    parser reads the bytes, so the file's own encoding declaration and BOM are honoured."""
    try:
        root = fromstring(data)
    except DefusedXmlException as error:
        problems.append(f"refused: {type(error).__name__}: entities are not allowed in a feed")
        return None, []
    except ParseError as error:
        problems.append(f"not well-formed XML: {error}")
        return None, []
    if root.tag == "rss":
        channel = root.find("channel")
        items = channel.findall("item") if channel is not None else []
        layout = XmlLayout("rss", "item")
    elif root.tag == f"{ATOM}feed":
        items = root.findall(f"{ATOM}entry")
        layout = XmlLayout("atom", "entry")
    else:
        problems.append(f"XML whose root is <{root.tag}>: not an RSS 2.0 or Atom feed")
        return None, []
    return layout, [(number, _attributes(item)) for number, item in enumerate(items, start=1)]


def _attributes(item: Element) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    plain: dict[str, str] = {}
    for child in item:
        if len(child):  # g:shipping and other nested groups: not words for a video
            continue
        tag = str(child.tag)
        value = (child.text or "").strip()
        if tag.startswith(GOOGLE):
            found.setdefault(tag.removeprefix(GOOGLE), []).append(value)
            continue
        local = tag.removeprefix(ATOM)
        if local == "link" and not value:
            value = child.get("href", "").strip()
        if local in PLAIN and value:
            plain.setdefault(PLAIN[local], value)
    attributes = {
        name: ",".join(values) if name in REPEATED else values[0] for name, values in found.items()
    }
    for name, value in plain.items():
        attributes.setdefault(name, value)
    return attributes

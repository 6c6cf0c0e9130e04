"""An RSS 2.0 or Atom feed written back with a video element in some items, every other byte
as it was read.

An element tree would write the file back its own way (namespace prefixes, quoting,
``CDATA`` sections gone), so the file is not rebuilt: expat reads it again to tell where each
item's last child ends (``CurrentByteIndex``), and the new element is inserted there, on a
line of its own indented like the item's first child; an item that already has one has the
first replaced in place. Items are numbered as ``producer.feeds.merchant_xml`` numbers them
(the ``item`` elements of ``rss/channel``, the ``entry`` elements of an Atom ``feed``).

Only a feed that has already been read (and passed defusedxml's checks) is written back;
entity declarations are refused here too.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from xml.parsers import expat

from producer.feeds.merchant_xml import ATOM, GOOGLE
from producer.feeds.model import XmlLayout

WIDE_ENCODINGS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"<\x00", b"\x00<")
"""How a UTF-16 or UTF-32 document starts: its bytes are not ASCII's, and not written back."""
DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)""")
ASCII_FAMILY = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "windows-1252"}


class WriteError(ValueError):
    """A feed that cannot be written back as it was read."""


@dataclass
class _Item:
    first_child_indent: bytes = b""
    last_child_end: int | None = None
    end_tag: int = 0
    existing: tuple[int, int] | None = None
    """The span of the item's first element of the kind being written, if it has one."""


@dataclass
class _Scan:
    layout: XmlLayout
    replaces: set[str]
    """Element names (``{namespace}local``) that are the video element being written."""
    items: list[_Item] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    stack: list[str] = field(default_factory=list)
    """The names of the open elements."""
    item_start_end: int = 0
    """Where the open item's start tag ends: what follows up to its first child is the
    indent of its children."""
    in_item: bool = False
    open_existing: int | None = None


START_TAG = re.compile(rb"""<[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>""")
"""A start (or empty-element) tag, whose quoted attribute values may hold ``>``."""


def start_tag_end(raw: bytes, start: int) -> int:
    found = START_TAG.match(raw, start)
    if found is None:
        raise WriteError("XML: a tag is not closed")
    return found.end()


def _item_path(layout: XmlLayout) -> tuple[str, ...]:
    if layout.root == "atom":
        return (f"{ATOM}feed", f"{ATOM}entry")
    return ("rss", "channel", "item")


def scan_items(raw: bytes, layout: XmlLayout, replaces: set[str]) -> _Scan:
    """Each item's places (numbered from 1 in ``items``) and the document's prefixes."""
    if raw.startswith(WIDE_ENCODINGS) or raw.startswith(codecs.BOM_UTF32_LE):
        raise WriteError("XML in UTF-16 or UTF-32 is not written back: save it as UTF-8")
    declared = DECLARED_ENCODING.match(raw.removeprefix(codecs.BOM_UTF8))
    if declared and declared.group(1).decode().lower() not in ASCII_FAMILY:
        raise WriteError(f"XML in {declared.group(1).decode()} is not written back: use UTF-8")
    scan = _Scan(layout, replaces)
    item_path = _item_path(layout)
    child_depth = len(item_path)
    parser = expat.ParserCreate(namespace_separator="}")

    def is_item(name: str) -> bool:
        return name == item_path[-1] and tuple(scan.stack) == item_path[:-1]

    def refuse_entities(*_args: object) -> None:
        raise WriteError("XML: entity declarations are not allowed in a feed")

    def on_namespace(prefix: str | None, uri: str) -> None:
        scan.prefixes.setdefault(uri, prefix or "")

    def on_start(tag: str, _attributes: dict[str, str]) -> None:
        at = parser.CurrentByteIndex
        name = "{" + tag if "}" in tag else tag
        if is_item(name):
            scan.items.append(_Item())
            scan.item_start_end = start_tag_end(raw, at)
            scan.in_item = True
        elif scan.in_item and len(scan.stack) == child_depth:
            item = scan.items[-1]
            if item.last_child_end is None:
                item.first_child_indent = raw[scan.item_start_end : at]
            if name in replaces and item.existing is None:
                scan.open_existing = at
        scan.stack.append(name)

    def on_end(_tag: str) -> None:
        at = parser.CurrentByteIndex
        scan.stack.pop()
        if scan.in_item and len(scan.stack) == child_depth - 1:
            scan.items[-1].end_tag = at
            scan.in_item = False
        elif scan.in_item and len(scan.stack) == child_depth:
            # expat is at an end tag's ``</``, or just after an empty-element tag
            end = raw.index(b">", at) + 1 if raw.startswith(b"</", at) else at
            item = scan.items[-1]
            item.last_child_end = end
            if scan.open_existing is not None:
                item.existing = (scan.open_existing, end)
                scan.open_existing = None

    parser.StartNamespaceDeclHandler = on_namespace
    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.EntityDeclHandler = refuse_entities
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(raw, True)
    except expat.ExpatError as error:
        raise WriteError(f"XML: {error}") from None
    return scan


def google_element(scan: _Scan, local: str) -> str:
    """The element name in the document's prefix for Google's namespace (``g:video_link``)."""
    prefix = scan.prefixes.get(GOOGLE.strip("{}"))
    if prefix is None:
        raise WriteError("XML: the feed declares no g: namespace (http://base.google.com/ns/1.0)")
    return f"{prefix}:{local}" if prefix else local


def set_elements(raw: bytes, scan: _Scan, elements: dict[int, str]) -> bytes:
    """``raw`` with ``elements`` (item number → the element's XML, ASCII) in those items:
    the first existing one replaced, else inserted after the item's last child."""
    edits: list[tuple[int, int, bytes]] = []
    for number, element in elements.items():
        if not 1 <= number <= len(scan.items):
            raise WriteError(f"item {number}: not in the feed")
        item = scan.items[number - 1]
        data = element.encode("ascii")
        if item.existing is not None:
            edits.append((*item.existing, data))
        elif item.last_child_end is not None:
            indent = item.first_child_indent if not item.first_child_indent.strip() else b""
            edits.append((item.last_child_end, item.last_child_end, indent + data))
        else:
            edits.append((item.end_tag, item.end_tag, data))
    pieces: list[bytes] = []
    done = 0
    for start, stop, data in sorted(edits):
        pieces += [raw[done:start], data]
        done = stop
    pieces.append(raw[done:])
    return b"".join(pieces)

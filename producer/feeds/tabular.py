"""Delimited text feeds (CSV, TSV, a spreadsheet's ``;``-separated export) read into rows of
attributes, their header names made comparable: ``Image Link``, ``image link``,
``image_link`` and ``g:image_link`` are all ``image_link``."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from producer.feeds.model import TextLayout

DELIMITERS = ",\t;"
"""What may separate a feed's columns: the one its header holds most of (a comma on a tie),
so a spreadsheet's ``;``-separated export and a Merchant Center TSV read as they are."""


def attribute_name(column: str) -> str:
    """A column's name as an attribute: lower case, ``_`` for spaces and dashes, no ``g:``."""
    name = column.strip().lower().removeprefix("g:")
    return re.sub(r"[\s\-]+", "_", name)


@dataclass
class Table:
    layout: TextLayout
    names: list[str]
    """The header's attribute names, in order."""
    rows: list[tuple[int, dict[str, str]]]
    """(row number, attribute → the cell, stripped) per non-blank row; the header is row 1."""


def read_table(text: str, problems: list[str]) -> Table | None:
    """The feed's header and rows; a row whose cells do not match the header is a problem."""
    first_line = text.split("\n", 1)[0]
    newline = "\r\n" if first_line.endswith("\r") else "\n"
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, [])
    if not any(cell.strip() for cell in header):
        problems.append("row 1: no header row")
        return None
    names = [attribute_name(cell) for cell in header]
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"row {number}: {len(cells)} fields, the header has {len(header)}")
            continue
        row: dict[str, str] = {}
        for name, cell in zip(names, cells, strict=True):
            row.setdefault(name, cell.strip())
        rows.append((number, row))
    return Table(TextLayout(delimiter, newline, header), names, rows)


def apply_mapping(table: Table, mapping: dict[str, str], problems: list[str]) -> None:
    """``--map title=Name``: each row's ``title`` is its ``Name`` cell (the column kept)."""
    for target, source in mapping.items():
        column = attribute_name(source)
        if column not in table.names:
            problems.append(f"--map {target}={source}: the feed has no column {source!r}")
            continue
        name = attribute_name(target)
        if name not in table.names:
            table.names.append(name)
        for _number, row in table.rows:
            row[name] = row.get(column, "")

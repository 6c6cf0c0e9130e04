"""A delimited text feed written back with some columns set on some rows, every other byte
as it was read.

A merchant uploads the file we write to the platform that exported it, so nothing but the
video column may change: not the quoting of other cells, not the line ends, not a quoted cell
that spans lines. The file is read record by record with the ``csv`` module (as
``producer.feeds.tabular`` reads it, so row numbers agree) while the raw text of each record
is kept; a record that gets a value has only that cell's span replaced, or a cell appended
before its line end.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from enum import Enum, auto

from producer.feeds.model import TextLayout
from producer.feeds.tabular import attribute_name

LINE_ENDS = ("\r\n", "\n", "\r")


class _State(Enum):
    START = auto()
    UNQUOTED = auto()
    QUOTED = auto()
    QUOTE_IN_QUOTED = auto()


def records(text: str, delimiter: str) -> Iterator[tuple[list[str], str]]:
    """Each record's cells and its raw text (line end included), in order: the ``csv``
    reader pulls one line at a time, so the lines it took for a record are that record."""
    taken: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            taken.append(line)
            yield line

    for cells in csv.reader(lines(), delimiter=delimiter):
        raw = "".join(taken)
        taken.clear()
        yield cells, raw


def cell_text(value: str, delimiter: str) -> str:
    """A cell as a spreadsheet writes it: quoted only when it must be."""
    if any(char in value for char in (delimiter, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def split_line_end(raw: str) -> tuple[str, str]:
    for end in LINE_ENDS:
        if raw.endswith(end):
            return raw[: -len(end)], end
    return raw, ""


def cell_spans(body: str, delimiter: str) -> list[tuple[int, int]]:
    """Where each cell of a record's text starts and ends, read the way ``csv`` reads it: a
    quote opens a quoted cell only at the cell's start, ``""`` inside one is a quote."""
    spans: list[tuple[int, int]] = []
    start, state = 0, _State.START
    for index, char in enumerate(body):
        if state == _State.QUOTED:
            if char == '"':
                state = _State.QUOTE_IN_QUOTED
            continue
        if state == _State.QUOTE_IN_QUOTED and char == '"':
            state = _State.QUOTED
            continue
        if char == delimiter:
            spans.append((start, index))
            start, state = index + 1, _State.START
        elif state == _State.START and char == '"':
            state = _State.QUOTED
        else:
            state = _State.UNQUOTED
    spans.append((start, len(body)))
    return spans


def set_columns(
    text: str,
    layout: TextLayout,
    columns: tuple[str, ...],
    values: dict[int, dict[str, str]],
) -> str:
    """``text`` with ``columns`` (header names, found in the header by their attribute name,
    or appended after its last column) set to ``values`` (row number, the header being row 1
    → column → value). A column appended gets an empty cell on the rows without a value;
    an existing column keeps the cells of those rows as they were."""
    delimiter = layout.delimiter
    names = [attribute_name(cell) for cell in layout.header]
    position = {
        column: names.index(attribute_name(column))
        for column in columns
        if attribute_name(column) in names
    }
    appended = [column for column in columns if column not in position]
    written: list[str] = []
    for number, (cells, raw) in enumerate(records(text, delimiter), start=1):
        if number == 1:
            written.append(_appended(raw, appended, delimiter))
            continue
        if not any(cell.strip() for cell in cells):  # a blank line: no row, left as it is
            written.append(raw)
            continue
        row = values.get(number, {})
        changes = {position[column]: value for column, value in row.items() if column in position}
        if changes:
            raw = _replaced(raw, changes, delimiter)
        cells_added = [cell_text(row.get(column, ""), delimiter) for column in appended]
        written.append(_appended(raw, cells_added, delimiter) if appended else raw)
    return "".join(written)


def _appended(raw: str, cells: list[str], delimiter: str) -> str:
    body, end = split_line_end(raw)
    return body + "".join(delimiter + cell for cell in cells) + end


def _replaced(raw: str, changes: dict[int, str], delimiter: str) -> str:
    body, end = split_line_end(raw)
    spans = cell_spans(body, delimiter)
    for index in sorted(changes, reverse=True):
        start, stop = spans[index]
        body = body[:start] + cell_text(changes[index], delimiter) + body[stop:]
    return body + end

"""A feed's rows (or XML items, or JSON lines) by number, read the way the feed readers read
them, to tell what a written-back feed changed: ``changed_cells(before, after)``."""

from __future__ import annotations

import json

from producer.feeds.merchant_xml import xml_items
from producer.feeds.tabular import read_table
from producer.text_files import decode_text


def rows_of(data: bytes) -> dict[int, dict[str, str]]:
    """Row (header: row 1), item or line number → its attributes."""
    text = decode_text(data).text
    problems: list[str] = []
    if text.lstrip().startswith("<"):
        _layout, items = xml_items(data, problems)
        rows = dict(items)
    elif text.lstrip().startswith("{"):
        rows = {
            number: {key: str(value) for key, value in json.loads(line).items()}
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip()
        }
    else:
        table = read_table(text, problems)
        assert table is not None
        rows = dict(table.rows)
    assert problems == []
    return rows


def changed_cells(before: bytes, after: bytes) -> dict[int, dict[str, str]]:
    """Row number → each attribute whose value differs in ``after`` (added ones too); the two
    must have the same rows."""
    old, new = rows_of(before), rows_of(after)
    assert sorted(old) == sorted(new)
    changes: dict[int, dict[str, str]] = {}
    for number, row in new.items():
        differing = {name: value for name, value in row.items() if old[number].get(name) != value}
        assert set(old[number]) <= set(row), f"row {number} lost {set(old[number]) - set(row)}"
        if differing:
            changes[number] = differing
    return changes

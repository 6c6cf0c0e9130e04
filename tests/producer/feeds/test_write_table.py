"""Text feeds written back: only the video cells change, every other byte stays as saved."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from producer.feeds.model import TextLayout
from producer.feeds.tabular import read_table
from producer.feeds.write_table import cell_spans, records, set_columns

FEEDS = Path(__file__).resolve().parents[2] / "data" / "feeds"
LINK = "https://cdn.example/reels/x/video.mp4"

# LibreOffice's "Quote all text cells", a hand-typed inch mark, a cell with the delimiter
QUOTED_ALL = (
    '"id","title","price","image_link","video_link"\r\n'
    '"TV-27","27"" Monitor, matte","199.00 USD","https://shop.example/tv.jpg",""\r\n'
    '"TV-32",32" Monitor,"249.00 USD","https://shop.example/tv32.jpg","https://youtu.be/a"\r\n'
)


def table_of(text: str) -> list[list[str]]:
    problems: list[str] = []
    table = read_table(text, problems)
    assert table is not None and problems == []
    return [list(row.values()) for _number, row in table.rows]


def test_records_keep_the_raw_text_of_a_cell_that_spans_lines() -> None:
    text = (FEEDS / "shopify_products_export.csv").read_bytes().decode("utf-8-sig")
    found = list(records(text, ","))
    assert "".join(raw for _cells, raw in found) == text
    cells, raw = found[1]
    assert cells[0] == "classic-crew-tee" and raw.count("\n") == 2 and raw.endswith("\r\n")


def test_cell_spans_are_read_the_way_csv_reads_them() -> None:
    """Each span, read alone, is the cell csv reads at that place."""
    for line in [*QUOTED_ALL.splitlines(), 'a,"b ""c"", d",,"e"', ' "x",y', "one"]:
        [expected] = list(csv.reader(io.StringIO(line)))
        alone = [
            next(csv.reader([line[start:stop]]), [""]) for start, stop in cell_spans(line, ",")
        ]
        assert [cells[0] if cells else "" for cells in alone] == expected, line


def test_an_existing_column_gets_its_cell_replaced_and_nothing_else() -> None:
    written = set_columns(
        QUOTED_ALL, layout_of(QUOTED_ALL), ("video_link",), {2: {"video_link": LINK}}
    )
    before, after = QUOTED_ALL.split("\r\n"), written.split("\r\n")
    assert after[0] == before[0] and after[2] == before[2]  # a row without a value: as it was
    assert (
        after[1]
        == '"TV-27","27"" Monitor, matte","199.00 USD","https://shop.example/tv.jpg",' + LINK
    )
    assert table_of(written)[0] == ["TV-27", '27" Monitor, matte', "199.00 USD",
                                    "https://shop.example/tv.jpg", LINK]  # fmt: skip


def test_a_new_column_is_appended_with_empty_cells_where_no_value() -> None:
    text = "id\ttitle\timage_link\nA-1\tMug\thttps://x.example/a.jpg\n\nA-2\tCup\thttps://x.example/b.jpg"
    written = set_columns(text, layout_of(text), ("video_link",), {4: {"video_link": LINK}})
    assert written == (
        "id\ttitle\timage_link\tvideo_link\n"
        "A-1\tMug\thttps://x.example/a.jpg\t\n"
        "\n"  # a blank line stays blank
        f"A-2\tCup\thttps://x.example/b.jpg\t{LINK}"  # no line end added to the last row
    )


def test_a_value_that_needs_quotes_gets_them() -> None:
    text = "id,title\r\nA,Mug\r\n"
    written = set_columns(text, layout_of(text), ("video_link",), {2: {"video_link": "a,b"}})
    assert written == 'id,title,video_link\r\nA,Mug,"a,b"\r\n'


def test_the_header_finds_a_column_however_it_is_spelled() -> None:
    text = "ID,Title,Video Link\nA,Mug,\n"
    written = set_columns(text, layout_of(text), ("video_link",), {2: {"video_link": LINK}})
    assert written == f"ID,Title,Video Link\nA,Mug,{LINK}\n"


def layout_of(text: str) -> TextLayout:
    problems: list[str] = []
    table = read_table(text, problems)
    assert table is not None
    return table.layout

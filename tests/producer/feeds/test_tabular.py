from __future__ import annotations

from producer.feeds.tabular import apply_mapping, attribute_name, read_table


def test_header_names_compare_as_attributes() -> None:
    assert [attribute_name(name) for name in ("Image Link", "g:image_link", " image-link ")] == [
        "image_link"
    ] * 3


def test_the_delimiter_is_the_one_the_header_holds_most_of() -> None:
    problems: list[str] = []
    table = read_table("id;title;price\r\n1;Mug;4,50 EUR\r\n\r\n2;Cup\r\n", problems)
    assert table is not None
    assert (table.layout.delimiter, table.layout.newline) == (";", "\r\n")
    assert table.rows == [(2, {"id": "1", "title": "Mug", "price": "4,50 EUR"})]
    assert problems == ["row 4: 2 fields, the header has 3"]


def test_a_mapping_to_a_missing_column_is_a_problem() -> None:
    problems: list[str] = []
    table = read_table("SKU\tName\nB-1\tBoard\n", problems)
    assert table is not None
    apply_mapping(table, {"id": "SKU", "title": "Label"}, problems)
    assert table.rows[0][1]["id"] == "B-1"
    assert problems == ["--map title=Label: the feed has no column 'Label'"]

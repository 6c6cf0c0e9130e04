from __future__ import annotations

from producer.feeds import read_feed


def test_our_csv_keeps_every_column_as_written_and_honours_availability() -> None:
    data = (
        b"id,title,photos,Price,availability\nmug,Mug,a.jpg|b.jpg,$12,in stock\n"
        b"cup,Cup,c.jpg,$3,out of stock\n"
    )
    feed = read_feed(data, "feed.csv")
    mug, cup = feed.products
    assert mug.fields["Price"] == "$12" and mug.photos == ["a.jpg", "b.jpg"]
    assert (cup.available, cup.unavailable_reason) == (False, "out of stock")


def test_a_csv_without_our_columns_names_what_is_missing() -> None:
    feed = read_feed(b"id,title,photos_url\n1,A,x.jpg\n", "feed.csv")
    assert "columns of no known feed" in feed.problems[0]

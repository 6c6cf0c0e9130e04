"""WooCommerce exports: variations fold into their variable product."""

from __future__ import annotations

from producer.feeds import read_feed

HEADER = "ID,Type,SKU,Name,Published,In stock?,Sale price,Regular price,Images,Parent\n"


def test_variations_named_by_sku_or_id_fold_into_their_product() -> None:
    rows = [
        '7,variable,HOOD,Hoodie,1,1,,,"https://s.example/h.jpg, https://s.example/h2.jpg",',
        "8,variation,HOOD-S,Hoodie - S,1,0,,40,https://s.example/s.jpg,id:7",
        "9,variation,HOOD-M,Hoodie - M,1,1,30,40,https://s.example/m.jpg,HOOD",
    ]
    [hoodie] = read_feed((HEADER + "\n".join(rows) + "\n").encode(), "wc.csv").products
    assert hoodie.id == "HOOD" and hoodie.rows == [2, 3, 4]
    assert hoodie.fields["title"] == "Hoodie"
    assert (hoodie.fields["price"], hoodie.fields["old_price"]) == ("30.00", "40.00")
    assert hoodie.photos == [
        "https://s.example/h.jpg", "https://s.example/h2.jpg",
        "https://s.example/s.jpg", "https://s.example/m.jpg",
    ]  # fmt: skip


def test_a_draft_and_an_orphan_variation() -> None:
    rows = [
        "1,simple,,Draft Lamp,-1,1,,12,https://s.example/l.jpg,",
        "2,variation,X,Lost,1,1,,5,https://s.example/x.jpg,id:99",
    ]
    feed = read_feed((HEADER + "\n".join(rows) + "\n").encode(), "wc.csv")
    assert feed.problems == ["row 3: Parent: 'id:99' is no product here"]
    [lamp] = feed.products
    assert (lamp.id, lamp.available, lamp.unavailable_reason) == ("1", False, "not published")

from __future__ import annotations

from producer.feeds.merchant import merchant_products, row_photos, split_photos


def test_additional_images_split_on_commas_but_not_inside_a_url() -> None:
    value = "https://cdn.example/a.jpg, https://cdn.example/w_200,h_200/b.jpg,https://x.example/c"
    assert split_photos(value) == [
        "https://cdn.example/a.jpg",
        "https://cdn.example/w_200,h_200/b.jpg",
        "https://x.example/c",
    ]
    assert split_photos("img/a.jpg, img/b.jpg") == ["img/a.jpg", "img/b.jpg"]


def test_metas_numbered_image_columns_follow_the_image_link() -> None:
    row = {"image_link": "https://m.example/1.jpg", "image[1].url": "https://m.example/3.jpg",
           "image[0].url": "https://m.example/2.jpg"}  # fmt: skip
    assert row_photos(row) == [f"https://m.example/{n}.jpg" for n in (1, 2, 3)]


def test_variants_of_a_group_fold_in_order_of_first_appearance() -> None:
    rows = [
        (2, {"id": "A-1", "item_group_id": "A", "image_link": "https://s.example/a1.jpg"}),
        (3, {"id": "B", "image_link": "https://s.example/b.jpg"}),
        (4, {"id": "A-2", "item_group_id": "A", "image_link": "https://s.example/a2.jpg",
             "availability": "out_of_stock"}),
    ]  # fmt: skip
    problems: list[str] = []
    group, single = merchant_products(rows, problems)
    assert (group.id, group.where, group.rows) == ("A", "rows 2, 4", [2, 4])
    assert group.photos == ["https://s.example/a1.jpg", "https://s.example/a2.jpg"]
    assert [variant.available for variant in group.variants] == [True, False]
    assert (single.id, single.where) == ("B", "row 3") and problems == []

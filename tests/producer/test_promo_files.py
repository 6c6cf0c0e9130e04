from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from producer.catalog import CatalogError, catalog_specs
from producer.manifest import ManifestError, load_manifest
from producer.promo_files import PromoFiles
from tests.conftest import make_photo


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    make_photo(tmp_path / "img" / "mug.jpg", size=(64, 48))
    Image.new("RGBA", (60, 30), (200, 0, 0, 128)).save(tmp_path / "logo.png")
    return tmp_path


def test_brand_file_beside_is_read_and_its_paths_made_absolute(shop: Path) -> None:
    (shop / "brand.yaml").write_text("primary: '#112233'\naccent: '#ff8800'\nlogo: logo.png\n")
    resolved, problems = PromoFiles().resolve({}, shop)
    assert problems == []
    assert resolved["brand"] == {
        "primary": "#112233",
        "accent": "#ff8800",
        "logo": str((shop / "logo.png").resolve()),
    }


def test_template_file_is_read_into_the_options(shop: Path) -> None:
    (shop / "promo.yaml").write_text(
        "style: minimal\nlayers:\n  - {role: name, text: '{title}'}\n  - {role: cta, text: Buy}\n"
    )
    resolved, problems = PromoFiles().resolve({"template": "promo.yaml"}, shop)
    assert problems == []
    assert resolved["template"]["name"] == "promo" and resolved["template"]["style"] == "minimal"
    assert [layer["role"] for layer in resolved["template"]["layers"]] == ["name", "cta"]


@pytest.mark.parametrize(
    ("options", "field", "words"),
    [
        ({"logo": "missing.png"}, "logo", "'missing.png' is not a file"),
        ({"logo": "img/notes.png"}, "logo", "not a readable image"),
        ({"brand": "nope.yaml"}, "brand", "cannot read nope.yaml"),
        ({"brand": "bad.yaml"}, "brand", "not a colour"),
        ({"template": "nope.yaml"}, "template", "cannot read nope.yaml"),
        ({"template": "broken.yaml"}, "template", "broken.yaml"),
    ],
)
def test_bad_files_are_named_with_their_field(
    shop: Path, options: dict, field: str, words: str
) -> None:
    (shop / "img" / "notes.png").write_text("not an image")
    (shop / "bad.yaml").write_text("primary: red\n")
    (shop / "broken.yaml").write_text("layers: [{role: hero}]\n")
    _resolved, problems = PromoFiles().resolve(options, shop)
    assert len(problems) == 1
    assert problems[0][0] == field and words in problems[0][1]


def test_manifest_errors_name_the_job_line_and_field(shop: Path) -> None:
    manifest = shop / "campaign.yaml"
    manifest.write_text(
        "jobs:\n"
        "  - id: mug\n"
        "    photos: [img/mug.jpg]\n"
        "    options: {template: fancy}\n"
        "  - id: mug-logo\n"
        "    photos: [img/mug.jpg]\n"
        "    options: {logo: gone.png}\n"
    )
    with pytest.raises(ManifestError) as caught:
        load_manifest(manifest, allowed_roots=[])
    first, second = caught.value.problems
    assert first.startswith(
        "line 4: jobs.0.options.template: job mug: Value error, unknown template 'fancy'"
    )
    assert second.startswith("line 7: jobs.1.options.logo: job mug-logo: logo 'gone.png'")


def test_feed_rows_keep_their_columns_and_a_logo_column_is_checked(shop: Path) -> None:
    feed = shop / "feed.csv"
    feed.write_text(
        "id,title,photos,price,sale_price,logo\n"
        "mug,Blue Mug,img/mug.jpg,$15,$12,logo.png\n"
        "cup,Cup,img/mug.jpg,$9,,gone.png\n"
    )
    with pytest.raises(CatalogError) as caught:
        catalog_specs(feed, "promo for {title}", {}, allowed_roots=[])
    assert caught.value.problems == ["row 3 (cup): logo: logo 'gone.png' is not a file"]
    feed.write_text("id,title,photos,price,sale_price\nmug,Blue Mug,img/mug.jpg,$15,$12\n")
    (spec,) = catalog_specs(feed, "promo for {title}", {"template": "bold"}, allowed_roots=[])
    assert spec.source.fields is not None
    assert spec.source.fields["sale_price"] == "$12" and "photos" not in spec.source.fields
    assert spec.options.template is not None and spec.options.template.style == "bold"


def test_a_template_naming_a_missing_column_is_refused(shop: Path) -> None:
    (shop / "promo.yaml").write_text("layers:\n  - {role: caption, text: '{origin}'}\n")
    feed = shop / "feed.csv"
    feed.write_text("id,title,photos\nmug,Blue Mug,img/mug.jpg\n")
    with pytest.raises(CatalogError) as caught:
        catalog_specs(feed, "{title}", {"template": "promo.yaml"}, allowed_roots=[])
    assert caught.value.problems == ["row 1: missing column(s): origin"]


def test_unknown_template_in_the_options_of_a_feed(shop: Path) -> None:
    feed = shop / "feed.csv"
    feed.write_text("id,title,photos\nmug,Blue Mug,img/mug.jpg\n")
    with pytest.raises(CatalogError) as caught:
        catalog_specs(feed, "{title}", {"template": "fancy"}, allowed_roots=[])
    assert "template: Value error, unknown template 'fancy'" in caught.value.problems[0]


def test_a_brand_and_a_template_saved_as_unicode_are_read_and_noted(shop: Path) -> None:
    (shop / "brand.yaml").write_bytes("primary: '#112233'\r\nlogo: logo.png\r\n".encode("utf-16"))
    (shop / "promo.yaml").write_bytes(
        "style: bold\r\nlayers:\r\n  - {role: cta, text: 'Jetzt kaufen – 20 %'}\r\n".encode(
            "utf-8-sig"
        )
    )
    notes: list[str] = []
    resolved, problems = PromoFiles().resolve({"template": "promo.yaml"}, shop, notes)
    assert problems == []
    assert resolved["brand"]["primary"] == "#112233"
    assert resolved["template"]["layers"][0]["text"] == "Jetzt kaufen – 20 %"
    assert notes == ["brand.yaml was read as UTF-16 (BOM)"]


def test_a_brand_file_in_a_legacy_encoding_is_named_with_its_byte(shop: Path) -> None:
    (shop / "brand.yaml").write_bytes("primary: '#112233' # Café\n".encode("cp1252"))
    _resolved, problems = PromoFiles().resolve({}, shop)
    assert problems == [
        ("brand", "cannot read brand.yaml: not UTF-8: byte 0xe9 at line 1 (save it as UTF-8)")
    ]


def test_a_feeds_template_saved_as_unicode_is_noted_on_every_product(shop: Path) -> None:
    (shop / "promo.yaml").write_bytes("style: minimal\n".encode("utf-16"))
    feed = shop / "feed.csv"
    feed.write_text("id,title,photos\nmug,Mug,img/mug.jpg\n")
    [spec] = catalog_specs(feed, "{title}", {"template": "promo.yaml"}, allowed_roots=[])
    assert spec.source.notes == ["promo.yaml was read as UTF-16 (BOM)"]

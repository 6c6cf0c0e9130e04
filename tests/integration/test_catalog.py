"""`photoreel catalog` end to end: a rerun renders only the product whose photos changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import make_photo
from tests.integration.test_run import photoreel

pytestmark = pytest.mark.integration
TEMPLATE = "2-second square promo for {title}, {price}"


def test_rerun_renders_only_the_changed_product(tmp_path: Path) -> None:
    rows = ["id,title,photos,price"]
    for index, product in enumerate(("mug", "tee", "cap")):
        for shot in range(2):
            make_photo(tmp_path / "img" / f"{product}-{shot}.jpg", size=(160, 120), seed=index)
        rows.append(f"{product},{product.title()},img/{product}-0.jpg|img/{product}-1.jpg,$9")
    feed = tmp_path / "feed.csv"
    feed.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    command = ["catalog", str(feed), "--prompt-template", TEMPLATE, "--out", str(out)]

    first = photoreel(*command, "--resolution", "720p")
    assert first.returncode == 0, first.stdout + first.stderr
    reports = {
        product: (out / product / "report.json").read_bytes() for product in ("mug", "tee", "cap")
    }
    assert all(json.loads(report)["status"] == "succeeded" for report in reports.values())

    make_photo(tmp_path / "img" / "tee-1.jpg", size=(160, 120), seed=42)
    second = photoreel(*command, "--resolution", "720p")

    assert second.returncode == 0, second.stdout + second.stderr
    assert "2 unchanged and skipped" in second.stderr
    assert "mug: unchanged, skipped" in second.stderr and "cap: unchanged, skipped" in second.stderr
    assert (out / "mug" / "report.json").read_bytes() == reports["mug"]
    assert (out / "cap" / "report.json").read_bytes() == reports["cap"]
    tee = json.loads((out / "tee" / "report.json").read_text())
    assert tee["status"] == "succeeded" and tee["batch"] != json.loads(reports["tee"])["batch"]
    assert (out / "tee" / "video.mp4").stat().st_size > 0


def test_a_feed_with_a_template_and_brand_renders_its_words(tmp_path: Path) -> None:
    make_photo(tmp_path / "img" / "mug.jpg", size=(160, 120))
    make_photo(tmp_path / "img" / "logo.png", size=(40, 20))
    (tmp_path / "feed.csv").write_text(
        "id,title,photos,price,sale_price,cta\nmug,Blue Mug,img/mug.jpg,$15,$12,Shop now\n"
    )
    (tmp_path / "brand.yaml").write_text("primary: '#224466'\nlogo: img/logo.png\n")
    out = tmp_path / "out"
    result = photoreel(
        "catalog",
        str(tmp_path / "feed.csv"),
        "--prompt-template",
        "3-second promo for {title}, 9:16",
        "--template",
        "minimal",
        "--resolution",
        "720p",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((out / "mug" / "report.json").read_text())
    words = report["plan"]["words"]
    assert words["name"] == {"text": "Blue Mug", "from": "column"}
    assert words["price"] == {"text": "$12", "from": "column"}
    assert words["old_price"] == {"text": "$15", "from": "column"}
    assert words["cta"] == {"text": "Shop now", "from": "column"}
    summary = report["timeline"]["summary"]
    for part in ("name: Blue Mug", "old_price: $15", "price: $12", "badge: -20%", "cta: Shop now"):
        assert part in summary
    assert "logo" in summary
    assert [(item["role"], item["name"]) for item in report["inputs"]] == [
        ("photo", "mug.jpg"),
        ("logo", "logo.png"),
    ]

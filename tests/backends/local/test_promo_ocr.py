"""Read the words back from rendered frames with Tesseract: names and prices of a feed.

A feed of four products goes through the catalog reader, the planner and the compositor (the
frames the encoder would get). Three carry ``title`` and ``price`` columns (one a sale price);
the fourth has neither, its name and price reach it only through the prompt template, unquoted.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from config.settings import Settings
from producer.catalog import catalog_specs
from tests.backends.local.yuv import frame_to_rgb
from worker.backends.local.compose import frames, layers_of
from worker.backends.local.framing import choose_framing
from worker.backends.local.layers import text_track
from worker.backends.local.media import load_working_image, prepare_photo
from worker.backends.local.plan import make_plan
from worker.backends.local.text import layout_layers
from worker.backends.local.timeline import PhotoForDraft, shot_spans, video_draft, with_stage2
from worker.job.draft import Draft
from worker.job.spec import JobSpec
from worker.job.styles import Role

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
TEMPLATE = "4-second promo for {label}, now only {cost}. End with 'Shop now'. 9:16, 720p"
FEED = """id,title,photos,price,sale_price,label,cost
coffee,Fresh Roast Coffee,summer-sale/01-coffee.jpg,$12.50,,Fresh Roast Coffee,$12.50
rocket,Rocket Lamp,weekend-trip/03-rocket.jpg,$40,$29,Rocket Lamp,$29
bike,Motorbike Poster,weekend-trip/01-motorcycle_left.jpg,€18.90,,Motorbike Poster,€18.90
kettle,,summer-sale/02-chelsea.jpg,,,Copper Kettle,£64
"""
EXPECTED = {
    "coffee": ("Fresh Roast Coffee", "$12.50", None),
    "rocket": ("Rocket Lamp", "$29", "$40"),
    "bike": ("Motorbike Poster", "€18.90", None),
    "kettle": ("Copper Kettle", "£64", None),
}


def tesseract() -> str:
    found = shutil.which("tesseract")
    if found is None:
        pytest.skip("tesseract is not installed: `make system-deps` installs it (as root)")
    return found


def ocr(image: np.ndarray, folder: Path, name: str) -> str:
    """Tesseract's readings of ``image`` (grey, enlarged twice) as a block and as a line."""
    path = folder / f"{name}.png"
    grey = Image.fromarray(image).convert("L")
    grey.resize((grey.width * 2, grey.height * 2), Image.Resampling.LANCZOS).save(path)
    readings = [
        subprocess.run(
            [tesseract(), str(path), "-", "--psm", mode],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
        for mode in ("6", "7")  # a block of lines; one line (pill-shaped buttons)
    ]
    return "\n".join(readings)


def read_frame(draft: Draft, index: int, image: np.ndarray, folder: Path) -> str:
    """The text of each layer on screen at frame ``index``, read inside the box it was given."""
    fps = int(draft.m["fps"])
    shown = layers_of(draft, fps)
    height, width = image.shape[:2]
    places = layout_layers([item.layer for item in shown], (width, height))
    texts = []
    for number, (item, placed) in enumerate(zip(shown, places, strict=True)):
        if item.start <= index < item.end and item.layer.role != Role.LOGO:
            x, y, w, h = placed.box
            crop = image[max(0, y - 4) : y + h + 4, max(0, x - 4) : x + w + 4]
            texts.append(ocr(crop, folder, f"layer-{index}-{number}"))
    return "\n".join(texts)


def squeezed(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def digits(price: str) -> str:
    return re.sub(r"\D", "", price)


def rendered(spec: JobSpec, workdir: Path) -> tuple[Draft, dict[int, np.ndarray]]:
    """The draft and two frames as RGB: in the body (name, price) and on the end card."""
    plan = make_plan(spec.prompt, spec.options, Settings(), spec.source.fields)
    photos, files = [], {}
    for photo in spec.photos:
        record = prepare_photo(Path(photo), workdir, plan.size).to_record(workdir)
        files[record["id"]] = workdir / record["file"]
        rgb = load_working_image(files[record["id"]])
        framing = choose_framing(rgb, plan.size[0] / plan.size[1])
        photos.append(PhotoForDraft(record["id"], record["name"], framing))
    draft = video_draft(plan, photos)
    texts = text_track(plan, draft.duration_ms, shot_spans(draft))
    assert texts is not None
    draft = with_stage2(draft, [texts])
    total = plan.frame_count
    wanted = {round(total * 0.35): None, total - plan.fps // 2: None}
    picked = {
        index: frame_to_rgb(frame)
        for index, frame in enumerate(frames(draft, files))
        if index in wanted
    }
    return draft, picked


@pytest.fixture(scope="module")
def feed_specs(tmp_path_factory: pytest.TempPathFactory) -> list[JobSpec]:
    folder = tmp_path_factory.mktemp("feed")
    feed = folder / "feed.csv"
    feed.write_text(FEED, encoding="utf-8")
    for name in ("summer-sale", "weekend-trip"):
        (folder / name).symlink_to(EXAMPLES / name)
    specs = catalog_specs(feed, TEMPLATE, {"fps": 12}, allowed_roots=[EXAMPLES])
    assert [spec.id for spec in specs] == list(EXPECTED)
    return specs


def test_the_prompt_only_product_is_understood_from_the_prompt(
    feed_specs: list[JobSpec],
) -> None:
    kettle = feed_specs[-1]
    plan = make_plan(kettle.prompt, kettle.options, Settings(), kettle.source.fields)
    record = plan.to_record()["words"]
    assert record["name"] == {"text": "Copper Kettle", "from": "prompt"}
    assert record["price"] == {"text": "£64", "from": "prompt"}
    assert record["cta"] == {"text": "Shop now", "from": "prompt"}


@pytest.mark.parametrize("product", list(EXPECTED))
def test_names_and_prices_are_read_back_from_the_frames(
    product: str, feed_specs: list[JobSpec], tmp_path: Path
) -> None:
    tesseract()
    spec = next(spec for spec in feed_specs if spec.id == product)
    name, price, old_price = EXPECTED[product]
    draft, picked = rendered(spec, tmp_path)
    body_index, card_index = sorted(picked)
    body = read_frame(draft, body_index, picked[body_index], tmp_path)
    card = read_frame(draft, card_index, picked[card_index], tmp_path)
    for text, where in ((body, "body"), (card, "end card")):
        assert squeezed(name) in squeezed(text), f"{name!r} not on the {where}: {text!r}"
        assert digits(price) in digits(text), f"{price!r} not on the {where}: {text!r}"
    if old_price is not None:
        assert digits(old_price) in digits(body), f"old price {old_price!r} missing: {body!r}"
    assert "shopnow" in squeezed(card), f"no call to action on the end card: {card!r}"
    assert "shopnow" not in squeezed(body)

"""Photos the service does not list go up as 8-bit JPEG (PNG with transparency)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from worker.backends.nemo.photos import ready_file
from worker.media.ffmpeg import run_ffmpeg


def saved(path: Path, image: Image.Image, **options: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **options)
    return path


@pytest.mark.parametrize(
    ("name", "image", "suffix"),
    [
        ("scan.tiff", Image.new("RGB", (32, 24), (200, 10, 10)), ".jpg"),
        ("icon.bmp", Image.new("RGB", (32, 24), (10, 200, 10)), ".jpg"),
        ("print.jpg", Image.new("CMYK", (32, 24), (0, 255, 255, 0)), ".jpg"),
        ("cut-out.tiff", Image.new("RGBA", (32, 24), (0, 0, 255, 128)), ".png"),
        (
            "deep.png",
            Image.fromarray(np.full((24, 32), 40000, dtype=np.uint16)),
            ".jpg",
        ),
    ],
)
def test_unlisted_photos_are_converted_to_8_bit(
    tmp_path: Path, name: str, image: Image.Image, suffix: str
) -> None:
    source = saved(tmp_path / "in" / name, image)
    before = source.read_bytes()
    ready = ready_file(source, tmp_path / "work")
    assert ready.suffix == suffix and ready.parent == tmp_path / "work" / "nemo-upload"
    with Image.open(ready) as converted:
        assert converted.mode in {"RGB", "RGBA"}
        assert converted.size == (32, 24)
        if name == "deep.png":
            assert abs(converted.getpixel((0, 0))[0] - 155) <= 2  # 40000 / 65535 of 255
    assert source.read_bytes() == before


def test_a_16_bit_rgb_png_is_converted(tmp_path: Path) -> None:
    source = tmp_path / "rgb48.png"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=red:s=8x8", "-frames:v", "1",
                "-pix_fmt", "rgb48be", source])  # fmt: skip
    assert source.read_bytes()[24] == 16
    ready = ready_file(source, tmp_path / "work")
    assert ready.suffix == ".jpg"
    with Image.open(ready) as converted:
        assert converted.mode == "RGB" and converted.getpixel((4, 4))[0] > 200


@pytest.mark.parametrize("name", ["plain.jpg", "plain.png", "anim.gif", "photo.webp"])
def test_listed_8_bit_photos_go_up_as_they_are(tmp_path: Path, name: str) -> None:
    source = saved(tmp_path / name, Image.new("RGB", (16, 16), (9, 9, 9)))
    assert ready_file(source, tmp_path / "work") == source


def test_a_file_that_is_no_picture_goes_up_as_it_is(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("not a photo")
    assert ready_file(source, tmp_path / "work") == source

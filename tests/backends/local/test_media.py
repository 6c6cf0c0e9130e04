from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np
import pillow_heif
import pytest
from PIL import Image

from worker.backends.local import media
from worker.backends.local.media import decode_photo, load_working_image, prepare_photo
from worker.job.errors import JobFailed

pillow_heif.register_heif_opener()

RED = (220, 30, 30)
BLUE = (30, 30, 220)


def two_tone(width: int, height: int) -> np.ndarray:
    """Top half red, bottom half blue."""
    pixels = np.empty((height, width, 3), dtype=np.uint8)
    pixels[: height // 2] = RED
    pixels[height // 2 :] = BLUE
    return pixels


def close_to(pixel: np.ndarray, colour: tuple[int, int, int], tolerance: int = 30) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - colour) <= tolerance))


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "rotated.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: display rotated 90° clockwise
    Image.fromarray(two_tone(120, 80)).save(path, exif=exif, quality=95)
    upright = decode_photo(path, (1000, 1000))
    assert upright.shape == (120, 80, 3)
    assert close_to(upright[60, 70], RED)  # the stored top is now on the right
    assert close_to(upright[60, 10], BLUE)


def test_cmyk_comes_out_as_rgb(tmp_path: Path) -> None:
    path = tmp_path / "print.jpg"
    Image.new("CMYK", (64, 48), (0, 255, 255, 0)).save(path, quality=95)
    decoded = decode_photo(path, (1000, 1000))
    assert decoded.shape == (48, 64, 3)
    assert close_to(decoded[24, 32], (255, 0, 0))


def test_alpha_is_flattened_onto_white(tmp_path: Path) -> None:
    path = tmp_path / "cutout.png"
    rgba = np.zeros((40, 40, 4), dtype=np.uint8)
    rgba[:, :20] = (*RED, 255)
    Image.fromarray(rgba, "RGBA").save(path)
    decoded = decode_photo(path, (1000, 1000))
    assert close_to(decoded[20, 5], RED, 2)
    assert close_to(decoded[20, 35], (255, 255, 255), 2)


def test_sixteen_bit_greyscale_is_scaled_not_clipped(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    samples = np.zeros((32, 32), dtype=np.uint16)
    samples[:, :16] = 65535
    samples[:, 16:] = 32768
    cv2.imwrite(str(path), samples)
    assert Image.open(path).mode.startswith("I")
    decoded = decode_photo(path, (1000, 1000))
    assert decoded.shape == (32, 32, 3)
    assert decoded[5, 5].tolist() == [255, 255, 255]
    assert abs(int(decoded[5, 25, 0]) - 128) <= 1


def test_sixteen_bit_colour(tmp_path: Path) -> None:
    path = tmp_path / "raw.png"
    cv2.imwrite(str(path), np.full((16, 16, 3), (10000, 40000, 60000), dtype=np.uint16))  # BGR
    decoded = decode_photo(path, (1000, 1000))
    assert decoded[0, 0].tolist() == pytest.approx([233, 156, 39], abs=1)


def test_palette_with_transparency(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    image = Image.fromarray(two_tone(40, 40)).quantize(colors=4)
    image.info["transparency"] = image.getpixel((0, 39))  # the blue index
    image.save(path, transparency=image.getpixel((0, 39)))
    decoded = decode_photo(path, (1000, 1000))
    assert close_to(decoded[5, 5], RED)
    assert close_to(decoded[35, 5], (255, 255, 255), 2)


def test_heic(tmp_path: Path) -> None:
    path = tmp_path / "phone.heic"
    Image.fromarray(two_tone(64, 64)).save(path)
    decoded = decode_photo(path, (1000, 1000))
    assert decoded.shape == (64, 64, 3)
    assert close_to(decoded[10, 32], RED, 40)


def test_large_photos_shrink_to_what_covers_the_output(tmp_path: Path) -> None:
    path = tmp_path / "big.jpg"
    Image.fromarray(two_tone(3000, 2000)).save(path, quality=80)
    # Covering 640x360 needs 640 of the 3000 columns; with 1.25x headroom, 800.
    assert decode_photo(path, (640, 360)).shape == (533, 800, 3)
    # A vertical output needs the 2000 rows to cover 360x640: 800 rows.
    assert decode_photo(path, (360, 640)).shape == (800, 1200, 3)


def test_shrinking_accounts_for_the_exif_rotation(tmp_path: Path) -> None:
    path = tmp_path / "sideways.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(two_tone(3000, 2000)).save(path, exif=exif, quality=80)
    assert decode_photo(path, (360, 640)).shape == (800, 533, 3)


@pytest.mark.parametrize(("output", "reduced"), [((900, 1600), False), ((180, 320), True)])
def test_colour_jpegs_decode_to_the_pixels_pillow_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: tuple[int, int], reduced: bool
) -> None:
    path = tmp_path / "noisy.jpg"
    rng = np.random.default_rng(5)
    exif = Image.Exif()
    exif[0x0112] = 6
    noisy = rng.integers(0, 256, (1200, 1800, 3), dtype=np.uint8)
    Image.fromarray(noisy).save(path, exif=exif, quality=85)
    with Image.open(path) as image:
        image.draft("RGB", (image.size[0] // 2, image.size[1] // 2) if reduced else image.size)
        assert media._colour_jpeg_pixels(path, image, (1800, 1200)) is not None
    fast = decode_photo(path, output)
    monkeypatch.setattr(media, "_colour_jpeg_pixels", lambda *_: None)
    np.testing.assert_array_equal(fast, decode_photo(path, output))


def test_truncated_jpeg_names_the_file(tmp_path: Path) -> None:
    good = tmp_path / "good.jpg"
    Image.fromarray(two_tone(200, 200)).save(good)
    broken = tmp_path / "IMG_0042.jpg"
    broken.write_bytes(good.read_bytes()[:400])
    with pytest.raises(JobFailed) as failure:
        decode_photo(broken, (1000, 1000))
    assert failure.value.file == "IMG_0042.jpg"
    assert failure.value.message.startswith("cannot decode image:")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.jpg", b"hello, not a picture"),
        ("vector.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_unsupported_file_names_the_file(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(JobFailed) as failure:
        decode_photo(path, (1000, 1000))
    assert failure.value.file == name
    assert "unsupported" in failure.value.message


def test_prepare_leaves_the_input_alone(tmp_path: Path) -> None:
    path = tmp_path / "in.png"
    Image.fromarray(two_tone(90, 60)).save(path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    photo = prepare_photo(path, tmp_path / "work", (1000, 1000))
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert photo.file_id == hashlib.sha256(before[0]).hexdigest()
    assert photo.input_bytes == len(before[0])
    assert load_working_image(photo.working_path).shape == (60, 90, 3)


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(JobFailed) as failure:
        prepare_photo(tmp_path / "gone.jpg", tmp_path / "work", (1000, 1000))
    assert failure.value.file == "gone.jpg"
    assert failure.value.message.startswith("cannot read image")


def test_decompression_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "huge.png"
    Image.fromarray(two_tone(200, 100)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 5000)
    with pytest.raises(JobFailed) as failure:
        decode_photo(path, (1000, 1000))
    assert (failure.value.file, "too large" in failure.value.message) == ("huge.png", True)

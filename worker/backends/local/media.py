"""Decode photos once: upright, 8-bit RGB, no larger than the output can use.

The working copy is saved uncompressed (``.npy``): it is read again for every shot, and
loading it must cost next to nothing.

Every input Pillow (or pillow-heif, for HEIC/HEIF) can read comes out the same way: EXIF
orientation applied, CMYK through its ICC profile when it has one, transparency flattened
onto white, 16-bit and float samples scaled (not clipped) to 8 bits, palettes expanded.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pillow_heif
from PIL import Image, ImageCms, UnidentifiedImageError

from worker.errors import JobFailed

pillow_heif.register_heif_opener()

HEADROOM = 1.25
"""Working images keep this much more than the output needs, for zooming in."""

ALPHA_BACKGROUND = (255, 255, 255)


@dataclass(frozen=True)
class DecodedPhoto:
    name: str
    file_id: str
    """sha256 of the input file."""
    input_bytes: int
    working_path: Path
    width: int
    height: int

    def to_record(self, workdir: Path) -> dict[str, object]:
        return {
            "name": self.name,
            "id": self.file_id,
            "bytes": self.input_bytes,
            "file": str(self.working_path.relative_to(workdir)),
            "width": self.width,
            "height": self.height,
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def working_short_side_limit(output_long_side: int) -> int:
    """A photo's short side never needs to exceed this, whatever the aspect of the output."""
    return round(output_long_side * HEADROOM)


def _scaled_samples(image: Image.Image) -> Image.Image:
    """16-bit / 32-bit / float greyscale to 8-bit ``L`` by scaling the range, never clipping."""
    samples = np.asarray(image)
    if image.mode == "F":
        low, high = float(np.nanmin(samples)), float(np.nanmax(samples))
        scale = 255.0 / (high - low) if high > low else 0.0
        return Image.fromarray(((samples - low) * scale).astype(np.uint8), "L")
    peak = 65535 if image.mode.startswith("I;16") or samples.max() > 255 else 255
    return Image.fromarray(
        (samples.astype(np.float32) * (255.0 / peak) + 0.5).astype(np.uint8), "L"
    )


def _cmyk_to_rgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            target = ImageCms.createProfile("sRGB")
            return ImageCms.profileToProfile(image, source, target, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError):
            pass
    return image.convert("RGB")


def to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        image = _scaled_samples(image)
    if image.mode == "CMYK":
        return _cmyk_to_rgb(image)
    if image.mode == "P" or image.mode == "PA":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "La", "RGBa"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, ALPHA_BACKGROUND)
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def _bounded(image: Image.Image, short_side_limit: int) -> Image.Image:
    if min(image.size) <= short_side_limit:
        return image
    scale = short_side_limit / min(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


EXIF_ORIENTATION = 0x0112
_UPRIGHT: dict[int, Callable[[np.ndarray], np.ndarray]] = {
    2: lambda pixels: pixels[:, ::-1],
    3: lambda pixels: pixels[::-1, ::-1],
    4: lambda pixels: pixels[::-1],
    5: lambda pixels: pixels.transpose(1, 0, 2),
    6: lambda pixels: np.rot90(pixels, -1),
    7: lambda pixels: pixels.transpose(1, 0, 2)[::-1, ::-1],
    8: lambda pixels: np.rot90(pixels, 1),
}
"""How to turn stored pixels upright for each EXIF orientation (as ``ImageOps.exif_transpose``)."""


def decode_photo(path: Path, short_side_limit: int) -> np.ndarray:
    """The photo upright as RGB (height, width, 3), short side at most ``short_side_limit``.

    The full-size decode is let go as soon as the bounded copy exists, so one decode needs
    about the full-size image plus two bounded copies of memory.
    """
    try:
        with Image.open(path) as image:
            if image.format == "JPEG":
                scale = short_side_limit / min(image.size)
                image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
            image.load()
            orientation = image.getexif().get(EXIF_ORIENTATION, 1)
            bounded = _bounded(to_rgb(image), short_side_limit)
            pixels = np.asarray(bounded)
    except UnidentifiedImageError:
        message = "cannot decode image: unsupported or unrecognised format"
        raise JobFailed(message, file=path.name) from None
    except Image.DecompressionBombError as error:
        raise JobFailed(f"cannot decode image: too large ({error})", file=path.name) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise JobFailed(f"cannot decode image: {error}", file=path.name) from None
    upright = _UPRIGHT.get(orientation)
    return np.ascontiguousarray(upright(pixels)) if upright else pixels


def prepare_photo(path: Path, folder: Path, short_side_limit: int) -> DecodedPhoto:
    """Decode ``path`` and save the working copy in ``folder``; the input is only read."""
    try:
        file_id = file_sha256(path)
    except OSError as error:
        raise JobFailed(f"cannot read image: {error.strerror or error}", file=path.name) from None
    image = decode_photo(path, short_side_limit)
    folder.mkdir(parents=True, exist_ok=True)
    working_path = folder / f"{file_id}.npy"
    np.save(working_path, image)
    return DecodedPhoto(
        name=path.name,
        file_id=file_id,
        input_bytes=path.stat().st_size,
        working_path=working_path,
        width=image.shape[1],
        height=image.shape[0],
    )


def load_working_image(path: Path) -> np.ndarray:
    """The RGB uint8 array (height, width, 3) ``prepare_photo`` saved."""
    return np.load(path, allow_pickle=False)

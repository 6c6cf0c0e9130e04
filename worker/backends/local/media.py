"""Decode photos once: upright, 8-bit RGB, no larger than the output can use.

Every input Pillow (or pillow-heif, for HEIC/HEIF) can read comes out the same way: EXIF
orientation applied, CMYK through its ICC profile when it has one, transparency flattened
onto white, 16-bit and float samples scaled (not clipped) to 8 bits, palettes expanded.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pillow_heif
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

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


def decode_photo(path: Path, short_side_limit: int) -> Image.Image:
    """The photo upright, in 8-bit RGB, its short side at most ``short_side_limit``."""
    try:
        with Image.open(path) as image:
            if image.format == "JPEG":
                scale = short_side_limit / min(image.size)
                image.draft("RGB", (round(image.width * scale), round(image.height * scale)))
            image.load()
            upright = ImageOps.exif_transpose(image)
            rgb = to_rgb(upright)
    except UnidentifiedImageError:
        raise JobFailed(
            "cannot decode image: unsupported or unrecognised format", file=path.name
        ) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise JobFailed(f"cannot decode image: {error}", file=path.name) from None
    if min(rgb.size) > short_side_limit:
        scale = short_side_limit / min(rgb.size)
        size = (max(1, round(rgb.width * scale)), max(1, round(rgb.height * scale)))
        rgb = rgb.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return rgb


def prepare_photo(path: Path, folder: Path, short_side_limit: int) -> DecodedPhoto:
    """Decode ``path`` and save the working copy in ``folder``; the input is only read."""
    file_id = file_sha256(path)
    image = decode_photo(path, short_side_limit)
    folder.mkdir(parents=True, exist_ok=True)
    working_path = folder / f"{file_id}.png"
    image.save(working_path, compress_level=1)
    return DecodedPhoto(
        name=path.name,
        file_id=file_id,
        input_bytes=path.stat().st_size,
        working_path=working_path,
        width=image.width,
        height=image.height,
    )


def load_working_image(path: Path) -> np.ndarray:
    """An RGB uint8 array (height, width, 3) of a working copy written by ``prepare_photo``."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))

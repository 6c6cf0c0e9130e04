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

import cv2
import numpy as np
import pillow_heif
from PIL import Image, ImageCms, UnidentifiedImageError

from worker.job.errors import JobFailed

pillow_heif.register_heif_opener()

HEADROOM = 1.25
"""Working images keep this much more than covering the output needs, for zooming in."""

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


def working_scale(upright_size: tuple[int, int], output_size: tuple[int, int]) -> float:
    """How far a photo can shrink and still cover the output ``HEADROOM`` times over (<= 1)."""
    (width, height), (out_w, out_h) = upright_size, output_size
    return min(1.0, HEADROOM * max(out_w / width, out_h / height))


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


def _scaled(size: tuple[int, int], scale: float) -> tuple[int, int]:
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _bounded(pixels: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``pixels`` shrunk to ``size`` (width, height) by area averaging, if larger."""
    if pixels.shape[1] <= size[0] and pixels.shape[0] <= size[1]:
        return pixels
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)


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


def _orientation(image: Image.Image) -> int:
    return int(image.getexif().get(EXIF_ORIENTATION, 1))


def _upright_size(size: tuple[int, int], orientation: int) -> tuple[int, int]:
    return (size[1], size[0]) if orientation in (5, 6, 7, 8) else size


_OPENCV_REDUCED = {1: 0, 2: cv2.IMREAD_REDUCED_GRAYSCALE_2, 4: cv2.IMREAD_REDUCED_GRAYSCALE_4,
                   8: cv2.IMREAD_REDUCED_GRAYSCALE_8}  # fmt: skip
"""Flags for decoding a JPEG at 1/n of its size in the DCT (the greyscale ones add no colour
flag, so they combine with ``IMREAD_COLOR_RGB``)."""


def _colour_jpeg_pixels(
    path: Path, image: Image.Image, stored: tuple[int, int]
) -> np.ndarray | None:
    """A colour JPEG's stored pixels, decoded by OpenCV straight into an array; else None.

    Pillow and OpenCV decode with the same libjpeg-turbo and the same settings (accurate
    integer DCT, smooth chroma upsampling), so the pixels are identical, but Pillow's array
    is a second copy out of its own image memory: about 50 ms of a 12 MP photo's 160. The
    DCT reduction is the one ``Image.draft`` chose (from the ``stored`` size to the image's
    size now); orientation is left to the caller. None for other modes and for what OpenCV
    cannot decode (truncated files), which Pillow then decodes or explains.
    """
    if image.format != "JPEG" or image.mode != "RGB":
        return None
    reduction = _OPENCV_REDUCED.get(round(stored[0] / image.size[0]))
    if reduction is None:
        return None
    flags = reduction | cv2.IMREAD_COLOR_RGB | cv2.IMREAD_IGNORE_ORIENTATION
    pixels = cv2.imdecode(np.fromfile(path, dtype=np.uint8), flags)
    if pixels is None or pixels.shape[:2] != (image.size[1], image.size[0]):
        return None
    return pixels


def decode_photo(path: Path, output_size: tuple[int, int]) -> np.ndarray:
    """The photo upright as RGB (height, width, 3), no bigger than ``output_size`` can use.

    The full-size decode is let go as soon as the bounded copy exists, so one decode needs
    about the full-size image plus two bounded copies of memory. JPEGs carry their EXIF
    ahead of the pixels, so they are decoded straight at a reduced size when that is enough.
    """
    try:
        with Image.open(path) as image:
            stored = image.size
            if image.format == "JPEG":
                upright = _upright_size(stored, _orientation(image))
                image.draft("RGB", _scaled(stored, working_scale(upright, output_size)))
            decoded = _colour_jpeg_pixels(path, image, stored)
            if decoded is None:
                image.load()
                decoded = np.asarray(to_rgb(image))
            orientation = _orientation(image)
            scale = working_scale(_upright_size(stored, orientation), output_size)
            pixels = _bounded(decoded, _scaled(stored, scale))
    except UnidentifiedImageError:
        message = "cannot decode image: unsupported or unrecognised format"
        raise JobFailed(message, file=path.name) from None
    except Image.DecompressionBombError as error:
        raise JobFailed(f"cannot decode image: too large ({error})", file=path.name) from None
    except (OSError, SyntaxError, ValueError) as error:
        raise JobFailed(f"cannot decode image: {error}", file=path.name) from None
    turn = _UPRIGHT.get(orientation)
    return np.ascontiguousarray(turn(pixels)) if turn else pixels


def prepare_photo(path: Path, folder: Path, output_size: tuple[int, int]) -> DecodedPhoto:
    """Decode ``path`` and save the working copy in ``folder``; the input is only read."""
    try:
        file_id = file_sha256(path)
    except OSError as error:
        raise JobFailed(f"cannot read image: {error.strerror or error}", file=path.name) from None
    image = decode_photo(path, output_size)
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

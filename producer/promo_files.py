"""The files a promo's options name — template, brand file, logo — read by the producer.

A template file and a brand file are read here and their contents go into the job spec, so a
worker needs neither; a logo (or a brand's font) becomes an absolute path. ``brand.yaml`` next
to a manifest or feed is the brand of all its jobs unless one names another. Problems come
back as (field, message) pairs, so every bad value is reported before anything is queued;
a file read as anything but UTF-8 (``producer.text_files``) adds a note for the job's spec.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from PIL import Image, UnidentifiedImageError
from pydantic import ValidationError

from producer.text_files import TextDecodeError, read_text_file
from producer.yaml_file import load_yaml
from worker.job.spec import describe_validation_error
from worker.job.styles import Brand, Template

BRAND_FILE = "brand.yaml"
TEMPLATE_SUFFIXES = (".yaml", ".yml")
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")

Problems = list[tuple[str, str]]
Reader = Callable[[Any, Path, Problems, list[str]], Any]
"""Reads one option's file(s): (its value, the folder it is relative to, problems, notes)."""


def _read_yaml(path: Path, notes: list[str]) -> tuple[dict[str, Any] | None, str | None]:
    try:
        decoded = read_text_file(path, legacy_fallback=False)
        data = load_yaml(decoded.text)
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        return None, f"cannot read {path.name}: line {line}: {error.problem}"
    except TextDecodeError as error:
        return None, f"cannot read {path.name}: {error}"
    except (OSError, yaml.YAMLError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        return None, f"cannot read {path.name}: {reason}"
    if note := decoded.note(path.name):
        notes.append(note)
    if not isinstance(data, dict):
        return None, f"{path.name} is not a YAML mapping"
    return data, None


def check_image(path: Path, label: str) -> str | None:
    """None when ``path`` is an image Pillow opens; else what is wrong with it."""
    if not path.is_file():
        return f"{label} {path.name!r} is not a file"
    if path.suffix.lower() not in LOGO_SUFFIXES:
        return f"{label} {path.name!r}: PNG, JPEG or WebP"
    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, UnidentifiedImageError):
        return f"{label} {path.name!r} is not a readable image"
    return None


def resolve_logo(name: str, base: Path) -> tuple[str, str | None]:
    """The logo ``name`` (relative to ``base``) as an absolute path, and what is wrong with it
    (None when it is an image Pillow opens)."""
    path = (base / name).resolve()
    return str(path), check_image(path, "logo")


def _brand(value: Any, base: Path, problems: Problems, notes: list[str]) -> dict[str, Any] | None:
    if isinstance(value, dict):
        data, folder = value, base
    else:
        path = base / str(value)
        data, problem = _read_yaml(path, notes)
        if data is None:
            problems.append(("brand", problem or ""))
            return None
        folder = path.parent
    try:
        brand = Brand.model_validate(data)
    except ValidationError as error:
        problems.append(("brand", describe_validation_error(error)))
        return None
    if brand.font:
        font = (folder / brand.font).resolve()
        if not font.is_file():
            problems.append(("brand", f"font {brand.font!r} is not a file"))
        brand.font = str(font)
    if brand.logo:
        brand.logo, problem = resolve_logo(brand.logo, folder)
        if problem:
            problems.append(("brand", problem))
    return brand.model_dump(exclude_none=True)


def _logo(value: Any, base: Path, problems: Problems, _notes: list[str]) -> str:
    path, problem = resolve_logo(str(value), base)
    if problem:
        problems.append(("logo", problem))
    return path


def _template(value: Any, base: Path, problems: Problems, notes: list[str]) -> Any:
    if not (isinstance(value, str) and value.lower().endswith(TEMPLATE_SUFFIXES)):
        return value
    path = base / value
    data, problem = _read_yaml(path, notes)
    if data is None:
        problems.append(("template", problem or ""))
        return value
    data.setdefault("name", path.stem)
    try:
        return Template.model_validate(data).model_dump(mode="json", exclude_none=True)
    except ValidationError as error:
        problems.append(("template", f"{path.name}: {describe_validation_error(error)}"))
        return value


class PromoFiles:
    """Job options with their template file and brand file read and their logo made absolute,
    for the jobs of one manifest or feed: each file is read (and each logo checked) once,
    however many jobs name it."""

    def __init__(self) -> None:
        self._resolved: dict[tuple[str, str, Path], tuple[Any, Problems, list[str]]] = {}

    def resolve(
        self, options: dict[str, Any], base: Path, notes: list[str] | None = None
    ) -> tuple[dict[str, Any], Problems]:
        """``options`` resolved, file names relative to ``base``, and the problems found. A
        note for each file not read as UTF-8 is appended to ``notes``."""
        resolved = dict(options)
        problems: Problems = []
        notes = [] if notes is None else notes
        if "template" in resolved:
            resolved["template"] = self._once(
                _template, resolved["template"], base, problems, notes
            )
        if resolved.get("brand") is None and (base / BRAND_FILE).is_file():
            resolved["brand"] = BRAND_FILE
        if resolved.get("brand") is not None:
            resolved["brand"] = self._once(_brand, resolved["brand"], base, problems, notes)
        logo = resolved.get("logo")
        if isinstance(logo, str) and "://" not in logo:
            resolved["logo"] = self._once(_logo, logo, base, problems, notes)
        return resolved, problems

    def _once(
        self, read: Reader, value: Any, base: Path, problems: Problems, notes: list[str]
    ) -> Any:
        key = (read.__name__, json.dumps(value, sort_keys=True, default=str), base)
        if key not in self._resolved:
            found_problems: Problems = []
            found_notes: list[str] = []
            result = read(value, base, found_problems, found_notes)
            self._resolved[key] = (result, found_problems, found_notes)
        result, found_problems, found_notes = self._resolved[key]
        problems.extend(found_problems)
        notes.extend(note for note in found_notes if note not in notes)
        return copy.deepcopy(result)

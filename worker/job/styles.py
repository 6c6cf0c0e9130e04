"""How promo text looks: named styles, brand colours and fonts, and template files' layers.

A style is a set of choices for every text layer: size, plate, colours, letter case. A brand
(``brand.yaml`` or the ``brand`` option) overrides colours and the font. A template (a style
name, or a YAML file the producer reads) may also list its own layers, whose texts hold merge
fields: ``{name}``, ``{price}`` and any column of the catalog row.
"""

from __future__ import annotations

import re
import string
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

HEX_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{6})$")


class StyleName(StrEnum):
    CLEAN = "clean"
    BOLD = "bold"
    MINIMAL = "minimal"


class Role(StrEnum):
    TITLE = "title"
    NAME = "name"
    PRICE = "price"
    OLD_PRICE = "old_price"
    BADGE = "badge"
    CAPTION = "caption"
    CTA = "cta"
    END_CARD = "end_card"
    LOGO = "logo"


class Position(StrEnum):
    TOP = "top"
    MIDDLE = "middle"
    LOWER = "lower"
    BADGE = "badge"
    CORNER = "corner"
    END = "end"


class LogoPlacement(StrEnum):
    CORNER = "corner"
    START = "start"
    END = "end"


class Brand(BaseModel):
    """Colours as ``#rrggbb``; ``font`` a TrueType/OpenType file (made absolute by the producer)."""

    model_config = ConfigDict(extra="forbid")

    primary: str | None = Field(default=None, description="plates, the badge, the CTA button")
    text: str | None = Field(default=None, description="text on plates")
    accent: str | None = Field(default=None, description="the price")
    font: str | None = None
    logo: str | None = None

    @field_validator("primary", "text", "accent")
    @classmethod
    def _colour(cls, value: str | None) -> str | None:
        if value is not None and not HEX_COLOUR.match(value):
            raise ValueError(f"{value!r} is not a colour like '#1a2b3c'")
        return value


class LayerSpec(BaseModel):
    """One text layer of a template: its role, text (with ``{field}`` merge fields), where
    it sits and when. ``start``/``end`` in seconds; negative counts from the video's end."""

    model_config = ConfigDict(extra="forbid")

    role: Role
    text: str = ""
    position: Position | None = None
    start: float | None = None
    end: float | None = None

    def fields(self) -> set[str]:
        return {name for _t, name, _s, _c in string.Formatter().parse(self.text) if name}


class Template(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", description="the style's or file's name, for the report")
    style: StyleName = StyleName.CLEAN
    layers: list[LayerSpec] | None = None

    def fields(self) -> set[str]:
        return {name for layer in self.layers or [] for name in layer.fields()}


def template_named(value: object) -> object:
    """A bare style name ("bold") as a template; anything else unchanged (for validation)."""
    if isinstance(value, str) and value in set(StyleName):
        return {"name": value, "style": value}
    return value

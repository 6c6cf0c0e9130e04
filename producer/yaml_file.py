"""YAML as people write it: ``aspect: 9:16`` is the text "9:16", not the number 556.

PyYAML follows YAML 1.1, which reads digits around colons as base-60 numbers (``9:16`` is
556, ``1:30`` is 90), ``yes``/``no``/``on``/``off`` as booleans, ``017`` as octal and
``2024-05-01`` as a date. None of that is what a manifest, a ``job.yaml`` or a template means.
``WrittenLoader`` is PyYAML's safe loader (on libyaml's parser when PyYAML has it) with the
YAML 1.2 core schema's numbers and booleans instead: integers and floats in decimal (and
``0x``/``0o``), ``true``/``false`` only, no dates. Anchors, aliases and merge keys stay.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml

_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader when PyYAML has it: many times faster on a big manifest."""
_TAG = "tag:yaml.org,2002:"
_REPLACED = {f"{_TAG}{name}" for name in ("bool", "int", "float", "timestamp")}

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9_]+)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class WrittenLoader(_BASE):  # type: ignore[misc,valid-type]
    """Safe loading with YAML 1.2 core numbers and booleans (see the module)."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag not in _REPLACED]
        for first, resolvers in _BASE.yaml_implicit_resolvers.items()
    }

    def construct_decimal_int(self, node: yaml.ScalarNode) -> int:
        """``017`` is seventeen; ``0x1f`` and ``0o17`` keep their bases."""
        text = str(self.construct_scalar(node)).replace("_", "")
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        if digits[:2] in ("0x", "0o"):
            return sign * int(digits[2:], 16 if digits[1] == "x" else 8)
        return sign * int(digits, 10)


WrittenLoader.add_implicit_resolver(f"{_TAG}bool", _BOOL, list("tTfF"))
WrittenLoader.add_implicit_resolver(f"{_TAG}int", _INT, list("-+0123456789"))
WrittenLoader.add_implicit_resolver(f"{_TAG}float", _FLOAT, list("-+0123456789."))
WrittenLoader.add_constructor(f"{_TAG}int", WrittenLoader.construct_decimal_int)


def load_yaml(text: str) -> Any:
    """The data of one YAML document, read by ``WrittenLoader``."""
    return yaml.load(text, Loader=WrittenLoader)


def yaml_problem(error: yaml.YAMLError, text: str) -> str:
    """``error`` in one line, where it is and how to mend it, for the two mistakes people
    make most in YAML written by hand: a tab indenting a line (Notepad's Tab key; YAML takes
    spaces only) and an unquoted value holding ``: `` (``prompt: Summer: 50% off``)."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or " ".join(str(error).split())
    if mark is None:
        return f"not valid YAML: {problem}"
    lines = text.splitlines()
    written = lines[mark.line] if mark.line < len(lines) else ""
    if "\t" in written[: mark.column + 1]:
        problem = "a tab indents it (YAML indents with spaces)"
    elif "mapping values are not allowed" in problem:
        problem = "a value holding ': ' must be quoted (prompt: \"Summer: 50% off\")"
    return f"line {mark.line + 1}, column {mark.column + 1}: not valid YAML: {problem}"
